#!/bin/sh
# bench_serve_busy — /healthz and provider webhooks while `regua import`
# holds the database's write lock for a long import (one transaction: the
# all-or-nothing rule), against `regua serve`. /healthz is polled every
# 0.1 s and a signed webhook posted every 0.5 s (each on its own
# connection, as providers do); prints the latency of /healthz (median,
# 95th percentile, max) idle and during the import, and what the webhooks
# got (HTTP status x count, the slowest answer).
#
# Usage: sh bench/bench_serve_busy.sh [REGUA_BIN [PEER_BIN [INVOICES]]]
#   REGUA_BIN  the binary measured (default build/regua)
#   PEER_BIN   another build to measure in the same run (e.g. the commit
#              before the change), or "-" for none
#   INVOICES   rows of the import (default 1000000)
# BENCH_IMPORT_ARGS=--skip-invalid imports in batches (docs/import.md).
set -eu
BIN=$(realpath "${1:-build/regua}")
PEER=${2:--}
[ "$PEER" = - ] || PEER=$(realpath "$PEER")
N=${3:-1000000}
T=$(mktemp -d /tmp/regua-bench-busy-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
export SMS_HOOK_SECRET=bench-sms-secret REGUA_NOW=2026-11-24T12:00:00Z
cat >regua.yaml <<'YAML'
database: t.db
channels:
  sms: {driver: http, url: "http://127.0.0.1:9/sms", webhook_secret_env: SMS_HOOK_SECRET}
YAML
/usr/bin/python3 - "$N" <<'PY'
import sys
n = int(sys.argv[1]); nc = max(1, n // 10)
with open("customers.csv", "w") as f:
    f.write("external_id,name,phone\n")
    for i in range(nc):
        f.write("C%07d,Cliente %d,(21) 9%04d-%04d\n" % (i, i, i % 10000, (i * 31) % 10000))
with open("invoices.csv", "w") as f:
    f.write("external_id,customer_external_id,amount,due_date\n")
    for i in range(n):
        f.write("F%08d,C%07d,%d.%02d,2026-12-%02d\n" % (i, i % nc, 50 + i % 900, i % 100, 1 + i % 28))
PY
printf 'MessageSid=SMbench&From=%%2B5521900000000&Body=ok' >sms.txt
sig=$(/usr/bin/python3 -c 'import hashlib,hmac,os; print("sha256="+hmac.new(os.environ["SMS_HOOK_SECRET"].encode(), open("sms.txt","rb").read(), hashlib.sha256).hexdigest())')
run() { # LABEL BIN
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    rm -f t.db t.db-wal t.db-shm
    "$2" import customers customers.csv >/dev/null # each build makes its own schema
    "$2" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
    spid=$!
    i=0; until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
        sleep 0.1; i=$((i+1)); [ $i -lt 300 ] || { echo "$1: serve did not start: $(cat serve.log)" >&2; exit 1; }; done
    # idle: the same requests without a writer
    : >idle.txt
    for k in $(seq 20); do
        curl -s -o /dev/null --max-time 120 -w '%{time_total}\n' "http://127.0.0.1:$port/healthz" >>idle.txt
    done
    start=$(date +%s.%N)
    "$2" import invoices invoices.csv ${BENCH_IMPORT_ARGS:-} >/dev/null &
    ipid=$!
    sleep 1 # the import is under way and holds the write lock
    : >health.txt; : >hooks.txt
    # providers post on their own schedule: a webhook every 0.5 s, each on its own connection
    ( while kill -0 $ipid 2>/dev/null; do
          curl -s -o /dev/null --max-time 120 -w '%{http_code} %{time_total}\n' -X POST \
              -H 'Content-Type: application/x-www-form-urlencoded' -H "X-Regua-Signature: $sig" \
              --data-binary @sms.txt "http://127.0.0.1:$port/hooks/sms/sms" >>hooks.txt &
          sleep 0.5
      done; wait ) &
    hpid=$!
    while kill -0 $ipid 2>/dev/null; do
        curl -s -o /dev/null --max-time 120 -w '%{time_total}\n' "http://127.0.0.1:$port/healthz" >>health.txt || echo 120 >>health.txt
        sleep 0.1
    done
    wait $ipid
    end=$(date +%s.%N)
    wait $hpid
    kill -TERM $spid; wait $spid || true
    /usr/bin/python3 - "$1" "$start" "$end" <<'PY'
import sys, statistics
label, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
def stats(path):
    h = sorted(float(x) for x in open(path) if x.strip())
    p95 = h[min(len(h) - 1, int(len(h) * 0.95))]
    return "n=%d median %.0f ms p95 %.0f ms max %.0f ms" % (len(h), 1000 * statistics.median(h), 1000 * p95, 1000 * h[-1])
w = [x.split() for x in open("hooks.txt") if x.strip()]
codes = {}
for c, _ in w:
    codes[c] = codes.get(c, 0) + 1
print("%-8s idle /healthz %s" % (label, stats("idle.txt")))
print("%-8s import %.1f s: /healthz %s; webhooks %s, slowest %.1f s"
      % (label, end - start, stats("health.txt"), " ".join("%s x%d" % kv for kv in sorted(codes.items())),
         max(float(t) for _, t in w) if w else 0))
PY
}
run measured "$BIN"
[ "$PEER" = - ] || run peer "$PEER"
