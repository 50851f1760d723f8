"""Each cross-object check passes on the real overlays and fails on a manifest broken the way it guards against.

    python3 -m unittest discover -s scripts/lint -p 'test_*.py'

Needs kubectl (for `kubectl kustomize`) and PyYAML.
"""

import contextlib
import copy
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import check_manifests as cm  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
OVERLAYS_DIR = os.path.join(REPO, "deploy", "overlays")
OVERLAYS = sorted(os.listdir(OVERLAYS_DIR))
FIXTURE = os.path.join(HERE, "testdata", "describe.json")

_rendered = {}


def rendered(overlay):
    if overlay not in _rendered:
        out = subprocess.run(["kubectl", "kustomize", os.path.join(OVERLAYS_DIR, overlay)],
                             capture_output=True, text=True, check=True)
        _rendered[overlay] = cm.yaml.safe_load_all(out.stdout)
        _rendered[overlay] = [o for o in _rendered[overlay] if o]
    return cm.Manifests(copy.deepcopy(_rendered[overlay]))


def fixture():
    with open(FIXTURE) as f:
        return json.load(f)


def fixed(describe):
    return lambda workload, container: describe


def one(m, kind):
    objects = m.of_kind(kind)
    assert len(objects) == 1, "%s: %d objects" % (kind, len(objects))
    return objects[0]


def app_container(m):
    return one(m, "Deployment")["spec"]["template"]["spec"]["containers"][0]


def set_env(container, name, value):
    container["env"] = [e for e in container.get("env", []) if e["name"] != name] + [{"name": name, "value": value}]


class CheckTestCase(unittest.TestCase):
    overlay = "prod"

    def setUp(self):
        self.m = rendered(self.overlay)
        self.describe = fixture()

    def assertFails(self, check, needle, describe=None):
        errors = check(self.m, fixed(describe or self.describe))
        self.assertTrue(errors, "%s passed on a broken manifest" % check.__name__)
        self.assertTrue(any(needle in e for e in errors), "no error mentions %r: %s" % (needle, errors))


