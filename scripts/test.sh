#!/usr/bin/env bash
# `make test`: system packages, a throwaway PostgreSQL (its database `service_test`, not the one `make run` serves),
# then the whole suite against it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
. scripts/lib.sh
scripts/ensure-deps.sh test
trap stop_started_postgres EXIT
use_test_database
swift build --build-tests
swift test --skip-build "$@"
