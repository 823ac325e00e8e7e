#!/bin/sh
# The customer's portal end to end: `regua portal link` (needs public_url
# and the secret; --days; unknown customer), {{portal_url}} in a message a
# tick sends, the page (company, invoices, the amount updated today, the
# PIX of that amount, the boleto link) and portal.visited; "Copiar código
# PIX" (CSRF: refused without the form secret, 303 with it, pix.copied);
# the boleto PDF of the updated amount and boleto.downloaded; another
# customer's invoice, a tampered link, an unknown customer, an expired
# link (404/410 pages with the contact and no data); the per-link limit
# (429); `portal:` settings checked with file:line.
. "$(dirname "$0")/lib.sh"
cd "$T"

mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company:
  name: Exemplo Serviços Ltda
  cnpj: 11.222.333/0001-81
  phone: "(11) 4000-1234"
  email: cobranca@exemplo.com.br
channels:
  email: {driver: log, path: outbox/email.jsonl}
YAML
cat >cadences/teste.yaml <<'YAML'
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: aviso, at: D+3, send: {channels: [email], template: aviso}}
YAML
cat >templates/aviso.email <<'TXT'
Subject: Aviso {{invoice.external_id}}
{{company.name}} CNPJ {{company.cnpj}}
Pague em {{portal_url}}
TXT
regua boleto encode --bank 341 --due 2026-12-07 --amount 150,00 --agencia 57 --conta 12345 --carteira 109 \
    --nosso-numero 12345678 --json >boleto.json
LINHA=$(/usr/bin/python3 -c 'import json; print(json.load(open("boleto.json"))["linha_digitavel"])')
# on 10/12 F1 (due 07/12) is 3 days late: 150,00 + 2% + 1% a month for 3 days = 153,15, and the
# boleto payable now is the same one with that amount, due 17/12 (5 bank business days later)
regua boleto encode --bank 341 --due 2026-12-17 --amount 153,15 --agencia 57 --conta 12345 --carteira 109 \
    --nosso-numero 12345678 --json >boleto2.json
LINHA2=$(/usr/bin/python3 -c 'import json; l=json.load(open("boleto2.json"))["linha_digitavel"]; print(f"{l[0:5]}.{l[5:10]} {l[10:15]}.{l[15:21]} {l[21:26]}.{l[26:32]} {l[32]} {l[33:]}")')
PIX=$(regua pix encode --key cobranca@exemplo.com.br --name "EXEMPLO SERVICOS" --city "SAO PAULO" --amount 150,00 --txid F1)
cat >clientes.csv <<'CSV'
external_id,name,document,email
C1,Maria José da Conceição,529.982.247-25,maria@exemplo.com.br
C2,João <b>Silva</b>,111.444.777-35,joao@exemplo.com.br
CSV
cat >faturas.csv <<CSV
external_id,customer_external_id,description,amount,due_date,boleto_bank,linha_digitavel,pix_code
F1,C1,Mensalidade de dezembro,"150,00",2026-12-07,341,$LINHA,$PIX
F2,C2,Mensalidade de dezembro,"80,00",2026-12-07,,,
F3,C1,Já paga,"10,00",2026-12-01,,,
CSV
export REGUA_NOW=2026-12-01T12:00:00Z
regua import customers clientes.csv >/dev/null
regua import invoices faturas.csv >/dev/null
regua pay F3 --amount 10,00 --reference r1 >/dev/null 2>&1 || regua pay F3 10,00 >/dev/null 2>&1

