#!/usr/bin/env bash
# Fuzzes the running service against its own OpenAPI document with schemathesis, for a bounded time.
#
#   scripts/schemathesis.sh            # SCHEMATHESIS_SECONDS (default 90) of generated requests
#
# A throwaway PostgreSQL, `service migrate`, `service serve` on free loopback ports, then schemathesis
# with every check (no 5xx, schema, status code, content type and header conformance, negative data
# rejected, positive data accepted, 405 for undocumented methods, ...). Fails when schemathesis reports a
# failure or the server logs an error. Set SCHEMATHESIS_SEED to replay a run. The one accepted deviation
# (501 for methods the server does not implement) is explained in scripts/schemathesis_hooks.py.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
version="4.32.5"
seconds="${SCHEMATHESIS_SECONDS:-90}"
work="$repo/.build/schemathesis"
venv="$repo/.build/schemathesis-venv"
mkdir -p "$work"

scripts/ensure-deps.sh test
. scripts/lib.sh
pinned_venv "$venv" "schemathesis==$version"

swift build --product service
binary="$(swift build --show-bin-path)/service"

export DEV_POSTGRES_DIR="$work/pg"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    "$repo/scripts/dev-postgres.sh" stop >/dev/null 2>&1 || true
    rm -rf "$DEV_POSTGRES_DIR"
}
trap cleanup EXIT
# A cluster an interrupted run left behind.
"$repo/scripts/dev-postgres.sh" stop >/dev/null 2>&1 || true
rm -rf "$DEV_POSTGRES_DIR"
DATABASE_URL="$("$repo/scripts/dev-postgres.sh" start)"
export DATABASE_URL

export HTTP_HOST=127.0.0.1 HTTP_PORT="$(free_port)" ADMIN_HOST=127.0.0.1 ADMIN_PORT="$(free_port)"
export SHUTDOWN_DELAY_SECONDS=0 LOG_LEVEL=info ACCESS_LOG=false
"$binary" migrate
"$binary" serve >"$work/service.log" 2>&1 &
server_pid=$!

base="http://127.0.0.1:$HTTP_PORT"
wait_for_200 "$base/readyz" 60 || { echo "schemathesis.sh: the service did not become ready within 60 s" >&2; exit 1; }

status=0
# From $work, where schemathesis keeps the failures it replays first on the next run. One worker: with two threads,
# CPython before 3.11.8/3.12.1 (Debian bookworm has 3.11.2) now and then fails hypothesis's `ast.parse` with a spurious
# "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905), which schemathesis reports as an
# error of the run although the server did nothing wrong.
(
    cd "$work"
    PYTHONPATH="$repo/scripts" SCHEMATHESIS_HOOKS=schemathesis_hooks "$venv/bin/schemathesis" \
        --config-file "$repo/scripts/schemathesis.toml" run "$base/openapi.json" \
        --checks all \
        --max-time "$seconds" \
        --workers 1 \
        --request-timeout 10 \
        --max-response-time 5 \
        ${SCHEMATHESIS_SEED:+--seed "$SCHEMATHESIS_SEED"} \
        --report junit --report-dir "$work/report"
) || status=$?

kill -TERM "$server_pid"
wait "$server_pid" || { echo "schemathesis.sh: the service exited with status $?" >&2; status=1; }
server_pid=""
if grep -E '"level":"(error|critical)"' "$work/service.log"; then
    echo "schemathesis.sh: the service logged errors (above); full log: $work/service.log" >&2
    status=1
fi
exit "$status"
