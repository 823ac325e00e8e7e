#!/bin/sh
# A consolidated message whose invoices are partly held goes without the
# held ones, and the held invoice's step stays pending: after the release
# (dispute.resolved) that invoice gets its latest due step, as after
# downtime. Two orderings on a fake clock: the dispute opens before the
# tick (the tick leaves the invoice out), or after the tick queued the
# message and before the dispatcher sends it (re-rendered without it).
. "$(dirname "$0")/lib.sh"
cd "$T"
FAKE="$REGUA_ROOT/tests/support/fake_http.py"
export RG_WA_TOKEN=EAAG-e2e-token
mkdir -p fk cadences templates
# C3's first attempt fails for a moment (a 503): it is retried later
echo '[{"match": "5511987650003", "status": 503, "times": 1}]' >fk/rules.json
/usr/bin/python3 "$FAKE" --port-file fk/port --log fk/fake.jsonl --rules fk/rules.json --timeout 60 >fk/out 2>&1 &
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
consolidate: true
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: atraso, at: D+1, send: {channels: [whatsapp], template: oi}}
  - {id: aviso, at: D+10, send: {channels: [whatsapp], template: av}}
YAML
printf 'Template: cobranca_atraso pt_BR\n{{#invoices}}[{{invoice.external_id}}]{{/invoices}}\n{{company.name}} {{company.cnpj}}\n' >templates/oi.whatsapp
printf 'Template: cobranca_aviso pt_BR\n{{#invoices}}<{{invoice.external_id}}>{{/invoices}}\n{{company.name}} {{company.cnpj}}\n' >templates/av.whatsapp
printf 'external_id;name;document;whatsapp\nC1;Ana Souza;529.982.247-25;+5511987650001\nC2;Bia Lima;529.982.247-25;+5511987650002\nC3;Caio Reis;529.982.247-25;+5511987650003\n' >c.csv
printf 'external_id,customer_external_id,amount,due_date\nA1,C1,100.00,2026-11-23\nA2,C1,200.00,2026-11-23\nB1,C2,100.00,2026-11-23\nB2,C2,200.00,2026-11-23\nB3,C2,300.00,2026-11-23\nD1,C3,100.00,2026-11-23\nD2,C3,200.00,2026-11-23\n' >f.csv
# how many messages that reached the provider listed invoice X
got() { grep -c "\[$1\]" fk/fake.jsonl 2>/dev/null || true; }
# the invoices listed in the messages to PHONE, in order
to() { grep "\"to\": \"$1\"" fk/fake.jsonl | grep -o '\[[A-Z][0-9]\]' | sort -u | tr -d '\n'; }

export REGUA_NOW=2026-11-24T12:00:00Z # Tuesday, D+1, 09:00 in São Paulo
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null

# C1: the dispute opens before the tick
expect_exit "dispute.opened A2" 0 regua event dispute.opened --invoice A2 --at 2026-11-24T11:00:00Z
# C2: the tick queues one message for B1 and B2; the dispute opens before the dispatcher sends it
expect_exit "tick D+1, not dispatched" 0 regua tick --no-dispatch
expect_exit "dispute.opened B2 after the tick" 0 regua event dispute.opened --invoice B2 --at 2026-11-24T12:05:00Z
expect_exit "dispute.opened B3 after the tick" 0 regua event dispute.opened --invoice B3 --at 2026-11-24T12:05:00Z
expect_exit "dispute.opened D2 after the tick" 0 regua event dispute.opened --invoice D2 --at 2026-11-24T12:05:00Z
expect_exit "dispatch" 0 regua dispatch --now 2026-11-24T12:10:00Z
is "C1's atraso lists A1 only" "$(to 5511987650001)" "[A1]"
is "C2's atraso went without B2" "$(to 5511987650002)" "[B1]"
is "... saying so" "$(q "SELECT m.reason FROM messages m JOIN invoices i ON i.id = m.invoice_id WHERE i.external_id = 'B1'")" \
    "re-rendered without B2 held: dispute, B3 held: dispute"
is "B2's atraso pending again" "$(q "SELECT progress FROM invoices WHERE external_id = 'B2'")" "@1795521600"
# C3's message, re-rendered without D2, failed for a moment; D2's dispute ends before the retry:
# the retry still goes without D2 (its step is pending again: the tick sends it its own)
is "C3's first attempt failed" "$(q "SELECT m.status FROM messages m JOIN invoices i ON i.id = m.invoice_id WHERE i.external_id = 'D1'")" queued
expect_exit "dispute.resolved D2 before the retry" 0 regua event dispute.resolved --invoice D2 --at 2026-11-24T12:20:00Z
expect_exit "dispatch the retry" 0 regua dispatch --now 2026-11-24T12:30:00Z
is "C3's retry went without D2" "$(grep '"status": 200' fk/fake.jsonl | grep -o '\[D[0-9]\]' | sort -u | tr -d '\n')" "[D1]"
expect_exit "tick later the same day" 0 regua tick --at 2026-11-24T15:00:00Z
is "nothing for the disputed A2, B2, B3 meanwhile" "$(got A2)$(got B2)$(got B3)" 000
is "D2, released, gets its atraso once" "$(grep '"status": 200' fk/fake.jsonl | grep -c '\[D2\]')" 1

# A2 and B2 released the next day: atraso, still their current step, goes to them
expect_exit "dispute.resolved A2" 0 regua event dispute.resolved --invoice A2 --at 2026-11-25T12:00:00Z
expect_exit "dispute.resolved B2" 0 regua event dispute.resolved --invoice B2 --at 2026-11-25T12:00:00Z
expect_exit "tick after the release" 0 regua tick --at 2026-11-25T12:05:00Z
is "A2 gets atraso after the release" "$(got A2)" 1
is "B2 gets atraso after the release" "$(got B2)" 1
is "A1 and B1 not again" "$(got A1)$(got B1)" 11
is "B3 still held" "$(got B3)" 0

# B3 released after aviso (D+10, 03/12) came due: the latest due step, aviso, goes; atraso never
expect_exit "dispute.resolved B3" 0 regua event dispute.resolved --invoice B3 --at 2026-12-04T11:00:00Z
expect_exit "tick after B3's release" 0 regua tick --at 2026-12-04T12:00:00Z
is "B3 gets aviso after the release" "$(grep -c '<B3>' fk/fake.jsonl)" 1
is "... not atraso" "$(got B3)" 0
