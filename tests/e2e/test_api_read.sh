#!/bin/sh
# The API's read routes (docs/api.md): GET /v1/invoices/{id} and
# GET /v1/customers/{id} answer the very documents of `regua invoice show
# --json` and `regua customer show --json`; GET /v1/invoices and
# GET /v1/messages filter as `invoice list` and `messages list` do and page
# with a cursor that stays put while invoices are inserted; unknown ids are
# 404 problems; GET /v1/simulate is `regua simulate --json`; a viewer key
# reads them all; GET /v1/openapi.json answers when no store can be had.
. "$(dirname "$0")/lib.sh"
cd "$T"
cp -r "$REGUA_ROOT/cadences" "$REGUA_ROOT/templates" .
cat >regua.yaml <<'YAML'
database: regua.db
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: sent/email.jsonl}
  whatsapp: {driver: log, path: sent/whatsapp.jsonl}
  sms: {driver: log, path: sent/sms.jsonl}
  letter: {driver: log, path: sent/letter.jsonl}
YAML
export REGUA_NOW=2026-11-12T12:00:00Z

cat >clientes.csv <<'CSV'
external_id,name,document,email,whatsapp,phone,tags
C1,Maria da Silva,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,,plano-mensal
C2,João Souza,111.444.777-35,,,(21) 99876-5432,plano-mensal
C3,Padaria Pão Quente Ltda,11.222.333/0001-81,contas@paoquente.com.br,,,b2b
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade 10/2026,189.90,2026-10-10
F2,C2,Mensalidade 11/2026,89.90,2026-11-05
F3,C3,Pedido 41,4500.00,2026-11-16
F4,C1,Mensalidade 11/2026,189.90,2026-11-10
F5,C2,Mensalidade 12/2026,89.90,2026-12-05
NF 7ç,C3,Pedido 42,120.00,2026-11-01
CSV
expect_exit "import customers" 0 regua import customers clientes.csv
expect_exit "import invoices" 0 regua import invoices faturas.csv
expect_exit "F1 paid in full" 0 regua pay F1 --amount 189.90 --reference PIX-1
expect_exit "F4 paid in part" 0 regua pay F4 --amount 50 --reference PIX-2
expect_exit "a portal visit" 0 regua event portal.visited --customer C2
expect_exit "C3 opts out of sms" 0 regua event optout --customer C3 --data '{"channel": "sms"}'
expect_exit "tick" 0 regua tick
[ "$(q "SELECT count(*) FROM messages")" -ge 3 ] && ok "the tick made messages" || not_ok "the tick made messages" "$(q "SELECT count(*) FROM messages")"

msgs_before=$(q "SELECT count(*) FROM messages")
ADMIN=$(regua apikey create --role admin 2>/dev/null)
VIEW=$(regua apikey create --role viewer --name painel 2>/dev/null)
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"

# get NAME PATH [KEY]: status in $code, body in body.json (the viewer key unless given)
get() {
    code=$(curl -s -D h.txt -o body.json -w '%{http_code}' -H "Authorization: Bearer ${3-$VIEW}" "$B$2")
}
# same NAME FILE_A FILE_B: the two files hold equal JSON
same() {
    /usr/bin/python3 - "$2" "$3" <<'PY' && ok "$1" || not_ok "$1" "$(head -c 600 "$2"; echo; head -c 600 "$3")"
import json, sys
a, b = (json.load(open(f, encoding="utf-8")) for f in sys.argv[1:3])
assert a == b, [k for k in set(a) | set(b) if a.get(k) != b.get(k)] if isinstance(a, dict) and isinstance(b, dict) else "differ"
PY
}
problem() { # problem NAME STATUS [FIELD]: body.json is a problem+json of STATUS (naming FIELD)
    /usr/bin/python3 - "$2" "${3-}" <<'PY' && grep -qi '^content-type: application/problem+json' h.txt && ok "$1" || not_ok "$1" "$(cat h.txt body.json)"
import json, sys
o = json.load(open("body.json"))
assert o["status"] == int(sys.argv[1]), o
assert o["type"].startswith("urn:regua:problem:") and o["title"] and o["detail"], o
if sys.argv[2]:
    assert sys.argv[2] in [x["field"] for x in o.get("errors", [])], o
PY
}

# ---- one invoice, one customer: the CLI's documents ----
for id in F1 F2 F3 F4; do
    get x "/v1/invoices/$id"
    is "GET /v1/invoices/$id is 200" "$code" 200
    cp body.json api.json
    regua invoice show "$id" --json >cli.json
    same "GET /v1/invoices/$id equals invoice show $id --json" api.json cli.json
