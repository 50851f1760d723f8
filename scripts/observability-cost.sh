#!/usr/bin/env bash
# What the access log and request metrics cost on /livez: server CPU per request with both on and with both off,
# from processes started afresh, alternately.
#
#   scripts/observability-cost.sh [PAIRS [CONNECTIONS...]]    # defaults: 8 pairs at 64 and at 256 connections
#
# `make bench` measures `ours` and `ours-quiet` once each per cell, and one process's cost moves by 5-10 % (at times
# 20 %) from one start to the next, so one run's ratio moves as much. This takes PAIRS samples of each, every sample
# a new process (5 s of wrk after 1 s of warm-up), which of the two goes first alternating from pair to pair, and
# prints every sample and the means. As in the harness: server on CPU 0, wrk on CPU 1, the server's output written
# to a file; CPU is the server's utime + stime over the timed run. Needs `make release` first; PostgreSQL as in
# `make run` (DATABASE_URL, or the dev cluster, stopped again only if this started it).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
. scripts/lib.sh
pairs=${1:-8}
[[ $pairs =~ ^[1-9][0-9]*$ ]] || { echo "observability-cost: PAIRS must be a positive number, not '$pairs'" >&2; exit 64; }
if [[ $# -gt 1 ]]; then connections=("${@:2}"); else connections=(64 256); fi
binary=.build/release/service
[[ -x $binary ]] || { echo "observability-cost: $binary is missing: run 'make release'" >&2; exit 1; }
scripts/ensure-deps.sh bench

begin_server_run
port=$(free_port)
ticks=$(getconf CLK_TCK)

# sample CONNECTIONS SETTINGS...: starts the server with SETTINGS, loads it, sets `result` to its CPU µs per request.
sample() {
    local conns=$1 before after requests
    shift
    env "$@" SHUTDOWN_DELAY_SECONDS=0 HTTP_HOST=127.0.0.1 HTTP_PORT="$port" ADMIN_PORT=0 \
        taskset -c 0 "$binary" serve >"$work/server.log" 2>&1 &
    server_pid=$!
    wait_for_200 "http://127.0.0.1:$port/livez" 5 \
        || { tail -5 "$work/server.log" >&2; echo "observability-cost: the server did not come up" >&2; exit 1; }
    taskset -c 1 wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$port/livez" >/dev/null
    before=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    requests=$(taskset -c 1 wrk -t1 -c"$conns" -d5s "http://127.0.0.1:$port/livez" | awk '/requests in/ {print $1}') \
        || { echo "observability-cost: wrk failed" >&2; exit 1; }
    after=$(awk '{print $14 + $15}' "/proc/$server_pid/stat" 2>/dev/null) \
        || { tail -5 "$work/server.log" >&2; echo "observability-cost: the server exited under load" >&2; exit 1; }
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    ((${requests:-0} > 0)) || { echo "observability-cost: wrk completed no requests" >&2; exit 1; }
    result=$(awk -v t="$((after - before))" -v hz="$ticks" -v n="$requests" 'BEGIN { printf "%.2f", t / hz / n * 1e6 }')
}

on_settings=(ACCESS_LOG=true REQUEST_METRICS=true)
off_settings=(ACCESS_LOG=false REQUEST_METRICS=false)
for conns in "${connections[@]}"; do
    on=() off=()
    for pair in $(seq "$pairs"); do
        if ((pair % 2)); then
            sample "$conns" "${on_settings[@]}"; on+=("$result")
            sample "$conns" "${off_settings[@]}"; off+=("$result")
        else
            sample "$conns" "${off_settings[@]}"; off+=("$result")
            sample "$conns" "${on_settings[@]}"; on+=("$result")
        fi
        echo "c=$conns pair $pair: on ${on[-1]} off ${off[-1]} µs/req"
    done
    printf '%s\n' "${on[@]}" | awk -v c="$conns" -v offs="${off[*]}" '
        { on += $1; n++ }
        END { split(offs, o, " "); for (i in o) off += o[i]
              printf "c=%s: mean on %.2f, off %.2f µs/req over %d pairs: logs and metrics cost %+.1f %%\n", c, on / n, off / n, n, (on / off - 1) * 100 }'
done
