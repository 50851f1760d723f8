#!/usr/bin/env bash
# `make bench`: ../shared/bench with this service added beside its peers. Extra arguments go to the harness.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bench="${BENCH:-$repo/../shared/bench/bench}"
[ -x "$bench" ] || { echo "bench: harness not found at $bench (set BENCH=...)" >&2; exit 1; }
binary="$repo/.build/release/service"
mkdir -p "$repo/bench-results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
# The harness seeds items itself; `migrate` records the schema so the readiness `schema` check passes.
server="ours=SHUTDOWN_DELAY_SECONDS=0 ACCESS_LOG=${ACCESS_LOG:-false} HTTP_HOST=127.0.0.1 HTTP_PORT={PORT} ADMIN_PORT=0 $binary migrate >/dev/null && SHUTDOWN_DELAY_SECONDS=0 ACCESS_LOG=${ACCESS_LOG:-false} HTTP_HOST=127.0.0.1 HTTP_PORT={PORT} ADMIN_PORT=0 exec $binary serve"
"$bench" --server "$server" --json "$repo/bench-results/bench-$stamp.json" "$@" | tee "$repo/bench-results/bench-$stamp.txt"