class RealManifestsTests(unittest.TestCase):
    def test_every_overlay_passes_every_check(self):
        self.assertIn("dev", OVERLAYS)
        self.assertIn("prod", OVERLAYS)
        for overlay in OVERLAYS:
            for name, errors in cm.run_checks(rendered(overlay), fixed(fixture())).items():
                with self.subTest(overlay=overlay, check=name):
                    self.assertEqual(errors, [])

    def test_main_exit_status(self):
        with tempfile.TemporaryDirectory() as tmp:
            good = os.path.join(tmp, "good.yaml")
            with open(good, "w") as f:
                cm.yaml.safe_dump_all(rendered("prod").objects, f)
            with contextlib.redirect_stdout(io.StringIO()):
                self.assertEqual(cm.main(["--describe", FIXTURE, good]), 0)
            broken = rendered("prod")
            one(broken, "HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]["name"] = "nope"
            bad = os.path.join(tmp, "bad.yaml")
            with open(bad, "w") as f:
                cm.yaml.safe_dump_all(broken.objects, f)
            with contextlib.redirect_stdout(io.StringIO()) as out:
                self.assertEqual(cm.main(["--describe", FIXTURE, bad]), 1)
            self.assertIn("FAIL", out.getvalue())


class SelectorTests(CheckTestCase):
    def test_deployment_selector_not_matching_template(self):
        one(self.m, "Deployment")["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] = "web"
        self.assertFails(cm.check_selectors, "does not match its pod template labels")

    def test_service_selecting_nothing(self):
        one(self.m, "Service")["spec"]["selector"]["app.kubernetes.io/name"] = "other"
        self.assertFails(cm.check_selectors, "Service")

    def test_service_selecting_migration_pods(self):
        del one(self.m, "Service")["spec"]["selector"]["app.kubernetes.io/component"]
        self.assertFails(cm.check_selectors, "also selects the pods of Job")

    def test_pdb_selecting_nothing(self):
        one(self.m, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] = "x"
        self.assertFails(cm.check_selectors, "PodDisruptionBudget")

    def test_pdb_match_expressions_are_evaluated(self):
        pdb = one(self.m, "PodDisruptionBudget")
        pdb["spec"]["selector"]["matchExpressions"] = [
            {"key": "app.kubernetes.io/component", "operator": "NotIn", "values": ["server"]}]
        self.assertFails(cm.check_selectors, "PodDisruptionBudget")

    def test_network_policy_not_covering_the_pods(self):
        one(self.m, "NetworkPolicy")["spec"]["podSelector"] = {"matchLabels": {"app": "service"}}
        self.assertFails(cm.check_selectors, "NetworkPolicy")


class HPATests(CheckTestCase):
    def test_target_missing(self):
        one(self.m, "HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]["name"] = "servic"
        self.assertFails(cm.check_hpa, "is not a Deployment")

    def test_deployment_with_replicas(self):
        one(self.m, "Deployment")["spec"]["replicas"] = 3
        self.assertFails(cm.check_hpa, "has spec.replicas")

    def test_no_cpu_request(self):
        del app_container(self.m)["resources"]["requests"]["cpu"]
        self.assertFails(cm.check_hpa, "no CPU request")

    def test_single_replica_minimum(self):
        one(self.m, "HorizontalPodAutoscaler")["spec"]["minReplicas"] = 1
        self.assertFails(cm.check_hpa, "minReplicas 1 < 2")

    def test_deployment_without_hpa(self):
        self.m.objects.remove(one(self.m, "HorizontalPodAutoscaler"))
        self.assertFails(cm.check_hpa, "no HorizontalPodAutoscaler targets it")


class PortsAndPathsTests(CheckTestCase):
    def test_readiness_path_unknown_to_the_binary(self):
        app_container(self.m)["readinessProbe"]["httpGet"]["path"] = "/ready"
        self.assertFails(cm.check_ports_and_paths, "readinessProbe path /ready")

    def test_liveness_on_the_admin_port(self):
        app_container(self.m)["livenessProbe"]["httpGet"]["port"] = "admin"
        self.assertFails(cm.check_ports_and_paths, "expected the traffic port")

    def test_probe_on_an_undeclared_port_name(self):
        app_container(self.m)["startupProbe"]["httpGet"]["port"] = "web"
        self.assertFails(cm.check_ports_and_paths, "no port of the binary")

    def test_probe_path_missing_from_the_routes(self):
        self.describe["routes"] = [r for r in self.describe["routes"] if r["path"] != "/readyz"]
        self.assertFails(cm.check_ports_and_paths, "GET /readyz is not a route on port 'http'")

    def test_prestop_on_the_traffic_port(self):
        app_container(self.m)["lifecycle"]["preStop"]["httpGet"]["port"] = "http"
        self.assertFails(cm.check_ports_and_paths, "expected the admin port")

    def test_prestop_path_wrong(self):
        app_container(self.m)["lifecycle"]["preStop"]["httpGet"]["path"] = "/-/prestop"
        self.assertFails(cm.check_ports_and_paths, "preStop path /-/prestop")

    def test_prestop_missing(self):
        del app_container(self.m)["lifecycle"]
        self.assertFails(cm.check_ports_and_paths, "no lifecycle.preStop.httpGet")

    def test_container_port_differs_from_the_binary(self):
        app_container(self.m)["ports"][0]["containerPort"] = 9090
        self.assertFails(cm.check_ports_and_paths, "containerPort named 'http' is 9090")

    def test_service_exposing_the_admin_port(self):
        one(self.m, "Service")["spec"]["ports"].append({"name": "admin", "port": 8081, "targetPort": "admin"})
        self.assertFails(cm.check_ports_and_paths, "only the traffic port")

    def test_metrics_annotation_on_the_wrong_port(self):
        one(self.m, "Deployment")["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] = "8080"
        self.assertFails(cm.check_ports_and_paths, "prometheus.io/path /metrics")


class PrestopTokenTests(CheckTestCase):
    def hook(self):
        return app_container(self.m)["lifecycle"]["preStop"]["httpGet"]

    def test_hook_without_the_header(self):
        del self.hook()["httpHeaders"]
        self.assertFails(cm.check_prestop_token, "sends X-Prestop-Token 0 times")

    def test_hook_value_differs_from_the_setting(self):
        self.hook()["httpHeaders"][0]["value"] = "another-token-of-enough-length"
        self.assertFails(cm.check_prestop_token, "differs from PRESTOP_TOKEN")

    def test_header_name_is_compared_without_case(self):
        self.hook()["httpHeaders"][0]["name"] = "x-prestop-token"
        self.assertEqual(cm.check_prestop_token(self.m, fixed(self.describe)), [])

    def test_setting_missing(self):
        c = app_container(self.m)
        c["env"] = [e for e in c["env"] if e["name"] != "PRESTOP_TOKEN"]
        self.assertFails(cm.check_prestop_token, "PRESTOP_TOKEN is not set")

    def test_setting_from_a_file(self):
        set_env(app_container(self.m), "PRESTOP_TOKEN_FILE", "/var/run/secrets/app/prestop-token")
        self.assertFails(cm.check_prestop_token, "PRESTOP_TOKEN_FILE is set")


class GracePeriodTests(CheckTestCase):
    def test_grace_shorter_than_the_budget(self):
        one(self.m, "Deployment")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 30
        set_env(app_container(self.m), "TERMINATION_GRACE_PERIOD_SECONDS", "30")
        self.assertFails(cm.check_grace_period, "< the app's shutdown budget 32")

    def test_budget_grows_in_the_binary(self):
        self.describe["shutdown"]["requiredGracePeriodSeconds"] = 47
        self.assertFails(cm.check_grace_period, "< the app's shutdown budget 47")

    def test_env_differs_from_the_pod_spec(self):
        set_env(app_container(self.m), "TERMINATION_GRACE_PERIOD_SECONDS", "60")
        self.assertFails(cm.check_grace_period, "TERMINATION_GRACE_PERIOD_SECONDS=60 but")

    def test_configmap_value_differs_from_the_pod_spec(self):
        c = app_container(self.m)
        c["env"] = [e for e in c["env"] if e["name"] != "TERMINATION_GRACE_PERIOD_SECONDS"]
        one(self.m, "ConfigMap")["data"]["TERMINATION_GRACE_PERIOD_SECONDS"] = "40"
        self.assertFails(cm.check_grace_period, "TERMINATION_GRACE_PERIOD_SECONDS=40 but terminationGracePeriodSeconds is 35")

    def test_env_missing(self):
        c = app_container(self.m)
        c["env"] = [e for e in c["env"] if e["name"] != "TERMINATION_GRACE_PERIOD_SECONDS"]
        self.assertFails(cm.check_grace_period, "TERMINATION_GRACE_PERIOD_SECONDS is not set")


class ProbeTimingTests(CheckTestCase):
    def test_timeout_below_two_seconds(self):
        del app_container(self.m)["livenessProbe"]["timeoutSeconds"]  # Kubernetes' default is 1
        self.assertFails(cm.check_probe_timings, "livenessProbe timeoutSeconds 1 < 2")

    def test_readiness_timeout_not_above_the_check_timeout(self):
        one(self.m, "ConfigMap")["data"]["READINESS_CHECK_TIMEOUT_SECONDS"] = "2"
        self.assertFails(cm.check_probe_timings, "<= READINESS_CHECK_TIMEOUT_SECONDS 2")

    def test_readiness_too_slow_to_leave_the_endpoints(self):
        # The manifest's probe before this check existed: every 5 s, 2 failures.
        probe = app_container(self.m)["readinessProbe"]
        probe["periodSeconds"], probe["failureThreshold"] = 5, 2
        self.assertFails(cm.check_probe_timings, "leaves the endpoints up to 12 s later")

    def test_readiness_too_slow_to_return(self):
        app_container(self.m)["readinessProbe"]["successThreshold"] = 2
        self.assertFails(cm.check_probe_timings, "returns to the endpoints up to 3 s later")

    def test_readiness_bound_uses_the_binary_default_interval(self):
        del one(self.m, "ConfigMap")["data"]["READINESS_CHECK_INTERVAL_SECONDS"]
        self.describe["settings"]["READINESS_CHECK_INTERVAL_SECONDS"]["value"] = "2"
        self.assertFails(cm.check_probe_timings, "READINESS_CHECK_INTERVAL_SECONDS 2 + successThreshold 1")

    def test_fractional_check_timeout_is_read(self):
        one(self.m, "ConfigMap")["data"]["READINESS_CHECK_TIMEOUT_SECONDS"] = "2.5"
        self.assertFails(cm.check_probe_timings, "<= READINESS_CHECK_TIMEOUT_SECONDS 2.5")

    def test_one_failed_check_would_unready_the_pod(self):
        app_container(self.m)["readinessProbe"]["failureThreshold"] = 2
        self.assertFails(cm.check_probe_timings, "spans fewer than two app checks")

    def test_startup_window_shorter_than_the_app_deadline(self):
        app_container(self.m)["startupProbe"]["failureThreshold"] = 30
        self.assertFails(cm.check_probe_timings, "startupProbe window 60 s <= STARTUP_DEADLINE_SECONDS 60")

    def test_startup_deadline_from_the_binary_when_unset(self):
        del one(self.m, "ConfigMap")["data"]["STARTUP_DEADLINE_SECONDS"]
        self.describe["settings"]["STARTUP_DEADLINE_SECONDS"]["value"] = "90"
        self.assertFails(cm.check_probe_timings, "startupProbe window 66 s <= STARTUP_DEADLINE_SECONDS 90")


class RolloutAndDisruptionTests(CheckTestCase):
    def rolling(self):
        return one(self.m, "Deployment")["spec"]["strategy"]["rollingUpdate"]

    def test_max_unavailable_above_zero(self):
        self.rolling()["maxUnavailable"] = 1
        self.assertFails(cm.check_rollout_and_disruption, "maxUnavailable 1, expected 0")

    def test_max_unavailable_left_to_the_default(self):
        del self.rolling()["maxUnavailable"]
        self.assertFails(cm.check_rollout_and_disruption, "maxUnavailable 25% (default)")

    def test_no_min_ready_seconds(self):
        del one(self.m, "Deployment")["spec"]["minReadySeconds"]
        self.assertFails(cm.check_rollout_and_disruption, "minReadySeconds 0 < 5")

    def test_min_ready_seconds_below_the_floor(self):
        one(self.m, "Deployment")["spec"]["minReadySeconds"] = 1
        self.assertFails(cm.check_rollout_and_disruption, "minReadySeconds 1 < 5")

    def test_min_ready_seconds_beyond_the_progress_deadline(self):
        one(self.m, "Deployment")["spec"]["minReadySeconds"] = 600
        self.assertFails(cm.check_rollout_and_disruption, ">= progressDeadlineSeconds 600")

    def test_no_surge(self):
        self.rolling()["maxSurge"] = 0
        self.assertFails(cm.check_rollout_and_disruption, "cannot start")

    def test_recreate(self):
        one(self.m, "Deployment")["spec"]["strategy"] = {"type": "Recreate"}
        self.assertFails(cm.check_rollout_and_disruption, "strategy Recreate")

    def test_spread_selecting_other_pods(self):
        spread = one(self.m, "Deployment")["spec"]["template"]["spec"]["topologySpreadConstraints"]
        spread[0]["labelSelector"]["matchLabels"]["app.kubernetes.io/component"] = "web"
        self.assertFails(cm.check_rollout_and_disruption, "selects none of its pods")

    def test_no_spread(self):
        del one(self.m, "Deployment")["spec"]["template"]["spec"]["topologySpreadConstraints"]
        self.assertFails(cm.check_rollout_and_disruption, "no topologySpreadConstraints")

    def test_pdb_without_always_allow(self):
        del one(self.m, "PodDisruptionBudget")["spec"]["unhealthyPodEvictionPolicy"]
        self.assertFails(cm.check_rollout_and_disruption, "unhealthyPodEvictionPolicy unset")

    def test_no_pdb(self):
        self.m.objects.remove(one(self.m, "PodDisruptionBudget"))
        self.assertFails(cm.check_rollout_and_disruption, "no PodDisruptionBudget")

    def test_hpa_without_scale_down_window(self):
        del one(self.m, "HorizontalPodAutoscaler")["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"]
        self.assertFails(cm.check_rollout_and_disruption, "stabilizationWindowSeconds")


class DatabaseBudgetTests(CheckTestCase):
    def test_too_many_replicas(self):
        one(self.m, "HorizontalPodAutoscaler")["spec"]["maxReplicas"] = 8
        self.assertFails(cm.check_db_budget, "(maxReplicas 8 + maxSurge 1) x DB_POOL_MAX 10 = 90")

    def test_pool_too_large(self):
        one(self.m, "ConfigMap")["data"]["DB_POOL_MAX"] = "20"
        self.assertFails(cm.check_db_budget, "= 140 connections")

    def test_surge_percentage_counts(self):
        one(self.m, "Deployment")["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = "50%"
        self.assertFails(cm.check_db_budget, "(maxReplicas 6 + maxSurge 3)")

    def test_pool_from_the_binary_when_unset(self):
        del one(self.m, "ConfigMap")["data"]["DB_POOL_MAX"]
        self.describe["database"]["poolMax"] = 25
        self.assertFails(cm.check_db_budget, "DB_POOL_MAX 25")


class SameImageTests(CheckTestCase):
    def test_job_on_another_image(self):
        one(self.m, "Job")["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.example.com/x:1"
        self.assertFails(cm.check_same_image, "different images")

    def test_latest_tag(self):
        for w in self.m.workloads():
            w["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.example.com:5000/service:latest"
        self.assertFails(cm.check_same_image, "has no version")

    def test_no_tag(self):
        for w in self.m.workloads():
            w["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.example.com:5000/service"
        self.assertFails(cm.check_same_image, "has no version")

    def test_job_missing(self):
        self.m.objects.remove(one(self.m, "Job"))
        self.assertFails(cm.check_same_image, "no migration Job")


class SecretsAsFilesTests(CheckTestCase):
    def test_database_url_in_env(self):
        set_env(app_container(self.m), "DATABASE_URL", "postgresql://u:p@db/app")
        self.assertFails(cm.check_secrets_as_files, "DATABASE_URL is set in the environment")

    def test_file_outside_the_secret_mount(self):
        job_container = one(self.m, "Job")["spec"]["template"]["spec"]["containers"][0]
        set_env(job_container, "DATABASE_URL_FILE", "/etc/app/database-url")
        self.assertFails(cm.check_secrets_as_files, "not inside a mounted Secret volume")


class NoTestHooksTests(CheckTestCase):
    def test_enabled_in_env(self):
        set_env(app_container(self.m), "ENABLE_TEST_HOOKS", "true")
        self.assertFails(cm.check_no_test_hooks, "ENABLE_TEST_HOOKS is set to 'true'")

    def test_enabled_in_the_config_map(self):
        container = app_container(self.m)
        config_map = next(source["configMapRef"]["name"] for source in container["envFrom"] if "configMapRef" in source)
        namespace = one(self.m, "Deployment")["metadata"]["namespace"]
        self.m.get("ConfigMap", config_map, namespace)["data"]["ENABLE_TEST_HOOKS"] = "YES"
        self.assertFails(cm.check_no_test_hooks, "ENABLE_TEST_HOOKS is set to 'YES'")

    def test_enabled_in_the_job(self):
        set_env(one(self.m, "Job")["spec"]["template"]["spec"]["containers"][0], "ENABLE_TEST_HOOKS", "1")
        self.assertFails(cm.check_no_test_hooks, "Job")

    def test_from_a_reference(self):
        container = app_container(self.m)
        container["env"] = container.get("env", []) + [
            {"name": "ENABLE_TEST_HOOKS", "valueFrom": {"configMapKeyRef": {"name": "elsewhere", "key": "hooks"}}}]
        self.assertFails(cm.check_no_test_hooks, "from a reference")

    def test_explicitly_off_passes(self):
        set_env(app_container(self.m), "ENABLE_TEST_HOOKS", "False")
        self.assertEqual(cm.check_no_test_hooks(self.m, fixed(self.describe)), [])


class DescribeFromBinaryTests(unittest.TestCase):
    """--service-binary runs the binary with the container's settings; a fake binary stands in for it here."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.binary = os.path.join(self.tmp.name, "service")
        with open(self.binary, "w") as f:
            f.write("#!%s\n" % sys.executable)
            f.write("import json, os, sys\n")
            f.write("assert sys.argv[1:] == ['describe'], sys.argv\n")
            f.write("d = json.load(open(%r))\n" % FIXTURE)
            f.write("d['ports'] = {'http': int(os.environ['HTTP_PORT']), 'admin': int(os.environ['ADMIN_PORT'])}\n")
            f.write("print(json.dumps(d))\n")
        os.chmod(self.binary, stat.S_IRWXU)

    def tearDown(self):
        self.tmp.cleanup()

    def test_real_manifests_pass(self):
        m = rendered("prod")
        errors = cm.check_ports_and_paths(m, cm.describe_from_binary(self.binary, m))
        self.assertEqual(errors, [])

    def test_port_setting_disagreeing_with_container_port(self):
        m = rendered("prod")
        one(m, "ConfigMap")["data"]["HTTP_PORT"] = "9090"
        errors = cm.check_ports_and_paths(m, cm.describe_from_binary(self.binary, m))
        self.assertTrue(any("containerPort named 'http' is 8080, the binary listens on 9090" in e for e in errors),
                        errors)


if __name__ == "__main__":
    unittest.main()
