#!/bin/sh
# Triggers, end to end on a fake clock: the cadence that listens to an
# invoice the tick never planned is the one the tick would choose —
# including a repeat-offender segment (late_count_12m_min); a trigger's task
# (like its message and offer) waits for the customer's window, while its
# pause acts at once.
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
cat >cadences/padrao.yaml <<'YAML'
cadence: padrao
match: {priority: 5}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: ligar, at: D+3, action: task, task: {kind: call}}
triggers:
  - {id: visitou, on: portal.visited, task: {kind: padrao}}
  - {id: clicou, on: link.clicked, wait: 1h, task: {kind: review}, pause: [ligar]}
YAML
cat >cadences/reincidente.yaml <<'YAML'
cadence: reincidente
match: {priority: 10, late_count_12m_min: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: ligar, at: D+3, action: task, task: {kind: call}}
triggers:
  - {id: visitou, on: portal.visited, task: {kind: reincidente}}
YAML
cat >c.csv <<'CSV'
external_id,name,email
C1,Ana Souza,ana@exemplo.com.br
C2,Bia Lima,bia@exemplo.com.br
C3,Caio Reis,caio@exemplo.com.br
CSV
# C1 paid F0 late last month (a repeat offender); C2 paid F9 on time
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F0,C1,100.00,2026-09-01
F9,C2,100.00,2026-09-01
F1,C1,100.00,2026-10-30
F2,C2,100.00,2026-10-30
F3,C3,100.00,2026-10-15
CSV
export REGUA_NOW=2026-10-20T12:00:00Z
expect_exit "import customers" 0 regua import customers c.csv
expect_exit "import invoices" 0 regua import invoices f.csv
expect_exit "F0 paid late" 0 regua pay F0 --amount 100,00 --at 2026-09-20T12:00:00Z
expect_exit "F9 paid on time" 0 regua pay F9 --amount 100,00 --at 2026-08-30T12:00:00Z

# ---- no tick has planned F1/F2: the event chooses as the tick would ----
expect_exit "portal.visited F1 (repeat offender)" 0 regua event portal.visited --invoice F1 --at 2026-10-20T12:00:00Z
expect_exit "portal.visited F2" 0 regua event portal.visited --invoice F2 --at 2026-10-20T12:00:00Z
is "F1's timer is the repeat offenders' cadence's" \
    "$(q "SELECT t.cadence FROM trigger_timers t JOIN invoices i ON i.id = t.invoice_id WHERE i.external_id = 'F1'")" reincidente
is "F2's timer is the default's" \
    "$(q "SELECT t.cadence FROM trigger_timers t JOIN invoices i ON i.id = t.invoice_id WHERE i.external_id = 'F2'")" padrao
expect_exit "the tick" 0 regua tick --at 2026-10-20T12:01:00Z
expect_exit "invoice show F1" 0 regua invoice show F1 --json --now 2026-10-20T12:01:00Z
is "the tick's choice for F1 is the same" "$(/usr/bin/python3 -c 'import json; print(json.load(open("out"))["cadence"]["name"])')" reincidente
is "F1's task is the repeat offenders'" "$(q "SELECT kind FROM tasks t JOIN invoices i ON i.id = t.invoice_id WHERE i.external_id = 'F1'")" reincidente
is "F2's task is the default's" "$(q "SELECT kind FROM tasks t JOIN invoices i ON i.id = t.invoice_id WHERE i.external_id = 'F2'")" padrao

# ---- a trigger's task waits for the window; its pause does not ----
# clicked at 19:30 local (Tuesday): 1 h later is 20:30, closed
expect_exit "link.clicked F3 in the evening" 0 regua event link.clicked --invoice F3 --at 2026-10-20T22:30:00Z
expect_exit "the tick at 20:30 local" 0 regua tick --at 2026-10-20T23:30:00Z --json
contains "the timer waits" out '"timers_waiting": 1'
is "no task at night" "$(q "SELECT count(*) FROM tasks WHERE source = 'trigger:padrao/clicou'")" 0
is "... but ligar is paused already" "$(q "SELECT count(*) FROM invoice_holds h JOIN invoices i ON i.id = h.invoice_id WHERE i.external_id = 'F3' AND h.step = 'ligar' AND h.released_at IS NULL")" 1
is "the timer says why it waits" "$(q "SELECT reason FROM trigger_timers WHERE trigger_id = 'clicou'")" \
    "paused 1 step; waiting: outside the contact window"
expect_exit "the tick at the opening" 0 regua tick --at 2026-10-21T11:00:00Z
is "the task at 08:00" "$(q "SELECT count(*) FROM tasks WHERE source = 'trigger:padrao/clicou'")" 1
is "the hold is not doubled" "$(q "SELECT count(*) FROM invoice_holds h JOIN invoices i ON i.id = h.invoice_id WHERE i.external_id = 'F3'")" 1
