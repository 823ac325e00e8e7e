#!/bin/sh
# The letter channel end to end: a tick sends a letter step; the day's
# batch (PDF: letter + boleto page) and its CSV manifest are built; the
# text keeps its accents; the boleto enclosed is one the customer can pay
# now (the original is past due: one with the updated amount, due 5 bank
# business days after the letter) and its barcode reads back; a customer
# without a postal address falls back to e-mail; ticking again adds
# nothing; `regua letters build` rebuilds on demand.
. "$(dirname "$0")/lib.sh"
cd "$T"

mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company:
  name: Exemplo Serviços Ltda
  cnpj: 11.222.333/0001-81
  address: "Av. Paulista, 1000 - Bela Vista, São Paulo/SP, CEP 01310-100"
  phone: "(11) 4000-1234"
channels:
  email: {driver: log, path: outbox/email.jsonl}
  letter: {driver: letter, dir: cartas}
YAML
cat >cadences/teste.yaml <<'YAML'
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: aviso, at: D+3, send: {channels: [letter, email], template: aviso}}
YAML
cat >templates/aviso.letter <<'TXT'
Prezado(a) {{customer.first_name}},

Não identificamos o pagamento de {{invoice.external_id}}, vencida em {{invoice.due_date}}.
Valor atualizado: {{invoice.updated_amount}}.

