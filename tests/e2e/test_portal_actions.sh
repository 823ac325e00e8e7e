#!/bin/sh
# What the customer does on the portal page (docs/portal.md, "What the
# customer can do"): every form is a POST with the link's form secret
# (403 without) answering 303 back to the page; refusals name the field
# in pt-BR next to it. Prometer pagamento (bounded by
# portal.promise_max_days; promise.made, and the cadence's trigger then
# pauses the firm step), Aceitar oferta (offer.accepted; none valid:
# refused), Prorrogar vencimento (bounded by portal.extend_max_days, once;
# the due date moves, boleto and PIX reissued for the new date;
# invoice.extended), Contestar cobrança (dispute.opened holds the invoice,
# a review task), Como prefere ser avisado (leave/come back to WhatsApp in
# the opt-out ledger with source portal; the preferred channel).
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
public_url: http://portal.exemplo.com.br
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
portal: {rate_token_per_min: 0}
channels:
  email: {driver: log, path: outbox/email.jsonl}
  whatsapp: {driver: log, path: outbox/whatsapp.jsonl}
YAML
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: "08:00-14:00", sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - id: oferta
    at: D+4
    send: {channels: [email], template: oferta}
    offer: {waive_interest: true, waive_fine: true, discount_pct: 10, valid_days: 3}
  - {id: ligar, at: D+10, action: task, task: {kind: call}}
triggers:
  - {id: promessa, on: promise.made, pause: [ligar], pause_grace_days: 1}
YAML
printf 'Subject: Proposta\n\nPague {{offer.amount}}.\n{{company.name}} {{company.cnpj}}\n' >templates/oferta.email
PIX=$(regua pix encode --key cobranca@exemplo.com.br --name "EXEMPLO" --city "SAO PAULO" --amount 100,00 --txid F2)
LINHA=$(regua boleto encode --bank 341 --due 2026-11-26 --amount 100,00 --agencia 57 --conta 12345 --carteira 109 \
    --nosso-numero 12345678 --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["linha_digitavel"])')
# the boleto the extension must issue: same campo livre, due 02/12, the open R$ 100,00
LINHA2=$(regua boleto encode --bank 341 --due 2026-12-02 --amount 100,00 --agencia 57 --conta 12345 --carteira 109 \
    --nosso-numero 12345678 --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["linha_digitavel"])')
printf 'external_id;name;document;email;whatsapp\nC1;Ana Souza;529.982.247-25;ana@exemplo.com.br;+5511987654321\nC2;Bia;111.444.777-35;bia@exemplo.com.br;\n' >c.csv
cat >f.csv <<CSV
external_id,customer_external_id,amount,due_date,boleto_bank,linha_digitavel,pix_code
F1,C1,100.00,2026-11-23,,,
F2,C1,100.00,2026-11-26,341,$LINHA,$PIX
F3,C1,50.00,2026-11-25,,,
F9,C2,10.00,2026-11-23,,,
CSV
export REGUA_SECRET=0123456789abcdef0123
export REGUA_NOW=2026-11-27T12:00:00Z # Friday: F1 at D+4 gets the offer
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
expect_exit "tick makes F1's offer" 0 regua tick
TOKEN=$(regua portal link C1 | sed 's|http://portal.exemplo.com.br/p/||')

port=$(free_port)
base="http://127.0.0.1:$port"
REGUA_NOW=2026-11-28T15:00:00Z "$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
wait_http "$base/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"

curl -s -o page.html "$base/p/$TOKEN"
for want in "<summary>Prometer pagamento</summary>" "Data em que vou pagar (até 08/12/2026)" \
    ">Aceitar oferta</button>" "<summary>Prorrogar vencimento</summary>" \
    "Nova data de vencimento (até 03/12/2026; só uma vez)" "<summary>Contestar cobrança</summary>" \
    "Motivo da contestação" "Como prefere ser avisado" "Canal preferido" "Não receber mais por WhatsApp" \
    'min="2026-11-28" max="2026-12-08"'; do
    contains "page: $want" page.html "$want"
done
CSRF=$(/usr/bin/python3 -c 'import re; print(re.search(r"name=\"csrf\" value=\"([^\"]*)\"", open("page.html").read()).group(1))')

