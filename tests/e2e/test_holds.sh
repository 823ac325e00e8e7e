#!/bin/sh
# Promises end to end on a fake clock: a call task closed with a promise
# (`task done --promise-date`), its deadline in the agenda, the promise
# broken by the tick after it (promise.broken, source engine) and kept by a
# payment in time; invoice show and customer show list promises and events.
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
cat >cadences/teste.yaml <<'YAML'
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: atraso, at: D+1, send: {channels: [email], template: atraso}}
  - {id: ligar, at: D+3, action: task, task: {kind: call}}
  - {id: lembrete, at: D+8, send: {channels: [email], template: atraso}}
YAML
cat >templates/atraso.email <<'TXT'
Subject: Fatura {{invoice.external_id}} em aberto
{{invoice.external_id}} venceu em {{invoice.due_date}}: {{invoice.updated_amount}}.
{{company.name}} (CNPJ {{company.cnpj}})
TXT
cat >clientes.csv <<'CSV'
external_id,name,document,email,phone
C1,Maria José da Conceição,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321
C2,João Souza,111.444.777-35,joao@exemplo.com.br,(21) 99876-5432
CSV
# due Monday 07/12/2026: atraso 08/12, ligar 10/12, lembrete 15/12
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade,"150,00",2026-12-07
F2,C2,Mensalidade,"200,00",2026-12-07
CSV
export REGUA_NOW=2026-12-01T12:00:00Z
regua import customers clientes.csv >/dev/null
regua import invoices faturas.csv >/dev/null

expect_exit "tick D+1" 0 regua tick --at 2026-12-08T12:00:00Z --json
expect_exit "tick D+3 (call tasks)" 0 regua tick --at 2026-12-10T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["tasks"]==2, o' \
    && ok "two call tasks" || not_ok "two call tasks" "$(cat out)"
regua task list --json >tasks.json
T1=$(/usr/bin/python3 -c 'import json; print([t["id"] for t in json.load(open("tasks.json")) if t["invoice_external_id"]=="F1"][0])')
T2=$(/usr/bin/python3 -c 'import json; print([t["id"] for t in json.load(open("tasks.json")) if t["invoice_external_id"]=="F2"][0])')

# both promise to pay on Monday 14/12 (no grace: the deadline is 15/12 00:00 local)
export REGUA_NOW=2026-12-10T15:00:00Z
expect_exit "F1 promise" 0 regua task done "$T1" --outcome promised --promise-date 2026-12-14
expect_exit "F2 promise" 0 regua task done "$T2" --outcome promised --promise-date 2026-12-14
expect_exit "tick after the promises" 0 regua tick --at 2026-12-10T16:00:00Z --json
expect_exit "invoice show F1 pending" 0 regua invoice show F1 --json
/usr/bin/python3 - <<'PY' && ok "promise pending, its deadline in the agenda" || not_ok "promise pending, its deadline in the agenda" "$(head -c 1500 out)"
import json
o = json.load(open("out"))
p = o["promises"]
assert len(p) == 1 and p[0]["status"] == "pending" and p[0]["promised_date"] == "2026-12-14", p
assert p[0]["grace_days"] == 0, p
assert o["agenda_at"] == "2026-12-15T03:00:00Z", o["agenda_at"]
assert o["cadence"]["name"] == "teste" and o["cadence"]["held"] == [], o["cadence"]
assert [e["type"] for e in o["events"]] == ["invoice.created", "promise.made"], o["events"]
PY

# the forecast shows the deadline: broken on 15/12 unless paid
expect_exit "simulate with a promise" 0 regua simulate --days 7 --json
/usr/bin/python3 - <<'PY' && ok "simulate lists the promises' deadlines" || not_ok "simulate lists the promises' deadlines" "$(head -c 1500 out)"
import json
o = json.load(open("out"))
p = sorted(o["promises"], key=lambda x: x["invoice_external_id"])
assert [x["invoice_external_id"] for x in p] == ["F1", "F2"], p
assert p[0]["deadline"] == "2026-12-15T03:00:00Z" and p[0]["breaks"] is True and p[0]["pauses"] == [], p
assert [m["step"] for m in o["messages"]] == ["lembrete", "lembrete"], o["messages"]
PY
expect_exit "simulate text" 0 regua simulate --days 7
contains "simulate text lists the promise" out "F1  promised 2026-12-14, deadline 2026-12-15 00:00"

