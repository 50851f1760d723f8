#!/usr/bin/env python3
"""Cross-object checks on rendered Kubernetes manifests: what schema validators and checkov cannot see.

    kubectl kustomize deploy/overlays/prod > prod.yaml
    check_manifests.py --describe describe.json prod.yaml
    check_manifests.py --service-binary .build/release/service prod.yaml

The binary's view comes from `service describe` (its JSON contract is in the team brief): the ports, routes,
probe paths and shutdown budget the manifests must agree with. With --service-binary the checker runs it with
each container's literal settings (ConfigMap and `env` values) applied, so a port or timeout changed in an
overlay is compared with what the binary would really do.

Standard library and PyYAML only. Exit status 0 when every check passes, 1 otherwise.
"""

import argparse
import json
import math
import os
import subprocess
import sys

import yaml

# The PostgreSQL connection budget the HPA may spend at its peak. Raise it together with the server's
# max_connections (or point DB_POOL_MAX at a PgBouncer and budget that instead).
PG_MAX_CONNECTIONS = 100  # PostgreSQL's default max_connections
PG_SUPERUSER_RESERVED = 3  # superuser_reserved_connections default: never available to the app role
MIGRATION_JOB_CONNECTIONS = 1  # `service migrate` holds one connection and may overlap a rollout
HEADROOM = 16  # psql sessions, monitoring exporters, backups, pods still draining at the end of a rollout
DB_CONNECTION_BUDGET = PG_MAX_CONNECTIONS - PG_SUPERUSER_RESERVED - MIGRATION_JOB_CONNECTIONS - HEADROOM  # 80

MIN_REPLICAS = 2

# Kubernetes' probe defaults, used when a field is absent.
PROBE_DEFAULTS = {"periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3, "successThreshold": 1}
MIN_PROBE_TIMEOUT_SECONDS = 2

# Readiness must follow the database: out of the endpoints within this long after it goes away, back in within
# READINESS_GREEN_BOUND_SECONDS after it returns (docs/DEPLOY.md "Readiness timing").
READINESS_RED_BOUND_SECONDS = 5
READINESS_GREEN_BOUND_SECONDS = 2

# A new pod must stay Ready this long before the rollout deletes an old one, so that its endpoint reaches every
# kube-proxy and ingress controller first (they apply EndpointSlice changes with seconds of uneven lag, and a
# removal can land before an addition). docs/DEPLOY.md "Rollouts".
MIN_READY_SECONDS_FLOOR = 5

# Settings that must reach the app as files, never as environment values. Not PRESTOP_TOKEN: the preStop hook
# carries it literally in the pod spec anyway (check_prestop_token).
SECRET_SETTINGS = ("DATABASE_URL", "DATABASE_PASSWORD")

# Routes that block a request or an event loop on demand: for the contract tests only, never in a cluster.
TEST_HOOKS_SETTING = "ENABLE_TEST_HOOKS"
FALSE_VALUES = ("false", "0", "no")  # what the binary's boolean settings read as false, any case

# Probe kind in the pod spec -> key in describe's "probes".
PROBES = {"startupProbe": "startup", "livenessProbe": "liveness", "readinessProbe": "readiness"}
TRAFFIC_PORT = "http"
ADMIN_PORT = "admin"

WORKLOAD_KINDS = ("Deployment", "Job")


class Manifests:
    """The rendered objects of one overlay, with the lookups the checks share."""

    def __init__(self, objects):
        self.objects = [o for o in objects if isinstance(o, dict)]

    def of_kind(self, kind):
        return [o for o in self.objects if o.get("kind") == kind]

    def get(self, kind, name, namespace):
        for o in self.of_kind(kind):
            meta = o.get("metadata", {})
            if meta.get("name") == name and meta.get("namespace") == namespace:
                return o
        return None

    def workloads(self):
        return [o for o in self.objects if o.get("kind") in WORKLOAD_KINDS]


def ref(obj):
    meta = obj.get("metadata", {})
    return "%s %s/%s" % (obj.get("kind"), meta.get("namespace", "-"), meta.get("name"))


def pod_spec(workload):
    return workload.get("spec", {}).get("template", {}).get("spec", {})


def pod_labels(workload):
    return workload.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {}) or {}


def containers(workload):
    return pod_spec(workload).get("containers", []) or []


