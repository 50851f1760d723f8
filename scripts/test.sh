#!/usr/bin/env bash
# `make test`: system packages, a throwaway PostgreSQL, then the whole suite against it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
scripts/ensure-deps.sh test
if [ -z "${DATABASE_URL:-}" ]; then
    export DATABASE_URL="$(scripts/dev-postgres.sh start)"
    trap 'scripts/dev-postgres.sh stop >/dev/null 2>&1 || true' EXIT
fi
swift build --build-tests
swift test --skip-build "$@"
