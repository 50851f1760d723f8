# shellcheck shell=bash
# shellcheck disable=SC2154  # `repo` is set by the script that sources this file
# Helpers the scripts share. Source it: `. "$repo/scripts/lib.sh"` (bash, `set -euo pipefail` already on, `repo` set
# to the repository's root).

# free_port: prints a TCP port on 127.0.0.1 that was free a moment ago (a random high port without python3).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

# use_dev_postgres: when DATABASE_URL is unset, starts the dev cluster of scripts/dev-postgres.sh and exports its URL.
# Sets started_postgres=1 only when this call started it; stop_started_postgres (call it on exit) stops that one and
# leaves alone a cluster that was already up, serving `make run` or `make test` in another terminal.
use_dev_postgres() {
    [[ -z ${DATABASE_URL:-} ]] || return 0
    "$repo/scripts/dev-postgres.sh" running || started_postgres=1
    # Assigned, then exported: `export VAR="$(...)"` would hide a failed start behind export's own status.
    DATABASE_URL="$("$repo/scripts/dev-postgres.sh" start)"
    export DATABASE_URL
}

# use_test_database: use_dev_postgres, then DATABASE_URL names the database `service_test` in that cluster, so the
# rows tests create never show up in what `make run` serves (database `postgres`). A DATABASE_URL set by the caller
# is used as it is.
use_test_database() {
    [[ -z ${DATABASE_URL:-} ]] || return 0
    use_dev_postgres
    DATABASE_URL="$("$repo/scripts/dev-postgres.sh" database service_test)"
    export DATABASE_URL
}

stop_started_postgres() {
    if ((${started_postgres:-0})); then "$repo/scripts/dev-postgres.sh" stop >/dev/null 2>&1 || true; fi
}

# begin_server_run: for a script that starts the service itself: a scratch directory in `work`, `server_pid` (set it
# to the server's pid while one runs), a PostgreSQL (use_dev_postgres), and an EXIT trap that stops the server, the
# cluster if this run started it, and removes `work`.
begin_server_run() {
    work=$(mktemp -d)
    server_pid=
    trap end_server_run EXIT
    use_dev_postgres
}

end_server_run() {
    if [[ -n ${server_pid:-} ]]; then kill -TERM "$server_pid" 2>/dev/null || true; fi
    stop_started_postgres
    rm -rf "$work"
}

# wait_for_200 URL SECONDS: polls URL until it answers 200 (any status below 400: curl -f); when SECONDS pass
# without that, fails with curl's status (7 refused, 22 HTTP error, 28 timed out).
wait_for_200() {
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        curl -sf --max-time 1 -o /dev/null "$1" && return 0
        sleep 0.05
    done
    curl -sf --max-time 1 -o /dev/null "$1"
}

# apt_install [APT-OPTION...] PACKAGE...: `apt-get install -y` (noninteractive), quietly: nothing on stdout, apt's
# errors on stderr. The first try uses the package lists as they are, its output discarded; when it fails, `apt-get
# update` and a second try: on a fresh machine the lists may be missing (no candidate for the package) or stale (the
# mirror has dropped the versions they name), and updating every time would cost a download when nothing needs it.
apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 && return 0
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# pinned_venv DIR REQUIREMENT...: makes DIR a Python venv holding exactly these pip requirements, pinned by the
# caller (`name==version`, or `-r FILE` as two arguments, whose contents count too; files it includes do not).
# Reinstalls only when they change; installs python3-venv from Debian when `python3 -m venv` cannot work (Debian's
# python3 refuses system-wide pip installs).
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
        apt_install --no-install-recommends python3 python3-venv
    fi
    echo "installing $* into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
    echo "$stamp" >"$venv/.pins"
}
