#!/usr/bin/env bash
# Image smoke test: the image the Dockerfile builds (`make image`, builder stage included), run the way Kubernetes
# runs it (read-only root filesystem, uid 10001, no capabilities) against a real PostgreSQL. The image has no
# shell, so every check runs from outside: podman runs the binary (or the dynamic loader) as the entrypoint, and
# the filesystem is read through `podman image mount`.
#
#   scripts/image-smoke-test.sh [--no-serve] [IMAGE]
#
#   IMAGE       default localhost/service:dev, built with `make image` when it does not exist
#   DATABASE_URL  required unless --no-serve: a PostgreSQL the container reaches over the host network,
#               e.g. postgresql://service:pw@127.0.0.1:5432/service
#   --no-serve  only the checks that need no serving binary: metadata, filesystem, libraries, a read-only
#               uid-10001 run of `service --help`. For a binary that does not serve yet.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
. scripts/lib.sh

serve=1
if [[ ${1:-} == --no-serve ]]; then
    serve=0
    shift
fi
image=${1:-localhost/service:dev}

log() { printf '\n== %s\n' "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

# Termination budget, the same numbers as deploy/base (delay 5 + drain 20 + hooks 5 + margin 2 = 32 <= 35).
grace_seconds=35
required_grace_seconds=32

if [[ $serve == 1 && -z ${DATABASE_URL:-} ]]; then
    fail "DATABASE_URL is not set (or pass --no-serve to skip the checks that need a serving binary)"
fi

log "tools"
need_apt=()
command -v podman >/dev/null || need_apt+=(podman)
command -v runc >/dev/null || [[ -x /usr/sbin/runc ]] || need_apt+=(runc)
command -v curl >/dev/null || need_apt+=(curl)
command -v readelf >/dev/null || need_apt+=(binutils)
if ((${#need_apt[@]})); then
    echo "installing: ${need_apt[*]}"
    apt_install --no-install-recommends "${need_apt[@]}"
fi
export PATH=$PATH:/usr/sbin:/sbin
export CONTAINERS_CONF=$repo/scripts/containers.conf

container=service-smoke-$$
mounted=0
cleanup() {
    podman rm -f -t 0 "$container" >/dev/null 2>&1 || true
    if ((mounted)); then podman image unmount "$image" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

log "image"
if ! podman image exists "$image"; then
    [[ $image == localhost/service:dev ]] || fail "no image $image"
    make image IMAGE="$image"
fi
podman image ls "$image"
echo "layers: $(podman image inspect --format '{{len .RootFS.Layers}}' "$image")"

# Kubernetes' securityContext, as podman flags: read-only root with no implicit tmpfs mounts, uid/gid
# 10001, every capability dropped, no privilege escalation.
# --no-healthcheck: podman 4 tries to register a systemd timer even for HEALTHCHECK NONE and logs an error
# when there is no systemd; Kubernetes ignores HEALTHCHECK anyway.
hardened=(--read-only --read-only-tmpfs=false --user 10001:10001 --cap-drop=ALL
    --security-opt no-new-privileges --no-healthcheck)

log "image metadata"
user=$(podman image inspect --format '{{.Config.User}}' "$image")
entrypoint=$(podman image inspect --format '{{json .Config.Entrypoint}}' "$image")
cmd=$(podman image inspect --format '{{json .Config.Cmd}}' "$image")
ports=$(podman image inspect --format '{{json .Config.ExposedPorts}}' "$image")
echo "user=$user entrypoint=$entrypoint cmd=$cmd ports=$ports"
[[ $user == 10001:10001 ]] || fail "image user is '$user', expected 10001:10001"
[[ $entrypoint == '["/usr/local/bin/service"]' ]] || fail "entrypoint is $entrypoint"
[[ $cmd == '["serve"]' ]] || fail "cmd is $cmd"
[[ $ports == *8080/tcp* && $ports == *8081/tcp* ]] || fail "exposed ports are $ports"

log "filesystem: no shell, no package manager; package metadata for scanners"
root=$(podman image mount "$image")
mounted=1
for tool in bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash bin/busybox usr/bin/apt-get \
    usr/bin/dpkg usr/bin/ldd; do
    [[ ! -e $root/$tool && ! -L $root/$tool ]] || fail "the image has /$tool"
done
echo "no shell, apt, dpkg or ldd"
status_dir=$root/var/lib/dpkg/status.d
[[ -s $status_dir/libpq5 ]] || fail "no /var/lib/dpkg/status.d/libpq5: scanners would not see libpq"
libpq_version=$(awk '$1 == "Version:" { print $2 }' "$status_dir/libpq5")
# libpq.so.5.<major>: the file the status entry describes must be the one in the image.
libpq_file=$(cd "$root/usr/lib/x86_64-linux-gnu" && echo libpq.so.5.*)
echo "status.d/libpq5: Version $libpq_version; file $libpq_file"
grep -qx 'Status: install ok installed' "$status_dir/libpq5" || fail "libpq5's status entry is not 'install ok installed'"
[[ $libpq_version =~ ^[0-9]+\. && $libpq_file == "libpq.so.5.${libpq_version%%.*}" ]] \
    || fail "libpq5 status names version '$libpq_version' but the image holds $libpq_file"
for entry in "$status_dir"/*; do
    grep -qx "Package: $(basename "$entry")" "$entry" || fail "$entry is not the status of $(basename "$entry")"
done
echo "status.d: $(cd "$status_dir" && echo *)"
grep -q '^ID=debian$' "$root/etc/os-release" || fail "no Debian /etc/os-release: scanners cannot tell the distribution"
[[ -s $root/etc/ssl/certs/ca-certificates.crt ]] || fail "no CA bundle"
grep -qx 'service:x:10001:10001::/nonexistent:/usr/sbin/nologin' "$root/etc/passwd" \
    || fail "no passwd entry for uid 10001: $(cat "$root/etc/passwd")"
# `make image` links without SwiftPM's $ORIGIN RUNPATH: libraries come from the system's directories only.
if readelf -d "$root/usr/local/bin/service" | grep -qE '\((RUNPATH|RPATH)\)'; then
    fail "the binary carries a library search path: $(readelf -d "$root/usr/local/bin/service" | grep -E 'RUNPATH|RPATH')"
fi
echo "no RUNPATH or RPATH in the binary"
podman image unmount "$image" >/dev/null
mounted=0

log "libraries: every shared object resolves inside the image (the dynamic loader's --list, what ldd runs)"
ldd_out=$(podman run --rm "${hardened[@]}" --network none --entrypoint /lib64/ld-linux-x86-64.so.2 "$image" \
    --list /usr/local/bin/service)
echo "$ldd_out"
if grep -q 'not found' <<<"$ldd_out"; then
    fail "missing libraries: $(grep 'not found' <<<"$ldd_out")"
fi
grep -q 'libpq.so.5 => /' <<<"$ldd_out" || fail "libpq.so.5 not linked (CLibPQ not in the binary?)"

log "read-only run as uid 10001: service --help"
podman run --rm "${hardened[@]}" --network none "$image" --help >/dev/null || fail "service --help exited $?"
echo "exit 0"

if [[ $serve == 0 ]]; then
    log "SKIPPED (--no-serve): migrate, /livez, /readyz, SIGTERM drain"
    echo "PASS (partial): image metadata, filesystem, libraries, read-only run"
    exit 0
fi

http_port=$(free_port)
admin_port=$(free_port)
# Host networking: the container reaches the host's PostgreSQL at the same address DATABASE_URL names,
# and probes run from the host, as the kubelet's do.
run_env=(--network host -e DATABASE_URL -e HTTP_HOST=127.0.0.1 -e HTTP_PORT="$http_port"
    -e ADMIN_HOST=127.0.0.1 -e ADMIN_PORT="$admin_port" -e TERMINATION_GRACE_PERIOD_SECONDS="$grace_seconds")

log "service migrate, then migrate status"
podman run --rm "${hardened[@]}" "${run_env[@]}" "$image" migrate || fail "migrate exited $?"
podman run --rm "${hardened[@]}" "${run_env[@]}" "$image" migrate status || fail "migrate status exited $?"

log "serve"
podman run -d --name "$container" "${hardened[@]}" "${run_env[@]}" "$image" >/dev/null

# Not lib.sh's wait_for_200: between polls it checks that the container still runs, and on failure it prints the
# container's last log lines and ends the script.
container_wait_for_200() {
    local url=$1 deadline=$((SECONDS + $2)) code
    while ((SECONDS < deadline)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
        if [[ $code == 200 ]]; then
            echo "$url -> 200"
            return 0
        fi
        if ! podman container exists "$container" \
            || [[ $(podman inspect -f '{{.State.Running}}' "$container") != true ]]; then
            podman logs "$container" | tail -30
            fail "container exited while waiting for $url"
        fi
        sleep 0.5
    done
    podman logs "$container" | tail -30
    fail "$url did not answer 200 within $2 s (last: $code)"
}
# STARTUP_DEADLINE_SECONDS defaults to 60: the app gives up by then, so must we.
container_wait_for_200 "http://127.0.0.1:$http_port/livez" 60
container_wait_for_200 "http://127.0.0.1:$http_port/readyz" 60
container_wait_for_200 "http://127.0.0.1:$admin_port/livez" 5

log "the serving process, seen from the host: uid, capabilities, read-only root"
pid=$(podman inspect -f '{{.State.Pid}}' "$container")
grep -E '^(Uid|Gid|CapEff|CapBnd|NoNewPrivs):' "/proc/$pid/status"
[[ $(awk '$1 == "Uid:" { print $2 $3 $4 $5 }' "/proc/$pid/status") == 10001100011000110001 ]] || fail "not uid 10001"
[[ $(awk '$1 == "Gid:" { print $2 $3 $4 $5 }' "/proc/$pid/status") == 10001100011000110001 ]] || fail "not gid 10001"
[[ $(awk '$1 == "CapEff:" || $1 == "CapBnd:" { print $2 }' "/proc/$pid/status" | sort -u) == 0000000000000000 ]] \
    || fail "the process holds capabilities"
# The app must need no writable path: / is mounted read-only and nothing writable is mounted at /tmp.
# mountinfo: field 5 is the mount point, field 6 its options.
root_options=$(awk '$5 == "/" { print $6 }' "/proc/$pid/mountinfo")
[[ $root_options == ro,* || $root_options == ro ]] || fail "/ is mounted '$root_options'"
! awk '$5 == "/tmp" || $5 ~ "^/tmp/" { found = 1 } END { exit !found }' "/proc/$pid/mountinfo" \
    || fail "something is mounted at /tmp"
echo "/ is mounted $root_options; nothing at /tmp"

log "event loops run SCHED_BATCH under the hardened flags (no capabilities, default seccomp)"
# Field 41 of /proc/PID/task/TID/stat is the policy; after the ") " that ends the thread name, field N is $(N-2).
policies=$(for task in /proc/"$pid"/task/*; do
    if [[ $(cat "$task/comm") == io-* ]]; then awk '{ sub(/.*\) /, ""); print $39 }' "$task/stat"; fi
done | sort -u)
echo "event-loop thread policies: ${policies:-none found}"
[[ $policies == 3 ]] || fail "event-loop threads' scheduling policy is '${policies:-none}', expected 3 (SCHED_BATCH)"

log "SIGTERM: exit 0 within the budget"
start=$SECONDS
# podman stop sends the image's stop signal (SIGTERM), waits --time seconds, then SIGKILLs: the kubelet's
# sequence without the preStop hook.
podman stop --time "$grace_seconds" "$container" >/dev/null
elapsed=$((SECONDS - start))
exit_code=$(podman inspect -f '{{.State.ExitCode}}' "$container")
podman logs "$container" 2>&1 | tail -15
echo "stopped in ${elapsed}s with exit code $exit_code"
[[ $exit_code == 0 ]] || fail "exit code $exit_code after SIGTERM (137 means it was SIGKILLed)"
((elapsed <= required_grace_seconds)) || fail "took ${elapsed}s, budget is ${required_grace_seconds}s"

echo "PASS: metadata, no shell, package metadata, libraries, uid 10001 without capabilities, read-only root, migrate, /livez, /readyz, SIGTERM exit 0 in ${elapsed}s"
