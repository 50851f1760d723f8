#!/usr/bin/env bash
# The measurement behind the CPU/memory requests and the memory limit in deploy/ (see docs/DEPLOY.md,
# "Resources"): the release binary with the pod's settings, a real PostgreSQL, wrk load, peak RSS and CPU.
#
#   scripts/measure-resources.sh [BINARY] [-- extra bench options]
#
#   BINARY  default .build/release/service (`make release`)
#
# It drives the shared harness (../shared/bench/bench, README there) with no peers: the server pinned to
# CPU 0, wrk -t1 on CPU 1, GET /livez and GET /items/{random id of 10,000 seeded rows} at 64 and 256
# keep-alive connections, 2 rounds of 10 s each after a warm-up. The harness reports VmHWM (peak RSS since
# start, read from /proc/PID/status), idle RSS, server CPU time per request and the server's CPU use.
#
# The server runs as the pod runs it: IO_THREADS=1 (the Deployment derives it from the CPU request, which
# is below one core), the base ConfigMap's pool (DB_POOL_MIN=1, DB_POOL_MAX=10) and ACCESS_LOG=true (a JSON
# line per request, written to a file by the harness as the container runtime would). Only the shutdown
# delay is 0, so the harness's restarts are quick; it does not change the load figures.
#
# PostgreSQL: DATABASE_URL if set, otherwise the throwaway cluster of scripts/dev-postgres.sh (stopped
# again on exit). `service migrate` creates the items table; the harness fills it.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
binary="$repo/.build/release/service"
if [[ $# -gt 0 && $1 != -- ]]; then
    binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
    shift
fi
[[ ${1:-} == -- ]] && shift
bench="${BENCH:-$repo/../shared/bench/bench}"
[[ -x $bench ]] || { echo "measure-resources: harness not found at $bench (set BENCH=...)" >&2; exit 1; }
[[ -x $binary ]] || { echo "measure-resources: $binary is missing: run 'make release'" >&2; exit 1; }

scripts/ensure-deps.sh bench
if [[ -z ${DATABASE_URL:-} ]]; then
    DATABASE_URL="$(scripts/dev-postgres.sh start)"
    export DATABASE_URL
    trap 'scripts/dev-postgres.sh stop >/dev/null 2>&1 || true' EXIT
fi
"$binary" migrate

pod_settings="IO_THREADS=1 DB_POOL_MIN=1 DB_POOL_MAX=10 ACCESS_LOG=true LOG_LEVEL=info SHUTDOWN_DELAY_SECONDS=0"
listen="HTTP_HOST=127.0.0.1 HTTP_PORT={PORT} ADMIN_HOST=127.0.0.1 ADMIN_PORT=0"
mkdir -p "$repo/bench-results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
echo "measure-resources: $(date -u +%F), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" --peers '' --server "service=$pod_settings $listen exec $binary serve" \
    --endpoints livez,items --connections 64,256 --json "$repo/bench-results/resources-$stamp.json" "$@" \
    | tee "$repo/bench-results/resources-$stamp.txt"