done
/usr/bin/python3 -c '
import json; o = json.load(open("api.json"))
assert o["cadence"]["name"] and o["payments"] and o["payments"][0]["reference"] == "PIX-2", o' \
    && ok "the document has the cadence and the payment" || not_ok "the document has the cadence and the payment" "$(head -c 400 api.json)"
get x "/v1/invoices/NF%207%C3%A7"
is "an id with a space and a ç, URL-encoded" "$code" 200
cp body.json api.json
regua invoice show "NF 7ç" --json >cli.json
same "GET /v1/invoices/NF%207%C3%A7 equals invoice show 'NF 7ç' --json" api.json cli.json
for id in C1 C2 C3; do
    get x "/v1/customers/$id"
    is "GET /v1/customers/$id is 200" "$code" 200
    cp body.json api.json
    regua customer show "$id" --json >cli.json
    same "GET /v1/customers/$id equals customer show $id --json" api.json cli.json
done
/usr/bin/python3 -c '
import json; o = json.load(open("api.json"))
assert o["optouts"][0]["channel"] == "sms" and o["events"], o' \
    && ok "C3's document has its opt-out and events" || not_ok "C3's document has its opt-out and events" "$(head -c 400 api.json)"

get x /v1/invoices/NOPE
is "an unknown invoice is 404" "$code" 404
problem "404 is a problem" 404
grep -q "NOPE" body.json && ok "the 404 names the id" || not_ok "the 404 names the id" "$(cat body.json)"
get x "/v1/invoices/$(printf 'X%.0s' $(seq 1 70))"
is "an id longer than any external id is 404" "$code" 404
problem "that 404 is a problem" 404
get x /v1/customers/NOPE
is "an unknown customer is 404" "$code" 404
problem "404 is a problem" 404
get x /v1/invoices/F1 ""
is "no key is 401" "$code" 401

# ---- GET /v1/invoices: the filters of invoice list ----
check_list() { # check_list NAME QUERY CLI_ARGS...: the API's data equals invoice list --json with the same filters
    n=$1; qs=$2; shift 2
    get x "/v1/invoices?$qs"
    is "$n: 200" "$code" 200
    /usr/bin/python3 -c 'import json; json.dump(json.load(open("body.json"))["data"], open("api.json", "w"))'
    regua invoice list --json "$@" >cli.json
    same "$n: as invoice list $*" api.json cli.json
}
check_list "all" "" 
check_list "status=paid" "status=paid" --status paid
check_list "customer=C2" "customer=C2" --customer C2
/usr/bin/python3 -c 'import json; assert [i["external_id"] for i in json.load(open("api.json"))] == ["F2", "F5"]' \
    && ok "customer=C2 is F2 and F5" || not_ok "customer=C2 is F2 and F5" "$(cat api.json)"
get x "/v1/invoices?customer=C1&limit=1"
/usr/bin/python3 -c '
import json; o = json.load(open("body.json")); assert [i["external_id"] for i in o["data"]] == ["F1"] and o["next"], o
open("next.txt", "w").write(o["next"])' && ok "customer=C1&limit=1: F1 and a next" || not_ok "customer=C1&limit=1" "$(cat body.json)"
get x "/v1/invoices?customer=C1&limit=1&after=$(cat next.txt)"
/usr/bin/python3 -c 'import json; o = json.load(open("body.json")); assert [i["external_id"] for i in o["data"]] == ["F4"] and o["next"] is None, o' \
    && ok "its next page: F4, the last" || not_ok "customer=C1 next page" "$(cat body.json)"
get x "/v1/invoices?customer=NOPE"
/usr/bin/python3 -c 'import json; assert json.load(open("body.json")) == {"data": [], "next": None}' \
    && ok "an unknown customer lists nothing" || not_ok "an unknown customer lists nothing" "$(cat body.json)"
check_list "due dates" "due_from=2026-11-01&due_to=10/11/2026" --due-from 2026-11-01 --due-to 2026-11-10
check_list "together" "status=open&customer=C1&due_to=2026-12-31" --status open --customer C1 --due-to 2026-12-31
get x "/v1/invoices?status=pago"
is "a bad status is 400" "$code" 400
problem "it names status" 400 status
get x "/v1/invoices?due_from=ontem&due_to=2026-13-01&limit=0"
problem "every bad parameter is named (due_from)" 400 due_from
problem "every bad parameter is named (due_to)" 400 due_to
problem "every bad parameter is named (limit)" 400 limit

