#!/bin/sh
# A message already queued when a hold begins is deferred, not cancelled,
# end to end on a fake clock with a (fake) WhatsApp provider: the
# dispatcher keeps it queued while a dispute holds its invoice; after
# dispute.resolved it goes if its step is still the current one; if a later
# step became due meanwhile, that one fires (the latest due step, as after
# downtime) and the old message is cancelled, never sent.
. "$(dirname "$0")/lib.sh"
cd "$T"
FAKE="$REGUA_ROOT/tests/support/fake_http.py"
export RG_WA_TOKEN=EAAG-e2e-token
mkdir -p fk cadences templates
/usr/bin/python3 "$FAKE" --port-file fk/port --log fk/fake.jsonl --timeout 60 >fk/out 2>&1 &
fpid=$!
trap 'kill $fpid 2>/dev/null; rm -rf "$T"' EXIT
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
YAML
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: atraso, at: D+1, send: {channels: [whatsapp], template: oi}}
  - {id: aviso, at: D+10, send: {channels: [whatsapp], template: oi}}
YAML
printf 'Template: cobranca_atraso pt_BR\n{{customer.first_name}}\n{{company.name}} {{company.cnpj}}\n' >templates/oi.whatsapp
printf 'external_id;name;document;whatsapp\nC1;Ana Souza;529.982.247-25;+5511987650001\nC2;Bia Lima;529.982.247-25;+5511987650002\n' >c.csv
printf 'external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-11-23\nF2,C2,100.00,2026-11-23\n' >f.csv
msg() { q "SELECT m.status FROM messages m JOIN invoices i ON i.id = m.invoice_id WHERE i.external_id = '$1' AND m.source_id = '$2'"; }
sent_to() { grep -c "$1" fk/fake.jsonl 2>/dev/null || true; }

export REGUA_NOW=2026-11-24T12:00:00Z # Tuesday, D+1, 09:00 in São Paulo
expect_exit "import customers" 0 regua import customers c.csv
expect_exit "import invoices" 0 regua import invoices f.csv
expect_exit "tick D+1, not dispatched" 0 regua tick --no-dispatch
is "F1's atraso queued" "$(msg F1 atraso)" queued
expect_exit "dispute.opened F1" 0 regua event dispute.opened --invoice F1 --at 2026-11-24T12:05:00Z
expect_exit "dispute.opened F2" 0 regua event dispute.opened --invoice F2 --at 2026-11-24T12:05:00Z
expect_exit "dispatch while disputed" 0 regua dispatch --now 2026-11-24T12:10:00Z
is "F1's atraso deferred, still queued" "$(msg F1 atraso)" queued
is "... saying why" "$(q "SELECT m.reason FROM messages m JOIN invoices i ON i.id = m.invoice_id WHERE i.external_id = 'F1'")" \
    "waiting: invoice F1 held: dispute (deferred while it holds) (waiting until 2026-11-24T13:10:00Z)"
is "nothing reached the provider" "$(sent_to 55119876500)" 0

# F1's dispute ends the same day: its atraso (still the current step) goes
expect_exit "dispute.resolved F1" 0 regua event dispute.resolved --invoice F1 --at 2026-11-24T12:30:00Z
expect_exit "dispatch an hour later" 0 regua dispatch --now 2026-11-24T13:15:00Z
is "F1's atraso sent after the dispute" "$(msg F1 atraso)" sent
is "... once" "$(sent_to 5511987650001)" 1
is "F2's still deferred" "$(msg F2 atraso)" queued

# F2's dispute ends after aviso (D+10, 03/12) came due: aviso fires, atraso never goes
expect_exit "dispute.resolved F2" 0 regua event dispute.resolved --invoice F2 --at 2026-12-04T12:00:00Z
expect_exit "tick after the dispute" 0 regua tick --no-dispatch --at 2026-12-04T12:05:00Z
is "the latest due step fires: aviso" "$(msg F2 aviso)" queued
expect_exit "dispatch" 0 regua dispatch --now 2026-12-04T12:10:00Z
is "F2's old atraso cancelled" "$(msg F2 atraso)" cancelled
is "F2's aviso sent" "$(msg F2 aviso)" sent
is "one message reached F2" "$(sent_to 5511987650002)" 1
