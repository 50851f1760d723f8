#!/usr/bin/env bash
# `make bench`: ../shared/bench with this service added beside its peers. Extra arguments go to the harness.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bench="${BENCH:-$repo/../shared/bench/bench}"
[ -x "$bench" ] || { echo "bench: harness not found at $bench (set BENCH=...)" >&2; exit 1; }
binary="$repo/.build/release/service"
# The FastAPI peer's packages, pinned, in a venv of their own (Debian's python3 refuses system-wide pip installs).
# BENCH_PYTHON names an interpreter that already has them instead.
. "$repo/scripts/lib.sh"
venv="$repo/.build/bench-venv"
python="${BENCH_PYTHON:-$venv/bin/python}"
if [ -z "${BENCH_PYTHON:-}" ]; then
    pinned_venv "$venv" fastapi==0.165.0 'uvicorn[standard]==0.54.0' asyncpg==0.32.0
elif ! "$python" -c 'import fastapi, uvicorn, uvloop, httptools, asyncpg' 2>/dev/null; then
    echo "bench: BENCH_PYTHON=$python lacks the FastAPI peer's packages (fastapi, uvicorn[standard], asyncpg)" >&2
    exit 1
fi
mkdir -p "$repo/bench-results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
# The harness seeds items itself; `migrate` records the schema so the readiness `schema` check passes. It runs
# once per bench run (a marker file): the first timed cold start of the first server includes it (the harness
# reports the median of three, which does not), later starts measure `serve` alone.
marker="$repo/bench-results/.migrated-$stamp"
trap 'rm -f "$marker"' EXIT
env="SHUTDOWN_DELAY_SECONDS=0 HTTP_HOST=127.0.0.1 HTTP_PORT={PORT} ADMIN_PORT=0"
migrate="[ -e $marker ] || { $env $binary migrate >/dev/null && touch $marker; }"
# `ours` runs as deployed (access log and request metrics on); `ours-quiet` is the same build with both off,
# so the table shows what observability costs per request.
ours="ours=$migrate; $env exec $binary serve"
quiet="ours-quiet=$migrate; $env ACCESS_LOG=false REQUEST_METRICS=false exec $binary serve"
"$bench" --python "$python" --server "$ours" --server "$quiet" --json "$repo/bench-results/bench-$stamp.json" "$@" | tee "$repo/bench-results/bench-$stamp.txt"
