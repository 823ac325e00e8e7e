#!/bin/sh
# The REST API's foundation (docs/api.md): API keys (regua apikey), Bearer
# auth and roles, problem+json errors, Idempotency-Key replay (also after a
# restart) and cursor pagination of GET /v1/customers.
. "$(dirname "$0")/lib.sh"
cd "$T"
export REGUA_NOW=2026-11-24T12:00:00Z

# ---- keys ----
cat >regua.yaml <<'YAML'
database: regua.db
server: {write_wait_ms: 300}
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
YAML
mkdir -p templates cadences
expect_exit "init" 0 regua init
expect_exit "apikey create needs --role" 2 regua apikey create
expect_exit "apikey create refuses a bad role" 2 regua apikey create --role boss
contains "bad role named" err "--role: 'boss' is not admin, operator or viewer"
regua apikey create --role admin --name "erp admin" >admin.key 2>create.err
ADMIN=$(cat admin.key)
is "create prints the key alone, one line" "$(wc -l <admin.key | tr -d ' ')" 1
case "$ADMIN" in rk_???????????????????????????????????????????) ok "key is rk_ + 43 base64url" ;; *) not_ok "key is rk_ + 43 base64url" "$ADMIN" ;; esac
contains "create says it is shown once" create.err "not shown again"
OPER=$(regua apikey create --role operator 2>/dev/null)
VIEW=$(regua apikey create --role viewer --name painel 2>/dev/null)
GONE=$(regua apikey create --role admin --name old 2>/dev/null)
[ "$OPER" != "$VIEW" ] && ok "keys differ" || not_ok "keys differ" "same"
is "only the hash is stored" "$(q "SELECT count(*) FROM api_keys WHERE key_hash = '$(printf %s "$ADMIN" | sha256sum | cut -c1-64)'")" 1
cat regua.db* | grep -c "$ADMIN" >/dev/null 2>&1 && not_ok "the key is not in the database" "found" || ok "the key is not in the database"
expect_exit "apikey list" 0 regua apikey list
contains "list shows the prefix" out "$(printf %s "$ADMIN" | cut -c1-11)"
contains "list shows the name" out "erp admin"
regua apikey list --json >keys.json
/usr/bin/python3 - "$ADMIN" <<'PY' && ok "apikey list --json" || not_ok "apikey list --json" "$(cat keys.json)"
import json, sys
k = json.load(open("keys.json"))
assert [x["role"] for x in k] == ["admin", "operator", "viewer", "admin"], k  # before 5 was made
assert k[0]["prefix"] == sys.argv[1][:11] and k[0]["name"] == "erp admin"
assert all(x["revoked_at"] is None and x["last_used_at"] is None for x in k)
assert "key" not in k[0] and sys.argv[1] not in json.dumps(k)
PY
expect_exit "apikey revoke" 0 regua apikey revoke 4
contains "revoke says which" out "revoked API key 4 (admin, "
regua apikey create --role operator --name robo --json >made.json 2>/dev/null
/usr/bin/python3 - <<'PY' && ok "apikey create --json has the key once, with its row" || not_ok "apikey create --json" "$(cat made.json)"
import json
o = json.load(open("made.json"))
assert o["id"] == 5 and o["role"] == "operator" and o["name"] == "robo" and o["key"].startswith(o["prefix"]), o
assert len(o["key"]) == 46 and o["revoked_at"] is None
PY
regua apikey revoke 5 --json >rev.json
/usr/bin/python3 -c 'import json; o=json.load(open("rev.json")); assert o["id"]==5 and o["revoked_at"] and "key" not in o' \
    && ok "apikey revoke --json" || not_ok "apikey revoke --json" "$(cat rev.json)"
expect_exit "revoke again is exit 1" 1 regua apikey revoke 4
contains "already revoked said" err "already revoked"
expect_exit "revoke unknown is exit 1" 1 regua apikey revoke 99
expect_exit "revoke needs a number" 2 regua apikey revoke abc
expect_exit "a name with a control character is refused" 1 regua apikey create --role viewer --name "$(printf 'a\tb')"
contains "the refused name names --name" err "--name"

