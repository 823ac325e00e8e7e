#!/bin/sh
# The trigger actions besides send, end to end on a fake clock: task,
# switch_cadence, postpone {steps, days} (held now, released N days later,
# then the step fires), pause and resume.
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
cat >cadences/acoes.yaml <<'YAML'
cadence: acoes
match: {priority: 5}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: ligar, at: D+3, action: task, task: {kind: call}}
  - {id: atraso, at: D+10, send: {channels: [email], template: oi}}
triggers:
  - {id: clicou, on: link.clicked, wait: 1h, task: {kind: review}}
  - {id: respondeu, on: message.replied, switch_cadence: outra}
  - {id: copiou, on: pix.copied, postpone: {steps: [ligar], days: 5}}
  - {id: acordo, on: agreement.created, pause: [ligar]}
  - {id: quebrou, on: agreement.broken, resume: [ligar]}
YAML
cat >cadences/outra.yaml <<'YAML'
cadence: outra
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: so-email, at: D+1, send: {channels: [email], template: oi}}
YAML
printf 'Subject: Oi {{invoice.external_id}}\nOi {{customer.first_name}}: {{invoice.external_id}}. {{company.name}} (CNPJ {{company.cnpj}})\n' >templates/oi.email
/usr/bin/python3 - <<'PY'
with open("c.csv", "w") as c, open("f.csv", "w") as f:
    c.write("external_id,name,email,phone\n")
    f.write("external_id,customer_external_id,amount,due_date\n")
    for i in range(1, 6):
        c.write("C%d,Cliente %d,c%d@exemplo.com.br,+551199999000%d\n" % (i, i, i, i))
        f.write("F%d,C%d,100.00,2026-10-19\n" % (i, i))
PY
export REGUA_NOW=2026-10-20T12:00:00Z
expect_exit "import customers" 0 regua import customers c.csv
expect_exit "import invoices" 0 regua import invoices f.csv
expect_exit "first tick" 0 regua tick
q() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect("regua.db").execute(sys.argv[1]).fetchone()[0])' "$1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
tasks() { q "SELECT count(*) FROM tasks t JOIN invoices i ON i.id = t.invoice_id WHERE i.external_id = '$1' AND t.source = '$2'"; }

# task: a review task 1 h after the click
expect_exit "link.clicked" 0 regua event link.clicked --invoice F2 --at 2026-10-20T13:00:00Z
expect_exit "tick before the hour" 0 regua tick --at 2026-10-20T13:59:00Z
is "no task before its moment" "$(tasks F2 trigger:acoes/clicou)" 0
expect_exit "tick at the hour" 0 regua tick --at 2026-10-20T14:00:00Z
is "the trigger's task" "$(tasks F2 trigger:acoes/clicou)" 1
is "... of its kind" "$(q "SELECT kind FROM tasks WHERE source = 'trigger:acoes/clicou'")" review

# switch_cadence: the invoice follows the other cadence from then on
expect_exit "message.replied" 0 regua event message.replied --invoice F3 --at 2026-10-20T14:00:00Z
expect_exit "tick after the reply" 0 regua tick --at 2026-10-20T14:01:00Z
expect_exit "invoice show F3" 0 regua invoice show F3 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["cadence"]["name"]=="outra", o["cadence"]' \
    && ok "F3 now follows outra" || not_ok "F3 now follows outra" "$(head -c 400 out)"

# pause and resume
expect_exit "agreement.created" 0 regua event agreement.created --invoice F4 --at 2026-10-20T14:00:00Z
expect_exit "tick after the agreement" 0 regua tick --at 2026-10-20T14:02:00Z
is "pause holds ligar" "$(q "SELECT count(*) FROM invoice_holds h JOIN invoices i ON i.id = h.invoice_id WHERE i.external_id = 'F4' AND h.step = 'ligar' AND h.reason = 'trigger:acoes/acordo' AND h.released_at IS NULL")" 1
expect_exit "agreement.broken" 0 regua event agreement.broken --invoice F4 --at 2026-10-21T14:00:00Z
expect_exit "tick after the break" 0 regua tick --at 2026-10-21T14:01:00Z
is "resume releases it" "$(q "SELECT count(*) FROM invoice_holds h JOIN invoices i ON i.id = h.invoice_id WHERE i.external_id = 'F4' AND h.released_at IS NULL")" 0

# postpone: ligar (D+3, 22/10) waits 5 days from the copy
expect_exit "pix.copied" 0 regua event pix.copied --invoice F1 --at 2026-10-21T13:00:00Z
expect_exit "tick after the copy" 0 regua tick --at 2026-10-21T13:05:00Z
is "ligar is held for F1" "$(q "SELECT count(*) FROM invoice_holds h JOIN invoices i ON i.id = h.invoice_id WHERE i.external_id = 'F1' AND h.step = 'ligar' AND h.released_at IS NULL")" 1
expect_exit "D+3" 0 regua tick --at 2026-10-22T12:00:00Z
is "D+3: the others' call" "$(tasks F5 step:acoes/ligar)" 1
is "D+3: not F1's, postponed" "$(tasks F1 step:acoes/ligar)" 0
expect_exit "a day before the end" 0 regua tick --at 2026-10-25T13:05:00Z
is "still postponed" "$(tasks F1 step:acoes/ligar)" 0
expect_exit "five days after the copy" 0 regua tick --at 2026-10-26T13:05:00Z --json
contains "the release is a fired timer" out '"timers_fired": 1'
is "the postponed call comes now" "$(tasks F1 step:acoes/ligar)" 1
is "the hold is released" "$(q "SELECT count(*) FROM invoice_holds h JOIN invoices i ON i.id = h.invoice_id WHERE i.external_id = 'F1' AND h.released_at IS NULL")" 0
expect_exit "lint: postpone names a step" 0 regua cadence lint cadences
sed 's/postpone: {steps: \[ligar\], days: 5}/postpone: {steps: [ligarr], days: 5}/' cadences/acoes.yaml >bad.yaml
expect_exit "lint: an unknown step in postpone" 1 regua cadence lint bad.yaml
contains "lint names it" out "ligarr"
