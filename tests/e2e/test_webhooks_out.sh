#!/bin/sh
# Outgoing webhooks end to end, with `regua serve` and a local receiver
# (tests/support/webhook_receiver.py) that verifies each signature as
# docs/api.md says: a payment (`regua pay`) is delivered once, signed; a
# receiver answering 500 gets it again, each attempt recorded; a delivery
# in flight when serve is killed -9 is delivered after the restart with the
# same id; `webhooks retry` re-queues a failed one; the secret is stored
# nowhere; a trigger's `webhook: NAME` action delivers its event; docs/api.md's
# Python and PHP receiver examples accept a real delivery and refuse it
# tampered; `regua dispatch` and `regua tick` deliver without serve.
. "$(dirname "$0")/lib.sh"
cd "$T"
cp -r "$REGUA_ROOT/templates" .
mkdir cad
cat >cad/t.yaml <<'YAML'
cadence: t
match: {}
fees: {interest_month_pct: 1.00}
steps:
  - {id: lembrete, at: D-3, send: {channels: [email], template: lembrete}}
triggers:
  - {id: avisar-bi, on: portal.visited, webhook: bi}
YAML
RPORT=$(free_port)
export ERP_SECRET=whsec-e2e-0123456789abcdef WEBHOOK_SECRET=whsec-e2e-0123456789abcdef
cat >regua.yaml <<YAML
database: regua.db
cadences: cad
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl}
  whatsapp: {driver: log, path: outbox/whatsapp.jsonl}
  sms: {driver: log, path: outbox/sms.jsonl}
  letter: {driver: log, path: outbox/letter.jsonl}
webhooks:
  - name: erp
    url: http://127.0.0.1:$RPORT/ganchos/regua
    secret_env: ERP_SECRET
    events: [payment.received]
    timeout_seconds: 1
  - {name: bi, url: "http://127.0.0.1:$RPORT/bi", secret_env: ERP_SECRET, events: [agreement.cancelled]}
YAML
cat >c.csv <<'CSV'
external_id,name,document,email
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br
C2,Bia Lima,529.982.247-25,bia@exemplo.com.br
C3,Caio Reis,529.982.247-25,caio@exemplo.com.br
C4,Davi Melo,529.982.247-25,davi@exemplo.com.br
CSV
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2027-01-20
F2,C2,100.00,2027-01-20
F3,C3,100.00,2027-01-20
F4,C4,100.00,2027-01-20
CSV
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null