# ---- links ----
unset REGUA_SECRET
expect_exit "link without public_url: usage error" 2 regua portal link C1
contains "the error names public_url" err "public_url"
sed -i 's|^database: regua.db|database: regua.db\npublic_url: https://cobranca.exemplo.com.br/|' regua.yaml
expect_exit "link without the secret: usage error" 2 regua portal link C1
contains "the error names the secret's variable" err "REGUA_SECRET"
export REGUA_SECRET=0123456789abcdef0123
expect_exit "link for C1" 0 regua portal link C1
URL=$(cat out)
case "$URL" in https://cobranca.exemplo.com.br/p/*) ok "link is PUBLIC_URL/p/TOKEN" ;; *) not_ok "link is PUBLIC_URL/p/TOKEN" "$URL" ;; esac
TOKEN=${URL#https://cobranca.exemplo.com.br/p/}
is "token length (customer 1, decimal expiry)" "${#TOKEN}" 39
expect_exit "unknown customer: exit 1" 1 regua portal link C9
contains "the error names the customer" err "C9"
expect_exit "--days 0 refused" 2 regua portal link C1 --days 0
contains "the error names --days" err "--days"
expect_exit "--json" 0 regua portal link C1 --days 2 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["customer"]=="C1" and o["expires_at"]=="2026-12-03T12:00:00Z" and o["url"].startswith("https://cobranca.exemplo.com.br/p/"), o' \
    && ok "--json: customer, url, expires_at (--days 2)" || not_ok "--json: customer, url, expires_at (--days 2)" "$(cat out)"
SHORT=$(regua portal link C1 --days 1)
STOKEN=${SHORT#https://cobranca.exemplo.com.br/p/}
C2URL=$(regua portal link C2)
C2TOKEN=${C2URL#https://cobranca.exemplo.com.br/p/}

# ---- {{portal_url}} in messages ----
export REGUA_NOW=2026-12-10T12:00:00Z
expect_exit "tick sends the D+3 step" 0 regua tick
/usr/bin/python3 - <<'PY' && ok "the message carries the customer's portal link" || not_ok "the message carries the customer's portal link" "$(cat outbox/email.jsonl)"
import json
m = [json.loads(l) for l in open("outbox/email.jsonl")]
c1 = [x for x in m if x["customer_external_id"] == "C1"][0]
assert "Pague em https://cobranca.exemplo.com.br/p/" in c1["body"], c1
open("msglink", "w").write(c1["body"].split("Pague em ")[1].strip())
PY
MSGTOKEN=$(sed 's|https://cobranca.exemplo.com.br/p/||' msglink)

# ---- the page ----
port=$(free_port)
base="http://127.0.0.1:$port"
sed -i "s|^company:|portal: {rate_token_per_min: 40}\ncompany:|" regua.yaml
REGUA_LOG=info "$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
if wait_http "$base/healthz"; then ok "serve starts"; else not_ok "serve starts" "$(cat serve.log)"; fi

code=$(curl -s -o page.html -w '%{http_code}' "$base/p/$TOKEN")
is "GET /p/TOKEN: 200" "$code" 200
for want in "Exemplo Serviços Ltda" "CNPJ 11.222.333/0001-81" "Olá, Maria José da Conceição" "Mensalidade de dezembro" \
    "vencimento 07/12/2026" "3 dias em atraso" "Valor original</dt><dd>R\$ 150,00" "Multa</dt><dd>R\$ 3,00" \
    "Juros</dt><dd>R\$ 0,15" "Valor atualizado hoje</dt><dd>R\$ 153,15" "Copiar código PIX" "Baixar boleto (PDF)" \
    "$LINHA2" '<label for="f0-pix">' "Telefone: (11) 4000-1234"; do
    contains "page shows: $want" page.html "$want"
done
grep -q "Já paga" page.html && not_ok "a paid invoice is not listed" "F3 shown" || ok "a paid invoice is not listed"
PAGEPIX=$(/usr/bin/python3 -c 'import re,html; print(html.unescape(re.search(r"<textarea id=\"f0-pix\"[^>]*>([^<]*)<", open("page.html").read()).group(1)))')
regua pix decode "$PAGEPIX" --json >pix.json 2>&1
/usr/bin/python3 -c 'import json; o=json.load(open("pix.json")); assert o["amount_cents"] == 15315, o' \
    && ok "the PIX copia-e-cola is of the updated amount (153.15)" || not_ok "the PIX copia-e-cola is of the updated amount (153.15)" "$(cat pix.json)"
is "portal.visited recorded (source portal)" "$(q "SELECT count(*) FROM events WHERE type='portal.visited' AND source='portal' AND invoice_id IS NULL")" 1
curl -s -o /dev/null "$base/p/$TOKEN?m=pix"
is "a visit back from a redirect (?m=) is not a new visit" "$(q "SELECT count(*) FROM events WHERE type='portal.visited'")" 1
curl -s -o flash.html "$base/p/$TOKEN?m=pix"
contains "the flash message shows" flash.html 'role="status">Selecione o código PIX'
curl -sI "$base/p/$TOKEN" >head.txt
contains "no JavaScript from elsewhere (CSP)" head.txt "script-src 'self'"
code=$(curl -s -o js.txt -w '%{http_code}' "$base/static/portal.js")
is "the copy script is served" "$code" 200
contains "the script copies to the clipboard" js.txt "navigator.clipboard.writeText"

# ---- Copiar código PIX (POST, CSRF, 303) ----
CSRF=$(/usr/bin/python3 -c 'import re; print(re.search(r"name=\"csrf\" value=\"([^\"]*)\"", open("page.html").read()).group(1))')
code=$(curl -s -o post.html -w '%{http_code}' -d "invoice=F1" "$base/p/$TOKEN/pix")
is "POST without the form secret: 403" "$code" 403
code=$(curl -s -o /dev/null -w '%{http_code}' -d "csrf=$CSRF&invoice=F1" "$base/p/$C2TOKEN/pix")
is "another link's form secret: 403" "$code" 403
is "no pix.copied from refused posts" "$(q "SELECT count(*) FROM events WHERE type='pix.copied'")" 0
curl -s -D post.h -o /dev/null -d "csrf=$CSRF&invoice=F1" "$base/p/$TOKEN/pix"
contains "POST answers 303" post.h "303 See Other"
contains "303 back to the page with a flash" post.h "Location: /p/$TOKEN?m=pix"
is "pix.copied recorded for F1 (source portal)" "$(q "SELECT count(*) FROM events e JOIN invoices i ON i.id=e.invoice_id WHERE e.type='pix.copied' AND e.source='portal' AND i.external_id='F1'")" 1
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Regua-Fetch: 1' -d "csrf=$CSRF&invoice=F1" "$base/p/$TOKEN/pix")
is "the page's script gets 204" "$code" 204
curl -s -D post2.h -o /dev/null -d "csrf=$CSRF&invoice=F2" "$base/p/$TOKEN/pix"
contains "another customer's invoice: flash, nothing recorded" post2.h "Location: /p/$TOKEN?m=fatura"
is "pix.copied only for F1" "$(q "SELECT count(*) FROM events WHERE type='pix.copied'")" 2
code=$(curl -s -o /dev/null -w '%{http_code}' -d "csrf=$CSRF" "$base/p/$TOKEN/nada")
is "unknown action: 404" "$code" 404
head -c 9000 /dev/zero | tr '\0' 'a' >big.txt
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @big.txt "$base/p/$TOKEN/pix")
is "a body over 8 KiB: 413" "$code" 413

# ---- the boleto ----
code=$(curl -s -D pdf.h -o boleto.pdf -w '%{http_code}' "$base/p/$TOKEN/boleto/F1.pdf")
is "GET boleto PDF: 200" "$code" 200
contains "served as a PDF" pdf.h "Content-Type: application/pdf"
pdftotext -enc UTF-8 boleto.pdf boleto.txt
contains "the PDF's linha digitável is the updated amount's" boleto.txt "$LINHA2"
is "boleto.downloaded recorded" "$(q "SELECT count(*) FROM events WHERE type='boleto.downloaded' AND source='portal'")" 1
code=$(curl -s -o nf.html -w '%{http_code}' "$base/p/$TOKEN/boleto/F2.pdf")
is "another customer's boleto: 404" "$code" 404
code=$(curl -s -o nf.html -w '%{http_code}' "$base/p/$C2TOKEN/boleto/F2.pdf")
is "an invoice without a boleto: 404" "$code" 404
contains "... saying so" nf.html "Esta fatura não tem boleto"

# ---- links that do not open ----
code=$(curl -s -o bad.html -w '%{http_code}' "$base/p/${TOKEN%?}X")
is "a tampered link: 404" "$code" 404
contains "tampered: friendly page" bad.html "Link inválido"
contains "tampered: the company's contact" bad.html "Telefone: (11) 4000-1234"
grep -q "Maria" bad.html && not_ok "tampered: no customer data" "name shown" || ok "tampered: no customer data"
code=$(curl -s -o exp.html -w '%{http_code}' "$base/p/$STOKEN")
is "an expired link: 410" "$code" 410
contains "expired: friendly page" exp.html "Link expirado"
grep -q "Maria\|153,15" exp.html && not_ok "expired: no customer data" "data shown" || ok "expired: no customer data"
GHOST=$(/usr/bin/python3 - <<'PY'
import base64, hmac, hashlib, os
payload = b"999.1893456000"
sig = hmac.new(os.environ["REGUA_SECRET"].encode(), b"p:" + payload, hashlib.sha256).digest()[:16]
b = lambda x: base64.urlsafe_b64encode(x).decode().rstrip("=")
print(b(payload) + "." + b(sig))
PY
)
code=$(curl -s -o ghost.html -w '%{http_code}' "$base/p/$GHOST")
is "a signed link of an unknown customer: 404" "$code" 404
code=$(curl -s -o msg.html -w '%{http_code}' "$base/p/$MSGTOKEN")
is "the link in the message opens the page" "$code" 200
contains "... of its customer" msg.html "Olá, Maria José da Conceição"
code=$(curl -s -o c2.html -w '%{http_code}' "$base/p/$C2TOKEN")
contains "names are escaped" c2.html "Olá, João &lt;b&gt;Silva&lt;/b&gt;"

# ---- the per-link limit (portal.rate_token_per_min: 40) ----
n=0
last=
while [ $n -lt 45 ]; do
    last=$(curl -s -o lim.html -w '%{http_code}' "$base/p/$C2TOKEN")
    [ "$last" = 429 ] && break
    n=$((n + 1))
done
is "over 40 requests a minute on a link: 429" "$last" 429
contains "429 page says to wait" lim.html "Espere um minuto"
grep -q "GET /p page: customer C1: 200 in" serve.log && ok "each page's time is logged" || not_ok "each page's time is logged" "$(tail -5 serve.log)"
grep -q "$TOKEN" serve.log && not_ok "tokens are not logged" "$(grep "$TOKEN" serve.log | head -2)" || ok "tokens are not logged"
kill $pid; wait $pid 2>/dev/null

# ---- portal: settings ----
printf 'portal: {link_days: 0}\n' >bad.yaml
expect_exit "portal.link_days 0 refused" 1 regua --config bad.yaml portal link C1
contains "... with file:line" err "bad.yaml:1"
printf 'portal:\n  rate_per_minute: 5\n' >bad.yaml
expect_exit "unknown portal key refused" 1 regua --config bad.yaml portal link C1
contains "... naming the allowed keys" err "link_days, rate_token_per_min, rate_ip_per_min"
