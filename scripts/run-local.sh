#!/usr/bin/env bash
# `make run`: a local PostgreSQL (unless DATABASE_URL is set), the schema, then the service in the foreground.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/.build/debug/service"
. "$repo/scripts/lib.sh"
trap stop_started_postgres EXIT
use_dev_postgres
export SHUTDOWN_DELAY_SECONDS="${SHUTDOWN_DELAY_SECONDS:-0}"
"$binary" migrate
"$binary" serve &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' INT TERM
# A trapped signal ends `wait` early: wait again until the service has drained and exited (before the EXIT trap
# stops PostgreSQL under it), then exit with its own status (bash keeps it for the last `wait`).
while kill -0 "$pid" 2>/dev/null; do wait "$pid" || true; done
status=0
wait "$pid" || status=$?
exit "$status"
