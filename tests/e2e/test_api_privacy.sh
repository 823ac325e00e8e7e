#!/bin/sh
# The LGPD over the API: GET /v1/customers/{id}/export (viewer) is the
# document `regua customer export` prints; POST /v1/customers/{id}/anonymize
# (admin) does what `regua customer anonymize --yes` does: 409 while an
# invoice is open, 404 for an unknown customer, 403 for a viewer.
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
export REGUA_NOW=2026-10-13T12:00:00Z
cat >c.csv <<'CSV'
external_id,name,document,email,phone
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br,+5511999990001
C2,Bia Lima,529.982.247-25,bia@exemplo.com.br,+5511999990002
CSV
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-10-05
F2,C2,100.00,2026-10-05
CSV
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
regua pay F1 --amount 100.00 --reference pix-1 >/dev/null
ADMIN=$(regua apikey create --role admin 2>/dev/null)
VIEW=$(regua apikey create --role viewer 2>/dev/null)
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"
call() { # KEY METHOD PATH: status in $code, body in body.json
    code=$(curl -s -o body.json -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" "$B$3")
}

call "$VIEW" GET /v1/customers/C1/export
is "export: 200 for a viewer" "$code" 200
regua customer export C1 >cli.json
/usr/bin/python3 -c 'import json; a=json.load(open("body.json")); b=json.load(open("cli.json")); assert a == b, (a, b)' \
    && ok "export: the same document as regua customer export" || not_ok "export: the same document as regua customer export" "$(head -c 600 body.json)"
call "$VIEW" GET /v1/customers/C9/export
is "export: 404 for an unknown customer" "$code" 404
contains "as a problem naming it" body.json "C9"
call "$VIEW" POST /v1/customers/C1/anonymize
is "anonymize: 403 for a viewer" "$code" 403
is "nothing erased" "$(q "SELECT name FROM customers WHERE external_id = 'C1'")" "Ana Souza"
call "$ADMIN" POST /v1/customers/C2/anonymize
is "anonymize: 409 while an invoice is open" "$code" 409
contains "naming it" body.json "F2"
call "$ADMIN" POST /v1/customers/C1/anonymize
is "anonymize: 200 for an admin" "$code" 200
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert o["customer"]=="C1" and o["name"]=="Titular anonimizado" and o["event_id"]>0, o' \
    && ok "anonymize answers what it did" || not_ok "anonymize answers what it did" "$(cat body.json)"
is "the name is replaced" "$(q "SELECT name || ':' || email || ':' || phone FROM customers WHERE external_id = 'C1'")" "Titular anonimizado::"
is "recorded by the API" "$(q "SELECT source FROM events WHERE type = 'customer.anonymized'")" "api"
call "$ADMIN" POST /v1/customers/C9/anonymize
is "anonymize: 404 for an unknown customer" "$code" 404
kill -TERM $pid; wait $pid 2>/dev/null
