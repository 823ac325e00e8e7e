#!/bin/sh
# The operator task queue end to end: a cadence with `action: task` and a
# step on the `task` channel, a tick, then task list / claim / done with a
# promise, and the promise and its promise.made event on the invoice.
. "$(dirname "$0")/lib.sh"
cd "$T"

mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl}
  task: {driver: task, assignee: fila}
YAML
cat >cadences/teste.yaml <<'YAML'
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: revisar, at: D+1, send: {channels: [task], template: revisar}}
  - {id: ligar, at: D+2, action: task, task: {kind: call}}
YAML
cat >templates/revisar.task <<'TXT'
Ligar para {{customer.name}}: {{invoice.external_id}} de {{invoice.amount}} venceu em {{invoice.due_date}}.
{{company.name}} (CNPJ {{company.cnpj}})
TXT
cat >clientes.csv <<'CSV'
external_id,name,document,phone
C1,Maria José da Conceição,529.982.247-25,(11) 98765-4321
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade,"150,00",2026-12-07
CSV
export REGUA_NOW=2026-12-01T12:00:00Z
regua import customers clientes.csv >/dev/null
regua import invoices faturas.csv >/dev/null

expect_exit "task --help" 0 regua task --help
contains "task help shows usage" out "Usage: regua task list"
regua --help >help.txt 2>&1
contains "main help lists task" help.txt "  task "
expect_exit "empty queue" 0 regua task list
contains "empty queue says so" out "no open tasks"

# D+1: the task channel makes a message task; D+2: the step makes a call
expect_exit "tick D+1" 0 regua tick --at 2026-12-08T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["messages"]==1 and o["sent"]==1, o' \
    && ok "task channel message sent" || not_ok "task channel message sent" "$(cat out)"
expect_exit "tick D+2" 0 regua tick --at 2026-12-09T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["tasks"]==1, o' \
    && ok "task step counted" || not_ok "task step counted" "$(cat out)"
expect_exit "tick D+2 again" 0 regua tick --at 2026-12-09T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["tasks"]==0 and o["messages"]==0, o' \
    && ok "ticking twice makes no new task" || not_ok "ticking twice makes no new task" "$(cat out)"

expect_exit "task list json" 0 regua task list --json
cp out list.json
/usr/bin/python3 - <<'PY' && ok "task list fields" || not_ok "task list fields" "$(head -c 900 list.json)"
import json
a = json.load(open("list.json"))
assert len(a) == 2, a
m, c = a
assert m["kind"] == "message" and c["kind"] == "call", a
assert m["due_at"] == "2026-12-08T12:00:00Z" and c["due_at"] == "2026-12-09T12:00:00Z"
for t in a:
    assert t["customer_external_id"] == "C1" and t["customer_name"] == "Maria José da Conceição"
    assert t["customer_phone"] == "+5511987654321" and t["invoice_external_id"] == "F1"
    assert t["status"] == "open" and t["outcome"] is None and t["note"] is None
assert m["source"] == "step:teste/revisar" and c["source"] == "step:teste/ligar"
assert m["assignee"] == "fila" and c["assignee"] is None
assert m["text"].startswith("Ligar para Maria José da Conceição: F1 de R$ 150,00 venceu em 07/12/2026.")
assert isinstance(m["message_id"], int) and c["message_id"] is None
PY
CALL=$(/usr/bin/python3 -c 'import json; print(json.load(open("list.json"))[1]["id"])')
MSG=$(/usr/bin/python3 -c 'import json; print(json.load(open("list.json"))[0]["id"])')

expect_exit "task list text" 0 regua task list
contains "text list shows the call" out "open     call     C1           Maria José da Conceição  +5511987654321  F1"

# claim
expect_exit "claim without --as is a usage error" 2 regua task claim "$CALL"
expect_exit "claim with a bad id is a usage error" 2 regua task claim abc --as ana
# a name that is not UTF-8 (a terminal in latin1) is refused, never stored
expect_exit "claim --as with a latin1 name is refused" 1 regua task claim "$CALL" --as "$(printf 'Jo\343o')"
contains "it says the text is not UTF-8" err "regua: as: not valid UTF-8 text"
expect_exit "claim" 0 regua task claim "$CALL" --as ana
contains "claim says who" out "task $CALL (call, customer C1, invoice F1) claimed by ana"
expect_exit "claim by someone else" 1 regua task claim "$CALL" --as bia
contains "claimed by someone else says by whom" err "regua: task $CALL: is already claimed by ana"
expect_exit "claim an unknown task" 1 regua task claim 999 --as ana
contains "unknown task says so" err "regua: task: no task with id 999"

