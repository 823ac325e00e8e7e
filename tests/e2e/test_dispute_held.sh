#!/bin/sh
# A dispute holds what was already created for its invoice, end to end on
# a fake clock: an open call task is listed `held`, cannot be claimed nor
# closed until dispute.resolved (one claimed before may be closed by whoever
# is on it); other invoices' tasks are untouched.
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
F2,C2,100.00,2026-12-07
F3,C3,100.00,2026-12-07
CSV
export REGUA_NOW=2026-12-01T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
task_of() { q "SELECT t.id FROM tasks t JOIN invoices i ON i.id = t.invoice_id WHERE i.external_id = '$1'"; }

expect_exit "tick D+3 (call tasks)" 0 regua tick --at 2026-12-10T12:00:00Z
T1=$(task_of F1); T2=$(task_of F2); T3=$(task_of F3)
export REGUA_NOW=2026-12-10T13:00:00Z
expect_exit "C3's operator claims before the dispute" 0 regua task claim "$T3" --as bia
expect_exit "dispute.opened F1" 0 regua event dispute.opened --invoice F1
expect_exit "dispute.opened F3" 0 regua event dispute.opened --invoice F3
expect_exit "task list" 0 regua task list
contains "F1's task is listed held" out "held: dispute — not to be claimed until it is lifted (dispute.resolved)"
expect_exit "task list --json" 0 regua task list --json
/usr/bin/python3 - "$T1" "$T2" <<'PY' && ok "--json: held dispute on F1 only" || not_ok "--json: held dispute on F1 only" "$(head -c 1200 out)"
import json, sys
t = {str(x["id"]): x for x in json.load(open("out"))}
assert t[sys.argv[1]]["held"] == "dispute", t
assert t[sys.argv[2]]["held"] is None, t
PY
expect_exit "claiming a held task" 1 regua task claim "$T1" --as ana
contains "says it is held" err "task $T1: is held: dispute on invoice F1; it can be claimed once it is lifted (dispute.resolved)"
expect_exit "closing a held open task" 1 regua task done "$T1" --outcome no_answer
is "F1's task still open" "$(q "SELECT status FROM tasks WHERE id = $T1")" open
expect_exit "another invoice's task is claimable" 0 regua task claim "$T2" --as ana
expect_exit "a task claimed before the dispute may be closed" 0 regua task done "$T3" --outcome disputed
expect_exit "dispute.resolved F1" 0 regua event dispute.resolved --invoice F1
expect_exit "task list --json after" 0 regua task list --json
/usr/bin/python3 - "$T1" <<'PY' && ok "no longer held" || not_ok "no longer held" "$(head -c 1200 out)"
import json, sys
t = {str(x["id"]): x for x in json.load(open("out"))}
assert t[sys.argv[1]]["held"] is None and t[sys.argv[1]]["status"] == "open", t
PY
expect_exit "claimable after dispute.resolved" 0 regua task claim "$T1" --as ana