# post ACTION BODY: the Location of the answer (or the status when not a 303)
post() {
    code=$(curl -s -D h.txt -o /dev/null -w '%{http_code}' --data "$2" "$base/p/$TOKEN/$1")
    if [ "$code" = 303 ]; then sed -n 's/^Location: \/p\/[^?]*\(.*\)\r$/\1/p' h.txt; else echo "$code"; fi
}

# ---- Prometer pagamento ----
is "promise without the form secret: 403" "$(post promessa "invoice=F1&date=2026-12-03")" 403
is "promise beyond 10 days: back with the error" "$(post promessa "csrf=$CSRF&invoice=F1&date=2026-12-09")" "?m=promessa-data&i=F1"
curl -s -o err.html "$base/p/$TOKEN?m=promessa-data&i=F1"
contains "the error is next to F1's date field" err.html 'aria-invalid="true" aria-describedby="f0-promessa-err"><p class="field-err" id="f0-promessa-err">Escolha uma data de hoje até 08/12/2026.</p>'
contains "the flash says so too" err.html 'role="alert">A data da promessa não vale'
is "promise without a date: the same error" "$(post promessa "csrf=$CSRF&invoice=F1&date=")" "?m=promessa-data&i=F1"
is "another customer's invoice: not found" "$(post promessa "csrf=$CSRF&invoice=F9&date=2026-12-03")" "?m=fatura"
is "no promise recorded by the refusals" "$(q "SELECT count(*) FROM promises")" 0
is "promise on 03/12: 303 with the flash" "$(post promessa "csrf=$CSRF&invoice=F1&date=2026-12-03")" "?m=promessa&i=F1"
is "the promise: pending, source portal" "$(q "SELECT status || ' ' || source || ' ' || promised_date FROM promises")" "pending portal $(/usr/bin/python3 -c 'import datetime; print((datetime.date(2026,12,3)-datetime.date(1970,1,1)).days)')"
is "promise.made (source portal)" "$(q "SELECT count(*) FROM events WHERE type='promise.made' AND source='portal'")" 1
is "a second promise while one is pending: refused" "$(post promessa "csrf=$CSRF&invoice=F1&date=2026-12-05")" "?m=promessa-ja&i=F1"
is "... nothing recorded" "$(q "SELECT count(*) FROM promises")" 1
curl -s -o pr.html "$base/p/$TOKEN?m=promessa-ja&i=F1"
contains "the page says it was promised already" pr.html 'role="alert">Você já prometeu pagar esta fatura.'
contains "F1 shows the promised date instead of the form" pr.html '<p class="n">Pagamento prometido para 03/12/2026.</p>'

# ---- Aceitar oferta ----
is "accept F1's offer" "$(post oferta "csrf=$CSRF&invoice=F1")" "?m=oferta&i=F1"
is "offer.accepted (source portal)" "$(q "SELECT count(*) FROM events WHERE type='offer.accepted' AND source='portal'")" 1
is "accepted again: nothing more" "$(post oferta "csrf=$CSRF&invoice=F1")" "?m=oferta&i=F1"
is "... one offer.accepted" "$(q "SELECT count(*) FROM events WHERE type='offer.accepted'")" 1
is "F2 has no valid offer: refused" "$(post oferta "csrf=$CSRF&invoice=F2")" "?m=sem-oferta&i=F2"
curl -s -o of.html "$base/p/$TOKEN"
if grep -q '>Aceitar oferta</button>' of.html; then not_ok "an accepted offer is not offered again" "$(grep -o 'Aceitar oferta' of.html | head -2)"; else ok "an accepted offer is not offered again"; fi
contains "... the page says it was accepted, with the offer's amount" of.html '<p class="n">Oferta aceita: pague R$ 90,00 até 30/11/2026.</p>'

# ---- Prorrogar vencimento ----
is "extend F2 beyond 7 days after its due date: refused" "$(post prorrogar "csrf=$CSRF&invoice=F2&date=2026-12-04")" "?m=prorrogar-data&i=F2"
curl -s -o err2.html "$base/p/$TOKEN?m=prorrogar-data&i=F2"
contains "the error is next to F2's date field" err2.html 'Escolha uma data de 28/11/2026 até 03/12/2026.'
is "extend F2 to 02/12" "$(post prorrogar "csrf=$CSRF&invoice=F2&date=2026-12-02")" "?m=prorrogado&i=F2"
is "invoice.extended (source portal)" "$(q "SELECT payload FROM events WHERE type='invoice.extended' AND source='portal'")" '{"from":"2026-11-26","to":"2026-12-02","amount":"100.00"}'
expect_exit "invoice show F2" 0 regua invoice show F2 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); inv=o.get("invoice", o); assert inv["due_date"]=="2026-12-02", inv' \
    && ok "F2 is due 02/12 now" || not_ok "F2 is due 02/12 now" "$(head -c 400 out)"