# done, with a promise
export REGUA_NOW=2026-12-09T13:00:00Z
expect_exit "done without outcome is a usage error" 2 regua task done "$CALL"
expect_exit "promise amount without date is a usage error" 2 regua task done "$CALL" --outcome promised --promise-amount 10
expect_exit "done --note with a latin1 note is refused" 1 regua task done "$CALL" --outcome no_answer --note "$(printf 'n\343o atendeu')"
contains "the note is named" err "regua: note: not valid UTF-8 text"
expect_exit "promise in the past" 1 regua task done "$CALL" --outcome promised --promise-date 2026-12-01
contains "past promise says so" err "promise_date: 2026-12-01 is in the past (today is 2026-12-09)"
expect_exit "promise above the balance" 1 regua task done "$CALL" --outcome promised --promise-date 2026-12-15 --promise-amount 200
contains "promise above the balance says so" err "R\$ 200,00 is more than the open balance of F1 (R\$ 150,00)"
expect_exit "done with a promise" 0 regua task done "$CALL" --outcome promised --note "paga na terça via Pix" \
    --promise-date 15/12/2026 --promise-amount 100,00 --json
cp out done.json
/usr/bin/python3 - <<'PY' && ok "done json" || not_ok "done json" "$(cat done.json)"
import json
o = json.load(open("done.json"))
t, p = o["task"], o["promise"]
assert t["status"] == "done" and t["outcome"] == "promised" and t["note"] == "paga na terça via Pix", t
assert t["assignee"] == "ana" and t["done_at"] == "2026-12-09T13:00:00Z"
assert p["promised_date"] == "2026-12-15" and p["amount"] == "100.00" and p["status"] == "pending", p
assert p["source"].startswith("task:") and isinstance(o["event_id"], int)
PY
expect_exit "done twice" 1 regua task done "$CALL" --outcome paid
contains "done twice says so" err "regua: task $CALL: is already done (outcome 'promised', at 2026-12-09T13:00:00Z, by ana); a done task cannot be done again"
expect_exit "claim a done task" 1 regua task claim "$CALL" --as bia
contains "claim of a done task says so" err "a done task cannot be claimed"
expect_exit "close the message task unclaimed" 0 regua task done "$MSG" --outcome no_answer --as bia
contains "done text" out "task $MSG done: no_answer"

expect_exit "open list after" 0 regua task list --json
/usr/bin/python3 -c 'import json; assert json.load(open("out")) == []' \
    && ok "done tasks leave the open list" || not_ok "done tasks leave the open list" "$(cat out)"
expect_exit "all list after" 0 regua task list --all --json
/usr/bin/python3 -c 'import json; a=json.load(open("out")); assert [t["status"] for t in a] == ["done", "done"] and a[0]["assignee"] == "bia"' \
    && ok "--all lists done tasks" || not_ok "--all lists done tasks" "$(cat out)"

# the invoice shows the promise and the promise.made event
expect_exit "invoice show json" 0 regua invoice show F1 --json
cp out inv.json
/usr/bin/python3 - <<'PY' && ok "invoice shows the promise and its event" || not_ok "invoice shows the promise and its event" "$(head -c 1500 inv.json)"
import json
o = json.load(open("inv.json"))
assert len(o["promises"]) == 1, o["promises"]
p = o["promises"][0]
assert p["promised_date"] == "2026-12-15" and p["amount"] == "100.00" and p["status"] == "pending"
ev = [e for e in o["events"] if e["type"] == "promise.made"]
assert len(ev) == 1, o["events"]
assert ev[0]["source"] == "cli" and ev[0]["payload"]["promised_date"] == "2026-12-15"
assert ev[0]["payload"]["amount"] == "100.00" and ev[0]["payload"]["outcome"] == "promised"
assert o["bureau"] is None
PY
expect_exit "invoice show text" 0 regua invoice show F1
contains "invoice text shows the promise" out "  promise   2026-12-15  R\$ 100,00  pending (task:$CALL)"
contains "invoice text shows the event" out "promise.made"
