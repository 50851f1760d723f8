#!/usr/bin/env bash
# Proves `make rename` leaves a working tree: renames a scratch copy of this checkout (tracked and new files, as
# a team would have it after cloning) to NAME (default `orders`), then builds the renamed executable, runs its
# `describe`, and lints the renamed manifests against it. Fails when any Kubernetes object keeps the old name.
#
#   scripts/rename-check.sh [NAME]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
name=${1:-orders}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cd "$repo"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch" 2>/dev/null || {
    # cp fails on files listed but deleted in the work tree; copy the ones that exist.
    git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
        [[ -e $file ]] && cp --parents -t "$scratch" "$file"
    done
}
old=$(sed -n 's/.*\.executable(name: "\([^"]*\)", targets: \["App"\]).*/\1/p' Package.swift)
# The lint tools are the same for any name: reuse this checkout's venv when it exists.
if [[ -d .data/lint-venv ]]; then
    mkdir -p "$scratch/.data"
    ln -s "$repo/.data/lint-venv" "$scratch/.data/lint-venv"
fi

cd "$scratch"
python3 scripts/rename.py "$name"
python3 scripts/rename.py "$name" | grep -q "already named $name"

swift build --product "$name"
test -x ".build/debug/$name"
".build/debug/$name" describe >/dev/null

for overlay in deploy/overlays/*/; do
    rendered=$(.data/lint-venv/bin/kubectl kustomize "$overlay" 2>/dev/null || kubectl kustomize "$overlay")
    if grep -nE "^\s+(name|app\.kubernetes\.io/[a-z-]+|serviceAccountName|secretName|namespace): $old(-[a-z]+)?$" <<<"$rendered"; then
        echo "rename-check: $overlay still names objects '$old' (above)" >&2
        exit 1
    fi
    grep -qE "^\s+name: $name$" <<<"$rendered" || { echo "rename-check: $overlay has no object named $name" >&2; exit 1; }
done

SERVICE_BIN=".build/debug/$name" scripts/lint/run
echo "rename-check: $old -> $name builds, describes itself and lints"
