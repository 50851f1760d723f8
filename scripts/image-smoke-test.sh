#!/usr/bin/env bash
# Image smoke test: the Dockerfile's runtime stage, assembled around a `service` binary built on this host,
# run the way Kubernetes runs it (read-only root filesystem, uid 10001, no capabilities) against a real
# PostgreSQL.
#
#   scripts/image-smoke-test.sh [--no-serve] [BINARY]
#
#   BINARY      default .build/release/service (built with `make release` if it is missing)
#   DATABASE_URL  required unless --no-serve: a PostgreSQL the container reaches over the host network,
#               e.g. postgresql://service:pw@127.0.0.1:5432/service
#   --no-serve  only the checks that need no serving binary: image build, user, entrypoint, `ldd`, a
#               read-only uid-10001 run of `service --help`. For a binary that does not serve yet.
#
# Why not `podman build .`: the official swift:*-bookworm builder cannot be pulled on our machines. Instead
#   1. debootstrap a minbase bookworm root filesystem (cached in /var/cache/service-image-smoke, or
#      IMAGE_SMOKE_CACHE, for a week) and `podman import` it
#      under the exact name the Dockerfile's runtime-base stage uses (read from the Dockerfile);
#   2. build the Dockerfile's `runtime-prebuilt` target from a temporary context that holds a byte-for-byte
#      copy of the Dockerfile and the binary. `runtime-prebuilt` and the shipped `runtime` both start FROM
#      runtime-base and differ only in where /usr/local/bin/service comes from; podman builds only the stages
#      a target needs, so the unpullable builder stage is never touched.
# The imported base is not the published debian:bookworm-slim bit for bit (same suite and packages, minbase
# instead of the slim build); the apt step, user, labels, entrypoint and binary layer are the real ones.
set -euo pipefail

cd "$(dirname "$0")/.."
. scripts/lib.sh

serve=1
if [[ ${1:-} == --no-serve ]]; then
    serve=0
    shift
