#!/bin/sh
# A promise about the customer's whole debt (no invoice), end to end on a
# fake clock: refused for a customer with nothing open; its trigger's pause
# holds each open invoice; `regua simulate` lists it with its deadline and
# the steps it pauses; it ends when the customer's last open invoice
# closes — kept by the payment, cancelled by an import that cancels it.
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
steps:
  - {id: ligar, at: D+3, action: task, task: {kind: call}}
triggers:
  - {id: promessa, on: promise.made, pause: [ligar], pause_grace_days: 1}
YAML
cat >c.csv <<'CSV'
external_id,name,email,phone
C1,Ana Souza,ana@exemplo.com.br,+5511999990001
C2,Bia Lima,bia@exemplo.com.br,+5511999990002
C3,Caio Reis,caio@exemplo.com.br,+5511999990003
CSV
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-12-07
F2,C1,100.00,2026-12-07
F3,C2,100.00,2026-12-07
F4,C3,100.00,2026-12-07
CSV
export REGUA_NOW=2026-12-08T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
status_of() { q "SELECT p.status FROM promises p JOIN customers c ON c.id = p.customer_id WHERE c.external_id = '$1'"; }

expect_exit "C2 pays everything" 0 regua pay F3 --amount 100,00
expect_exit "a whole-debt promise with nothing open" 1 regua event promise.made --customer C2 --data '{"date": "2026-12-10", "amount": "50.00"}'
contains "says there is nothing to promise" err "customer C2: has no open invoice: there is nothing left to promise"
is "nothing stored" "$(q "SELECT count(*) FROM promises")" 0

expect_exit "C1 promises 150.00 of the whole debt" 0 regua event promise.made --customer C1 --data '{"date": "2026-12-14", "amount": "150.00"}'
expect_exit "C3 promises 150.00 of the whole debt (fine and interest included)" 0 regua event promise.made --customer C3 --data '{"date": "2026-12-14", "amount": "150.00"}'
expect_exit "the tick" 0 regua tick --at 2026-12-08T12:01:00Z
is "ligar paused on both of C1's invoices" "$(q "SELECT count(*) FROM invoice_holds h JOIN invoices i ON i.id = h.invoice_id WHERE i.external_id IN ('F1', 'F2') AND h.step = 'ligar' AND h.released_at IS NULL")" 2
expect_exit "simulate" 0 regua simulate --days 3 --json --now 2026-12-08T12:02:00Z
/usr/bin/python3 - <<'PY' && ok "simulate lists the whole-debt promises" || not_ok "simulate lists the whole-debt promises" "$(head -c 1500 out)"
import json
p = {x["customer_external_id"]: x for x in json.load(open("out"))["promises"]}
assert sorted(p) == ["C1", "C3"], p
assert p["C1"]["invoice_external_id"] is None and p["C1"]["pauses"] == ["ligar"], p
assert p["C1"]["deadline"] == "2026-12-16T03:00:00Z" and p["C1"]["amount"] == "150.00", p
PY
expect_exit "simulate (text)" 0 regua simulate --days 3 --now 2026-12-08T12:02:00Z
contains "... names the customer's whole debt" out "C1 (whole debt)  promised 2026-12-14"

# C1 pays F1 (100.00 of the 150.00 promised): still pending, F2 open
expect_exit "C1 pays F1" 0 regua pay F1 --amount 100,00 --at 2026-12-09T12:00:00Z
is "pending while F2 is open" "$(status_of C1)" pending
# the ERP says F2 was paid: no open invoice left, C1's whole debt is paid
expect_exit "F2 paid according to an import" 0 sh -c 'printf "external_id,customer_external_id,amount,due_date,status\nF2,C1,100.00,2026-12-07,paid\n" >f2.csv && "$REGUA_BIN" import invoices f2.csv'
is "C1's whole-debt promise kept" "$(status_of C1)" kept
is "... its holds released" "$(q "SELECT count(*) FROM invoice_holds WHERE released_at IS NULL AND promise_id = (SELECT p.id FROM promises p JOIN customers c ON c.id = p.customer_id WHERE c.external_id = 'C1')")" 0
# C3 pays its only invoice in time: its whole debt is paid, kept (though under the amount promised)
expect_exit "C3 pays F4" 0 regua pay F4 --amount 100,00 --at 2026-12-10T12:00:00Z
is "C3's promise kept" "$(status_of C3)" kept
is "no promise.broken" "$(q "SELECT count(*) FROM events WHERE type = 'promise.broken'")" 0
# a whole debt cancelled: the promise is cancelled
cat >f5.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F5,C2,100.00,2026-12-07
CSV
expect_exit "a new invoice for C2" 0 regua import invoices f5.csv
expect_exit "C2 promises now" 0 regua event promise.made --customer C2 --data '{"date": "2026-12-14", "amount": "100.00"}'
expect_exit "F5 cancelled by import" 0 sh -c 'printf "external_id,customer_external_id,amount,due_date,status\nF5,C2,100.00,2026-12-07,cancelled\n" >f5c.csv && "$REGUA_BIN" import invoices f5c.csv'
is "C2's promise cancelled: nothing left to pay" "$(status_of C2)" cancelled
