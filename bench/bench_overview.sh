#!/bin/sh
# The dashboard's Visão geral (GET /) over the reports' big portfolio
# (bench/bench_reports.sh's database: INVOICES invoices, three messages
# each; it is built first when BENCH_DIR holds none): `regua serve` on it,
# a viewer logged in with curl, then RUNS page loads one after the other —
# each page's time as curl sees it on 127.0.0.1 (the server's time: the
# page is ~25 KB) and the server process' CPU (user + system, from
# /proc/PID/stat) per page. Then each report the page runs, timed alone
# through `regua report NAME --json` (process start included), to say which
# one dominates.
#   sh bench/bench_overview.sh [INVOICES] [RUNS]   (REGUA_BIN: the binary; BENCH_DIR: the database's directory)
set -eu
N=${1:-1000000}
RUNS=${2:-5}
BIN=${REGUA_BIN:-$PWD/build/regua}
ROOT=$PWD
DIR=${BENCH_DIR:-/tmp/regua-bench-reports-$N}
export REGUA_NOW=2026-12-01T12:00:00Z
if [ ! -f "$DIR/regua.db" ]; then
    BENCH_DIR=$DIR REGUA_BIN=$BIN sh "$ROOT/bench/bench_reports.sh" "$N" 1 >/dev/null
fi
cd "$DIR"
printf 'senha-do-benchmark\n' | "$BIN" user create bench@example.com --role viewer >/dev/null 2>&1 || true
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$BIN" serve --listen "127.0.0.1:$port" --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
i=0
until curl -sf -o /dev/null "$B/healthz"; do
    i=$((i + 1))
    [ $i -lt 300 ] || { cat serve.log; exit 1; }
    sleep 0.1
done
jar=$(mktemp)
curl -s -c "$jar" -b "$jar" "$B/login" >login.html
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' login.html)
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "email=bench@example.com" \
    --data-urlencode "password=senha-do-benchmark" "$B/login"
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
times=""
i=0
while [ $i -lt "$RUNS" ]; do
    c0=$(cpu)
    out=$(curl -s -o page.html -b "$jar" -w '%{http_code} %{time_total}' "$B/")
    c1=$(cpu)
    code=${out% *}
    [ "$code" = 200 ] || { echo "GET / answered $code"; cat serve.log; exit 1; }
    ms=$(echo "$out" | awk '{printf "%d", $2 * 1000}')
    echo "GET / run $((i + 1)): ${ms} ms, server CPU $(( (c1 - c0) * 1000 / hz )) ms, $(wc -c <page.html) bytes"
    times="$times $ms"
    i=$((i + 1))
done
echo "$times" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {printf "GET /: best %d ms, median %d ms of %d\n", a[1], a[int((NR + 1) / 2)], NR}'
rm -f "$jar"
one() { # one NAME ARGS...: a report alone, wall and CPU in ms
    name=$1; shift
    /usr/bin/time -f '%e %U %S' -o time.txt "$BIN" report "$@" --json >/dev/null
    awk -v n="$name" '{printf "%s: wall %d ms, CPU %d ms\n", n, $1 * 1000, ($2 + $3) * 1000}' time.txt
}
one "aging" aging
one "recovery (30 days)" recovery
one "recovery (12 weeks by week)" recovery --period week --from 2026-09-14
one "channels (30 days)" channels
one "promises (30 days)" promises
