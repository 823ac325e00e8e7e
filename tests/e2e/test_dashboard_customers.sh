#!/bin/sh
# The dashboard's Clientes against `regua serve`: the list's filters (name,
# document, code) and keyset pages, bad filters (400 naming the field), a
# customer's page (contact data, invoices, opt-outs with channel, source
# and time in the company's zone).
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
{
    echo "external_id,name,document,email,phone,whatsapp,tags"
    echo 'C1,Maria José <b>da Conceição</b>,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,,'
    echo 'C2,João Ligação,111.444.777-35,joao@exemplo.com.br,(11) 3333-4444,(11) 97777-0000,vip'
    i=10; while [ $i -lt 70 ]; do echo "K$i,Cliente Número $i,,k$i@exemplo.com.br,,,"; i=$((i + 1)); done
} >clientes.csv
{
    echo "external_id,customer_external_id,description,amount,due_date"
    echo 'F1,C1,Mensalidade de novembro,"150,00",2026-11-20'
    echo 'F2,C1,Mensalidade de dezembro,"150,00",2026-12-20'
    echo 'F3,C2,Serviço avulso,"80,00",2026-12-02'
} >faturas.csv
export REGUA_NOW=2026-12-02T13:00:00Z
regua init >/dev/null 2>&1
regua import customers clientes.csv >/dev/null 2>&1 || not_ok "fixture: customers" "import"
regua import invoices faturas.csv >/dev/null 2>&1 || not_ok "fixture: invoices" "import"
regua pay F1 --amount 20,00 --at 2026-11-25 --reference R1 >/dev/null 2>&1 || not_ok "fixture: pay" "pay"
REGUA_NOW=2026-11-30T02:30:00Z regua optout add C1 --channel whatsapp --source atendimento >/dev/null 2>&1 || not_ok "fixture: optout" "add"
printf 'senha-do-vitor\n' | regua user create vitor@example.com --role viewer >/dev/null

port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" || not_ok "serve starts" "$(cat serve.log)"
is "the viewer logs in" "$(login_as vw.jar vitor@example.com senha-do-vitor)" 303
get() { curl -s -o "$1" -b vw.jar -w '%{http_code}' "$B$2"; }
rows() { grep -o '<tr><td><a href="/clientes/' "$1" | wc -l | tr -d ' '; }

is "Clientes needs a login" "$(curl -s -o /dev/null -w '%{http_code}' "$B/clientes")" 303
is "Clientes is 200" "$(get c1.html /clientes)" 200
contains "the nav marks Clientes" c1.html '<a href="/clientes" aria-current="page">Clientes</a>'
is "a page holds 50 customers" "$(rows c1.html)" 50
contains "names are escaped" c1.html 'Maria José &lt;b&gt;da Conceição&lt;/b&gt;'
contains "documents are formatted" c1.html '529.982.247-25'
contains "there is an export link" c1.html 'href="/clientes.csv"'
next=$(sed -n 's/.*rel="next" href="\([^"]*\)".*/\1/p' c1.html | sed 's/&amp;/\&/g')
is "the next page link is keyset" "$(echo "$next" | sed 's/[0-9]*$//')" "/clientes?depois="
is "the next page is 200" "$(get c2.html "$next")" 200
is "... and holds the other 12" "$(rows c2.html)" 12
grep -q 'rel="next"' c2.html && not_ok "the last page has no next" "link" || ok "the last page has no next"

is "name filter" "$(get n.html '/clientes?nome=ligA%C3%A7')" 200
contains "... finds João (any case)" n.html '>C2</a>'
is "... and only him" "$(rows n.html)" 1
is "document filter, with punctuation" "$(get d.html '/clientes?documento=529.982')" 200
contains "... finds Maria" d.html '>C1</a>'
is "... and only her" "$(rows d.html)" 1
is "code filter" "$(get k.html '/clientes?codigo=K42')" 200
is "... finds exactly one" "$(rows k.html)" 1
contains "... K42" k.html '>K42</a>'
is "the filters carry to the export link" "$(get nm.html '/clientes?nome=N%C3%BAmero')" 200
contains "... nome in the CSV link" nm.html 'href="/clientes.csv?nome=N%C3%BAmero"'
next=$(sed -n 's/.*rel="next" href="\([^"]*\)".*/\1/p' nm.html | sed 's/&amp;/\&/g')
contains "... and in the next page link" nm.html 'href="/clientes?nome=N%C3%BAmero&amp;depois='
is "... whose page is 200" "$(get nm2.html "$next")" 200
is "... with the 10 left" "$(rows nm2.html)" 10
is "no match: 200" "$(get z.html '/clientes?nome=Ningu%C3%A9m')" 200
contains "... saying so" z.html 'Nenhum cliente com estes filtros.'
is "a bad document is 400" "$(get bad.html '/clientes?documento=abc%3B1')" 400
contains "... naming the field" bad.html 'documento: use os números do CPF ou do CNPJ'
is "a bad page position is 400" "$(get bad2.html '/clientes?depois=x')" 400
contains "... naming the field" bad2.html 'depois: não é uma posição da lista'
long=$(/usr/bin/python3 -c 'print("x" * 70)')
is "a too long code is 400" "$(get bad3.html "/clientes?codigo=$long")" 400
contains "... naming the field" bad3.html 'codigo: o código do cliente é longo demais'

# ---- a customer ----
is "the customer page is 200" "$(get c.html /clientes/C1)" 200
contains "its name, escaped" c.html 'Cliente Maria José &lt;b&gt;da Conceição&lt;/b&gt;'
contains "its e-mail" c.html 'maria@exemplo.com.br'
contains "its phone" c.html '+5511987654321'
contains "its document" c.html '<dd>529.982.247-25</dd>'
contains "its invoices" c.html '<a href="/faturas/F1">F1</a>'
contains "... and the other" c.html '<a href="/faturas/F2">F2</a>'
grep -q '>F3</a>' c.html && not_ok "... not another customer's" "F3" || ok "... not another customer's"
contains "the open balance (150,00 - 20,00)" c.html 'R$ 130,00'
contains "its invoices' CSV export" c.html 'href="/faturas.csv?cliente=C1"'
contains "its opt-out: channel" c.html '<td>whatsapp</td>'
contains "... source" c.html '<td>atendimento</td>'
contains "... when, in the company's zone (UTC-3)" c.html '<td>29/11/2026 23:30</td>'
is "a customer without opt-outs" "$(get c2p.html /clientes/C2)" 200
contains "... says so" c2p.html 'O cliente não pediu para sair de nenhum canal.'
is "an unknown customer is 404" "$(get x.html /clientes/NAO-EXISTE)" 404
grep -c '<button' c.html | grep -qx 1 && ok "the viewer sees no button but Sair" || not_ok "the viewer sees no button but Sair" "$(grep -o '<button[^>]*>[^<]*' c.html)"
kill -TERM $pid
wait $pid
