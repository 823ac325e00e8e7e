#!/bin/sh
# An ERP integrating through the API only, with `serve` running: it creates
# customers and invoices (POST /v1/imports/...), the tick sends the régua's
# messages, it lists them page by page (GET /v1/messages with the cursor),
# posts a payment (POST /v1/payments), and its own receiver gets the signed
# payment.received webhook and verifies the signature; the invoice reads
# paid (GET /v1/invoices/F1).
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
RPORT=$(free_port)
cat >>regua.yaml <<YAML
webhooks:
  - {name: erp, url: "http://127.0.0.1:$RPORT/ganchos/regua", secret_env: WEBHOOK_SECRET, events: [payment.received]}
YAML
export WEBHOOK_SECRET=segredo-do-erp-123
expect_exit "init" 0 regua init
KEY=$(regua apikey create --role admin --name erp 2>/dev/null)
/usr/bin/python3 "$REGUA_ROOT/tests/support/webhook_receiver.py" "$RPORT" recv.log &
RPID=$!
wait_http "http://127.0.0.1:$RPORT/ready" && ok "the ERP's receiver starts" || not_ok "the ERP's receiver starts" "no answer"
SPORT=$(free_port)
B="http://127.0.0.1:$SPORT"
"$REGUA_BIN" serve --listen 127.0.0.1:$SPORT --no-scheduler >serve.log 2>&1 &
SPID=$!
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(tail -5 serve.log)"
# call METHOD PATH [curl args]: status in $code, body in body.json
call() {
    m=$1; p=$2; shift 2
    code=$(curl -s -o body.json -w '%{http_code}' -X "$m" -H "Authorization: Bearer $KEY" "$@" "$B$p")
}

call POST /v1/imports/customers -H 'Content-Type: text/csv' --data-binary @- <<'CSV'
external_id,name,document,email,whatsapp,tags
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br,+5511999990001,plano-mensal
C2,Bia Lima,529.982.247-25,bia@exemplo.com.br,+5511999990002,plano-mensal
C3,Caio Reis,529.982.247-25,caio@exemplo.com.br,+5511999990003,plano-mensal
CSV
is "customers created over the API" "$code" 200
call POST /v1/imports/invoices -H 'Content-Type: text/csv' --data-binary @- <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-10-05
F2,C2,150.00,2026-10-05
F3,C3,200.00,2026-10-05
CSV
is "invoices created over the API" "$code" 200
is "three invoices stored" "$(q "SELECT count(*) FROM invoices WHERE status = 'open'")" 3

expect_exit "the tick sends the régua's messages" 0 regua tick --at 2026-10-13T15:00:00Z --no-dispatch
n=$(q "SELECT count(*) FROM messages")
[ "$n" -ge 3 ] && ok "messages planned ($n)" || not_ok "messages planned" "$n"
/usr/bin/python3 - "$B" "$KEY" "$n" <<'PY' && ok "GET /v1/messages page by page (limit=1, next) lists each once" || not_ok "GET /v1/messages page by page" "see above"
import json, sys, urllib.request
base, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen, after, pages = [], None, 0
while True:
    url = base + "/v1/messages?limit=1" + ("&after=" + after if after else "")
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer " + key})) as r:
        page = json.load(r)
    pages += 1
    assert len(page["data"]) <= 1, page
    seen += [m["id"] for m in page["data"]]
    after = page["next"]
    if not after:
        break
assert len(seen) == n == len(set(seen)) and pages in (n, n + 1), (seen, n, pages)
PY

call POST /v1/payments -H 'Content-Type: application/json' -d '{"invoice": "F1", "amount": "100.00", "reference": "pix-e2e-1", "method": "pix"}'
is "the payment is recorded" "$code" 201
until_received() {
    i=0
    while [ $i -lt 150 ]; do
        grep -q '"type": "payment.received"' recv.log 2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
until_received && ok "the ERP receives payment.received" || not_ok "the ERP receives payment.received" "$(tail -3 serve.log)"
/usr/bin/python3 - <<'PY' && ok "signed: the receiver verified the signature" || not_ok "signed: the receiver verified the signature" "$(cat recv.log)"
import json
got = [json.loads(l) for l in open("recv.log")]
p = [g for g in got if g["type"] == "payment.received"]
assert len(p) == 1 and p[0]["signature_ok"], got
body = p[0]["body"]
assert body["invoice"] == "F1" and body["customer"] == "C1" and body["data"]["reference"] == "pix-e2e-1", body
PY
call GET /v1/invoices/F1
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert o["status"]=="paid" and o["payments"][0]["reference"]=="pix-e2e-1", o' \
    && ok "GET /v1/invoices/F1 reads paid" || not_ok "GET /v1/invoices/F1 reads paid" "$(head -c 400 body.json)"
kill -TERM $SPID; wait $SPID 2>/dev/null
kill $RPID 2>/dev/null; wait $RPID 2>/dev/null || true
