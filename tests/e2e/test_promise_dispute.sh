#!/bin/sh
# Promises and disputes end to end on a fake clock, through `regua event`,
# with the repository's mensal-pf cadence and templates: a promise pauses
# ligar and negativar (the trigger `promessa`, 2 days of grace); kept on
# payment, nothing more; broken after the date plus grace: promise.broken
# (source engine), the "promessa quebrada" message, and the paused step
# resumes. A dispute: silence until it is resolved, then only the latest
# due step.
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
cat >c.csv <<'CSV'
external_id,name,document,email,phone,whatsapp,tags
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br,+5511999990001,+5511999990001,plano-mensal
C2,Bia Lima,529.982.247-25,bia@exemplo.com.br,+5511999990002,+5511999990002,plano-mensal
C3,Caio Reis,529.982.247-25,caio@exemplo.com.br,+5511999990003,+5511999990003,plano-mensal
CSV
# due Monday 05/10/2026: segunda-via (D+15) 20/10, ligar (D+20, Sunday) 26/10, aviso (D+25) 30/10
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-10-05
F2,C2,100.00,2026-10-05
F3,C3,100.00,2026-10-05
CSV
export REGUA_NOW=2026-10-13T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
expect_exit "first tick" 0 regua tick

q() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect("regua.db").execute(sys.argv[1]).fetchone()[0])' "$1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
msgs() { q "SELECT count(*) FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = '$1' AND m.source_id = '$2' AND m.status <> 'suppressed'"; }
tasks() { q "SELECT count(*) FROM tasks t JOIN customers c ON c.id = t.customer_id WHERE c.external_id = '$1' AND t.kind = 'call'"; }

# ---- a dispute on F3 before 20/10; promises on F1 and F2 for Monday 26/10 ----
expect_exit "dispute.opened" 0 regua event dispute.opened --invoice F3 --at 2026-10-19T15:00:00Z
is "the dispute holds every step" "$(q "SELECT step || '|' || reason FROM invoice_holds i JOIN invoices f ON f.id = i.invoice_id WHERE f.external_id = 'F3'")" "|dispute"
expect_exit "promise.made F1" 0 regua event promise.made --invoice F1 --at 2026-10-19T15:00:00Z --data '{"date": "2026-10-26"}'
expect_exit "promise.made F2" 0 regua event promise.made --invoice F2 --at 2026-10-19T15:00:00Z --data '{"date": "2026-10-26"}'
expect_exit "tick 19/10" 0 regua tick --at 2026-10-19T15:05:00Z --json
is "the trigger paused ligar and negativar for F1" \
    "$(q "SELECT group_concat(step, ',') FROM (SELECT h.step FROM invoice_holds h JOIN invoices f ON f.id = h.invoice_id WHERE f.external_id = 'F1' AND h.released_at IS NULL ORDER BY h.step)")" "ligar,negativar"
is "with the trigger's grace" "$(q "SELECT grace_days FROM promises p JOIN invoices f ON f.id = p.invoice_id WHERE f.external_id = 'F1'")" 2
is "the aguardando message went to C1" "$(msgs C1 promessa)" 1

# segunda-via (20/10): F1 and F2 get it (not paused), F3 is silent
expect_exit "tick 20/10" 0 regua tick --at 2026-10-20T12:00:00Z
is "segunda-via for F1" "$(msgs C1 segunda-via)" 1
is "nothing for the disputed F3" "$(msgs C3 segunda-via)" 0

# ligar (26/10): held for F1 and F2 (pending promises), and F3 (dispute)
expect_exit "tick 26/10" 0 regua tick --at 2026-10-26T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["held"]==4 and o["tasks"]==0, o' \
    && ok "held: F1's and F2's ligar, F3's segunda-via and ligar; no task" || not_ok "held: F1's and F2's ligar, F3's segunda-via and ligar; no task" "$(cat out)"
export REGUA_NOW=2026-10-26T12:30:00Z
expect_exit "invoice show F1" 0 regua invoice show F1
contains "invoice show says ligar waits on a hold" out "held:        ligar"
contains "... and lists the hold" out "hold      ligar  trigger:mensal-pf/promessa"
expect_exit "invoice show F1 json" 0 regua invoice show F1 --json
/usr/bin/python3 - <<'PY' && ok "the deadline in the agenda" || not_ok "the deadline in the agenda" "$(head -c 1500 out)"
import json
o = json.load(open("out"))
assert o["cadence"]["held"] == ["ligar"], o["cadence"]
assert o["promises"][0]["status"] == "pending" and o["promises"][0]["grace_days"] == 2, o["promises"]
# 26/10 + 2 days of grace: broken at 29/10 00:00 local, before aviso's day (30/10)
assert o["agenda_at"] == "2026-10-29T03:00:00Z", o["agenda_at"]
PY
expect_exit "simulate" 0 regua simulate --days 5 --json
/usr/bin/python3 - <<'PY' && ok "simulate: deadlines and the steps they pause" || not_ok "simulate: deadlines and the steps they pause" "$(head -c 1500 out)"
import json
o = json.load(open("out"))
p = {x["invoice_external_id"]: x for x in o["promises"]}
assert sorted(p) == ["F1", "F2"], p
assert p["F1"]["deadline"] == "2026-10-29T03:00:00Z" and p["F1"]["breaks"] is True, p
assert sorted(p["F1"]["pauses"]) == ["ligar", "negativar"], p
PY