# ---- 120 customers ----
/usr/bin/python3 - <<'PY'
with open("c.csv", "w") as f:
    f.write("external_id;name;email\n")
    for i in range(1, 121):
        f.write(f"C{i:03d};Cliente {i};c{i}@exemplo.com.br\n")
PY
expect_exit "import 120 customers" 0 regua import customers c.csv

port=$(free_port)
B="http://127.0.0.1:$port"
start() {
    "$REGUA_BIN" serve --listen 127.0.0.1:$port >>serve.log 2>&1 &
    pid=$!
    wait_http "$B/healthz"
}
start && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"

# call NAME KEY METHOD PATH [curl args...]: status in $code, body in body.json, headers in h.txt
call() {
    n=$1; k=$2; m=$3; p=$4; shift 4
    if [ -n "$k" ]; then
        code=$(curl -s -D h.txt -o body.json -w '%{http_code}' -X "$m" -H "Authorization: Bearer $k" "$@" "$B$p")
    else
        code=$(curl -s -D h.txt -o body.json -w '%{http_code}' -X "$m" "$@" "$B$p")
    fi
}
problem() { # problem NAME STATUS: body.json is a problem+json of STATUS
    /usr/bin/python3 - "$2" <<'PY' && grep -qi '^content-type: application/problem+json' h.txt && ok "$1" || not_ok "$1" "$(cat h.txt body.json)"
import json, sys
o = json.load(open("body.json"))
assert o["status"] == int(sys.argv[1]), o
assert o["type"].startswith("urn:regua:problem:") and o["title"] and o["detail"], o
PY
}

# ---- 401 / 403 ----
call x "" GET /v1/customers
is "no key is 401" "$code" 401
grep -qi '^WWW-Authenticate: Bearer' h.txt && ok "401 says WWW-Authenticate: Bearer" || not_ok "401 says WWW-Authenticate: Bearer" "$(cat h.txt)"
problem "401 is problem+json" 401
call x "rk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" GET /v1/customers
is "a wrong key is 401" "$code" 401
call x "not-a-key" GET /v1/customers
is "a foreign token is 401" "$code" 401
call x "$GONE" GET /v1/customers
is "a revoked key is 401" "$code" 401
contains "revoked said" body.json "revoked"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $ADMIN" "$B/v1/customers")
is "another scheme is 401" "$code" 401
call x "$VIEW" GET /v1/customers
is "a viewer reads" "$code" 200
call x "$VIEW" POST /v1/apikeys/2/revoke
is "a viewer cannot POST: 403" "$code" 403
problem "403 is problem+json" 403
call x "$OPER" GET /v1/apikeys
is "an operator cannot list keys: 403" "$code" 403
call x "$ADMIN" GET /v1/apikeys
is "an admin lists keys" "$code" 200
/usr/bin/python3 -c 'import json; d=json.load(open("body.json")); assert len(d["data"])==5 and d["next"] is None and d["data"][0]["last_used_at"]' \
    && ok "GET /v1/apikeys is the list, with last use" || not_ok "GET /v1/apikeys is the list, with last use" "$(cat body.json)"

# ---- errors ----
call x "$ADMIN" GET /v1/nothing
is "unknown route is 404" "$code" 404
problem "404 is problem+json" 404
call x "" GET /v1/nothing
is "unknown route without a key is 401" "$code" 401
call x "$ADMIN" DELETE /v1/customers
is "wrong method is 405" "$code" 405
grep -qi '^Allow: GET, HEAD' h.txt && ok "405 says Allow" || not_ok "405 says Allow" "$(cat h.txt)"
problem "405 is problem+json" 405
call x "$ADMIN" POST /v1/apikeys/2/revoke -H 'Content-Type: application/json' --data '{"a": '
is "malformed JSON is 400" "$code" 400
problem "400 is problem+json" 400
contains "400 says where" body.json "line 1"
call x "$ADMIN" POST /v1/apikeys/2/revoke --data '[1]'
is "a body that is not an object is 400" "$code" 400
call x "$ADMIN" POST /v1/apikeys/2/revoke --data '{"why": 1, "who": "x"}'
is "unknown fields are 422" "$code" 422
problem "422 is problem+json" 422
/usr/bin/python3 -c 'import json; e=json.load(open("body.json"))["errors"]; assert sorted(x["field"] for x in e)==["who","why"] and all(x["message"] for x in e), e' \
    && ok "422 names every bad field" || not_ok "422 names every bad field" "$(cat body.json)"