fi
binary=${1:-.build/release/service}

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
command -v debootstrap >/dev/null || [[ -x /usr/sbin/debootstrap ]] || need_apt+=(debootstrap)
command -v curl >/dev/null || need_apt+=(curl)
command -v strip >/dev/null && command -v readelf >/dev/null || need_apt+=(binutils)
if ((${#need_apt[@]})); then
    echo "installing: ${need_apt[*]}"
    # Always with fresh package lists here, not only when a first try fails as apt_install alone would.
    apt-get update
    apt_install --no-install-recommends "${need_apt[@]}"
fi
export PATH=$PATH:/usr/sbin:/sbin

work=$(mktemp -d)
container=service-smoke-$$
cleanup() {
    podman rm -f -t 0 "$container" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# The two sandbox workarounds (../shared/CONTAINERS.md), for this script's podman only.
cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF=$work/containers.conf

log "binary"
if [[ ! -x $binary ]]; then
    [[ $binary == .build/release/service ]] || fail "$binary is not an executable"
    make release
fi
file "$binary" 2>/dev/null || true

log "base image"
base_name=$(awk 'toupper($1) == "FROM" && tolower($3) == "as" && $4 == "runtime-base" { print $2 }' Dockerfile)
[[ -n $base_name ]] || fail "no 'FROM <image> AS runtime-base' in Dockerfile"
[[ $base_name == debian:bookworm-* ]] || fail "runtime-base is $base_name; this script bootstraps bookworm only"
# Short names resolve to docker.io/library locally as they would on a pull.
base_ref=docker.io/library/$base_name

mirror_from_host() {
    # The first Debian mirror apt on this host uses; deb.debian.org otherwise.
    local uri
    uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [[ -n $uri ]] || uri=$(awk '$1 == "deb" && $2 ~ /^http/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
    echo "${uri:-http://deb.debian.org/debian}"
}
mirror=${DEBIAN_MIRROR:-$(mirror_from_host)}
# Outside the repository, so a fresh clone on the same machine (CI) reuses it; rebuilt once a week so the
# base does not drift far from the published image (the runtime stage's apt-get brings packages up to date).
cache=${IMAGE_SMOKE_CACHE:-/var/cache/service-image-smoke}
rootfs_tar=$cache/bookworm-minbase.tar
if [[ -s $rootfs_tar && -n $(find "$rootfs_tar" -mtime +6) ]]; then
    echo "cached base is older than a week: bootstrapping a new one"
    rm -f "$rootfs_tar"
fi
if [[ ! -s $rootfs_tar ]]; then
    mkdir -p "$cache"
    echo "debootstrap --variant=minbase bookworm from $mirror (about a minute, cached in $rootfs_tar)"
    rootfs=$work/rootfs
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
    # The same apt sources as the official image (main, updates and security), so the runtime stage's
    # apt-get installs current packages.
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # Slim it the way the -slim images are: no docs, man pages, locales or apt caches.
    rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
        "$rootfs"/usr/share/locale/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log
    tar -C "$rootfs" --numeric-owner -cf "$rootfs_tar.partial" .
    mv "$rootfs_tar.partial" "$rootfs_tar"
else
    echo "cached: $rootfs_tar"
fi
podman import --change 'CMD ["bash"]' "$rootfs_tar" "$base_ref" >/dev/null
echo "imported as $base_ref"

log "build the Dockerfile's runtime-prebuilt target"
ctx=$work/context
mkdir -p "$ctx/prebuilt"
cp Dockerfile "$ctx/Dockerfile"
cp "$binary" "$ctx/prebuilt/service"
# The real builder stage strips; do the same so sizes and symbols match what ships.
strip "$ctx/prebuilt/service"
image=localhost/service-smoke:latest
# --format docker: the OCI format has no HEALTHCHECK field and podman would warn about dropping it.
podman build --pull=never --format docker --target runtime-prebuilt \
    --build-arg VERSION=smoke --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    -t "$image" "$ctx"
podman image ls "$image"

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
id_out=$(podman run --rm "${hardened[@]}" --entrypoint /usr/bin/id "$image")
echo "id: $id_out"
[[ $id_out == "uid=10001(service) gid=10001(service)"* ]] || fail "runs as '$id_out'"

# The app must need no writable path: prove that the flags above leave none (not even /tmp).
if podman run --rm "${hardened[@]}" --entrypoint /bin/sh "$image" -c 'touch /tmp/probe' 2>/dev/null; then
    fail "/tmp is writable: the read-only run below would not prove anything"
fi
echo "root filesystem is read-only, /tmp included"

log "ldd: every shared library resolves inside the image"
ldd_out=$(podman run --rm "${hardened[@]}" --entrypoint /usr/bin/ldd "$image" /usr/local/bin/service)
echo "$ldd_out"
if grep -q 'not found' <<<"$ldd_out"; then
    fail "missing libraries: $(grep 'not found' <<<"$ldd_out")"
fi
grep -q 'libpq.so.5 => /' <<<"$ldd_out" || fail "libpq.so.5 not linked (CLibPQ not in the binary?)"
# `make release` links without SwiftPM's $ORIGIN RUNPATH: libraries come from the system's directories only.
if readelf -d "$binary" | grep -qE '\((RUNPATH|RPATH)\)'; then
    fail "the binary carries a library search path: $(readelf -d "$binary" | grep -E 'RUNPATH|RPATH')"
fi
echo "no RUNPATH or RPATH in the binary"

log "read-only run as uid 10001: service --help"
podman run --rm "${hardened[@]}" --network none "$image" --help || fail "service --help exited $?"

if [[ $serve == 0 ]]; then
    log "SKIPPED (--no-serve): migrate, /livez, /readyz, SIGTERM drain"
    echo "PASS (partial): image builds, user, entrypoint, ldd, read-only run"
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

log "event loops run SCHED_BATCH under the hardened flags (no capabilities, default seccomp)"
pid=$(podman inspect -f '{{.State.Pid}}' "$container")
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

echo "PASS: image builds, user, entrypoint, ldd, migrate, /livez, /readyz, SIGTERM exit 0 in ${elapsed}s"