# F2 pays on the promised day: kept
export REGUA_NOW=2026-12-14T18:00:00Z
expect_exit "F2 paid on the promised day" 0 regua pay F2 --amount 200,00 --at 2026-12-14T18:00:00Z

# the tick after the deadline: F1's promise is broken, F2's was kept; lembrete (D+8) goes to F1 only
expect_exit "tick 15/12" 0 regua tick --at 2026-12-15T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["promises_broken"]==1 and o["messages"]==1, o' \
    && ok "one promise broken, one message" || not_ok "one promise broken, one message" "$(cat out)"
expect_exit "tick 15/12 again" 0 regua tick --at 2026-12-15T12:05:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["promises_broken"]==0 and o["messages"]==0, o' \
    && ok "ticking again breaks nothing more" || not_ok "ticking again breaks nothing more" "$(cat out)"
expect_exit "invoice show F1 broken" 0 regua invoice show F1 --json
/usr/bin/python3 - <<'PY' && ok "promise.broken recorded by the engine" || not_ok "promise.broken recorded by the engine" "$(head -c 1500 out)"
import json
o = json.load(open("out"))
p = o["promises"][0]
assert p["status"] == "broken" and p["resolved_at"] == "2026-12-15T03:00:00Z", p
ev = [e for e in o["events"] if e["type"] == "promise.broken"]
assert len(ev) == 1 and ev[0]["source"] == "engine" and ev[0]["at"] == "2026-12-15T03:00:00Z", ev
assert ev[0]["payload"]["promised_date"] == "2026-12-14" and ev[0]["payload"]["promise_id"] == p["id"], ev
PY
expect_exit "invoice show F1 text" 0 regua invoice show F1
contains "text lists the promise" out "promise   2026-12-14  R\$ 150,00  broken"
contains "text lists promise.broken" out "promise.broken"
expect_exit "invoice show F2 kept" 0 regua invoice show F2 --json
/usr/bin/python3 - <<'PY' && ok "F2's promise kept" || not_ok "F2's promise kept" "$(head -c 1500 out)"
import json
o = json.load(open("out"))
assert o["promises"][0]["status"] == "kept" and o["promises"][0]["resolved_at"] == "2026-12-14T18:00:00Z", o["promises"]
assert "promise.broken" not in [e["type"] for e in o["events"]], o["events"]
PY
/usr/bin/python3 - <<'PY' && ok "nothing more for the kept promise" || not_ok "nothing more for the kept promise" "$(cat outbox/email.jsonl)"
import json
lines = [json.loads(l) for l in open("outbox/email.jsonl")]
f2 = [l for l in lines if "F2" in json.dumps(l)]
assert len(f2) == 1, f2  # the D+1 atraso only
PY

# customer show: the customer's events, newest first
expect_exit "customer show C1 json" 0 regua customer show C1 --json
/usr/bin/python3 - <<'PY' && ok "customer show lists events newest first" || not_ok "customer show lists events newest first" "$(head -c 1500 out)"
import json
o = json.load(open("out"))
ev = o["events"]
assert [e["type"] for e in ev] == ["promise.broken", "promise.made", "invoice.created"], ev
assert all(e["invoice_external_id"] == "F1" for e in ev), ev
assert o["optouts"] == [], o["optouts"]
ats = [e["at"] for e in ev]
assert ats == sorted(ats, reverse=True), ats
PY
expect_exit "customer show C1 text" 0 regua customer show C1
contains "customer show text lists the event" out "promise.broken"