# F2 pays on the last day of grace: kept, holds released, nothing more
expect_exit "F2 pays" 0 regua pay F2 --amount 100,00 --at 2026-10-28T20:00:00Z
is "F2's promise kept" "$(q "SELECT p.status FROM promises p JOIN invoices f ON f.id = p.invoice_id WHERE f.external_id = 'F2'")" kept
is "F2's holds released" "$(q "SELECT count(*) FROM invoice_holds h JOIN invoices f ON f.id = h.invoice_id WHERE f.external_id = 'F2' AND h.released_at IS NULL")" 0

# 29/10: F1's promise broken; ligar resumes (the call task); promessa-quebrada goes next
expect_exit "tick 29/10" 0 regua tick --at 2026-10-29T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["promises_broken"]==1 and o["tasks"]==1, o' \
    && ok "promise broken, ligar fires" || not_ok "promise broken, ligar fires" "$(cat out)"
is "promise.broken recorded by the engine at the deadline" \
    "$(q "SELECT source || ' ' || at FROM events WHERE type = 'promise.broken'")" "engine $(/usr/bin/python3 -c 'import datetime; print(int(datetime.datetime(2026,10,29,3,tzinfo=datetime.timezone.utc).timestamp()))')"
is "F1's promise is broken" "$(q "SELECT p.status FROM promises p JOIN invoices f ON f.id = p.invoice_id WHERE f.external_id = 'F1'")" broken
is "the call task for C1" "$(tasks C1)" 1
expect_exit "tick 29/10 again" 0 regua tick --at 2026-10-29T12:05:00Z
is "the promessa-quebrada message went to C1" "$(msgs C1 promessa-quebrada)" 1
contains "... on WhatsApp, naming the promise" outbox/whatsapp.jsonl "Combinamos o pagamento de R\$ 100,00 para 26/10/2026"
is "nothing more for C2, who kept it" "$(q "SELECT count(*) FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = 'C2' AND m.planned_for > $(/usr/bin/python3 -c 'import datetime; print(int(datetime.datetime(2026,10,20,13,tzinfo=datetime.timezone.utc).timestamp()))')")" 0
is "no call task for C2" "$(tasks C2)" 0
is "no promise.broken for F2" "$(q "SELECT count(*) FROM events e JOIN invoices f ON f.id = e.invoice_id WHERE f.external_id = 'F2' AND e.type = 'promise.broken'")" 0

# ---- the dispute: silent through 30/10 (aviso), resolved on 03/11: only aviso goes ----
expect_exit "tick 30/10" 0 regua tick --at 2026-10-30T12:00:00Z
is "C3 silent so far" "$(q "SELECT count(*) FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = 'C3' AND m.planned_for > $(/usr/bin/python3 -c 'import datetime; print(int(datetime.datetime(2026,10,13,13,tzinfo=datetime.timezone.utc).timestamp()))')")" 0
is "no call task for C3" "$(tasks C3)" 0
expect_exit "dispute.resolved" 0 regua event dispute.resolved --invoice F3 --at 2026-11-03T11:00:00Z
expect_exit "tick 03/11" 0 regua tick --at 2026-11-03T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["fired"]==1 and o["superseded"]>=2, o' \
    && ok "after the dispute one step fires" || not_ok "after the dispute one step fires" "$(cat out)"
is "the latest due step: aviso" "$(msgs C3 aviso)" 1
is "segunda-via superseded, never sent" "$(msgs C3 segunda-via)" 0
is "no call task" "$(tasks C3)" 0
expect_exit "customer show C3" 0 regua customer show C3 --json
/usr/bin/python3 - <<'PY' && ok "customer show: the dispute's events, newest first" || not_ok "customer show: the dispute's events, newest first" "$(head -c 1500 out)"
import json
ev = [e["type"] for e in json.load(open("out"))["events"]]
assert ev.index("dispute.resolved") < ev.index("dispute.opened"), ev
PY