# ---- pages: limit, next, and a cursor that stays put while invoices are inserted ----
get x "/v1/invoices?limit=2"
/usr/bin/python3 -c '
import json; o = json.load(open("body.json"))
assert [i["external_id"] for i in o["data"]] == ["F1", "F2"] and o["next"], o
open("next.txt", "w").write(o["next"])' && ok "limit=2: the first two and a next" || not_ok "limit=2" "$(cat body.json)"
printf 'external_id,customer_external_id,description,amount,due_date\nF0,C1,Inserida,10.00,2026-11-20\n' >nova.csv
expect_exit "an invoice is inserted between pages" 0 regua import invoices nova.csv
seen="F1 F2"
next=$(cat next.txt)
while [ -n "$next" ]; do
    get x "/v1/invoices?limit=2&after=$next"
    [ "$code" = 200 ] || { not_ok "a next page" "$code $(cat body.json)"; break; }
    seen="$seen $(/usr/bin/python3 -c 'import json; print(" ".join(i["external_id"] for i in json.load(open("body.json"))["data"]))')"
    next=$(/usr/bin/python3 -c 'import json; print(json.load(open("body.json"))["next"] or "")')
done
is "the pages hold every invoice once, the inserted one last" "$seen" "F1 F2 F3 F4 F5 NF 7ç F0"
get x "/v1/invoices?after=bogus"
problem "a cursor this API did not give is 400" 400 after

# ---- GET /v1/messages ----
check_msgs() { # check_msgs NAME QUERY CLI_ARGS...
    n=$1; qs=$2; shift 2
    get x "/v1/messages?$qs"
    is "$n: 200" "$code" 200
    /usr/bin/python3 -c 'import json; json.dump(json.load(open("body.json"))["data"], open("api.json", "w"))'
    regua messages list --json "$@" >cli.json
    same "$n: as messages list $*" api.json cli.json
}
check_msgs "messages" "limit=500"
check_msgs "channel=sms" "channel=sms" --channel sms
/usr/bin/python3 - "$(q "SELECT count(*) FROM messages")" <<'PY' && ok "channel=sms holds the SMS, not the rest" || not_ok "channel=sms holds the SMS" "$(cat api.json)"
import json, sys
a = json.load(open("api.json"))
assert a and all(m["channel"] == "sms" for m in a) and len(a) < int(sys.argv[1]), a
PY
get x "/v1/messages?limit=500"
cp body.json all_messages.json
check_msgs "invoice=F2" "invoice=F2" --invoice F2
/usr/bin/python3 -c '
import json; a = json.load(open("api.json")); every = json.load(open("all_messages.json"))["data"]
assert a and a == [m for m in every if "F2" in m["invoice_external_ids"]], a' \
    && ok "invoice=F2: exactly the messages carrying F2" || not_ok "invoice=F2: exactly F2's" "$(cat api.json)"
check_msgs "customer=C1 and status" "customer=C1&status=sent" --customer C1 --status sent
/usr/bin/python3 -c '
import json; a = json.load(open("api.json")); every = json.load(open("all_messages.json"))["data"]
assert a == [m for m in every if m["customer_external_id"] == "C1" and m["status"] == "sent"], a' \
    && ok "customer=C1&status=sent: exactly those" || not_ok "customer=C1&status=sent: exactly those" "$(cat api.json)"
/usr/bin/python3 -c 'import json; a = json.load(open("api.json")); assert a, a' \
    && ok "C1 has sent messages" || not_ok "C1 has sent messages" "$(cat api.json)"
get x "/v1/messages?status=lido"
problem "a bad message status is 400 naming it" 400 status
total=$(q "SELECT count(*) FROM messages")
get x "/v1/messages?limit=1"
/usr/bin/python3 - "$total" <<'PY' && ok "messages limit=1: one, and a next" || not_ok "messages limit=1" "$(cat body.json)"
import json, sys
o = json.load(open("body.json"))
assert len(o["data"]) == 1 and o["next"] and int(sys.argv[1]) > 1, o
PY
next=$(/usr/bin/python3 -c 'import json; print(json.load(open("body.json"))["next"])')
get x "/v1/messages?limit=500&after=$next"
/usr/bin/python3 - "$total" <<'PY' && ok "the next page holds the rest, and no next" || not_ok "the next page" "$(head -c 300 body.json)"
import json, sys
o = json.load(open("body.json"))
assert len(o["data"]) == int(sys.argv[1]) - 1 and o["next"] is None, (len(o["data"]), o["next"])
PY

