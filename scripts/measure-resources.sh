#!/usr/bin/env bash
# The measurement behind the CPU/memory requests and the memory limit in deploy/ (see docs/DEPLOY.md,
# "Resources"): the release binary with the pod's settings, a real PostgreSQL, wrk load, peak RSS and CPU.
#
#   scripts/measure-resources.sh [BINARY] [-- extra bench options]
#
#   BINARY  default .build/release/service (`make release`)
#
# 1. Load. The shared harness (../shared/bench/bench, README there) with no peers: the server pinned to
#    CPU 0, wrk -t1 on CPU 1, GET /livez and GET /items/{random id of 10,000 seeded rows} at 64 and 256
#    keep-alive connections, 2 rounds of 10 s each after a warm-up. It reports VmHWM (peak RSS since start,
#    from /proc/PID/status), idle RSS, server CPU time per request and the server's CPU use.
# 2. Edges, each on a fresh server process (same pinning), peak RSS read from /proc/PID/status:
#    - 256 connections POSTing valid items padded to about HTTP_MAX_BODY_BYTES to /items for 10 s (the server
#      buffers a body before the handler runs, so this is what concurrent uploads cost; any refused request
#      fails the run);
#    - 2,000 idle keep-alive connections, then 2,000 more each holding 16,000 bytes of an unfinished header
#      (just under HTTP_MAX_HEADER_BYTES, 16 KiB): the cost of an open connection, idle and at its largest
#      before a body.
#
# The server runs as the pod runs it: IO_THREADS=1 (the Deployment derives it from the CPU request, which
# is below one core), the base ConfigMap's pool (DB_POOL_MIN=1, DB_POOL_MAX=10) and body limit
# (HTTP_MAX_BODY_BYTES=65536; override it in the environment to measure another), and ACCESS_LOG=true (a
# JSON line per request, written to a file). Only the shutdown delay is 0,
# so restarts are quick; it does not change the figures.
#
# PostgreSQL: DATABASE_URL if set, otherwise the throwaway cluster of scripts/dev-postgres.sh (stopped
# again on exit unless it was already running). `service migrate` creates the items table; the harness fills it.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
. scripts/lib.sh
binary="$repo/.build/release/service"
if [[ $# -gt 0 && $1 != -- ]]; then
    binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
    shift
fi
[[ ${1:-} == -- ]] && shift
bench="${BENCH:-$repo/../shared/bench/bench}"
[[ -x $bench ]] || { echo "measure-resources: harness not found at $bench (set BENCH=...)" >&2; exit 1; }
[[ -x $binary ]] || { echo "measure-resources: $binary is missing: run 'make release'" >&2; exit 1; }
body_bytes=${HTTP_MAX_BODY_BYTES:-65536}
# 4,000 client sockets and as many server ones (Kubernetes' container runtimes allow far more).
ulimit -n 16384 || { echo "measure-resources: cannot raise the open-file limit to 16384 (ulimit -n)" >&2; exit 1; }

scripts/ensure-deps.sh bench
begin_server_run
"$binary" migrate

# The base ConfigMap's settings, as the pod gets them (addresses and ports are set per run below), then what the
# measurement overrides: one event loop (the Deployment derives it from the CPU request), no shutdown delay
# (quick restarts; it does not change the figures) and the body limit under test.
mapfile -t pod_settings < <(sed -n 's/^ *- \(\(HTTP_MAX\|DB_\|LOG_\|ACCESS_\|REQUEST_\)[A-Z_]*=[^ ]*\)$/\1/p' deploy/base/kustomization.yaml)
((${#pod_settings[@]})) || { echo "measure-resources: no settings found in deploy/base/kustomization.yaml's ConfigMap" >&2; exit 1; }
pod_settings+=(IO_THREADS=1 SHUTDOWN_DELAY_SECONDS=0 HTTP_MAX_BODY_BYTES="$body_bytes")
mkdir -p "$repo/bench-results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
report="$repo/bench-results/resources-$stamp.txt"
echo "measure-resources: $(date -u +%F), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$report"

echo "== 1. load: /livez and /items/{id} at 64 and 256 connections" | tee -a "$report"
"$bench" --peers '' \
    --server "service=${pod_settings[*]} HTTP_HOST=127.0.0.1 HTTP_PORT={PORT} ADMIN_HOST=127.0.0.1 ADMIN_PORT=0 exec $binary serve" \
    --endpoints livez,items --connections 64,256 --json "$repo/bench-results/resources-$stamp.json" "$@" \
    | tee -a "$report"

port=$(free_port)
start_server() {
    env "${pod_settings[@]}" HTTP_HOST=127.0.0.1 HTTP_PORT="$port" ADMIN_HOST=127.0.0.1 ADMIN_PORT=0 \
        taskset -c 0 "$binary" serve >"$work/$1.log" 2>&1 &
    server_pid=$!
    wait_for_200 "http://127.0.0.1:$port/readyz" 10 && return 0
    tail -5 "$work/$1.log" >&2
    echo "measure-resources: the server did not become ready" >&2
    exit 1
}
stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=
}
memory() { awk '/^Vm(RSS|HWM)/ { printf "%s %.1f MiB  ", $1, $2 / 1024 }' "/proc/$server_pid/status"; }

echo "== 2. edges (fresh process each)" | tee -a "$report"
start_server bodies
# A valid item padded with JSON whitespace to the body limit, so each request is parsed, validated and inserted
# (a long name would be refused with 422 before any work); the name is unique per request (else 409).
python3 - "$work/body.json" "$body_bytes" <<'EOF'
import sys
path, size = sys.argv[1], int(sys.argv[2])
head, tail = '{"name":"NAME",', '"price":1}'
with open(path, "w") as f:
    f.write(head + " " * (size - len(head) - len(tail) - 40) + tail)
EOF
cat >"$work/post.lua" <<EOF
local f = assert(io.open("$work/body.json", "rb"))
local head, tail = f:read("*a"):match("^(.-)NAME(.*)$")
f:close()
local counter = 0
request = function()
    counter = counter + 1
    return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, head .. "m-$stamp-" .. counter .. tail)
end
EOF
before=$(memory)
wrk_out=$(taskset -c 1 wrk -t1 -c256 -d10s --timeout 5s -s "$work/post.lua" "http://127.0.0.1:$port/items")
echo "POST /items, $body_bytes-byte bodies, 256 connections, 10 s: before: $before after: $(memory)" | tee -a "$report"
grep -E 'requests in|Non-2xx|Socket errors' <<<"$wrk_out" | tee -a "$report"
if grep -qE 'Non-2xx|Socket errors' <<<"$wrk_out"; then
    echo "measure-resources: uploads were refused or failed, so the figure above is not what an upload costs" >&2
    exit 1
fi
stop_server

start_server connections
taskset -c 1 python3 - "$port" "$server_pid" <<'EOF' | tee -a "$report"
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def memory():
    fields = dict(line.split(":", 1) for line in open("/proc/%s/status" % pid) if line.startswith(("VmRSS", "VmHWM")))
    return "  ".join("%s %.1f MiB" % (k, int(v.split()[0]) / 1024) for k, v in sorted(fields.items(), reverse=True))
print("connections: before: %s" % memory())
idle = []
for _ in range(2000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /livez HTTP/1.1\r\nHost: m\r\n\r\n")
    idle.append(s)
for s in idle:
    s.recv(4096)
time.sleep(1)
print("connections: 2000 idle keep-alive: %s" % memory())
partial = []
for _ in range(2000):
    s = socket.create_connection(("127.0.0.1", port))
    # Two complete field lines and a third unfinished: each under HTTP_MAX_FIELD_LINE_BYTES (8 KiB), 16,000 bytes in all.
    s.sendall(b"GET /livez HTTP/1.1\r\nHost: m\r\n" + b"".join(b"X-Pad-%d: " % i + b"a" * 5320 + b"\r\n" for i in range(2))
              + b"X-Pad-2: " + b"a" * 5336)
    partial.append(s)
time.sleep(1)
print("connections: + 2000 with 16,000 bytes of an unfinished header: %s" % memory())
EOF
stop_server
echo "report: $report"
