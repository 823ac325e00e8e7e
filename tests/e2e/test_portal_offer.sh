#!/bin/sh
# The portal shows an offer while it holds: a step's offer (10% off, fine
# and interest waived, 3 days) makes the page show the discount, the
# offer's amount as what to pay, its description and its last valid day;
# the PIX copia-e-cola is of that amount. After it expires the page shows
# the amount updated with fine and interest again.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
public_url: http://portal.exemplo.com.br
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl}
YAML
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - id: oferta
    at: D+4
    send: {channels: [email], template: oferta}
    offer: {waive_interest: true, waive_fine: true, discount_pct: 10, valid_days: 3}
YAML
printf 'Subject: Proposta\n\nPague {{offer.amount}}.{{#portal_url}} {{portal_url}}{{/portal_url}}\n{{company.name}} {{company.cnpj}}\n' >templates/oferta.email
PIX=$(regua pix encode --key cobranca@exemplo.com.br --name "EXEMPLO" --city "SAO PAULO" --amount 100,00 --txid F1)
printf 'external_id;name;document;email\nC1;Ana Souza;529.982.247-25;ana@exemplo.com.br\n' >c.csv
printf 'external_id,customer_external_id,amount,due_date,pix_code\nF1,C1,100.00,2026-11-23,%s\n' "$PIX" >f.csv
export REGUA_SECRET=0123456789abcdef0123
export REGUA_NOW=2026-11-27T12:00:00Z # Friday, D+4, 09:00 in São Paulo
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
expect_exit "tick D+4 makes the offer" 0 regua tick
TOKEN=$(regua portal link C1 | sed 's|http://portal.exemplo.com.br/p/||')

start() {
    port=$(free_port)
    REGUA_NOW=$1 "$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
    pid=$!
    wait_http "http://127.0.0.1:$port/healthz" || not_ok "serve starts" "$(cat serve.log)"
}
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT

start 2026-11-28T15:00:00Z
curl -s -o page.html "http://127.0.0.1:$port/p/$TOKEN"
for want in "Valor original</dt><dd>R\$ 100,00" "Desconto da oferta</dt><dd>-R\$ 10,00" \
    "Valor com a oferta</dt><dd>R\$ 90,00" "Pague R\$ 90,00 até 30/11/2026." "Código PIX copia e cola (R\$ 90,00)"; do
    contains "while the offer holds: $want" page.html "$want"
done
grep -q "Multa" page.html && not_ok "the waived fine is not charged" "$(grep -o 'Multa[^/]*' page.html)" || ok "the waived fine is not charged"
PAGEPIX=$(/usr/bin/python3 -c 'import re,html; print(html.unescape(re.search(r"<textarea id=\"f0-pix\"[^>]*>([^<]*)<", open("page.html").read()).group(1)))')
regua pix decode "$PAGEPIX" --json >pix.json
/usr/bin/python3 -c 'import json; assert json.load(open("pix.json"))["amount_cents"] == 9000' \
    && ok "the PIX is of the offer's amount" || not_ok "the PIX is of the offer's amount" "$(cat pix.json)"
kill $pid; wait $pid 2>/dev/null

start 2026-12-01T12:00:00Z
curl -s -o page2.html "http://127.0.0.1:$port/p/$TOKEN"
grep -q "oferta" page2.html && not_ok "an expired offer is not shown" "$(grep -o 'oferta[^<]*' page2.html | head -2)" || ok "an expired offer is not shown"
# 8 days late: 100,00 + 2,00 + 1% a month for 8 days (0,27) = 102,27
contains "after it, the amount with fine and interest" page2.html "Valor atualizado hoje</dt><dd>R\$ 102,27"
kill $pid; wait $pid 2>/dev/null