# ---- GET /v1/simulate: regua simulate --json ----
get x "/v1/simulate?days=5"
is "GET /v1/simulate is 200" "$code" 200
cp body.json api.json
regua simulate --days 5 --json >cli.json
same "GET /v1/simulate?days=5 equals simulate --days 5 --json" api.json cli.json
/usr/bin/python3 -c 'import json; o = json.load(open("api.json")); assert o["messages"] and o["per_day"], o' \
    && ok "the forecast has messages" || not_ok "the forecast has messages" "$(head -c 300 api.json)"
get x "/v1/simulate?from=20/11/2026&days=3"
cp body.json api.json
regua simulate --from 2026-11-20 --days 3 --json >cli.json
same "GET /v1/simulate?from=20/11/2026&days=3 equals simulate --from 2026-11-20 --days 3" api.json cli.json
get x "/v1/simulate?days=400&from=amanha"
problem "simulate: a bad days is 400 naming it" 400 days
problem "simulate: a bad from is 400 naming it" 400 from
[ "$(q "SELECT count(*) FROM messages")" = "$msgs_before" ] && ok "simulating over the API changes nothing" || not_ok "simulating over the API changes nothing" "$(q "SELECT count(*) FROM messages")"

# ---- who may read ----
for k in "$VIEW" "$ADMIN"; do
    for p in /v1/invoices /v1/invoices/F1 /v1/customers/C1 /v1/messages /v1/simulate?days=1; do
        get x "$p" "$k"
        is "GET $p with a $( [ "$k" = "$VIEW" ] && echo viewer || echo admin ) key" "$code" 200
    done
done
# a stored text that is not UTF-8 (written before the doors checked it): 500, never a shorter document
/usr/bin/python3 -c 'import sqlite3; c = sqlite3.connect("regua.db"); c.execute("UPDATE invoices SET description = CAST(X'"'"'50E36F'"'"' AS TEXT) WHERE external_id = '"'"'F3'"'"'"); c.commit()'
get x /v1/invoices/F3
is "an invoice JSON cannot hold is 500" "$code" 500
problem "it is a problem" 500
get x "/v1/invoices?customer=C3"
is "so is a page holding it" "$code" 500
# a cadence file that does not load: no forecast (409 naming it), as simulate exits 1
printf 'cadence: ruim\nmatch: {priority: 1}\nsteps:\n  - {id: a, at: D+1x, send: {channels: [email], template: atraso}}\n' >cadences/ruim.yaml
get x "/v1/simulate?days=1"
is "simulate with a broken cadence is 409" "$code" 409
problem "it is a problem" 409
grep -q "ruim.yaml" body.json && ok "it names the file" || not_ok "it names the file" "$(cat body.json)"
kill $pid
wait $pid 2>/dev/null

# ---- GET /v1/openapi.json takes no store: it answers while no database
# connection can be had (the one the server opened is held by another
# client's keep-alive connection, and the database file is gone) ----
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve2.log 2>&1 &
pid=$!
wait_http "$B/healthz" && ok "serve starts again" || not_ok "serve starts again" "$(cat serve2.log)"
/usr/bin/python3 - "$port" "$VIEW" >openapi_nostore.txt 2>&1 <<'PY'
import json, os, socket, sys, urllib.request, urllib.error
port, key = int(sys.argv[1]), sys.argv[2]
a = socket.create_connection(("127.0.0.1", port))  # takes the server's store and keeps it
a.sendall(("GET /v1/invoices?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % key).encode())
got = b""
while b"\r\n\r\n" not in got or not got.rstrip().endswith(b"}"):
    got += a.recv(65536)
assert got.startswith(b"HTTP/1.1 200"), got[:200]
os.rename("regua.db", "regua.db.away")
try:
    def get(path):
        r = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), headers={"Authorization": "Bearer " + key})
        try:
            with urllib.request.urlopen(r) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
    st, body = get("/v1/invoices?limit=1")
    print("invoices", st)
    st, body = get("/v1/openapi.json")
    print("openapi", st, json.loads(body).get("openapi"))
finally:
    os.rename("regua.db.away", "regua.db")
    a.close()
PY
grep -q "^invoices 5" openapi_nostore.txt && ok "with no store to be had, a list fails (5xx)" \
    || not_ok "with no store to be had, a list fails (5xx)" "$(cat openapi_nostore.txt)"
grep -q "^openapi 200 3.1" openapi_nostore.txt && ok "GET /v1/openapi.json answers without a store" \
    || not_ok "GET /v1/openapi.json answers without a store" "$(cat openapi_nostore.txt)"
kill $pid
wait $pid 2>/dev/null
