#!/bin/sh
# Trigger timers survive SIGKILL. (1) Between recording events and the
# tick: an import of payments (each records payment.received, which starts
# a timer) and `regua event` processes are killed wherever they are; each
# event that was recorded has its timer, none has two. (2) During the tick
# that fires them: ticks killed midway, then a tick that completes; every
# timer fired exactly once (one message each, nothing twice), and a further
# tick fires nothing.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl}
YAML
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: depois, at: D+60, send: {channels: [email], template: oi}}
triggers:
  - {id: obrigado, on: payment.received, wait: 1h, send: {channels: [email], template: oi}}
  - {id: visita, on: portal.visited, wait: 1h, send: {channels: [email], template: oi}}
YAML
printf 'Subject: Oi {{invoice.external_id}}\nOi {{customer.first_name}}: {{invoice.external_id}}. {{company.name}} (CNPJ {{company.cnpj}})\n' >templates/oi.email
N=4000
/usr/bin/python3 - "$N" <<'PY'
import sys
n = int(sys.argv[1])
with open("c.csv", "w") as c, open("f.csv", "w") as f, open("p.csv", "w") as p:
    c.write("external_id,name,email\n")
    f.write("external_id,customer_external_id,amount,due_date\n")
    p.write("invoice_external_id,amount,paid_at,reference\n")
    for i in range(n):
        c.write("C%05d,Cliente %d,c%d@exemplo.com.br\n" % (i, i, i))
        f.write("F%05d,C%05d,100.00,2026-11-20\n" % (i, i))
        p.write("F%05d,1.00,2026-10-13T13:00:00Z,P%05d\n" % (i, i))
PY
# Tuesday 2026-10-13, 10:00 in Sao Paulo
export REGUA_NOW=2026-10-13T13:00:00Z
expect_exit "import customers" 0 regua import customers c.csv
expect_exit "import invoices" 0 regua import invoices f.csv
q() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect("regua.db").execute(sys.argv[1]).fetchone()[0])' "$1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }

# (1) the payments' import killed wherever it is, then run again
"$REGUA_BIN" import payments p.csv >/dev/null 2>&1 &
pid=$!
sleep 0.2
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
expect_exit "the import again" 0 regua import payments p.csv
# and regua event processes killed at different moments
i=0
for d in 0 0.02 0.05 0.1 0.2 0.4; do
    "$REGUA_BIN" event portal.visited --invoice "F0000$i" --at 2026-10-13T13:00:00Z >/dev/null 2>&1 &
    pid=$!
    sleep $d
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    i=$((i + 1))
done
is "every payment once" "$(q "SELECT count(*) FROM payments")" "$N"
is "every payment.received once" "$(q "SELECT count(*) FROM events WHERE type = 'payment.received'")" "$N"
is "each recorded event has exactly one timer" \
    "$(q "SELECT count(*) FROM events e WHERE e.type IN ('payment.received', 'portal.visited') AND (SELECT count(*) FROM trigger_timers t WHERE t.event_id = e.id) <> 1")" 0
is "no timer without its event" "$(q "SELECT count(*) FROM trigger_timers t LEFT JOIN events e ON e.id = t.event_id WHERE e.id IS NULL")" 0
timers=$(q "SELECT count(*) FROM trigger_timers")

# (2) ticks killed while they fire the timers (as soon as a batch of
# firings has committed), then one that completes
/usr/bin/python3 - "$REGUA_BIN" >kills.txt <<'PY'
import signal, sqlite3, subprocess, sys, time
total = sqlite3.connect("regua.db").execute("SELECT count(*) FROM trigger_timers").fetchone()[0]
fired = 0
for attempt in range(3):
    before = fired
    p = subprocess.Popen([sys.argv[1], "tick", "--at", "2026-10-13T14:00:00Z", "--no-dispatch"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = sqlite3.connect("regua.db", timeout=5)
    while p.poll() is None:
        try:
            fired = db.execute("SELECT count(*) FROM trigger_timers WHERE status = 'fired'").fetchone()[0]
        except sqlite3.OperationalError:
            continue
        if fired > before:  # a batch of firings committed: kill the rest of the phase
            p.send_signal(signal.SIGKILL)
            break
        time.sleep(0.001)
    p.wait()
    fired = db.execute("SELECT count(*) FROM trigger_timers WHERE status = 'fired'").fetchone()[0]
    print("# killed tick %d: exit %s, %d of %d timers fired" % (attempt + 1, p.returncode, fired, total))
PY
cat kills.txt
expect_exit "the tick after the kills" 0 regua tick --at 2026-10-13T14:00:00Z --no-dispatch
is "every timer fired" "$(q "SELECT count(*) FROM trigger_timers WHERE status = 'fired'")" "$timers"
is "one trigger message per timer" "$(q "SELECT count(*) FROM messages WHERE source_kind = 'trigger'")" "$timers"
is "... each for its own event" "$(q "SELECT count(DISTINCT idempotency_key) FROM messages WHERE source_kind = 'trigger'")" "$timers"
is "each fired timer names its message" \
    "$(q "SELECT count(*) FROM trigger_timers t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.idempotency_key = 'trigger:' || t.cadence || ':' || t.trigger_id || ':' || t.event_id)")" 0
expect_exit "once more" 0 regua tick --at 2026-10-13T14:05:00Z --no-dispatch --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["timers_fired"]==0 and o["messages"]==0, o' \
    && ok "a further tick fires nothing" || not_ok "a further tick fires nothing" "$(cat out)"
