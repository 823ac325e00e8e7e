#!/bin/sh
# GET /v1/openapi.json (no key) is docs/openapi.json, and the document is
# true of the server: with `serve` running on a small fixture, every
# operation it lists is called — with a key of the role its `security`
# names, the `example` of each parameter and of the request body — and
# must answer a 2xx the document lists, with the documented content type,
# and a JSON body that fits the documented schema (required properties,
# types and enums, down through objects and the items of lists).
# A new operation's examples must name objects of this fixture: customers
# C1 C2 C3 (tag vip) and C9 (no invoice), invoices F1 (C1, paid after a
# message) F2 (C2) F3 (C3, a promise) F4 (C1, task 1: a call), C3's opt-out
# of whatsapp, API keys 1 admin, 2 operator, 3 viewer, 4 admin (spare:
# revoked), webhook delivery 1 (F1's payment.received to webhook erp,
# failed). Operations run in the document's order: a write's example must
# not spoil a later one's (POST /v1/optouts adds C2/sms, which the DELETE
# after it revokes; task 1 is claimed, then done).
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
cat >>regua.yaml <<'YAML'
webhooks:
  - {name: erp, url: "http://127.0.0.1:9/ganchos", secret_env: ERP_SECRET, events: [payment.received]}
YAML
export REGUA_NOW=2026-10-13T12:00:00Z
cat >c.csv <<'CSV'
external_id,name,document,email,phone,tags
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br,+5511999990001,vip|plano-mensal
C2,Bia Lima,11.222.333/0001-81,bia@exemplo.com.br,+5511999990002,
C3,Caio Reis,111.444.777-35,caio@exemplo.com.br,+5511999990003,vip|plano-mensal
C9,Davi Nunes,,davi@exemplo.com.br,,
CSV
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-10-05
F2,C2,250.00,2026-10-05
F3,C3,80.00,2026-10-18
F4,C1,60.00,2026-09-20
CSV
expect_exit "fixture: customers" 0 regua import customers c.csv
expect_exit "fixture: invoices" 0 regua import invoices f.csv
expect_exit "fixture: a tick" 0 regua tick
[ "$(q "SELECT count(*) FROM messages")" -ge 1 ] && ok "fixture: the tick made messages" || not_ok "fixture: the tick made messages" "none"
expect_exit "fixture: a payment" 0 regua pay F1 --amount 100.00 --reference pix-1
/usr/bin/python3 -c 'import sqlite3; c = sqlite3.connect("regua.db"); c.execute("UPDATE webhook_deliveries SET status = '"'failed'"' WHERE id = 1"); c.commit()'
is "fixture: a failed webhook delivery" "$(q "SELECT webhook || ' ' || status FROM webhook_deliveries")" "erp failed"
is "fixture: a task (F4's call)" "$(q "SELECT count(*) FROM tasks")" 1
expect_exit "fixture: an opt-out" 0 regua optout add C3 --channel whatsapp --source erp
expect_exit "fixture: a promise" 0 regua event promise.made --invoice F3 --data '{"date": "2026-10-16"}'
expect_exit "fixture: an agreement (GET /v1/agreements' items)" 0 regua agreement create C3 F3 --installments 1
ADMIN=$(regua apikey create --role admin --name erp 2>/dev/null)
OPER=$(regua apikey create --role operator 2>/dev/null)
VIEW=$(regua apikey create --role viewer 2>/dev/null)
regua apikey create --role admin --name spare >/dev/null 2>&1
is "fixture: four keys" "$(q "SELECT count(*) FROM api_keys")" 4

port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"

code=$(curl -s -D h.txt -o spec.json -w '%{http_code}' "$B/v1/openapi.json")
is "GET /v1/openapi.json without a key: 200" "$code" 200
grep -qi '^content-type: application/json' h.txt && ok "served as application/json" || not_ok "served as application/json" "$(cat h.txt)"
/usr/bin/python3 - "$REGUA_ROOT/docs/openapi.json" <<'PY' && ok "the served document is docs/openapi.json" || not_ok "the served document is docs/openapi.json" "$(head -c 300 spec.json)"
import json, sys
assert json.load(open("spec.json")) == json.load(open(sys.argv[1]))
PY
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer rk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$B/v1/openapi.json")
is "a wrong key does not matter to it (no key needed)" "$code" 200

# every operation of the document, as the document says
/usr/bin/python3 "$REGUA_ROOT/tests/support/openapi_calls.py" spec.json "$B" "$ADMIN" "$OPER" "$VIEW"

# the check is not vacuous: a document asking for a property the answers
# lack, or another status, makes it fail (naming the operation); only the
# reads are called again (the writes above changed the fixture)
/usr/bin/python3 - <<'PY'
import json
spec = json.load(open("spec.json"))
for item in spec["paths"].values():
    for m in [m for m in item if m in ("post", "patch", "put", "delete")]:
        del item[m]
spec["components"]["schemas"]["ApiKey"]["required"].append("secret")
spec["paths"]["/v1/customers"]["get"]["responses"]["201"] = spec["paths"]["/v1/customers"]["get"]["responses"].pop("200")
json.dump(spec, open("wrong.json", "w"))
PY
/usr/bin/python3 "$REGUA_ROOT/tests/support/openapi_calls.py" wrong.json "$B" "$ADMIN" "$OPER" "$VIEW" >wrong.out
contains "a missing required property fails the check" wrong.out "not ok GET /v1/apikeys"
contains "it names the property" wrong.out "required property 'secret' missing"
contains "an undocumented status fails the check" wrong.out "200 is not a documented answer"
is "the other reads still pass" "$(grep -c "^not ok [A-Z]* /v1/" wrong.out)" 2
kill -TERM $pid
wait $pid 2>/dev/null