def selector_matches(selector, labels):
    """A LabelSelector (matchLabels/matchExpressions) or a Service's plain map, against pod labels.

    An empty or missing selector matches nothing here: for our objects that is always a mistake.
    """
    if not selector:
        return False
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        selector = {"matchLabels": selector}
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    for e in expressions:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def effective_env(container, workload, manifests, errors):
    """The container's settings: ConfigMaps from envFrom, then `env` on top. valueFrom entries map to None."""
    namespace = workload.get("metadata", {}).get("namespace")
    env = {}
    for source in container.get("envFrom", []) or []:
        cm_ref = source.get("configMapRef")
        if cm_ref is None:
            continue
        cm = manifests.get("ConfigMap", cm_ref.get("name"), namespace)
        if cm is None:
            if not cm_ref.get("optional"):
                errors.append("%s container %s: envFrom ConfigMap %s is not in the manifests"
                              % (ref(workload), container.get("name"), cm_ref.get("name")))
            continue
        prefix = source.get("prefix", "")
        for k, v in (cm.get("data") or {}).items():
            env[prefix + k] = v
    for item in container.get("env", []) or []:
        env[item["name"]] = item.get("value") if "valueFrom" not in item else None
    return env


def int_setting(env, name, errors, where):
    raw = env.get(name)
    try:
        return int(raw)
    except (TypeError, ValueError):
        errors.append("%s: %s=%r is not an integer" % (where, name, raw))
        return None


def seconds_setting(env, name, describe, errors, where):
    """A seconds setting from the manifests, else the binary's effective value from `service describe`."""
    if env.get(name) is None:
        return float(describe["settings"][name]["value"])
    try:
        return float(env[name])
    except ValueError:
        errors.append("%s: %s=%r is not a number of seconds" % (where, name, env[name]))
        return None


def resolve_port(port, container):
    """A probe/hook/Service port (number or name) -> the container port number, or None."""
    for p in container.get("ports", []) or []:
        if isinstance(port, int) and p.get("containerPort") == port:
            return port
        if isinstance(port, str) and p.get("name") == port:
            return p.get("containerPort")
    return port if isinstance(port, int) else None


def port_name(number, describe):
    for name, value in describe["ports"].items():
        if value == number:
            return name
    return None


def has_route(describe, port, path, method="GET"):
    return any(r.get("port") == port and r.get("path") == path and r.get("method", "GET") == method
               for r in describe.get("routes", []))


# ---------------------------------------------------------------------------------------------------------
# The checks. Each takes (manifests, describe_for) and returns a list of error strings.
# describe_for(workload, container) returns the `service describe` JSON for that container's settings.
# ---------------------------------------------------------------------------------------------------------

def check_selectors(m, describe_for):
    """Deployment, Service, PDB and NetworkPolicy selectors select the Deployment's pods, and only them."""
    errors = []
    deployments = m.of_kind("Deployment")
    jobs = m.of_kind("Job")
    if not deployments:
        errors.append("no Deployment in the manifests")
    for d in deployments:
        if not selector_matches(d["spec"].get("selector"), pod_labels(d)):
            errors.append("%s: spec.selector %s does not match its pod template labels %s"
                          % (ref(d), d["spec"].get("selector"), pod_labels(d)))
    for kind, field in (("Service", "selector"), ("PodDisruptionBudget", "selector"),
                        ("NetworkPolicy", "podSelector")):
        for o in m.of_kind(kind):
            selector = o.get("spec", {}).get(field)
            if not any(selector_matches(selector, pod_labels(d)) for d in deployments):
                errors.append("%s: spec.%s %s selects no Deployment's pods" % (ref(o), field, selector))
            # A Job pod behind a Service would receive traffic on a port nobody listens on.
            if kind in ("Service", "PodDisruptionBudget"):
                for j in jobs:
                    if selector_matches(selector, pod_labels(j)):
                        errors.append("%s: spec.%s also selects the pods of %s" % (ref(o), field, ref(j)))
    return errors