is "F2's boleto is reissued for 02/12" "$(q "SELECT linha_digitavel FROM invoices WHERE external_id='F2'")" "$LINHA2"
NEWPIX=$(q "SELECT pix_code FROM invoices WHERE external_id='F2'")
regua pix decode "$NEWPIX" --json >pix.json
/usr/bin/python3 -c 'import json; o=json.load(open("pix.json")); assert o["amount_cents"]==10000 and o["txid"]=="F2", o' \
    && ok "F2's PIX is reissued for the open balance" || not_ok "F2's PIX is reissued for the open balance" "$(cat pix.json)"
is "only once" "$(post prorrogar "csrf=$CSRF&invoice=F2&date=2026-12-03")" "?m=prorrogar-ja&i=F2"
curl -s -o page2.html "$base/p/$TOKEN"
contains "the page says it was extended" page2.html "Vencimento prorrogado de 26/11/2026 para 02/12/2026."
contains "F2's due date on the page" page2.html "vencimento 02/12/2026"

# ---- Contestar cobrança ----
is "contest without a reason: back with the error" "$(post contestar "csrf=$CSRF&invoice=F3&reason=+")" "?m=motivo&i=F3"
is "contest F3" "$(post contestar "csrf=$CSRF&invoice=F3&reason=N%C3%A3o+reconhe%C3%A7o+esta+compra")" "?m=contestado&i=F3"
is "dispute.opened with the reason" "$(q "SELECT payload FROM events WHERE type='dispute.opened' AND source='portal'")" '{"reason":"Não reconheço esta compra"}'
expect_exit "invoice show F3" 0 regua invoice show F3
contains "F3 is held by the dispute" out "every step  dispute"
expect_exit "task list" 0 regua task list --json
contains "a review task with the reason" out "Cliente contestou a fatura F3 pelo portal: Não reconheço esta compra"
curl -s -o page3.html "$base/p/$TOKEN"
contains "the page says it is under review" page3.html "Contestação em análise"

# ---- Como prefere ser avisado ----
is "leave WhatsApp" "$(post canal "csrf=$CSRF&channel=whatsapp&out=1")" "?m=canal-saiu#avisos"
is "the opt-out ledger: whatsapp, source portal" "$(q "SELECT channel || ' ' || how FROM customer_optouts")" "whatsapp portal"
curl -s -o page4.html "$base/p/$TOKEN"
contains "the page offers to come back" page4.html "Voltar a receber por WhatsApp"
is "a channel not offered: refused" "$(post canal "csrf=$CSRF&channel=pombo&out=1")" "?m=canal#avisos"
is "come back to WhatsApp" "$(post canal "csrf=$CSRF&channel=whatsapp&out=0")" "?m=canal-voltou#avisos"
is "the opt-out is revoked" "$(q "SELECT count(*) FROM customer_optouts")" 0
is "optout.revoked by portal" "$(q "SELECT count(*) FROM events WHERE type='optout.revoked' AND source='portal'")" 1
is "prefer WhatsApp" "$(post preferido "csrf=$CSRF&channel=whatsapp")" "?m=preferido#avisos"
is "the customer's preferred channel" "$(q "SELECT preferred_channel FROM customers WHERE external_id='C1'")" whatsapp
kill $pid; wait $pid 2>/dev/null

# the promise's consequences: the next tick pauses the firm step
export REGUA_NOW=2026-11-28T15:00:00Z
expect_exit "tick" 0 regua tick
expect_exit "invoice show F1" 0 regua invoice show F1
contains "F1's firm step is held by the promise" out "hold      ligar"

# ---- portal: settings ----
printf 'portal: {promise_max_days: 0}\n' >bad.yaml
expect_exit "portal.promise_max_days 0 refused" 1 regua --config bad.yaml portal link C1
contains "... with file:line" err "bad.yaml:1"
