# shellcheck shell=bash
# Helpers the scripts share. Source it: `. "$repo/scripts/lib.sh"` (bash, `set -euo pipefail` already on).

# free_port: prints a TCP port on 127.0.0.1 that was free a moment ago (a random high port without python3).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

# pinned_venv DIR REQUIREMENT...: makes DIR a Python venv holding exactly these pip requirements, pinned by the
# caller (`name==version`, or `-r FILE` as two arguments, whose contents count too; files it includes do not). Reinstalls only when they change; installs
# python3-venv from Debian when `python3 -m venv` cannot work (Debian's python3 refuses system-wide pip installs).
pinned_venv() {
    local venv=$1 argument
    shift
    local stamp="$*"
    for argument in "$@"; do
        if [[ -f $argument ]]; then stamp+=" $(sha256sum <"$argument" | cut -d' ' -f1)"; fi
    done
    if [[ -x $venv/bin/python && $(cat "$venv/.pins" 2>/dev/null || true) == "$stamp" ]]; then
        return 0
    fi
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        echo "installing python3-venv" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null 2>&1 \
            || { apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null; }
    fi
    echo "installing $* into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
    echo "$stamp" >"$venv/.pins"
}
