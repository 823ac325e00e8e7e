#!/bin/sh
# External ids in the API's paths: an id may hold '/', spaces and accents
# (docs/import.md), sent percent-encoded (RFC 3986). The server routes on
# the path as sent, so "%2F" stays inside its segment, and then decodes each
# id: GET/PATCH/cancel of invoice "NF/8 ç", GET and export of customer
# "C/1 ç", DELETE /v1/optouts/{customer}/{channel}. A segment that does not
# decode to text ('%' without two hex digits, %00, bytes that are not UTF-8)
# is 400 naming it.
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
export REGUA_NOW=2026-10-13T12:00:00Z
regua init >/dev/null
printf 'external_id,name,email\nC/1 ç,Ana Souza,ana@exemplo.com.br\n' >c.csv
printf 'external_id,customer_external_id,amount,due_date\nNF/8 ç,C/1 ç,100.00,2026-10-20\nNF,C/1 ç,50.00,2026-10-20\n' >f.csv
expect_exit "import a customer whose id has '/', a space and a ç" 0 regua import customers c.csv
expect_exit "import its invoice NF/8 ç" 0 regua import invoices f.csv
ADMIN=$(regua apikey create --role admin 2>/dev/null)
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"
# call METHOD PATH [JSON]: status in $code, body in body.json
call() {
    if [ -n "${3:-}" ]; then
        code=$(curl -s -o body.json -w '%{http_code}' -X "$1" -H "Authorization: Bearer $ADMIN" \
            -H "Content-Type: application/json" --data-binary "$3" "$B$2")
    else
        code=$(curl -s -o body.json -w '%{http_code}' -X "$1" -H "Authorization: Bearer $ADMIN" "$B$2")
    fi
}
py() { # NAME PYTHON-ASSERTIONS-ON-o
    /usr/bin/python3 -c "import json; o=json.load(open('body.json', encoding='utf-8')); $2" && ok "$1" || not_ok "$1" "$(head -c 800 body.json)"
}
INV=NF%2F8%20%C3%A7
CUS=C%2F1%20%C3%A7

call GET /v1/invoices/$INV
is "GET /v1/invoices/NF%2F8%20%C3%A7: 200" "$code" 200
regua invoice show "NF/8 ç" --json >cli.json
/usr/bin/python3 -c 'import json; a=json.load(open("body.json")); b=json.load(open("cli.json")); assert a == b and a["external_id"] == "NF/8 ç", a' \
    && ok "the document of invoice show 'NF/8 ç'" || not_ok "the document of invoice show 'NF/8 ç'" "$(head -c 400 body.json)"
call GET /v1/invoices/NF%2f8%20%c3%a7
is "lower-case hex digits: 200" "$code" 200
call GET /v1/invoices/NF%2F8
is "another id (NF/8): 404" "$code" 404
py "naming the decoded id" 'assert "NF/8" in o["detail"], o'
call GET "/v1/invoices/NF/8%20%C3%A7"
is "a bare '/' splits the path: 404" "$code" 404
call PATCH /v1/invoices/$INV '{"description": "Pedido 8"}'
is "PATCH /v1/invoices/NF%2F8%20%C3%A7: 200" "$code" 200
is "the invoice described" "$(q "SELECT description FROM invoices WHERE external_id = 'NF/8 ç'")" "Pedido 8"
is "not the invoice NF" "$(q "SELECT coalesce(nullif(description, ''), '-') FROM invoices WHERE external_id = 'NF'")" "-"
call POST /v1/invoices/$INV/cancel
is "POST /v1/invoices/NF%2F8%20%C3%A7/cancel: 200" "$code" 200
is "cancelled" "$(q "SELECT status FROM invoices WHERE external_id = 'NF/8 ç'")" "cancelled"
call GET /v1/customers/$CUS
is "GET /v1/customers/C%2F1%20%C3%A7: 200" "$code" 200
py "customer C/1 ç" 'assert o["external_id"] == "C/1 ç", o'
call GET /v1/customers/$CUS/export
is "GET /v1/customers/C%2F1%20%C3%A7/export: 200" "$code" 200
call GET "/v1/invoices?customer=$CUS"
is "a query's id is decoded as before: 200" "$code" 200
py "listing its invoices" 'assert sorted(i["external_id"] for i in o["data"]) == ["NF", "NF/8 ç"], o'
call POST /v1/optouts '{"customer": "C/1 ç", "channel": "sms"}'
is "opt C/1 ç out of sms: 201" "$code" 201
call DELETE /v1/optouts/$CUS/sms
is "DELETE /v1/optouts/C%2F1%20%C3%A7/sms: 200" "$code" 200
is "revoked" "$(q "SELECT count(*) FROM customer_optouts o JOIN customers c ON c.id = o.customer_id WHERE c.external_id = 'C/1 ç'")" 0

# ---- segments that are not text ----
call GET /v1/invoices/NF%zz8
is "'%' without two hex digits: 400" "$code" 400
py "naming the segment" 'assert o["status"] == 400 and "NF%zz8" in o["detail"] and "hex" in o["detail"], o'
call GET /v1/invoices/NF%2
is "a '%' cut short: 400" "$code" 400
call GET /v1/invoices/NF%00x
is "a NUL (%00): 400" "$code" 400
py "naming it" 'assert "NUL" in o["detail"] and "NF%00x" in o["detail"], o'
call GET /v1/invoices/NF%E7
is "a Latin-1 ç (%E7, not UTF-8): 400" "$code" 400
py "saying it is not UTF-8" 'assert "UTF-8" in o["detail"], o'
call DELETE /v1/optouts/C%FF/sms
is "in any route's parameter: 400" "$code" 400
call GET /t/c/x%zz
is "the server's other routes too: 400" "$code" 400
kill $pid
wait $pid 2>/dev/null