{{#invoice.boleto}}
O boleto atualizado segue junto com esta carta ({{invoice.boleto}}).
{{/invoice.boleto}}

Atenciosamente,
{{company.name}} (CNPJ {{company.cnpj}})
TXT
cat >templates/aviso.email <<'TXT'
Subject: Aviso {{invoice.external_id}}
Não identificamos o pagamento de {{invoice.external_id}}. {{company.name}} (CNPJ {{company.cnpj}})
TXT
regua boleto encode --bank 341 --due 2026-12-07 --amount 150,00 --agencia 57 --conta 12345 --carteira 109 \
    --nosso-numero 12345678 --json >boleto.json
LINHA=$(/usr/bin/python3 -c 'import json; print(json.load(open("boleto.json"))["linha_digitavel"])')
BARCODE=$(/usr/bin/python3 -c 'import json; print(json.load(open("boleto.json"))["barcode"])')
# on 10/12 the original (due 07/12) is past due: the letter encloses the same
# boleto with 150,00 + 2% + 1% a month for 3 days = 153,15, due 17/12 (5 bank
# business days later)
regua boleto encode --bank 341 --due 2026-12-17 --amount 153,15 --agencia 57 --conta 12345 --carteira 109 \
    --nosso-numero 12345678 --json >boleto2.json
BARCODE2=$(/usr/bin/python3 -c 'import json; print(json.load(open("boleto2.json"))["barcode"])')
cat >clientes.csv <<'CSV'
external_id,name,document,email,street,number,complement,district,city,state,zip
C1,Maria José da Conceição,529.982.247-25,maria@exemplo.com.br,Rua das Acácias,123,apto 45,Jardim Paulistano,São Paulo,SP,01452-000
C2,João Sem Endereço,111.444.777-35,joao@exemplo.com.br,,,,,,,
CSV
cat >faturas.csv <<CSV
external_id,customer_external_id,description,amount,due_date,boleto_bank,linha_digitavel
F1,C1,Mensalidade de dezembro,"150,00",2026-12-07,341,$LINHA
F2,C2,Mensalidade de dezembro,"80,00",2026-12-07,,
CSV
export REGUA_NOW=2026-12-01T12:00:00Z
regua import customers clientes.csv >/dev/null
regua import invoices faturas.csv >/dev/null

expect_exit "tick D+3" 0 regua tick --at 2026-12-10T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["messages"]==2 and o["sent"]==2, o' \
    && ok "two messages sent" || not_ok "two messages sent" "$(cat out)"
[ -f cartas/2026-12-10/0001-1.json ] && [ -f cartas/2026-12-10/0001-1.pdf ] \
    && ok "the letter is kept alone" || not_ok "the letter is kept alone" "$(ls -R cartas 2>&1)"
PDF=cartas/cartas-2026-12-10.pdf
CSVF=cartas/cartas-2026-12-10.csv
pages=$(pdfinfo "$PDF" 2>/dev/null | sed -n 's/^Pages: *//p')
[ "$pages" = 2 ] && ok "batch has the letter and its boleto" || not_ok "batch has the letter and its boleto" "pages=$pages"
pdfinfo "$PDF" | grep -q 'Page size: *595.* x 841.*(A4)' && ok "A4 pages" || not_ok "A4 pages" "$(pdfinfo "$PDF")"
pdftotext -enc UTF-8 -f 1 -l 1 "$PDF" page1.txt
for want in "Exemplo Serviços Ltda" "CNPJ 11.222.333/0001-81" "Maria José da Conceição" \
    "Rua das Acácias, 123 apto 45" "Jardim Paulistano" "CEP 01452-000 São Paulo - SP" "10 de dezembro de 2026" \
    "Prezado(a) Maria," "Não identificamos o pagamento de F1, vencida em 07/12/2026." "página 1 de 1" \
    "O boleto atualizado segue junto com esta carta (34191.09123 34567.800056 71234.570001 2"; do
    contains "letter says: $want" page1.txt "$want"
done
pdftoppm -r 300 -png -singlefile -f 2 -l 2 "$PDF" boleto
bars=$(zbarimg --raw -q -Si25.enable boleto.png 2>/dev/null | head -1)
[ "$bars" = "$BARCODE2" ] && ok "boleto page: the updated boleto, not the expired one" || not_ok "boleto page: the updated boleto, not the expired one" "got '$bars', the original is $BARCODE"
pdftotext -enc UTF-8 -f 2 -l 2 "$PDF" page2.txt
contains "boleto page has the linha digitável" page2.txt "34191.09123 34567.800056"

cat >want.csv <<'CSV'
seq,message_id,customer_external_id,name,address_line1,address_line2,city,state,cep,invoice_ids,pages,first_page,idempotency_key
1,1,C1,Maria José da Conceição,"Rua das Acácias, 123 apto 45",Jardim Paulistano,São Paulo,SP,01452-000,F1,2,1,step:teste:aviso:1
CSV
tr -d '\r' <"$CSVF" >got.csv
cmp -s want.csv got.csv && ok "manifest content" || not_ok "manifest content" "$(cat got.csv)"
grep -q "$(printf '\r')$" "$CSVF" && ok "manifest has CRLF line ends" || not_ok "manifest has CRLF line ends" "no CR"

# no postal address: the next channel (e-mail), and the reason is kept
expect_exit "messages list" 0 regua messages list --json
/usr/bin/python3 - <<'PY' && ok "fallback to e-mail without an address" || not_ok "fallback to e-mail without an address" "$(head -c 800 out)"
import json
a = {m["customer_external_id"]: m for m in json.load(open("out"))}
assert a["C1"]["channel"] == "letter" and a["C1"]["status"] == "sent", a["C1"]
assert a["C2"]["channel"] == "email" and a["C2"]["reason"] == "letter: no address", a["C2"]
PY

# the same instant again adds nothing
expect_exit "tick D+3 again" 0 regua tick --at 2026-12-10T12:00:00Z
n=$(ls cartas/2026-12-10/*.json | wc -l)
[ "$n" = 1 ] && ok "ticking twice adds no letter" || not_ok "ticking twice adds no letter" "$n letters"

expect_exit "letters --help" 0 regua letters --help
contains "letters help" out "Usage: regua letters build"
expect_exit "letters build" 0 regua letters build --date 2026-12-10
contains "letters build reports" out "letter: 1 letters, 2 pages -> cartas/cartas-2026-12-10.pdf, cartas/cartas-2026-12-10.csv"
expect_exit "letters build json" 0 regua letters build --date 10/12/2026 --json
/usr/bin/python3 -c 'import json; a=json.load(open("out")); assert a[0]["letters"]==1 and a[0]["pages"]==2 and a[0]["date"]=="2026-12-10", a' \
    && ok "letters build json" || not_ok "letters build json" "$(cat out)"
expect_exit "letters build, empty day" 0 regua letters build --date 2026-12-11
contains "empty day says so" out "letter: no letters on 2026-12-11"
expect_exit "letters build bad date" 2 regua letters build --date ontem
expect_exit "letters without subcommand" 2 regua letters
