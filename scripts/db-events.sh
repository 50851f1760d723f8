#!/usr/bin/env bash
# What routine database events cost the service's users, measured from outside (issue: database blips users never
# see). Builds nothing.
#
#   scripts/db-events.sh [BINARY]     BINARY defaults to .build/release/service (`make release`)
#
# A cluster of its own (DEV_POSTGRES_DIR, default .data/pg-db-events: it restarts it), where the service logs in as
# `app` with a password (scram-sha-256 on 127.0.0.1) read from DATABASE_URL_FILE. wrk keeps 64 keep-alive
# connections on GET /items/{id} (10 seeded rows) for EVENT_SECONDS (default 8) per event; the event happens
# 2 s in. For each event it prints the requests, the failures (non-2xx answers plus socket errors), the service's
# db_pool_retries_total over the event, and /readyz 10 s later:
#   restart    pg_ctl restart -m fast
#   terminate  pg_terminate_backend for every session of `app`
#   rotate     ALTER USER app PASSWORD <new>, the URL file rewritten, then every session of `app` ended
# Loopback only; the cluster is stopped on exit.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
. scripts/lib.sh
binary="${1:-$repo/.build/release/service}"
[[ -x $binary ]] || { echo "db-events: $binary is missing: run 'make release' or pass a binary" >&2; exit 1; }
command -v wrk >/dev/null || { echo "db-events: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
event_seconds=${EVENT_SECONDS:-8}

export DEV_POSTGRES_DIR="${DEV_POSTGRES_DIR:-$repo/.data/pg-db-events}"
unset DATABASE_URL
begin_server_run
data="$DEV_POSTGRES_DIR/data"
pg_bin="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")"
as_owner() { if [[ "$(id -u)" == "0" ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
admin() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

# The app's own login with a password; the superuser keeps trust for this script.
if ! grep -q '^host all app 127.0.0.1/32 scram-sha-256' "$data/pg_hba.conf"; then
    as_owner sed -i '1i host all app 127.0.0.1/32 scram-sha-256' "$data/pg_hba.conf"
    as_owner "$pg_bin/pg_ctl" -D "$data" reload >/dev/null
fi
password="first-$RANDOM$RANDOM"
admin "DO \$\$ BEGIN CREATE ROLE app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;
       ALTER ROLE app PASSWORD '$password'; GRANT ALL ON SCHEMA public TO app;" >/dev/null
port_pg="$(cat "$DEV_POSTGRES_DIR/port")"
app_url() { echo "postgresql://app:$1@127.0.0.1:$port_pg/postgres?sslmode=disable"; }
url_file="$work/database-url"
app_url "$password" >"$url_file"
admin "DROP TABLE IF EXISTS items; DROP TABLE IF EXISTS schema_migrations;" >/dev/null 2>&1 || true
# The service reads only the file (DATABASE_URL, exported for this script's superuser, would conflict).
service() { env -u DATABASE_URL DATABASE_URL_FILE="$url_file" "$@" "$binary" "${service_command:-serve}"; }
service_command=migrate service >/dev/null
admin "INSERT INTO items (name, price) SELECT 'item ' || n, n FROM generate_series(1, 10) n;" >/dev/null

port=$(free_port)
admin_port=$(free_port)
service HTTP_HOST=127.0.0.1 HTTP_PORT="$port" ADMIN_HOST=127.0.0.1 ADMIN_PORT="$admin_port" \
    SHUTDOWN_DELAY_SECONDS=0 ACCESS_LOG=false READINESS_CHECK_INTERVAL_SECONDS=1 >"$work/service.log" 2>&1 &
server_pid=$!
wait_for_200 "http://127.0.0.1:$port/readyz" 20 || { tail -5 "$work/service.log" >&2; exit 1; }

cat >"$work/items.lua" <<'EOF'
request = function()
    return wrk.format("GET", "/items/" .. math.random(1, 10))
end
EOF

retries() { curl -s "http://127.0.0.1:$admin_port/metrics" | awk '$1 == "db_pool_retries_total" { print $2 }'; }

restart() { as_owner "$pg_bin/pg_ctl" -D "$data" restart -m fast -w >/dev/null; }
terminate() { admin "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'app'" >/dev/null; }
rotate() {
    password="rotated-$RANDOM$RANDOM"
    admin "ALTER ROLE app PASSWORD '$password'" >/dev/null
    app_url "$password" >"$url_file.new" && mv "$url_file.new" "$url_file"
    terminate
}

echo "db-events: $(date -u +%F), $(nproc) CPUs, $(basename "$binary"), PostgreSQL $(admin 'SHOW server_version'), 64 connections, ${event_seconds}s per event"
printf '%-10s %9s %9s %8s %s\n' event requests failures retries "readyz 10 s later"
status=0
for event in restart terminate rotate; do
    before=$(retries)
    wrk -t1 -c64 -d"${event_seconds}s" --latency -s "$work/items.lua" "http://127.0.0.1:$port" >"$work/wrk-$event.txt" 2>&1 &
    wrk_pid=$!
    sleep 2
    started=$(date +%s.%N)
    "$event"
    took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    wait "$wrk_pid"
    requests=$(awk '/requests in/ { print $1 }' "$work/wrk-$event.txt")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$work/wrk-$event.txt")
    socket=$(awk '/Socket errors/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i; print n }' "$work/wrk-$event.txt")
    failures=$(( ${non2xx:-0} + ${socket:-0} ))
    sleep 10
    ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readyz" || true)
    after=$(retries)
    printf '%-10s %9s %9s %8s %s   (event took %ss)\n' "$event" "$requests" "$failures" "$(( ${after%.*} - ${before%.*} ))" "$ready" "$took"
    ((failures == 0)) || status=1
done
exit "$status"