def check_hpa(m, describe_for):
    """Each HPA targets an existing Deployment that has no replicas and requests CPU, with minReplicas >= 2;
    each Deployment has one."""
    errors = []
    targeted = set()
    for h in m.of_kind("HorizontalPodAutoscaler"):
        target = h["spec"].get("scaleTargetRef", {})
        ns = h["metadata"].get("namespace")
        d = m.get(target.get("kind"), target.get("name"), ns)
        if target.get("kind") != "Deployment" or target.get("apiVersion") != "apps/v1" or d is None:
            errors.append("%s: scaleTargetRef %s is not a Deployment (apps/v1) in these manifests" % (ref(h), target))
            continue
        targeted.add(ref(d))
        # With one pod, any voluntary disruption the PDB allows (maxUnavailable 1) or a crash takes the service
        # down; two also let the topology spread put pods on two nodes.
        if h["spec"].get("minReplicas", 1) < MIN_REPLICAS:
            errors.append("%s: minReplicas %s < %s" % (ref(h), h["spec"].get("minReplicas", 1), MIN_REPLICAS))
        if "replicas" in d["spec"]:
            errors.append("%s: has spec.replicas although %s owns the count (every apply would reset it)"
                          % (ref(d), ref(h)))
        uses_cpu = any(mt.get("type") == "Resource" and mt.get("resource", {}).get("name") == "cpu"
                       for mt in h["spec"].get("metrics", []) or [])
        if uses_cpu:
            for c in containers(d):
                if not (c.get("resources", {}).get("requests") or {}).get("cpu"):
                    errors.append("%s container %s: no CPU request, so %s's CPU utilization is undefined"
                                  % (ref(d), c.get("name"), ref(h)))
    for d in m.of_kind("Deployment"):
        if ref(d) not in targeted:
            errors.append("%s: no HorizontalPodAutoscaler targets it" % ref(d))
    return errors


def check_ports_and_paths(m, describe_for):
    """Container ports, probe paths and ports, the preStop hook and Service ports exist in the binary."""
    errors = []
    deployments = m.of_kind("Deployment")
    for d in deployments:
        for c in containers(d):
            where = "%s container %s" % (ref(d), c.get("name"))
            describe = describe_for(d, c)
            declared = {p.get("name"): p.get("containerPort") for p in c.get("ports", []) or []}
            for name, number in describe["ports"].items():
                if declared.get(name) != number:
                    errors.append("%s: containerPort named %r is %s, the binary listens on %s"
                                  % (where, name, declared.get(name), number))
            for field, kind in PROBES.items():
                probe = c.get(field)
                if not probe or "httpGet" not in probe:
                    errors.append("%s: no %s with httpGet" % (where, field))
                    continue
                path, port = probe["httpGet"].get("path"), probe["httpGet"].get("port")
                expected = describe["probes"].get(kind)
                if path != expected:
                    errors.append("%s: %s path %s, the binary's %s path is %s" % (where, field, path, kind, expected))
                name = port_name(resolve_port(port, c), describe)
                if name != TRAFFIC_PORT:
                    errors.append("%s: %s port %r is %s, expected the traffic port %r"
                                  % (where, field, port, name or "no port of the binary", TRAFFIC_PORT))
                elif not has_route(describe, name, path):
                    errors.append("%s: %s GET %s is not a route on port %r" % (where, field, path, name))
            hook = (c.get("lifecycle") or {}).get("preStop") or {}
            if "httpGet" not in hook:
                errors.append("%s: no lifecycle.preStop.httpGet" % where)
            else:
                path, port = hook["httpGet"].get("path"), hook["httpGet"].get("port")
                name = port_name(resolve_port(port, c), describe)
                if path != describe["probes"].get("preStop"):
                    errors.append("%s: preStop path %s, the binary's is %s"
                                  % (where, path, describe["probes"].get("preStop")))
                if name != ADMIN_PORT:
                    errors.append("%s: preStop port %r is %s, expected the admin port %r"
                                  % (where, port, name or "no port of the binary", ADMIN_PORT))
                elif not has_route(describe, name, path):
                    errors.append("%s: preStop GET %s is not a route on port %r" % (where, path, name))
            annotations = d["spec"]["template"].get("metadata", {}).get("annotations") or {}
            if "prometheus.io/path" in annotations:
                scrape_port = port_name(int(annotations.get("prometheus.io/port", 0)), describe)
                if not has_route(describe, scrape_port, annotations["prometheus.io/path"]):
                    errors.append("%s: prometheus.io/path %s is not a route on port %s"
                                  % (where, annotations["prometheus.io/path"], annotations.get("prometheus.io/port")))
    for s in m.of_kind("Service"):
        selected = [d for d in deployments if selector_matches(s["spec"].get("selector"), pod_labels(d))]
        for sp in s["spec"].get("ports", []) or []:
            target = sp.get("targetPort", sp.get("port"))
            for d in selected:
                for c in containers(d):
                    name = port_name(resolve_port(target, c), describe_for(d, c))
                    if name != TRAFFIC_PORT:
                        errors.append("%s: port %s targets %r, which is %s; only the traffic port %r may be exposed"
                                      % (ref(s), sp.get("name"), target, name or "no port of the binary",
                                         TRAFFIC_PORT))
    return errors


