#!/bin/sh
# Each report (`regua report NAME --json`, the work of GET /v1/reports/NAME)
# over a big portfolio: INVOICES invoices of INVOICES/3 customers, three
# messages sent per invoice (3,000,000 for 1,000,000), one payment per paid
# invoice, opens, promises — written straight into a database `regua init`
# made (generated in SQL from each row's number: the same database every
# time; no ANALYZE, as regua's own databases). Prints each report's wall and
# CPU (user + system) time per run, process start included, best of RUNS,
# for the default 30 days and a year. The rows go into the engine's tables,
# so migration 20's triggers fill the funnels' summary as they are inserted
# (a database an older regua made gets it from the migration instead).
#   sh bench/bench_reports.sh [INVOICES] [RUNS]   (REGUA_BIN: the binary; BENCH_DIR: reuse a database)
# The forecast runs `simulate` on a copy of the whole database: BENCH_FORECAST=1 times it too.
set -eu
N=${1:-1000000}
RUNS=${2:-3}
BIN=${REGUA_BIN:-$PWD/build/regua}
ROOT=$PWD
DIR=${BENCH_DIR:-/tmp/regua-bench-reports-$N}
export REGUA_NOW=2026-12-01T12:00:00Z
if [ ! -f "$DIR/regua.db" ]; then
    mkdir -p "$DIR"
    (cd "$DIR" && printf 'database: regua.db\ntimezone: America/Sao_Paulo\n' >regua.yaml &&
     cp -r "$ROOT/cadences" "$ROOT/templates" . &&
     "$BIN" init >/dev/null 2>&1 && /usr/bin/python3 - "$N" <<'PY'
import sqlite3, sys, time
n = int(sys.argv[1])
today = 20788  # 2026-12-01, days since 1970-01-01
db = sqlite3.connect("regua.db")
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = OFF")
t0 = time.time()
ncust = max(1, n // 3)
sql = f"""
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {ncust})
INSERT INTO customers (id, external_id, name, created_at, updated_at)
SELECT i, 'C' || i, 'Cliente ' || i, 0, 0 FROM s;
-- invoices: due over the last 365 days and the next 30; 60% paid 0..40 days after due,
-- 35% open, 5% cancelled; three cadences; a few tags
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}),
r AS (SELECT i, (i * 7919) % 1000003 % 100 AS k, {today} - 365 + (i * 104729) % 1000033 % 396 AS due,
             1000 + (i * 15485863) % 1000037 % 100000 AS amount FROM s)
INSERT INTO invoices (id, external_id, customer_id, amount, paid, due_date, status, tags, progress_cadence, paid_on,
                      created_at, updated_at)
SELECT i, 'F' || i, 1 + i % {ncust}, amount,
       CASE WHEN k < 60 THEN amount WHEN k < 70 THEN amount / 2 ELSE 0 END, due,
       CASE WHEN k < 60 THEN 'paid' WHEN k < 95 THEN 'open' ELSE 'cancelled' END,
       CASE i % 5 WHEN 0 THEN 'vip' WHEN 1 THEN 'b2b|sp' WHEN 2 THEN 'mensal' ELSE '' END,
       CASE i % 3 WHEN 0 THEN 'padrao' WHEN 1 THEN 'b2b' ELSE 'reincidentes' END,
       CASE WHEN k < 60 THEN min(due + k % 41 - 5, {today}) END, 0, 0
FROM r;
-- three messages per invoice, sent at D-3, D+1 and D+7 (noon UTC), when that is past
INSERT INTO messages (idempotency_key, customer_id, invoice_id, cadence, source_kind, source_id, channel, status,
                      planned_for, sent_at, delivered_at, read_at, cost, created_at, updated_at)
SELECT 'k' || i.id || ':' || st.off, i.customer_id, i.id, i.progress_cadence, 'step', st.step, st.channel,
       CASE WHEN (i.id + st.off) % 10 < 8 THEN 'delivered' ELSE 'sent' END,
       (i.due_date + st.off) * 86400 + 43200, (i.due_date + st.off) * 86400 + 43200,
       CASE WHEN (i.id + st.off) % 10 < 8 THEN (i.due_date + st.off) * 86400 + 43260 END,
       CASE WHEN st.channel = 'whatsapp' AND i.id % 4 = 0 THEN (i.due_date + st.off) * 86400 + 46800 END,
       st.cost, 0, 0
FROM invoices i, (SELECT -3 AS off, 'lembrete' AS step, 'email' AS channel, 2 AS cost
                  UNION ALL SELECT 1, 'd1', 'whatsapp', 35 UNION ALL SELECT 7, 'd7', 'sms', 12) st
ORDER BY i.id;
-- the payments after the messages, as they come (each finds its last touch as it is recorded)
INSERT INTO payments (invoice_id, amount, paid_at, source, reference, created_at)
SELECT id, amount, paid_on * 86400 + 54000, 'manual', 'P' || id, 0 FROM invoices WHERE status = 'paid';
INSERT INTO events (type, at, source, customer_id, invoice_id, message_id)
SELECT 'email.opened', sent_at + 3600, 'tracking', customer_id, invoice_id, id FROM messages
WHERE channel = 'email' AND id % 7 = 0;
INSERT INTO promises (customer_id, invoice_id, promised_date, amount, status, source, created_at)
SELECT customer_id, id, due_date + 10, amount - paid,
       CASE id % 4 WHEN 0 THEN 'kept' WHEN 1 THEN 'broken' WHEN 2 THEN 'pending' ELSE 'cancelled' END, 'cli',
       (due_date + 3) * 86400 FROM invoices WHERE id % 20 = 0;
"""
db.executescript(sql)
db.commit()
c = lambda q: db.execute(q).fetchone()[0]
print(f"built in {time.time() - t0:.0f} s: {c('SELECT count(*) FROM invoices')} invoices,"
      f" {c('SELECT count(*) FROM messages')} messages, {c('SELECT count(*) FROM payments')} payments,"
      f" {c('SELECT count(*) FROM events')} events, {c('SELECT count(*) FROM promises')} promises", file=sys.stderr)
db.close()
PY
    )
fi
cd "$DIR"
best() { # best NAME ARGS...: the best of RUNS wall and CPU (user + system) times, in ms
    name=$1; shift
    bw=0
    bc=0
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f '%e %U %S' -o time.txt "$BIN" report "$@" --json >/dev/null
        w=$(awk '{printf "%d", $1 * 1000}' time.txt)
        c=$(awk '{printf "%d", ($2 + $3) * 1000}' time.txt)
        if [ $bw -eq 0 ] || [ "$w" -lt $bw ]; then bw=$w; fi
        if [ $bc -eq 0 ] || [ "$c" -lt $bc ]; then bc=$c; fi
        i=$((i + 1))
    done
    echo "$name: wall $bw ms, CPU $bc ms"
}
for r in aging recovery steps channels promises; do
    best "$r (30 days)" "$r"
done
for r in recovery steps channels promises; do
    best "$r (365 days, by month)" "$r" --from 2025-12-02 --to 2026-12-01 --period month
done
if [ "${BENCH_FORECAST:-0}" = 1 ]; then
    RUNS=1
    best "forecast" forecast
fi
