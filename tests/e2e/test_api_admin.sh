#!/bin/sh
# The admin's routes of the REST API: POST /v1/imports/{kind} (the CSV of
# `regua import`, all or nothing, every bad line named); the cadences
# (list and show for a viewer, lint for an admin: the documents of
# `regua cadence list|show|lint --json`); one invoice at a time (POST
# /v1/invoices, PATCH /v1/invoices/{id}, POST /v1/invoices/{id}/cancel: a
# one-row import, every bad field named).
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
export REGUA_NOW=2026-10-13T12:00:00Z
regua init >/dev/null

ADMIN=$(regua apikey create --role admin 2>/dev/null)
OPER=$(regua apikey create --role operator 2>/dev/null)
VIEW=$(regua apikey create --role viewer 2>/dev/null)
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"
# KEY METHOD PATH [FILE [CONTENT-TYPE]]: status in $code, body in body.json
call() {
    if [ -n "${4:-}" ]; then
        code=$(curl -s -o body.json -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" \
            -H "Content-Type: ${5:-text/csv}" --data-binary "@$4" "$B$3")
    else
        code=$(curl -s -o body.json -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" "$B$3")
    fi
}
py() { # NAME PYTHON-ASSERTIONS-ON-o
    /usr/bin/python3 -c "import json; o=json.load(open('body.json')); $2" && ok "$1" || not_ok "$1" "$(head -c 800 body.json)"
}

# ---- imports ----
cat >c.csv <<'CSV'
external_id,name,document,email,phone
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br,+5511999990001
C2,Bia Lima,529.982.247-25,bia@exemplo.com.br,+5511999990002
CSV
call "$OPER" POST /v1/imports/customers c.csv
is "import: 403 for an operator" "$code" 403
call "$VIEW" POST /v1/imports/customers c.csv
is "import: 403 for a viewer" "$code" 403
is "nothing imported by a refused role" "$(q "SELECT count(*) FROM customers")" 0
call "$ADMIN" POST /v1/imports/clients c.csv
is "import: 404 for an unknown kind" "$code" 404
call "$ADMIN" POST /v1/imports/customers c.csv
is "import customers: 200" "$code" 200
py "import: the document of regua import --json" \
    'assert o["kind"]=="customers" and o["imported"] is True and o["rows"]==2 and o["inserted"]==2 and o["problems"]==[], o'
is "customers stored" "$(q "SELECT group_concat(external_id) FROM customers")" "C1,C2"
printf "external_id,name\nC5,Eva\nC6,Leo\n" >c2.csv
regua import customers c2.csv --json >cli.json 2>/dev/null
/usr/bin/python3 -c 'import json; o=json.load(open("cli.json")); assert o["kind"]=="customers" and o["inserted"]==2 and o["problems"]==[] and o["warnings"]==[], o' \
    && ok "regua import --json prints the same document" || not_ok "regua import --json prints the same document" "$(cat cli.json)"
cat >bad.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-10-05
F2,C9,abc,2026-10-05
F3,C2,50.00,32/13/2026
CSV
call "$ADMIN" POST /v1/imports/invoices bad.csv
is "a refused file: 422" "$code" 422
py "every bad line is named LINE:COLUMN" \
    'f=[e["field"] for e in o["errors"]]; assert f==["3:customer_external_id","3:amount","4:due_date"], f; assert "C9" in o["errors"][0]["message"], o'
is "all or nothing: no invoice kept" "$(q "SELECT count(*) FROM invoices")" 0
call "$ADMIN" POST "/v1/imports/invoices?skip_invalid=true" bad.csv
is "?skip_invalid=true keeps the valid rows: 200" "$code" 200
py "with the skipped rows' problems in the document" \
    'assert o["inserted"]==1 and o["invalid"]==2 and [e["field"] for e in o["problems"]]==["3:customer_external_id","3:amount","4:due_date"], o'
is "the valid row kept" "$(q "SELECT group_concat(external_id) FROM invoices")" "F1"
is "invoice.created recorded" "$(q "SELECT count(*) FROM events WHERE type = 'invoice.created'")" 1
call "$ADMIN" POST "/v1/imports/invoices?skip_invalid=maybe" bad.csv
is "a bad skip_invalid: 400" "$code" 400
py "naming skip_invalid" 'assert o["errors"][0]["field"]=="skip_invalid", o'
call "$ADMIN" POST "/v1/imports/invoices?encoding=ebcdic" bad.csv
is "an unknown encoding: 400" "$code" 400
py "naming encoding" 'assert o["errors"][0]["field"]=="encoding" and "ebcdic" in o["errors"][0]["message"], o'
call "$ADMIN" POST "/v1/imports/invoices?clear=amount" bad.csv
is "clearing a required column: 400" "$code" 400
py "naming clear" 'assert o["errors"][0]["field"]=="clear", o'
printf 'external_id,name\nC3,Jos\351 Lima\n' >latin.csv
call "$ADMIN" POST /v1/imports/customers latin.csv
is "a file that is not UTF-8: 422" "$code" 422
py "naming its line" 'assert o["errors"][0]["field"]=="2" and "UTF-8" in o["errors"][0]["message"], o'
call "$ADMIN" POST "/v1/imports/customers?encoding=latin1" latin.csv
is "?encoding=latin1 converts it" "$code" 200
is "the accent kept" "$(q "SELECT name FROM customers WHERE external_id = 'C3'")" "José Lima"
: >empty.csv
call "$ADMIN" POST /v1/imports/payments empty.csv
is "an empty body: 422" "$code" 422
py "naming line 1" 'assert o["errors"][0]["field"]=="1" and "header" in o["errors"][0]["message"], o'
cat >p.csv <<'CSV'
invoice_external_id,amount,paid_at,reference
F1,150.00,2026-10-12,pix-1
CSV
call "$ADMIN" POST /v1/imports/payments p.csv
is "import payments: 200" "$code" 200
py "an overpayment is a warning of the document" \
    'assert o["inserted"]==1 and o["warnings"][0]["field"]=="2:amount" and "credit" in o["warnings"][0]["message"], o'

# ---- cadences ----
call "$VIEW" GET /v1/cadences
is "cadences: 200 for a viewer" "$code" 200
regua cadence list --json >cli.json
/usr/bin/python3 -c 'import json; a=json.load(open("body.json")); b=json.load(open("cli.json")); assert a == {"data": b, "next": None} and [x["cadence"] for x in b]==["acordo","avulso-pf","b2b-pj","mensal-pf"], (a, b)' \
    && ok "cadences: a list of regua cadence list --json's items" || not_ok "cadences: a list of regua cadence list --json's items" "$(head -c 600 body.json)"
call "$VIEW" "GET" "/v1/cadences?limit=2"
py "cadences: ?limit=2 is a page with a next" 'assert [x["cadence"] for x in o["data"]]==["acordo","avulso-pf"] and o["next"], o'
next=$(/usr/bin/python3 -c 'import json; print(json.load(open("body.json"))["next"])')
call "$VIEW" GET "/v1/cadences?limit=2&after=$next"
py "cadences: ?after=next is the rest" 'assert [x["cadence"] for x in o["data"]]==["b2b-pj","mensal-pf"] and o["next"] is None, o'
call "$VIEW" GET "/v1/cadences?limit=0"
is "cadences: a bad limit is 400" "$code" 400
py "naming limit" 'assert o["errors"][0]["field"]=="limit", o'
call "$VIEW" GET /v1/cadences/avulso-pf
is "cadence: 200 for a viewer" "$code" 200
regua cadence show avulso-pf --json >cli.json
/usr/bin/python3 -c 'import json; a=json.load(open("body.json")); b=json.load(open("cli.json")); assert a == b and a["steps"][0]["id"]=="lembrete" and "versions_run" in a, (a, b)' \
    && ok "cadence: the document of regua cadence show --json" || not_ok "cadence: the document of regua cadence show --json" "$(head -c 600 body.json)"
call "$VIEW" GET /v1/cadences/nenhuma
is "cadence: 404 for an unknown name" "$code" 404
contains "naming it" body.json "nenhuma"
call "$VIEW" POST /v1/cadences/lint cadences/avulso-pf.yaml application/yaml
is "lint: 403 for a viewer" "$code" 403
call "$OPER" POST /v1/cadences/lint cadences/avulso-pf.yaml application/yaml
is "lint: 403 for an operator" "$code" 403
call "$ADMIN" POST /v1/cadences/lint cadences/avulso-pf.yaml application/yaml
is "lint a good cadence (YAML): 200" "$code" 200
py "no errors" 'assert o["files"]==1 and o["errors"]==0, o'
cat >bad.yaml <<'YAML'
cadence: ruim
match: {priority: 9}
steps:
  - {id: a, at: D+2, send: {channels: [pombo], template: lembrete}}
  - {id: a, at: D+3, send: {channels: [email], template: nao-existe}}
YAML
call "$ADMIN" POST /v1/cadences/lint bad.yaml text/yaml
is "lint a bad cadence (text/yaml): 200" "$code" 200
py "its errors, as regua cadence lint --json" 'assert o["errors"]>=2 and all(d["file"]=="body" for d in o["diagnostics"]), o'
cp bad.yaml body
regua cadence lint body --json >cli.json
/usr/bin/python3 -c 'import json; a=json.load(open("body.json")); b=json.load(open("cli.json")); assert a == b, (a, b)' \
    && ok "lint: the same document as regua cadence lint --json" || not_ok "lint: the same document as regua cadence lint --json" "$(head -c 900 body.json) /// $(head -c 900 cli.json)"
cat >c.json <<'JSON'
{"cadence": "em-json", "match": {"priority": 3},
 "steps": [{"id": "a", "at": "D+1", "send": {"channels": ["email"], "template": "lembrete"}}]}
JSON
call "$ADMIN" POST /v1/cadences/lint c.json application/json
is "lint a cadence as JSON: 200" "$code" 200
py "a JSON cadence is linted" 'assert o["files"]==1 and o["errors"]==0, o'
printf '{"cadence": ' >broken.json
call "$ADMIN" POST /v1/cadences/lint broken.json application/json
is "lint malformed JSON: 200 with the syntax error" "$code" 200
py "a syntax error" 'assert o["errors"]==1 and o["diagnostics"][0]["rule"]=="syntax", o'
call "$ADMIN" POST /v1/cadences/lint bad.yaml text/plain
is "lint another Content-Type: 400" "$code" 400
py "naming Content-Type" 'assert o["errors"][0]["field"]=="Content-Type", o'
is "lint never installs" "$(ls cadences | tr '\n' ' ')" "acordo.yaml avulso-pf.yaml b2b-pj.yaml mensal-pf.yaml "
cp bad.yaml cadences/zz-ruim.yaml
call "$VIEW" GET /v1/cadences
is "cadences: 409 when a file does not load" "$code" 409
contains "naming it" body.json "zz-ruim.yaml"
rm cadences/zz-ruim.yaml

# ---- invoices ----
jcall() { # KEY METHOD PATH JSON
    code=$(curl -s -o body.json -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" \
        -H "Content-Type: application/json" --data-binary "$4" "$B$3")
}
jcall "$OPER" POST /v1/invoices '{"external_id": "F10", "customer": "C1", "amount": "100.00", "due_date": "2026-10-20"}'
is "create: 403 for an operator" "$code" 403
jcall "$ADMIN" POST /v1/invoices '{"external_id": "F10", "customer": "C1", "amount": "250.00", "due_date": "2026-10-20", "description": "Mensalidade", "tags": ["plano", "anual"]}'
is "create: 201" "$code" 201
regua invoice show F10 --json >cli.json
/usr/bin/python3 -c 'import json; a=json.load(open("body.json")); b=json.load(open("cli.json")); assert a == b, (a, b)' \
    && ok "create answers the document of GET /v1/invoices/{id}" || not_ok "create answers the document of GET /v1/invoices/{id}" "$(head -c 600 body.json)"
is "stored as a one-row import" "$(q "SELECT amount || ':' || date(due_date * 86400, 'unixepoch') || ':' || description || ':' || tags FROM invoices WHERE external_id = 'F10'")" "25000:2026-10-20:Mensalidade:anual|plano"
is "invoice.created recorded" "$(q "SELECT count(*) FROM events e JOIN invoices i ON i.id = e.invoice_id WHERE i.external_id = 'F10' AND e.type = 'invoice.created'")" 1
jcall "$ADMIN" POST /v1/invoices '{"external_id": "F10", "customer": "C1", "amount": "100.00", "due_date": "2026-10-20"}'
is "create an existing id: 409" "$code" 409
contains "naming it" body.json "F10"
jcall "$ADMIN" POST /v1/invoices '{"customer": "C9", "amount": "abc", "due_date": "2026-13-45", "fine_pct": 7, "payment_url": "ftp://x", "customer_external_id": "C1", "color": "red"}'
is "create with bad fields: 422" "$code" 422
py "every bad field named" 'f=sorted(e["field"] for e in o["errors"]); assert f==["color","customer_external_id","external_id"], f'
jcall "$ADMIN" POST /v1/invoices '{"external_id": "F11", "customer": "C1", "amount": "abc", "due_date": "2026-13-45", "payment_url": "ftp://x", "fine_pct": 7}'
is "a fine above the CDC's 2% for a consumer: 422" "$code" 422
py "naming fine_pct" 'f=sorted(e["field"] for e in o["errors"]); assert f==["amount","due_date","fine_pct","payment_url"], f'
jcall "$ADMIN" POST /v1/invoices '{"external_id": "F11", "customer": "C9", "amount": "abc", "due_date": "2026-13-45", "payment_url": "ftp://x"}'
is "create with bad values: 422" "$code" 422
py "every bad value named" 'f=sorted(e["field"] for e in o["errors"]); assert f==["amount","customer","due_date","payment_url"], f'
jcall "$ADMIN" POST /v1/invoices '{"external_id": "F11", "customer": "C1"}'
is "create without the required fields: 422" "$code" 422
py "naming amount and due_date" 'f=sorted(e["field"] for e in o["errors"]); assert f==["amount","due_date"], f'
jcall "$ADMIN" POST /v1/invoices '{"external_id": "F11", "customer": "C1", "amount": true, "due_date": "2026-10-20"}'
is "a field of the wrong type: 422" "$code" 422
py "naming it" 'assert o["errors"][0]["field"]=="amount", o'
is "nothing written by a refused create" "$(q "SELECT count(*) FROM invoices WHERE external_id = 'F11'")" 0
jcall "$ADMIN" PATCH /v1/invoices/F10 '{"amount": 300, "description": null}'
is "update: 200" "$code" 200
regua invoice show F10 --json >cli.json
/usr/bin/python3 -c 'import json; a=json.load(open("body.json")); b=json.load(open("cli.json")); assert a == b, (a, b)' \
    && ok "update answers the invoice's document" || not_ok "update answers the invoice's document" "$(head -c 600 body.json)"
is "only the given fields changed" "$(q "SELECT amount || ':' || date(due_date * 86400, 'unixepoch') || ':' || coalesce(description, '') || ':' || tags FROM invoices WHERE external_id = 'F10'")" "30000:2026-10-20::anual|plano"
is "invoice.updated recorded" "$(q "SELECT count(*) FROM events e JOIN invoices i ON i.id = e.invoice_id WHERE i.external_id = 'F10' AND e.type = 'invoice.updated'")" 1
jcall "$ADMIN" PATCH /v1/invoices/F10 '{"due_date": "amanha", "amount": null}'
is "update with bad fields: 422" "$code" 422
py "naming them" 'f=sorted(e["field"] for e in o["errors"]); assert f==["amount","due_date"], f'
jcall "$ADMIN" PATCH /v1/invoices/F10 '{"external_id": "F99"}'
is "update the id: 422" "$code" 422
jcall "$ADMIN" PATCH /v1/invoices/F99 '{"amount": "1.00"}'
is "update an unknown invoice: 404" "$code" 404
jcall "$OPER" PATCH /v1/invoices/F10 '{"amount": "1.00"}'
is "update: 403 for an operator" "$code" 403
call "$OPER" POST /v1/invoices/F10/cancel
is "cancel: 403 for an operator" "$code" 403
call "$ADMIN" POST /v1/invoices/F99/cancel
is "cancel an unknown invoice: 404" "$code" 404
call "$ADMIN" POST /v1/invoices/F10/cancel
is "cancel: 200" "$code" 200
is "cancelled" "$(q "SELECT status FROM invoices WHERE external_id = 'F10'")" "cancelled"
is "invoice.cancelled recorded" "$(q "SELECT count(*) FROM events e JOIN invoices i ON i.id = e.invoice_id WHERE i.external_id = 'F10' AND e.type = 'invoice.cancelled'")" 1
jcall "$ADMIN" POST /v1/invoices/F10/cancel '{"reason": "x"}'
is "cancel takes no field: 422" "$code" 422
call "$ADMIN" POST /v1/invoices/F10/cancel
is "cancel a cancelled invoice: 409" "$code" 409
py "naming its status" 'assert o["status"]==409 and "is cancelled" in o["detail"], o'
is "one invoice.cancelled" "$(q "SELECT count(*) FROM events e JOIN invoices i ON i.id = e.invoice_id WHERE i.external_id = 'F10' AND e.type = 'invoice.cancelled'")" 1
is "F1 is paid" "$(q "SELECT status FROM invoices WHERE external_id = 'F1'")" "paid"
call "$ADMIN" POST /v1/invoices/F1/cancel
is "cancel a paid invoice: 409" "$code" 409
py "naming it paid" 'assert "F1" in o["detail"] and "is paid" in o["detail"], o'
is "still paid" "$(q "SELECT status FROM invoices WHERE external_id = 'F1'")" "paid"
jcall "$ADMIN" PATCH /v1/invoices/F1 '{"status": "cancelled"}'
is "PATCH a paid invoice's status: 409" "$code" 409
py "naming status and paid" 'assert o["detail"].startswith("status:") and "is paid" in o["detail"], o'
jcall "$ADMIN" PATCH /v1/invoices/F1 '{"amount": "40.00"}'
is "PATCH a paid invoice's amount: 409" "$code" 409
py "naming amount" 'assert o["detail"].startswith("amount:") and "is paid" in o["detail"], o'
jcall "$ADMIN" PATCH /v1/invoices/F1 '{"due_date": "2026-11-30"}'
is "PATCH a paid invoice's due date: 409" "$code" 409
py "naming due_date" 'assert o["detail"].startswith("due_date:"), o'
jcall "$ADMIN" PATCH /v1/invoices/F1 '{"customer": "C2"}'
is "PATCH a paid invoice's customer: 409" "$code" 409
py "naming customer" 'assert o["detail"].startswith("customer:"), o'
is "a refused PATCH writes nothing" "$(q "SELECT amount || ':' || date(due_date * 86400, 'unixepoch') || ':' || status FROM invoices WHERE external_id = 'F1'")" "10000:2026-10-05:paid"
jcall "$ADMIN" PATCH /v1/invoices/F1 '{"amount": "100.00", "description": "Pago no PIX"}'
is "PATCH a paid invoice's description (its amount as it is): 200" "$code" 200
is "described" "$(q "SELECT description FROM invoices WHERE external_id = 'F1'")" "Pago no PIX"

kill -TERM $pid; wait $pid 2>/dev/null