def check_prestop_token(m, describe_for):
    """The preStop hook sends the header /prestop requires, with the value of PRESTOP_TOKEN.

    The value is literal on both sides: the kubelet cannot take a hook header from a Secret, so PRESTOP_TOKEN_FILE
    would hide nothing and only make the two impossible to compare.
    """
    errors = []
    for d in m.of_kind("Deployment"):
        for c in containers(d):
            where = "%s container %s" % (ref(d), c.get("name"))
            expected = describe_for(d, c)["preStop"]
            setting = expected["tokenSetting"]
            env = effective_env(c, d, m, errors)
            hook = ((c.get("lifecycle") or {}).get("preStop") or {}).get("httpGet")
            if hook is None:
                continue  # check_ports_and_paths reports it
            sent = [h.get("value") for h in hook.get("httpHeaders") or []
                    if (h.get("name") or "").lower() == expected["header"].lower()]
            if (setting + "_FILE") in env:
                errors.append("%s: %s_FILE is set; set %s literally, as the hook's header is"
                              % (where, setting, setting))
            elif env.get(setting) is None:
                errors.append("%s: %s is not set (or not a literal value): /prestop would refuse the hook"
                              % (where, setting))
            elif len(sent) != 1:
                errors.append("%s: the preStop hook sends %s %d times, expected once with %s"
                              % (where, expected["header"], len(sent), setting))
            elif sent[0] != env[setting]:
                errors.append("%s: the preStop hook's %s differs from %s: /prestop would refuse the hook"
                              % (where, expected["header"], setting))
    return errors


def check_grace_period(m, describe_for):
    """terminationGracePeriodSeconds covers the app's shutdown budget and equals TERMINATION_GRACE_PERIOD_SECONDS."""
    errors = []
    for d in m.of_kind("Deployment"):
        grace = pod_spec(d).get("terminationGracePeriodSeconds", 30)
        for c in containers(d):
            where = "%s container %s" % (ref(d), c.get("name"))
            required = describe_for(d, c)["shutdown"]["requiredGracePeriodSeconds"]
            if grace < required:
                errors.append("%s: terminationGracePeriodSeconds %s < the app's shutdown budget %s s"
                              % (ref(d), grace, required))
            env = effective_env(c, d, m, errors)
            if "TERMINATION_GRACE_PERIOD_SECONDS" not in env:
                errors.append("%s: TERMINATION_GRACE_PERIOD_SECONDS is not set (the app cannot check its budget)"
                              % where)
                continue
            value = int_setting(env, "TERMINATION_GRACE_PERIOD_SECONDS", errors, where)
            if value is not None and value != grace:
                errors.append("%s: TERMINATION_GRACE_PERIOD_SECONDS=%s but terminationGracePeriodSeconds is %s"
                              % (where, value, grace))
    return errors


def readiness_bounds(probe, interval, check_timeout):
    """(seconds to leave the endpoints after the database goes, seconds to return after it is back), worst case.

    The probe reads a result the app caches for `interval`, so a change is seen at most `interval` late; the first
    probe after that comes within one period and runs a fresh check, which fails within `check_timeout`; then the
    kubelet needs failureThreshold (or successThreshold) probes in a row. Back in: the pool retries at least twice
    per interval, so a fresh check succeeds at the first probe after the cached failure expires.
    """
    red = interval + check_timeout + probe["failureThreshold"] * probe["periodSeconds"]
    green = interval + probe["successThreshold"] * probe["periodSeconds"]
    return red, green