head -c 1100000 /dev/zero | tr '\0' ' ' >big.json
call x "$ADMIN" POST /v1/apikeys/2/revoke --data-binary @big.json
is "a body over the limit is 413" "$code" 413
problem "413 is problem+json" 413
call x "$ADMIN" POST /v1/apikeys/99/revoke
is "unknown id is 404" "$code" 404
call x "$ADMIN" GET "/v1/customers?limit=0"
is "limit 0 is 400" "$code" 400
contains "bad limit named" body.json '"field":"limit"'
call x "$ADMIN" GET "/v1/customers?limit=501"
is "limit 501 is 400" "$code" 400
call x "$ADMIN" GET "/v1/customers?after=bogus"
is "a bad cursor is 400" "$code" 400
contains "bad cursor named" body.json '"field":"after"'

# ---- Idempotency-Key ----
call x "$ADMIN" POST /v1/apikeys/2/revoke -H 'Idempotency-Key: rev-2'
is "revoke over the API" "$code" 200
cp body.json first.json
call x "$ADMIN" POST /v1/apikeys/2/revoke -H 'Idempotency-Key: rev-2'
is "the same request is replayed: 200" "$code" 200
cmp -s body.json first.json && ok "the replay is the first body" || not_ok "the replay is the first body" "$(cat body.json)"
grep -qi '^Idempotent-Replayed: true' h.txt && ok "the replay says so" || not_ok "the replay says so" "$(cat h.txt)"
call x "$ADMIN" POST /v1/apikeys/2/revoke -H 'Idempotency-Key: rev-2' --data '{}'
is "the same key with another body is 422" "$code" 422
problem "the mismatch is problem+json" 422
call x "$ADMIN" POST /v1/apikeys/2/revoke -H 'Idempotency-Key: rev-2b'
is "another key runs the request again (409: already revoked)" "$code" 409
call x "$VIEW" GET /v1/customers
is "the viewer key still reads" "$code" 200
call x "$OPER" GET /v1/customers
is "the operator key revoked over the API is 401" "$code" 401
call x "$ADMIN" POST /v1/apikeys/99/revoke -H 'Idempotency-Key: nf'
is "a 404 answer" "$code" 404
call x "$ADMIN" POST /v1/apikeys/99/revoke -H 'Idempotency-Key: nf'
is "a 404 answer is replayed too" "$code" 404
grep -qi '^Idempotent-Replayed: true' h.txt && ok "the 404 replay says so" || not_ok "the 404 replay says so" "$(cat h.txt)"
long=$(/usr/bin/python3 -c 'print("k"*256)')
call x "$ADMIN" POST /v1/apikeys/3/revoke -H "Idempotency-Key: $long"
is "an Idempotency-Key over 255 characters is 400" "$code" 400
contains "the bad header is named" body.json '"field":"Idempotency-Key"'
is "the viewer key was not revoked by it" "$(q 'SELECT revoked_at IS NULL FROM api_keys WHERE id = 3')" 1
SECOND=$(regua apikey create --role admin 2>/dev/null)
call x "$SECOND" POST /v1/apikeys/2/revoke -H 'Idempotency-Key: rev-2'
is "keys are per API key: another admin's rev-2 runs (409)" "$code" 409

