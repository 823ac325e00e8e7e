#!/bin/sh
# An offer end to end on a fake clock: a step's `offer:` (10% off, fine and
# interest waived) shows its amount in the step's message; `regua pay` of
# exactly that amount while it is valid settles the invoice (paid, the rest
# recorded as waived on the offer, listed by `invoice show`); less than it
# settles nothing; after valid_until the full balance is needed.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl}
YAML
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - id: oferta
    at: D+4
    send: {channels: [email], template: oferta}
    offer: {waive_interest: true, waive_fine: true, discount_pct: 10, valid_days: 3}
YAML
printf 'Subject: Proposta\n\nPague {{offer.amount}} até {{offer.valid_until}} ({{offer.description}}); total {{invoice.updated_amount}}.\n{{company.name}} {{company.cnpj}}\n' >templates/oferta.email
printf 'external_id;name;document;email\nC1;Ana Souza;529.982.247-25;ana@exemplo.com.br\nC2;Bia Lima;529.982.247-25;bia@exemplo.com.br\nC3;Caio Reis;529.982.247-25;caio@exemplo.com.br\n' >c.csv
printf 'external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-11-23\nF2,C2,100.00,2026-11-23\nF3,C3,100.00,2026-11-23\n' >f.csv
status() { q "SELECT status FROM invoices WHERE external_id = '$1'"; }

export REGUA_NOW=2026-11-27T12:00:00Z # Friday, D+4, 09:00 in São Paulo
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
expect_exit "tick D+4" 0 regua tick
is "three offers recorded" "$(q "SELECT count(*) FROM offers WHERE source = 'step:t/oferta'")" 3
contains "the message shows the offer's amount" outbox/email.jsonl 'Pague R$ 90,00 até'
contains "... as the invoice's amount" outbox/email.jsonl 'total R$ 90,00.'
is "valid until the end of 30/11 in São Paulo (3 days)" \
    "$(q "SELECT valid_until FROM offers o JOIN invoices i ON i.id = o.invoice_id WHERE i.external_id = 'F1'")" 1796040000

# F1: exactly the offer's amount while it is valid settles it
expect_exit "pay F1 the offer's amount" 0 regua pay F1 --amount 90.00 --at 2026-11-28T15:00:00Z --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "pay says 10.00 waived" || not_ok "pay says 10.00 waived" "$(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["waived_cents"] == 1000, d
PY
is "F1 paid" "$(status F1)" paid
is "the offer settled, R\$ 10,00 waived" "$(q "SELECT o.status || ' ' || o.waived FROM offers o JOIN invoices i ON i.id = o.invoice_id WHERE i.external_id = 'F1'")" "settled 1000"
expect_exit "invoice show F1" 0 regua invoice show F1
contains "invoice show lists the waived part" "$T/out" "R\$ 10,00 waived"

# F2: less than the offer's amount settles nothing
expect_exit "pay F2 below the offer" 0 regua pay F2 --amount 89.99 --at 2026-11-28T15:00:00Z
is "F2 still open" "$(status F2)" open

# F3: from valid_until on the offer's amount is not enough, the full balance is
at=2026-12-01T03:00:00Z # 01/12 00:00 in São Paulo: the first instant it is no longer valid
expect_exit "pay F3 the offer's amount after it expired" 0 regua pay F3 --amount 90.00 --at "$at" --json
contains "... nothing waived" "$T/out" '"waived_cents": 0'
is "F3 still open" "$(status F3)" open
expect_exit "pay F3 the rest" 0 regua pay F3 --amount 10.00 --at "$at"
is "F3 paid in full" "$(status F3)" paid
is "F3's offer not settled" "$(q "SELECT o.status || ' ' || o.waived FROM offers o JOIN invoices i ON i.id = o.invoice_id WHERE i.external_id = 'F3'")" "open 0"