def check_probe_timings(m, describe_for):
    """Probe timeouts >= 2 s; readiness follows the database within its bounds; startup outlasts the app's deadline."""
    errors = []
    for d in m.of_kind("Deployment"):
        for c in containers(d):
            where = "%s container %s" % (ref(d), c.get("name"))
            env = effective_env(c, d, m, errors)
            describe = describe_for(d, c)
            probes = {f: dict(PROBE_DEFAULTS, **(c.get(f) or {})) for f in PROBES if c.get(f)}
            for field, p in probes.items():
                if p["timeoutSeconds"] < MIN_PROBE_TIMEOUT_SECONDS:
                    errors.append("%s: %s timeoutSeconds %s < %s (a GC pause or a busy loop would restart or "
                                  "unready the pod)" % (where, field, p["timeoutSeconds"], MIN_PROBE_TIMEOUT_SECONDS))
            readiness = probes.get("readinessProbe")
            interval = seconds_setting(env, "READINESS_CHECK_INTERVAL_SECONDS", describe, errors, where)
            check_timeout = seconds_setting(env, "READINESS_CHECK_TIMEOUT_SECONDS", describe, errors, where)
            if readiness and interval is not None and check_timeout is not None:
                if readiness["timeoutSeconds"] <= check_timeout:
                    errors.append("%s: readinessProbe timeoutSeconds %s <= READINESS_CHECK_TIMEOUT_SECONDS %g"
                                  % (where, readiness["timeoutSeconds"], check_timeout))
                red, green = readiness_bounds(readiness, interval, check_timeout)
                if red > READINESS_RED_BOUND_SECONDS:
                    errors.append("%s: a pod that loses its database leaves the endpoints up to %g s later "
                                  "(READINESS_CHECK_INTERVAL_SECONDS %g + READINESS_CHECK_TIMEOUT_SECONDS %g + "
                                  "failureThreshold %s x periodSeconds %s) > %s s"
                                  % (where, red, interval, check_timeout, readiness["failureThreshold"],
                                     readiness["periodSeconds"], READINESS_RED_BOUND_SECONDS))
                if green > READINESS_GREEN_BOUND_SECONDS:
                    errors.append("%s: a pod whose database is back returns to the endpoints up to %g s later "
                                  "(READINESS_CHECK_INTERVAL_SECONDS %g + successThreshold %s x periodSeconds %s) > %s s"
                                  % (where, green, interval, readiness["successThreshold"], readiness["periodSeconds"],
                                     READINESS_GREEN_BOUND_SECONDS))
                # Hysteresis: at least two checks must fail before the kubelet gives up, so one slow `SELECT 1`
                # on a shared database never takes every pod out at once.
                if readiness["failureThreshold"] * readiness["periodSeconds"] < interval + check_timeout + \
                        readiness["periodSeconds"]:
                    errors.append("%s: readinessProbe failureThreshold %s x periodSeconds %s spans fewer than two "
                                  "app checks (READINESS_CHECK_INTERVAL_SECONDS %g): one failed check would unready "
                                  "the pod" % (where, readiness["failureThreshold"], readiness["periodSeconds"],
                                               interval))
            startup = probes.get("startupProbe")
            deadline = seconds_setting(env, "STARTUP_DEADLINE_SECONDS", describe, errors, where)
            if startup and deadline is not None:
                window = startup["periodSeconds"] * startup["failureThreshold"]
                if window <= deadline:
                    errors.append("%s: startupProbe window %s s <= STARTUP_DEADLINE_SECONDS %g (the kubelet would "
                                  "kill the pod before the app reports why it did not start)"
                                  % (where, window, deadline))
    return errors


