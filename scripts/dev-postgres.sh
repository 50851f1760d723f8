#!/usr/bin/env bash
# A throwaway local PostgreSQL cluster for `make run` and `make test`.
#
#   scripts/dev-postgres.sh start   # initdb if needed, start if not running, print DATABASE_URL
#   scripts/dev-postgres.sh url     # print DATABASE_URL of the running cluster
#   scripts/dev-postgres.sh stop    # fast shutdown
#   scripts/dev-postgres.sh running # exit status 0 when the cluster is up (callers stop only what they started)
#   scripts/dev-postgres.sh database NAME # create database NAME in the running cluster if missing, print its URL
#
# Data lives in <repo>/.data/pg (git-ignored), or in DEV_POSTGRES_DIR (tests use a second cluster they
# may restart). The server listens on 127.0.0.1 at PGPORT, or at a free
# port chosen on first start and remembered in .data/pg/port, and on a unix socket in .data/pg/socket.
# initdb and postgres refuse to run as root, so as root they run as the `postgres` user.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
. "$repo/scripts/lib.sh"
base="${DEV_POSTGRES_DIR:-$repo/.data/pg}"
data="$base/data"
sockets="$base/socket"
log="$base/postgres.log"
port_file="$base/port"
db_user="postgres"

die() { echo "dev-postgres: $*" >&2; exit 1; }

# Sets `bin` to the newest installed PostgreSQL's bin directory; returns 1 when none is installed.
locate_bin() {
    local initdb
    initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$initdb" ]] || return 1
    bin="$(dirname "$initdb")"
}

find_bin() {
    locate_bin && return
    echo "dev-postgres: installing postgresql (initdb not found)" >&2
    # stdout is the DATABASE_URL callers capture: apt_install writes none, and >&2 keeps it that way.
    apt_install postgresql >&2
    locate_bin || die "initdb still missing after installing postgresql"
}

# Runs a PostgreSQL binary as the unprivileged owner of the data directory.
as_owner() {
    if [[ "$(id -u)" == "0" ]]; then
        runuser -u "$db_user" -- "$@"
    else
        "$@"
    fi
}

ensure_user() {
    [[ "$(id -u)" == "0" ]] || { db_user="$(id -un)"; return; }
    if ! id "$db_user" >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$db_user"
    fi
}

is_running() {
    [[ -f "$data/postmaster.pid" ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# print_url [DATABASE]: the URL of database DATABASE (default `postgres`, the one `make run` serves).
print_url() {
    [[ -f "$port_file" ]] || die "no cluster: run '$0 start' first"
    echo "postgresql://$db_user@127.0.0.1:$(cat "$port_file")/${1:-postgres}?sslmode=disable"
}

start() {
    ensure_user
    mkdir -p "$base" "$sockets"
    if [[ "$(id -u)" == "0" ]]; then
        chown "$db_user" "$base" "$sockets"
        # The owner must be able to reach the data directory through the repository path.
        local dir="$base"
        while [[ "$dir" != "/" ]]; do
            [[ -x "$dir" ]] || break
            chmod o+x "$dir" 2>/dev/null || true
            dir="$(dirname "$dir")"
        done
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        as_owner "$bin/initdb" -D "$data" -U "$db_user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 \
            || { cat "$base/initdb.log" >&2; die "initdb failed"; }
    fi
    if is_running; then
        print_url
        return
    fi
    local port="${PGPORT:-}"
    if [[ -z "$port" ]]; then
        if [[ -f "$port_file" ]]; then port="$(cat "$port_file")"; else port="$(free_port)"; fi
    fi
    echo "$port" >"$port_file"
    [[ "$(id -u)" == "0" ]] && chown "$db_user" "$port_file"
    touch "$log"; [[ "$(id -u)" == "0" ]] && chown "$db_user" "$log"
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$sockets' -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { tail -n 20 "$log" >&2; die "postgres failed to start"; }
    print_url
}

stop() {
    ensure_user
    if is_running; then
        as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
}

# A database of its own in the same cluster: `make test` writes there, never into what `make run` serves.
database() {
    local name="$1"
    [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || die "database name must be a lowercase SQL identifier: $name"
    ensure_user
    is_running || die "no running cluster: run '$0 start' first"
    local psql=("$bin/psql" -X -q -h "$sockets" -p "$(cat "$port_file")" -U "$db_user" -d postgres -v ON_ERROR_STOP=1)
    if [[ -z "$(as_owner "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]]; then
        # Another run may create it between the check and here: only a database still missing afterwards is a failure.
        as_owner "${psql[@]}" -c "CREATE DATABASE $name" >/dev/null 2>&1 \
            || [[ -n "$(as_owner "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]] \
            || die "could not create database $name"
    fi
    print_url "$name"
}

# A status check installs and creates nothing: no postmaster.pid, no PostgreSQL or (as root) no owner means no cluster.
running() {
    [[ -f "$data/postmaster.pid" ]] || return 1
    locate_bin || return 1
    if [[ "$(id -u)" == "0" ]]; then id "$db_user" >/dev/null 2>&1 || return 1; else db_user="$(id -un)"; fi
    is_running
}

case "${1:-}" in
    start) find_bin; start ;;
    stop) find_bin; stop ;;
    url) ensure_user; print_url ;;
    running) running ;;
    database) [[ $# -eq 2 ]] || die "usage: $0 database NAME"; find_bin; database "$2" ;;
    *) echo "usage: $0 start|stop|url|running|database NAME" >&2; exit 64 ;;
esac