RPID=
SPID=
receiver() {
    /usr/bin/python3 "$REGUA_ROOT/tests/support/webhook_receiver.py" "$RPORT" recv.log "$@" &
    RPID=$!
    wait_http "http://127.0.0.1:$RPORT/ready" || not_ok "the receiver starts" "no answer"
}
stop_receiver() { kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null; }
serve() {
    SPORT=$(free_port)
    "$REGUA_BIN" serve --listen 127.0.0.1:$SPORT --no-scheduler >>serve.log 2>&1 &
    SPID=$!
    wait_http "http://127.0.0.1:$SPORT/healthz" || not_ok "serve starts" "$(tail -5 serve.log)"
}
stop_serve() { kill -TERM "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
# until_true SECONDS CMD...: waits until CMD succeeds
until_true() {
    n=$(($1 * 10)); shift
    while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
    return 1
}
lines() { [ -f recv.log ] && [ "$(wc -l <recv.log)" -ge "$1" ]; }
status_of() { q "SELECT status FROM webhook_deliveries WHERE id = $1"; }
is_status() { [ "$(status_of "$1")" = "$2" ]; }

# 1. a payment: queued with the event, delivered once with a valid signature
expect_exit "pay records the payment" 0 regua pay F1 --amount 100 --reference R1
is "the payment queued one delivery" "$(q "SELECT count(*) FROM webhook_deliveries")" 1
regua webhooks deliveries --json >d.json
/usr/bin/python3 - <<'PY' && ok "the queued body" || not_ok "the queued body" "$(cat d.json)"
import json
d = json.load(open("d.json"))
assert len(d) == 1 and d[0]["status"] == "pending" and d[0]["webhook"] == "erp", d
b = d[0]["body"]
assert list(b) == ["id", "type", "occurred_at", "invoice", "customer", "data"], b
assert b["id"] == d[0]["event_id"] and b["type"] == "payment.received", b
assert b["invoice"] == "F1" and b["customer"] == "C1" and b["data"]["amount"] == "100.00", b
PY
receiver
serve
until_true 15 is_status 1 delivered && ok "delivered" || not_ok "delivered" "$(status_of 1); $(tail -3 serve.log)"
sleep 1.5
stop_serve
/usr/bin/python3 - <<'PY' && ok "received once, signed, as JSON" || not_ok "received once, signed, as JSON" "$(cat recv.log)"
import json
r = [json.loads(l) for l in open("recv.log")]
assert len(r) == 1, r
assert r[0]["signature_ok"], r[0]["why"]
assert r[0]["path"] == "/ganchos/regua" and r[0]["content_type"] == "application/json", r
assert r[0]["type"] == "payment.received" and r[0]["body"]["invoice"] == "F1", r
PY
# the receiver example of docs/api.md accepts it, and refuses it tampered or late
/usr/bin/python3 - "$REGUA_ROOT/docs/api.md" <<'PY' && ok "the documented Python check" || not_ok "the documented Python check" "see docs/api.md"
import base64, json, os, re, sys
doc = open(sys.argv[1], encoding="utf-8").read()
code = [b for b in re.findall(r"```python\n(.*?)```", doc, re.S) if "def regua_signature_ok" in b][0]
ns = {}
exec(code, ns)
check = ns["regua_signature_ok"]
r = json.loads(open("recv.log").readline())
raw, secret = base64.b64decode(r["raw"]), os.environ["ERP_SECRET"].encode()
assert check(r["signature"], raw, secret)
assert not check(r["signature"], raw + b" ", secret)
assert not check(r["signature"], raw, b"another-secret")
t = int(r["signature"].split(",")[0][2:])
import hmac, hashlib
late = t - 301
sig = "t=%d,v1=%s" % (late, hmac.new(secret, str(late).encode() + b"." + raw, hashlib.sha256).hexdigest())
assert not check(sig, raw, secret)
PY
regua webhooks deliveries >list.txt
contains "the list says delivered" list.txt "delivered 1 attempt; last: HTTP 200"
# and so does its PHP example, served by `php -S` (scripts/deps.sh installs
# php-cli: no php is a failure, not a skip): the delivery as received is
# accepted; its body tampered, another secret, or no header is 401
command -v php >/dev/null 2>&1 || not_ok "php is installed (scripts/deps.sh)" "no php on PATH"
/usr/bin/python3 - "$REGUA_ROOT/docs/api.md" <<'PY' || not_ok "docs/api.md has the PHP example" "no php block"
import base64, json, re, sys
doc = open(sys.argv[1], encoding="utf-8").read()
code = [b for b in re.findall(r"```php\n(.*?)```", doc, re.S) if "Regua-Signature" in doc and "hash_hmac" in b][0]
open("receiver.php", "w").write(code)
r = json.loads(open("recv.log").readline())
open("raw.json", "wb").write(base64.b64decode(r["raw"]))
open("raw-tampered.json", "wb").write(base64.b64decode(r["raw"]).replace(b'"100.00"', b'"1.00"'))
open("sig.txt", "w").write(r["signature"])
PY
PHPPORT=$(free_port)
ERP_WEBHOOK_SECRET=$ERP_SECRET php -S 127.0.0.1:$PHPPORT receiver.php >php.log 2>&1 &
PHPPID=$!
until_true 10 curl -s -o /dev/null "http://127.0.0.1:$PHPPORT/" || not_ok "php -S starts" "$(cat php.log)"
php_post() { # BODY_FILE [SIGNATURE]: the HTTP status the PHP receiver answers
    curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' ${2:+-H "Regua-Signature: $2"} \
        --data-binary "@$1" "http://127.0.0.1:$PHPPORT/ganchos/regua"
}
is "the PHP example accepts the signed delivery" "$(php_post raw.json "$(cat sig.txt)")" 200
is "the PHP example refuses it tampered" "$(php_post raw-tampered.json "$(cat sig.txt)")" 401
is "the PHP example refuses it without the header" "$(php_post raw.json)" 401
t=$(sed 's/^t=\([0-9]*\),.*/\1/' sig.txt)
late=$((t - 301))
latesig="t=$late,v1=$(/usr/bin/python3 -c 'import hmac,hashlib,os,sys; print(hmac.new(os.environ["ERP_SECRET"].encode(), sys.argv[1].encode() + b"." + open("raw.json","rb").read(), hashlib.sha256).hexdigest())' "$late")"
is "the PHP example refuses a t older than 5 minutes" "$(php_post raw.json "$latesig")" 401
kill "$PHPPID" 2>/dev/null; wait "$PHPPID" 2>/dev/null
ERP_WEBHOOK_SECRET=another-secret php -S 127.0.0.1:$PHPPORT receiver.php >>php.log 2>&1 &
PHPPID=$!
until_true 10 curl -s -o /dev/null "http://127.0.0.1:$PHPPORT/" || not_ok "php -S starts again" "$(cat php.log)"
is "the PHP example refuses it under another secret" "$(php_post raw.json "$(cat sig.txt)")" 401
kill "$PHPPID" 2>/dev/null; wait "$PHPPID" 2>/dev/null
stop_receiver

# 2. the receiver answers 500 first: the attempt is recorded, retried after
# the backoff (1 minute; moved up here), delivered with the same id
rm -f recv.log
receiver --status 500,200
serve
regua pay F2 --amount 100 --reference R2 >/dev/null
until_true 15 lines 1 && until_true 10 is_status 2 pending
a=$(q "SELECT attempts || ' ' || last_status || ' ' || (next_attempt_at - updated_at) FROM webhook_deliveries WHERE id = 2")
is "500: one attempt recorded, the next in 60 s" "$a" "1 500 60"
is "the attempt keeps the answer" "$(q "SELECT http_status || ' ' || error FROM webhook_attempts WHERE delivery_id = 2")" \
    "500 HTTP 500: receiver says no"
/usr/bin/python3 -c 'import sqlite3; c=sqlite3.connect("regua.db"); c.execute("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE id = 2"); c.commit()'
until_true 15 is_status 2 delivered && ok "retried and delivered" || not_ok "retried and delivered" "$(status_of 2)"
stop_serve
is "two attempts recorded" "$(q "SELECT count(*) FROM webhook_attempts WHERE delivery_id = 2")" 2
/usr/bin/python3 - <<'PY' && ok "the retry carries the same id, signed" || not_ok "the retry carries the same id, signed" "$(cat recv.log)"
import json
r = [json.loads(l) for l in open("recv.log")]
assert len(r) == 2 and r[0]["id"] == r[1]["id"] and all(x["signature_ok"] for x in r), r
PY
stop_receiver

# 3. serve killed -9 while the receiver holds the answer: after the
# restart the lease runs out and the delivery goes again, same id
rm -f recv.log release
receiver --hold release
serve
regua pay F3 --amount 100 --reference R3 >/dev/null
until_true 15 lines 1 || not_ok "the delivery is in flight" "$(cat serve.log | tail -3)"
is "in flight: sending" "$(status_of 3)" sending
kill -9 "$SPID"; wait "$SPID" 2>/dev/null
touch release
is "after kill -9: still sending" "$(status_of 3)" sending
serve
until_true 20 is_status 3 delivered && ok "delivered after the restart" || not_ok "delivered after the restart" "$(status_of 3)"
stop_serve
/usr/bin/python3 - <<'PY' && ok "sent again with the same id" || not_ok "sent again with the same id" "$(cat recv.log)"
import json
r = [json.loads(l) for l in open("recv.log")]
assert len(r) == 2 and r[0]["id"] == r[1]["id"] and all(x["signature_ok"] for x in r), r
PY
is "the lost attempt is recorded" \
    "$(q "SELECT count(*) FROM webhook_attempts WHERE delivery_id = 3 AND http_status IS NULL AND error LIKE 'no answer recorded%'")" 1
stop_receiver

# 4. failed for good, then re-queued by hand
/usr/bin/python3 -c 'import sqlite3; c=sqlite3.connect("regua.db"); c.execute("UPDATE webhook_deliveries SET status = '"'failed'"' WHERE id = 1"); c.commit()'
regua webhooks deliveries --status failed --json >failed.json
is "--status failed lists it" "$(/usr/bin/python3 -c 'import json; print([d["id"] for d in json.load(open("failed.json"))])')" "[1]"
expect_exit "retry re-queues a failed delivery" 0 regua webhooks retry 1 --json
contains "retry --json prints the delivery" out '"status": "pending"'
is "pending again" "$(status_of 1)" pending
expect_exit "retry refuses a delivery that is not failed" 1 regua webhooks retry 2
contains "and says why" err "is delivered, not failed"
expect_exit "retry of an unknown delivery" 1 regua webhooks retry 99
expect_exit "a bad --status" 1 regua webhooks deliveries --status sent
contains "names the option" err "--status: 'sent' is not a delivery status"
expect_exit "retry needs an id" 2 regua webhooks retry

# the secret is in no table and no log
if grep -q "$ERP_SECRET" regua.db serve.log; then not_ok "the secret is stored nowhere" "found"; else ok "the secret is stored nowhere"; fi

# 5. a trigger's `webhook: bi` action: the event that started it goes to bi
# (which does not list that type itself), signed, once
expect_exit "portal.visited starts the trigger's timer" 0 regua event portal.visited --customer C4
is "nothing queued before the trigger fires" "$(q "SELECT count(*) FROM webhook_deliveries WHERE webhook = 'bi'")" 0
expect_exit "the tick fires the trigger" 0 regua tick --no-dispatch
is "the timer says what it did" "$(q "SELECT reason FROM trigger_timers WHERE trigger_id = 'avisar-bi'")" \
    "fired: webhook bi queued"
is "one delivery for bi" "$(q "SELECT count(*) || ' ' || event_type FROM webhook_deliveries WHERE webhook = 'bi'")" \
    "1 portal.visited"
rm -f recv.log
receiver
serve
# the delivery re-queued by `retry` above goes too
until_true 15 lines 2 && ok "the trigger's event reached the receiver" || not_ok "the trigger's event reached the receiver" "$(tail -3 serve.log)"
stop_serve
stop_receiver
/usr/bin/python3 - <<'PY' && ok "bi got portal.visited, signed" || not_ok "bi got portal.visited, signed" "$(cat recv.log)"
import json, sqlite3
r = [json.loads(l) for l in open("recv.log")]
retried = [x for x in r if x["path"] == "/ganchos/regua"]
assert len(retried) == 1 and retried[0]["body"]["invoice"] == "F1", r  # `webhooks retry 1` sent it again
r = [x for x in r if x["path"] == "/bi"]
ev = sqlite3.connect("regua.db").execute("SELECT id FROM events WHERE type = 'portal.visited'").fetchone()[0]
assert len(r) == 1 and r[0]["path"] == "/bi" and r[0]["signature_ok"], r
b = r[0]["body"]
assert b["id"] == ev and b["type"] == "portal.visited" and b["customer"] == "C4" and b["invoice"] is None, b
PY
# a trigger naming a webhook that is not configured is a lint error
printf 'cadence: u\nmatch: {}\nfees: {interest_month_pct: 1.00}\ntriggers:\n  - {id: x, on: optout, webhook: crm}\n' >u.yaml
expect_exit "lint refuses an unknown webhook name" 1 regua cadence lint u.yaml
contains "naming the rule and the name" out "unknown-webhook"

# 6. serve started without a webhook's secret: it warns, /healthz says so,
# and nothing is sent (the attempt says why)
rm -f recv.log
receiver
SPORT=$(free_port)
env -u ERP_SECRET "$REGUA_BIN" serve --listen 127.0.0.1:$SPORT --no-scheduler >nosecret.log 2>&1 &
SPID=$!
wait_http "http://127.0.0.1:$SPORT/healthz" || not_ok "serve starts without the secret" "$(tail -3 nosecret.log)"
curl -s "http://127.0.0.1:$SPORT/healthz" >h.json
regua pay F4 --amount 100 --reference R4 >/dev/null
d=$(q "SELECT max(id) FROM webhook_deliveries WHERE webhook = 'erp'")
not_set() { [ "$(q "SELECT count(*) FROM webhook_attempts WHERE delivery_id = $d AND error LIKE '%ERP_SECRET (secret_env) is not set%'")" = 1 ]; }
until_true 15 not_set && ok "the attempt says the secret is not set" || not_ok "the attempt says the secret is not set" "$(status_of "$d")"
stop_serve
stop_receiver
contains "serve warns" nosecret.log "webhook erp: the variable ERP_SECRET (secret_env) is not set"
/usr/bin/python3 -c 'import json; h=json.load(open("h.json")); assert h["status"]=="degraded" and any(r["component"]=="webhook:erp" for r in h["reasons"]), h' \
    && ok "healthz names the webhook" || not_ok "healthz names the webhook" "$(cat h.json)"
[ ! -s recv.log ] && ok "nothing was sent without the secret" || not_ok "nothing was sent without the secret" "$(cat recv.log)"
is "it waits to be retried" "$(status_of "$d")" pending

# 7. without serve (cron): `regua dispatch` sends the due deliveries, signed,
# retried with the same backoff; `regua tick` too (not with --no-dispatch)
due_now() { /usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect("regua.db"); c.execute("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE id = ?", (int(sys.argv[1]),)); c.commit()' "$1"; }
rm -f recv.log
receiver --status 500,200
expect_exit "dispatch without the secret" 0 env -u ERP_SECRET "$REGUA_BIN" dispatch
contains "dispatch warns about the secret" err "webhook erp: the variable ERP_SECRET (secret_env) is not set"
[ ! -s recv.log ] && ok "dispatch sends nothing without the secret" || not_ok "dispatch sends nothing without the secret" "$(cat recv.log)"
due_now "$d"
expect_exit "dispatch --json" 0 regua dispatch --json
/usr/bin/python3 -c 'import json,sys; j=json.load(open("out")); w=j["webhooks"]; assert (w["claimed"], w["retrying"], w["delivered"]) == (1, 1, 0), j' \
    && ok "dispatch --json counts the webhook attempt" || not_ok "dispatch --json counts the webhook attempt" "$(cat out)"
# (its second failure: the first was the attempt without the secret, above)
is "the receiver's 500 is recorded, the next attempt in 5 min" \
    "$(q "SELECT status || ' ' || last_status || ' ' || (next_attempt_at - updated_at) FROM webhook_deliveries WHERE id = $d")" \
    "pending 500 300"
expect_exit "dispatch before the backoff" 0 regua dispatch
contains "sends nothing yet" out "webhooks: 0 delivered, 0 to retry, 0 failed"
due_now "$d"
expect_exit "dispatch again" 0 regua dispatch
contains "dispatch says it delivered" out "webhooks: 1 delivered, 0 to retry, 0 failed"
is "delivered by dispatch" "$(status_of "$d")" delivered
printf 'external_id,customer_external_id,amount,due_date\nF5,C1,100.00,2027-01-20\n' >f5.csv
regua import invoices f5.csv >/dev/null
regua pay F5 --amount 100 --reference R5 >/dev/null
d5=$(q "SELECT max(id) FROM webhook_deliveries WHERE webhook = 'erp'")
expect_exit "tick --no-dispatch" 0 regua tick --no-dispatch
is "tick --no-dispatch leaves it" "$(status_of "$d5")" pending
expect_exit "tick --json" 0 regua tick --json
/usr/bin/python3 -c 'import json; j=json.load(open("out")); assert j["webhooks"]["delivered"] == 1, j' \
    && ok "tick delivers it" || not_ok "tick delivers it" "$(cat out)"
is "delivered by tick" "$(status_of "$d5")" delivered
stop_receiver
/usr/bin/python3 - <<'PY' && ok "dispatch and tick sent them signed, once each after the 500" || not_ok "dispatch and tick sent them signed, once each after the 500" "$(cat recv.log)"
import json
r = [json.loads(l) for l in open("recv.log")]
assert len(r) == 3 and r[0]["id"] == r[1]["id"] and r[2]["body"]["invoice"] == "F5", r
assert all(x["signature_ok"] for x in r), r
PY

# 8. the deliveries over the API: GET /v1/webhooks/deliveries (viewer;
# newest first; the list's ?limit/?after pages, ?status as --status) and
# POST /v1/webhooks/deliveries/{id}/retry (admin), the CLI's documents
ADMIN=$(regua apikey create --role admin 2>/dev/null)
OPER=$(regua apikey create --role operator 2>/dev/null)
VIEW=$(regua apikey create --role viewer 2>/dev/null)
SPORT=$(free_port)
"$REGUA_BIN" serve --listen 127.0.0.1:$SPORT --no-scheduler --no-dispatch >>serve.log 2>&1 &
SPID=$!
wait_http "http://127.0.0.1:$SPORT/healthz" || not_ok "serve starts" "$(tail -5 serve.log)"
B=http://127.0.0.1:$SPORT
api() { k=$1; shift; curl -s -o api.json -w '%{http_code}' -H "Authorization: Bearer $k" "$@"; }
regua webhooks deliveries --json >cli.json
n=$(/usr/bin/python3 -c 'import json; print(len(json.load(open("cli.json"))))')
is "GET ?limit=4 (viewer)" "$(api "$VIEW" "$B/v1/webhooks/deliveries?limit=4")" 200
cp api.json p1.json
next=$(/usr/bin/python3 -c 'import json; print(json.load(open("p1.json"))["next"])')
is "the next page" "$(api "$VIEW" "$B/v1/webhooks/deliveries?limit=4&after=$next")" 200
cp api.json p2.json
/usr/bin/python3 - "$n" <<'PY' && ok "the pages are the CLI's list, newest first, in order" || not_ok "the pages are the CLI's list, newest first, in order" "$(cat p1.json p2.json)"
import json, sys
p1, p2, cli = (json.load(open(f)) for f in ("p1.json", "p2.json", "cli.json"))
n = int(sys.argv[1])
assert n > 4 and len(p1["data"]) == 4 and p1["next"] and p2["next"] is None, (p1, p2)
assert p1["data"] + p2["data"] == cli, (p1, p2, cli)
ids = [d["id"] for d in cli]
assert ids == sorted(ids, reverse=True), ids
PY
/usr/bin/python3 -c 'import sqlite3; c=sqlite3.connect("regua.db"); c.execute("UPDATE webhook_deliveries SET status = '"'failed'"' WHERE id = 2"); c.commit()'
is "GET ?status=failed" "$(api "$VIEW" "$B/v1/webhooks/deliveries?status=failed")" 200
/usr/bin/python3 -c 'import json; j=json.load(open("api.json")); assert [d["id"] for d in j["data"]] == [2] and j["data"][0]["status"] == "failed", j' \
    && ok "only the failed one" || not_ok "only the failed one" "$(cat api.json)"
is "GET ?status=sent is 400" "$(api "$VIEW" "$B/v1/webhooks/deliveries?status=sent")" 400
contains "naming status" api.json '"field":"status"'
is "GET ?limit=0 is 400" "$(api "$VIEW" "$B/v1/webhooks/deliveries?limit=0")" 400
is "retry as operator is 403" "$(api "$OPER" -X POST "$B/v1/webhooks/deliveries/2/retry")" 403
is "retry as admin" "$(api "$ADMIN" -X POST "$B/v1/webhooks/deliveries/2/retry")" 200
/usr/bin/python3 -c 'import json; j=json.load(open("api.json")); assert j["id"] == 2 and j["status"] == "pending" and j["attempt_log"], j' \
    && ok "answers the delivery, pending again" || not_ok "answers the delivery, pending again" "$(cat api.json)"
is "pending in the store" "$(status_of 2)" pending
is "retry of a delivery that is not failed is 409" "$(api "$ADMIN" -X POST "$B/v1/webhooks/deliveries/2/retry")" 409
contains "saying why" api.json "is pending, not failed"
is "retry of an unknown delivery is 404" "$(api "$ADMIN" -X POST "$B/v1/webhooks/deliveries/99/retry")" 404
is "retry of a non-number is 404" "$(api "$ADMIN" -X POST "$B/v1/webhooks/deliveries/abc/retry")" 404
is "retry with a body field is 422" "$(api "$ADMIN" -X POST -H 'Content-Type: application/json' -d '{"x": 1}' "$B/v1/webhooks/deliveries/3/retry")" 422
stop_serve