def check_rollout_and_disruption(m, describe_for):
    """Rollouts never drop below the current count, pods spread by their own labels, disruptions stay safe."""
    errors = []
    for d in m.of_kind("Deployment"):
        strategy = d["spec"].get("strategy") or {}
        rolling = strategy.get("rollingUpdate") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            errors.append("%s: strategy %s, expected RollingUpdate" % (ref(d), strategy.get("type")))
        # Kubernetes' defaults are 25 % / 25 %: unset means pods may go before their replacements are ready.
        if rolling.get("maxUnavailable", "25%") not in (0, "0%"):
            errors.append("%s: rollingUpdate.maxUnavailable %s, expected 0 (never below the current count)"
                          % (ref(d), rolling.get("maxUnavailable", "25% (default)")))
        if rolling.get("maxSurge", "25%") in (0, "0%"):
            errors.append("%s: rollingUpdate.maxSurge 0 with maxUnavailable 0: the rollout cannot start" % ref(d))
        min_ready = d["spec"].get("minReadySeconds", 0)
        if min_ready < MIN_READY_SECONDS_FLOOR:
            errors.append("%s: minReadySeconds %s < %s: an old pod could be deleted before the new pod's endpoint "
                          "reaches every kube-proxy and ingress controller" % (ref(d), min_ready, MIN_READY_SECONDS_FLOOR))
        elif min_ready >= d["spec"].get("progressDeadlineSeconds", 600):
            errors.append("%s: minReadySeconds %s >= progressDeadlineSeconds %s: every rollout would be reported as "
                          "stalled" % (ref(d), min_ready, d["spec"].get("progressDeadlineSeconds", 600)))
        spread = pod_spec(d).get("topologySpreadConstraints") or []
        if not spread:
            errors.append("%s: no topologySpreadConstraints" % ref(d))
        for c in spread:
            if not selector_matches(c.get("labelSelector"), pod_labels(d)):
                errors.append("%s: topologySpreadConstraint on %s selects none of its pods (labelSelector %s)"
                              % (ref(d), c.get("topologyKey"), c.get("labelSelector")))
    for p in m.of_kind("PodDisruptionBudget"):
        if p["spec"].get("unhealthyPodEvictionPolicy") != "AlwaysAllow":
            errors.append("%s: unhealthyPodEvictionPolicy %s, expected AlwaysAllow (pods that are not ready, e.g. in "
                          "a database outage, must not block node drains)"
                          % (ref(p), p["spec"].get("unhealthyPodEvictionPolicy", "unset")))
    for h in m.of_kind("HorizontalPodAutoscaler"):
        window = ((h["spec"].get("behavior") or {}).get("scaleDown") or {}).get("stabilizationWindowSeconds")
        if window is None:
            errors.append("%s: no behavior.scaleDown.stabilizationWindowSeconds (every scale-down costs a drain)"
                          % ref(h))
    if not m.of_kind("PodDisruptionBudget"):
        errors.append("no PodDisruptionBudget in the manifests")
    return errors


def max_surge(deployment, replicas):
    rolling = deployment["spec"].get("strategy", {}).get("rollingUpdate") or {}
    surge = rolling.get("maxSurge", "25%")
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(replicas * int(surge[:-1]) / 100)
    return int(surge)


def check_db_budget(m, describe_for):
    """(HPA maxReplicas + maxSurge) x DB_POOL_MAX fits DB_CONNECTION_BUDGET."""
    errors = []
    for h in m.of_kind("HorizontalPodAutoscaler"):
        target = h["spec"].get("scaleTargetRef", {})
        d = m.get("Deployment", target.get("name"), h["metadata"].get("namespace"))
        if d is None:
            continue  # check_hpa reports it
        replicas = h["spec"]["maxReplicas"]
        pods = replicas + max_surge(d, replicas)
        for c in containers(d):
            where = "%s container %s" % (ref(d), c.get("name"))
            env = effective_env(c, d, m, errors)
            if env.get("DB_POOL_MAX") is not None:
                pool = int_setting(env, "DB_POOL_MAX", errors, where)
            else:
                pool = describe_for(d, c)["database"]["poolMax"]
            if pool is not None and pods * pool > DB_CONNECTION_BUDGET:
                errors.append("%s: (maxReplicas %s + maxSurge %s) x DB_POOL_MAX %s = %s connections > budget %s"
                              % (where, replicas, pods - replicas, pool, pods * pool, DB_CONNECTION_BUDGET))
    return errors


def check_same_image(m, describe_for):
    """The Deployment and the migration Job run the same, explicitly versioned image."""
    errors = []
    images = {}
    for w in m.workloads():
        for c in containers(w):
            images.setdefault(c.get("image"), []).append("%s container %s" % (ref(w), c.get("name")))
    if len(images) > 1:
        errors.append("workloads use different images: %s"
                      % "; ".join("%s in %s" % (i, ", ".join(u)) for i, u in sorted(images.items(), key=str)))
    for image in images:
        name = (image or "").split("@")[0]
        if "@" not in (image or "") and (":" not in name.rsplit("/", 1)[-1] or name.endswith(":latest")):
            errors.append("image %r has no version (tag or digest)" % image)
    if not m.of_kind("Job"):
        errors.append("no migration Job in the manifests")
    return errors


