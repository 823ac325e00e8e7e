#!/bin/sh
# The API benchmarks of docs/BENCHMARKS.md (issue 12), wrk on loopback on
# the same machine (the load generator shares the cores with the server):
#  1. POST /v1/events — each request one event (portal.visited on a random
#     invoice of bench_events' portfolio, which starts its trigger's timer),
#     an operator key;
#     beside it, in the same run, bench_http_bare (libmicrohttpd with the
#     server's daemon options, answering 200 at once) under the same load:
#     the ratio is the cost of regua's own work per request; and the
#     write-ahead log's largest size during the run (sampled every 10 ms).
#  2. GET /v1/invoices?limit=100 on a 1,000,000-invoice database (viewer key).
#  3. On the same server as 2: GET /v1/invoices/{id} (the invoice's document
#     with its cadence explained) and GET /v1/openapi.json.
# Each wrk run also prints the server process's CPU time per request
# (user + system, from /proc; the load generator's not included).
# Usage: sh scripts/bench-api.sh   (BENCH_DIR, BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_INVOICES;
#        BENCH_ONLY=events or BENCH_ONLY=list runs one of the two, list with 3)
set -eu
D=${BENCH_DIR:-/tmp/regua-bench-api}
DUR=${BENCH_SECONDS:-10}
CONN=${BENCH_CONNECTIONS:-32}
N_INV=${BENCH_INVOICES:-1000000}
ONLY=${BENCH_ONLY:-}
case "$ONLY" in ""|events|list) ;; *) echo "bench-api: BENCH_ONLY is events or list" >&2; exit 2 ;; esac
command -v wrk >/dev/null || { echo "bench-api: wrk is not installed (make deps)" >&2; exit 3; }
make --no-print-directory bench >/dev/null
R=$PWD/build/regua
rm -rf "$D"
mkdir -p "$D"
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() {
    i=0
    until curl -sf -o /dev/null "$1"; do
        i=$((i + 1)); [ $i -lt 300 ] || { echo "bench-api: $1 did not come up" >&2; exit 3; }; sleep 0.1
    done
}
# cpu PID: the process's user + system time so far, in clock ticks
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# measure PID URL [wrk args...]: wrk's figures, then the server's CPU per request
measure() {
    mp=$1; url=$2; shift 2
    c0=$(cpu "$mp")
    wrk -t2 -c"$CONN" -d"${DUR}s" --latency "$@" "$url" >"$D/wrk.out"
    c1=$(cpu "$mp")
    grep -E "Requests/sec|Latency|99%|50%|Non-2xx|Socket errors|requests in" "$D/wrk.out"
    n=$(awk '/requests in/ {print $1}' "$D/wrk.out")
    awk -v a="$c0" -v b="$c1" -v n="$n" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { if (n > 0) printf "  server CPU per request: %.0f us\n", (b - a) * 1e6 / hz / n }'
}
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done' EXIT INT TERM

# ---- 1. POST /v1/events ----
if [ "$ONLY" != list ]; then
build/bench/bench_events 100000 file "$D/events" >/dev/null
cfg=$D/events/regua.yaml
key=$("$R" --config "$cfg" apikey create --role operator --name bench)
n_inv=$(sqlite3 "$D/events/regua.db" "SELECT count(*) FROM invoices")
cat >"$D/events.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
request = function()
  local body = string.format('{"type": "portal.visited", "invoice": "F%08d"}', math.random(0, $((n_inv - 1))))
  return wrk.format(nil, "/v1/events", nil, body)
end
LUA
p1=$(port)
"$R" --config "$cfg" serve --listen 127.0.0.1:$p1 --no-scheduler --no-dispatch >"$D/serve-events.log" 2>&1 &
spid=$!
pids="$pids $spid"
wait_up http://127.0.0.1:$p1/healthz
p2=$(port)
build/bench/bench_http_bare $p2 >/dev/null &
bpid=$!
pids="$pids $bpid"
wait_up http://127.0.0.1:$p2/
# the write-ahead log's largest size during the run, sampled every 10 ms
/usr/bin/python3 -c '
import os, sys, time
path, out, top = sys.argv[1], sys.argv[2], 0
while True:
    try:
        n = os.stat(path).st_size
    except OSError:
        n = 0
    if n > top:
        top = n
        with open(out, "w") as f:
            f.write(str(top))
    time.sleep(0.01)
' "$D/events/regua.db-wal" "$D/wal-max" &
wpid=$!
pids="$pids $wpid"
echo "== POST /v1/events: regua serve ($CONN connections, ${DUR}s, load $(cut -d' ' -f1-3 /proc/loadavg))"
measure "$spid" http://127.0.0.1:$p1 -s "$D/events.lua"
kill $wpid 2>/dev/null || true
echo "  write-ahead log: largest $(awk '{printf "%.1f MB", $1 / 1048576}' "$D/wal-max" 2>/dev/null || echo "?") (sampled every 10 ms)"
echo "== POST /v1/events: bench_http_bare, the same load"
measure "$bpid" http://127.0.0.1:$p2 -s "$D/events.lua"
echo "events recorded: $(sqlite3 "$D/events/regua.db" "SELECT count(*) FROM events WHERE type = 'portal.visited'"), timers: $(sqlite3 "$D/events/regua.db" "SELECT count(*) FROM trigger_timers")"
for p in $pids; do kill $p 2>/dev/null || true; done
pids=""
sleep 0.5
fi
[ "$ONLY" != events ] || exit 0

# ---- 2. GET /v1/invoices?limit=100 on 1,000,000 invoices ----
build/bench/bench_tick prepare "$D/big" "$N_INV" $((N_INV * 3 / 10)) >/dev/null
cat >"$D/big/regua.yaml" <<YAML
database: $D/big/base.db
cadences: $D/big/cadences
templates: $D/big/templates
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: /dev/null}
YAML
vkey=$("$R" --config "$D/big/regua.yaml" apikey create --role viewer --name bench)
p3=$(port)
"$R" --config "$D/big/regua.yaml" serve --listen 127.0.0.1:$p3 --no-scheduler --no-dispatch >"$D/serve-big.log" 2>&1 &
spid=$!
pids="$pids $spid"
wait_up http://127.0.0.1:$p3/healthz
echo "== GET /v1/invoices?limit=100, $N_INV invoices ($CONN connections, ${DUR}s, load $(cut -d' ' -f1-3 /proc/loadavg))"
measure "$spid" "http://127.0.0.1:$p3/v1/invoices?limit=100" -H "Authorization: Bearer $vkey"

# ---- 3. GET /v1/invoices/{id} (the invoice's document, its cadence explained) and GET /v1/openapi.json ----
echo "== GET /v1/invoices/F00000001, $N_INV invoices ($CONN connections, ${DUR}s, load $(cut -d' ' -f1-3 /proc/loadavg))"
measure "$spid" "http://127.0.0.1:$p3/v1/invoices/F00000001" -H "Authorization: Bearer $vkey"
echo "== GET /v1/openapi.json ($CONN connections, ${DUR}s, load $(cut -d' ' -f1-3 /proc/loadavg))"
measure "$spid" "http://127.0.0.1:$p3/v1/openapi.json"
