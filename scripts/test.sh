#!/usr/bin/env bash
# `make test`: system packages, a throwaway PostgreSQL, then the whole suite against it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
scripts/ensure-deps.sh test
if [ -z "${DATABASE_URL:-}" ]; then
    # Stop on exit only a cluster this run starts: one already up serves `make run` in another terminal.
    if ! scripts/dev-postgres.sh running; then trap 'scripts/dev-postgres.sh stop >/dev/null 2>&1 || true' EXIT; fi
    # Assigned, then exported: `export VAR="$(...)"` would hide a failed start behind export's own status.
    DATABASE_URL="$(scripts/dev-postgres.sh start)"
    export DATABASE_URL
fi
swift build --build-tests
swift test --skip-build "$@"