def check_secrets_as_files(m, describe_for):
    """Secrets reach the app as files: no DATABASE_URL in env, DATABASE_URL_FILE on a mounted Secret."""
    errors = []
    for w in m.workloads():
        volumes = {v.get("name"): v for v in pod_spec(w).get("volumes", []) or []}
        for c in containers(w):
            where = "%s container %s" % (ref(w), c.get("name"))
            env = effective_env(c, w, m, errors)
            for name in SECRET_SETTINGS:
                if name in env:
                    errors.append("%s: %s is set in the environment; mount it and set %s_FILE" % (where, name, name))
            path = env.get("DATABASE_URL_FILE")
            if not path:
                errors.append("%s: DATABASE_URL_FILE is not set" % where)
                continue
            mounted = [vm for vm in c.get("volumeMounts", []) or []
                       if path.startswith(vm.get("mountPath", "").rstrip("/") + "/")]
            if not any("secret" in volumes.get(vm.get("name"), {}) for vm in mounted):
                errors.append("%s: DATABASE_URL_FILE %s is not inside a mounted Secret volume" % (where, path))
    return errors


def check_no_test_hooks(m, describe_for):
    """No workload enables the test hooks (/debug/sleep, /debug/block-loop): anyone who reaches them stalls a pod."""
    errors = []
    for w in m.workloads():
        for c in containers(w):
            env = effective_env(c, w, m, errors)
            if TEST_HOOKS_SETTING not in env:
                continue
            value = env[TEST_HOOKS_SETTING]
            if value is None or str(value).strip().lower() not in FALSE_VALUES:
                shown = "from a reference" if value is None else "to %r" % value
                errors.append("%s container %s: %s is set %s; test hooks never belong in a cluster"
                              % (ref(w), c.get("name"), TEST_HOOKS_SETTING, shown))
    return errors


CHECKS = [check_selectors, check_hpa, check_ports_and_paths, check_prestop_token, check_grace_period, check_probe_timings,
          check_rollout_and_disruption, check_db_budget, check_same_image, check_secrets_as_files, check_no_test_hooks]


def run_checks(manifests, describe_for):
    """{check name: [errors]} for every check."""
    return {check.__name__: check(manifests, describe_for) for check in CHECKS}


def describe_from_file(path):
    with open(path) as f:
        describe = json.load(f)
    return lambda workload, container: describe


def describe_from_binary(binary, manifests):
    """Run `BINARY describe` with the container's literal settings, once per distinct settings."""
    cache = {}

    def describe_for(workload, container):
        env = effective_env(container, workload, manifests, [])
        # The *_FILE settings name files that exist only inside the pod.
        settings = {k: v for k, v in env.items() if v is not None and not k.endswith("_FILE")}
        key = tuple(sorted(settings.items()))
        if key not in cache:
            run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **settings}
            out = subprocess.run([binary, "describe"], env=run_env, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                raise SystemExit("%s describe exited %s: %s" % (binary, out.returncode, out.stderr.strip()))
            cache[key] = json.loads(out.stdout)
        return cache[key]

    return describe_for


def load(path):
    with (sys.stdin if path == "-" else open(path)) as f:
        return Manifests(list(yaml.safe_load_all(f)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--describe", metavar="FILE", help="`service describe` output")
    source.add_argument("--service-binary", metavar="PATH", help="run PATH describe with each container's settings")
    parser.add_argument("rendered", nargs="+", help="rendered manifests (kubectl kustomize output), - for stdin")
    args = parser.parse_args(argv)

    failed = False
    for path in args.rendered:
        manifests = load(path)
        if args.describe:
            describe_for = describe_from_file(args.describe)
        else:
            describe_for = describe_from_binary(args.service_binary, manifests)
        for name, errors in run_checks(manifests, describe_for).items():
            if errors:
                failed = True
                for e in errors:
                    print("FAIL %s [%s] %s" % (path, name, e))
            else:
                print("ok   %s [%s]" % (path, name))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
