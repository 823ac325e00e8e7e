#!/bin/sh
# A trigger's message that falls back at send time keeps its variables:
# the promise trigger's WhatsApp fails for good at the (fake) provider, and
# the dispatcher re-renders it for e-mail with {{promise.date}} and
# {{promise.amount}} — not suppressed for a hole.
. "$(dirname "$0")/lib.sh"
cd "$T"
FAKE="$REGUA_ROOT/tests/support/fake_http.py"
export RG_WA_TOKEN=EAAG-e2e-token
mkdir -p fk cadences templates
printf '%s' '[{"match": "5511987650001", "status": 400, "code": 131026, "message": "Undeliverable"}]' >fk/rules.json
/usr/bin/python3 "$FAKE" --port-file fk/port --log fk/fake.jsonl --rules fk/rules.json --timeout 60 >fk/out 2>&1 &
fpid=$!
i=0
while [ ! -s fk/port ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat fk/port)
cat >regua.yaml <<YAML
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
channels:
  whatsapp:
    driver: whatsapp_cloud
    base_url: http://127.0.0.1:$port/v21.0
    phone_number_id: "1234567890"
    token_env: RG_WA_TOKEN
    timeout: 2
  email: {driver: log, path: outbox/email.jsonl}
YAML
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: depois, at: D+60, send: {channels: [email], template: oi}}
triggers:
  - {id: promessa, on: promise.made, send: {channels: [whatsapp, email], template: aguardando}}
YAML
printf 'Template: cobranca_promessa pt_BR\n{{customer.first_name}}\n{{company.name}} {{company.cnpj}}\n' >templates/aguardando.whatsapp
printf 'Subject: Promessa\n{{#promise.date}}Aguardamos {{promise.amount}} até {{promise.date}}.{{/promise.date}} {{invoice.external_id}}. {{company.name}} (CNPJ {{company.cnpj}})\n' >templates/aguardando.email
printf 'Subject: Oi\nOi {{invoice.external_id}}. {{company.name}} (CNPJ {{company.cnpj}})\n' >templates/oi.email
printf 'external_id;name;document;email;whatsapp\nC1;Maria da Silva;529.982.247-25;maria@x.com.br;+5511987650001\n' >c.csv
printf 'external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-11-20\n' >f.csv
export REGUA_NOW=2026-11-24T12:00:00Z # a Tuesday, 09:00 in São Paulo
expect_exit "import customers" 0 regua import customers c.csv
expect_exit "import invoices" 0 regua import invoices f.csv
expect_exit "promise.made" 0 regua event promise.made --invoice F1 --data '{"date": "2026-11-27", "amount": "60.00"}'
expect_exit "tick and dispatch" 0 regua tick
q() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect("regua.db").execute(sys.argv[1]).fetchone()[0])' "$1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
is "the WhatsApp was tried" "$(grep -c 5511987650001 fk/fake.jsonl)" 1
is "the trigger's message fell back to e-mail" "$(q "SELECT channel || ' ' || status FROM messages WHERE source_kind = 'trigger'")" "email sent"
contains "the e-mail names the promise" outbox/email.jsonl 'Aguardamos R$ 60,00 até 27/11/2026'
kill $fpid 2>/dev/null
wait $fpid 2>/dev/null || true
