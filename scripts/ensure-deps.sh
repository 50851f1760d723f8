#!/usr/bin/env bash
# Installs the system packages the build, tests or benchmark need, when they are missing.
#   scripts/ensure-deps.sh build|test|bench|run
# As root with apt-get it installs them; otherwise it names exactly what is missing and fails.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
. "$repo/scripts/lib.sh"

need=(pkg-config libpq-dev)
case "${1:-test}" in
    run) need+=(postgresql) ;;
    # curl: lib.sh's wait_for_200 (schemathesis, measure-resources, observability-cost).
    # nginx: the parser's strictness is compared with it (Tests/HTTPServerTests/NginxStrictnessTests.swift).
    test) need+=(postgresql pgbouncer python3 curl nginx) ;;
    bench) need+=(postgresql wrk nginx util-linux python3 python3-venv curl) ;;
    build) ;;
    *) echo "usage: $0 build|test|bench|run" >&2; exit 2 ;;
esac

missing=()
for package in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-deps: installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
else
    echo "ensure-deps: missing Debian packages: ${missing[*]} (install them with apt-get install ${missing[*]})" >&2
    exit 1
fi
command -v swift >/dev/null || { echo "ensure-deps: the Swift 6 toolchain is not on PATH" >&2; exit 1; }