# ---- pagination: 120 customers at 50, inserts between pages ----
call x "$VIEW" GET "/v1/customers?limit=50"
cp body.json p1.json
n1=$(/usr/bin/python3 -c 'import json; d=json.load(open("p1.json")); print(len(d["data"]), d["next"] is not None)')
is "page 1: 50 and a cursor" "$n1" "50 True"
printf 'external_id;name\nC500;Nova 1\nC501;Nova 2\n' >new.csv
regua import customers new.csv >/dev/null 2>&1
cur=$(/usr/bin/python3 -c 'import json; print(json.load(open("p1.json"))["next"])')
call x "$VIEW" GET "/v1/customers?limit=50&after=$cur"
cp body.json p2.json
printf 'external_id;name\nC000;Antes\n' >new2.csv
regua import customers new2.csv >/dev/null 2>&1
cur=$(/usr/bin/python3 -c 'import json; print(json.load(open("p2.json"))["next"])')
call x "$VIEW" GET "/v1/customers?limit=50&after=$cur"
cp body.json p3.json
/usr/bin/python3 - <<'PY' && ok "pages are stable under inserts: each customer once, in order, new ones at the end" || not_ok "pages are stable under inserts" "$(head -c 300 p3.json)"
import json
ids = []
for f in ("p1.json", "p2.json", "p3.json"):
    ids += [c["external_id"] for c in json.load(open(f))["data"]]
want = [f"C{i:03d}" for i in range(1, 121)] + ["C500", "C501", "C000"]
assert ids == want, ids[-6:]
assert json.load(open("p3.json"))["next"] is None
assert len(json.load(open("p2.json"))["data"]) == 50
PY
call x "$VIEW" GET "/v1/customers"
/usr/bin/python3 -c 'import json; d=json.load(open("body.json")); assert len(d["data"])==50' && ok "default limit is 50" || not_ok "default limit is 50" "$(head -c 200 body.json)"
call x "$VIEW" GET "/v1/customers?limit=500&search=Nova"
/usr/bin/python3 -c 'import json; d=json.load(open("body.json")); assert [c["external_id"] for c in d["data"]]==["C500","C501"] and d["next"] is None' \
    && ok "filters as customer list --search" || not_ok "filters as customer list --search" "$(head -c 300 body.json)"
regua customer list --json >cli.json
call x "$VIEW" GET "/v1/customers?limit=1"
/usr/bin/python3 -c 'import json; assert json.load(open("body.json"))["data"][0]==json.load(open("cli.json"))[0]' \
    && ok "the API's customer is the CLI's --json document" || not_ok "the API's customer is the CLI's --json document" "differs"

# ---- another process holds the write lock: reads answer, writes are 503 + Retry-After, not kept ----
SPARE=$(regua apikey create --role viewer --name spare 2>/dev/null)
spare_id=$(q "SELECT max(id) FROM api_keys")
hold_write_lock regua.db
call x "$SPARE" GET "/v1/customers?limit=1"
is "a read answers while the lock is held" "$code" 200
call x "$ADMIN" POST "/v1/apikeys/$spare_id/revoke" -H 'Idempotency-Key: busy-1'
is "a write is 503 while the lock is held" "$code" 503
grep -qi '^Retry-After: ' h.txt && ok "503 says Retry-After" || not_ok "503 says Retry-After" "$(cat h.txt)"
problem "503 is problem+json" 503
release_write_lock
call x "$ADMIN" POST "/v1/apikeys/$spare_id/revoke" -H 'Idempotency-Key: busy-1'
is "the retry with the same Idempotency-Key runs (a 503 is not kept)" "$code" 200
grep -qi '^Idempotent-Replayed' h.txt && not_ok "the retry is not a replay" "$(cat h.txt)" || ok "the retry is not a replay"
call x "$SPARE" GET /v1/customers
is "the spare key is revoked" "$code" 401

# ---- a restart keeps the Idempotency-Keys ----
kill -TERM $pid; wait $pid
start && ok "serve restarts" || not_ok "serve restarts" "$(tail -3 serve.log)"
call x "$ADMIN" POST /v1/apikeys/2/revoke -H 'Idempotency-Key: rev-2'
is "replayed after a restart" "$code" 200
cmp -s body.json first.json && ok "the same body after a restart" || not_ok "the same body after a restart" "$(cat body.json)"
grep -qi '^Idempotent-Replayed: true' h.txt && ok "replayed after a restart says so" || not_ok "replayed after a restart says so" "$(cat h.txt)"
kill -TERM $pid; wait $pid
