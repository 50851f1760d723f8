#!/usr/bin/env bash
# Proves the README's "Make it yours" on a scratch copy of this checkout (tracked and new files, as a team would have
# it after cloning): `make rename NAME=...` (default `orders`), then the example replaced by an application of its
# own (a copy of Sources/MinimalService, with the two Package.swift lines the README names removed). The result must
# build, describe itself, lint against the renamed binary with no object left under the old name, and pass the
# contract tests (Tests/ServiceTests) against both executables.
#
#   scripts/make-it-yours-check.sh [NAME]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
name=${1:-orders}
scratch=$(mktemp -d)
cleanup() {
    "$scratch/scripts/dev-postgres.sh" stop >/dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap cleanup EXIT

cd "$repo"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
    [[ -e $file ]] && cp --parents -t "$scratch" "$file"
done
old=$(sed -n 's/.*\.executable(name: "\([^"]*\)", targets: \["App"\]).*/\1/p' Package.swift)
# The lint tools are the same for any name: reuse this checkout's venv when it exists.
if [[ -d .data/lint-venv ]]; then
    mkdir -p "$scratch/.data"
    ln -s "$repo/.data/lint-venv" "$scratch/.data/lint-venv"
fi

cd "$scratch"
echo "== make rename NAME=$name"
python3 scripts/rename.py "$name"
python3 scripts/rename.py "$name" | grep -q "already named $name"
if grep -n replace-me-per-installation deploy/base/deployment.yaml; then
    echo "make-it-yours-check: the placeholder PRESTOP_TOKEN is still there (above)" >&2
    exit 1
fi

echo "== the example replaced by an application of our own"
rm -rf Sources/App Tests/AppTests
mkdir Sources/App
sed 's/MinimalService/OwnService/g' Sources/MinimalService/main.swift >Sources/App/main.swift
python3 - <<'PY'
import re
path = "Package.swift"
text = open(path).read()
text, resources = re.subn(r'\n\s*// Compiled in as `PackageResources\.openapi_json`[^\n]*\n\s*resources: \[\.embedInCode\("openapi\.json"\)\],', "", text)
text, tests = re.subn(r'\n\s*// The example\'s own tests[^\n]*\n\s*\.testTarget\(\s*name: "AppTests",.*?\n\s*\),', "", text, flags=re.S)
if (resources, tests) != (1, 1):
    raise SystemExit("Package.swift no longer has the two example lines the README names (resources %d, AppTests %d)" % (resources, tests))
open(path, "w").write(text)
PY

swift build --build-tests
".build/debug/$name" describe >/dev/null

for overlay in deploy/overlays/*/; do
    rendered=$(.data/lint-venv/bin/kubectl kustomize "$overlay" 2>/dev/null || kubectl kustomize "$overlay")
    if grep -nE "^\s+(name|app\.kubernetes\.io/[a-z-]+|serviceAccountName|secretName|namespace): $old(-[a-z]+)?$" <<<"$rendered"; then
        echo "make-it-yours-check: $overlay still names objects '$old' (above)" >&2
        exit 1
    fi
    grep -qE "^\s+name: $name$" <<<"$rendered" || { echo "make-it-yours-check: $overlay has no object named $name" >&2; exit 1; }
done
SERVICE_BIN=".build/debug/$name" scripts/lint/run

echo "== contract tests against $name and minimal-service"
unset DATABASE_URL
scripts/test.sh --filter ServiceTests
echo "make-it-yours-check: $old -> $name with its own application builds, describes itself, lints and passes the contract tests"
