#!/bin/sh
# The REST API's operator writes (docs/api.md, Routes): POST /v1/events,
# POST /v1/payments (idempotent by invoice + reference, and by
# Idempotency-Key), GET /v1/tasks, POST /v1/tasks/{id}/claim|done — each the
# document the CLI prints with --json, every bad field named (422), unknown
# ids 404, a viewer refused (403).
. "$(dirname "$0")/lib.sh"
cd "$T"

mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl}
  task: {driver: task, assignee: fila}
YAML
cat >cadences/teste.yaml <<'YAML'
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: revisar, at: D+1, send: {channels: [task], template: revisar}}
  - {id: ligar, at: D+2, action: task, task: {kind: call}}
YAML
cat >templates/revisar.task <<'TXT'
Ligar para {{customer.name}}: {{invoice.external_id}} de {{invoice.amount}}.
{{company.name}} (CNPJ {{company.cnpj}})
TXT
cat >clientes.csv <<'CSV'
external_id,name,document,phone
C1,Maria José da Conceição,529.982.247-25,(11) 98765-4321
C2,João Souza,111.444.777-35,(11) 91234-5678
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade,"150,00",2026-12-07
F2,C2,Mensalidade,"200,00",2026-12-20
CSV
export REGUA_NOW=2026-12-01T12:00:00Z
regua import customers clientes.csv >/dev/null
regua import invoices faturas.csv >/dev/null
expect_exit "tick D+1" 0 regua tick --at 2026-12-08T12:00:00Z
expect_exit "tick D+2" 0 regua tick --at 2026-12-09T12:00:00Z
is "two open tasks" "$(q "SELECT count(*) FROM tasks WHERE status = 'open'")" 2
OPER=$(regua apikey create --role operator --name erp 2>/dev/null)
VIEW=$(regua apikey create --role viewer 2>/dev/null)
[ -n "$OPER" ] && [ -n "$VIEW" ] && ok "keys created" || not_ok "keys created" "$OPER $VIEW"

export REGUA_NOW=2026-12-09T13:00:00Z
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"

# call KEY METHOD PATH [curl args...]: status in $code, body in body.json, headers in h.txt
call() {
    k=$1; m=$2; p=$3; shift 3
    if [ -n "$k" ]; then
        code=$(curl -s -D h.txt -o body.json -w '%{http_code}' -X "$m" -H "Authorization: Bearer $k" "$@" "$B$p")
    else
        code=$(curl -s -D h.txt -o body.json -w '%{http_code}' -X "$m" "$@" "$B$p")
    fi
}
post() { # post KEY PATH JSON [curl args...]
    k=$1; p=$2; d=$3; shift 3
    call "$k" POST "$p" -H 'Content-Type: application/json' --data "$d" "$@"
}
# fields NAME F1,F2,...: body.json is a 422 problem whose errors name exactly those fields
fields() {
    /usr/bin/python3 - "$2" <<'PY' && ok "$1" || not_ok "$1" "$code $(cat body.json)"
import json, sys
o = json.load(open("body.json"))
assert o["status"] == 422 and o["type"] == "urn:regua:problem:invalid", o
got = sorted(e["field"] for e in o["errors"])
want = sorted(sys.argv[1].split(","))
assert got == want, (got, want)
assert all(e["message"] for e in o["errors"]), o
PY
}
# same_keys NAME FILE: body.json has the same keys as the CLI's --json in FILE
same_keys() {
    /usr/bin/python3 - "$2" <<'PY' && ok "$1" || not_ok "$1" "$(cat body.json) vs $(cat "$2")"
import json, sys
a, b = json.load(open("body.json")), json.load(open(sys.argv[1]))
assert sorted(a) == sorted(b), (sorted(a), sorted(b))
PY
}

# ---- POST /v1/events ----
post "$OPER" /v1/events '{"type": "portal.visited", "invoice": "F1", "occurred_at": "2026-12-09T09:00:00-03:00", "data": {"page": "boleto"}}'
is "an event is 201" "$code" 201
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert o["type"]=="portal.visited" and isinstance(o["event_id"], int) and o["timers_started"]==0, o' \
    && ok "the event's answer" || not_ok "the event's answer" "$(cat body.json)"
is "stored with source api, at occurred_at" \
    "$(q "SELECT source || ' ' || at || ' ' || payload FROM events WHERE type = 'portal.visited'")" \
    "api $(/usr/bin/python3 -c 'import datetime; print(int(datetime.datetime(2026,12,9,12,0,tzinfo=datetime.timezone.utc).timestamp()))') {\"page\":\"boleto\"}"
regua event portal.visited --invoice F1 --json >cli_event.json
same_keys "the event's answer is regua event --json's document" cli_event.json
call "$OPER" POST /v1/events --data '{"type": "portal.visited", "customer": "C2"}' # curl's form type: the body is JSON all the same
is "a customer's event is 201" "$code" 201
is "occurred_at defaults to now" "$(q "SELECT at FROM events WHERE type = 'portal.visited' AND source = 'api' ORDER BY id DESC LIMIT 1")" \
    "$(/usr/bin/python3 -c 'import datetime; print(int(datetime.datetime(2026,12,9,13,0,tzinfo=datetime.timezone.utc).timestamp()))')"
post "$OPER" /v1/events '{"type": 5, "invoice": 7, "occurred_at": "ontem", "data": [1], "color": "red"}'
is "bad fields are 422" "$code" 422
fields "every bad field of an event named" type,invoice,occurred_at,data,color
post "$OPER" /v1/events '{}'
fields "an empty event names type and invoice" type,invoice
post "$OPER" /v1/events '{"type": "portal.visited", "invoice": "F1", "customer": "C1"}'
fields "invoice and customer both is refused" invoice
post "$OPER" /v1/events '{"type": "no.such", "invoice": "F1"}'
fields "an unknown type is named" type
post "$OPER" /v1/events '{"type": "promise.made", "invoice": "F1", "data": {"date": "2020-01-01"}}'
is "a service refusal is 422" "$code" 422
grep -q '"field":"data.date"' body.json && ok "the service's field is named" || not_ok "the service's field is named" "$(cat body.json)"
post "$OPER" /v1/events '{"type": "portal.visited", "invoice": "F9"}'
is "an unknown invoice is 404" "$code" 404
post "$OPER" /v1/events '{"type": "portal.visited", "customer": "C9"}'
is "an unknown customer is 404" "$code" 404
post "$VIEW" /v1/events '{"type": "portal.visited", "invoice": "F1"}'
is "a viewer cannot post events: 403" "$code" 403
post "" /v1/events '{"type": "portal.visited", "invoice": "F1"}'
is "no key: 401" "$code" 401
is "refused events stored nothing" "$(q "SELECT count(*) FROM events WHERE source = 'api'")" 2

# ---- POST /v1/payments ----
post "$OPER" /v1/payments '{"invoice": "F2", "amount": "50,00", "paid_at": "2026-12-09", "method": "pix", "reference": "PIX-1"}'
is "a payment is 201" "$code" 201
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert o["recorded"] is True and o["amount_cents"]==5000 and o["balance_cents"]==15000 and o["status"]=="open" and o["reference"]=="PIX-1", o' \
    && ok "the payment's answer" || not_ok "the payment's answer" "$(cat body.json)"
is "stored with source api" "$(q "SELECT source || ' ' || method || ' ' || amount FROM payments WHERE reference = 'PIX-1'")" "api pix 5000"
regua pay F1 --amount 1 --reference CLI-1 --json >cli_pay.json
same_keys "the payment's answer is regua pay --json's document" cli_pay.json
post "$OPER" /v1/payments '{"invoice": "F2", "amount": "50,00", "reference": "PIX-1"}'
is "the same invoice and reference again is 200" "$code" 200
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert o["recorded"] is False and o["balance_cents"]==15000, o' \
    && ok "... not recorded again" || not_ok "... not recorded again" "$(cat body.json)"
is "one payment PIX-1" "$(q "SELECT count(*) FROM payments WHERE reference = 'PIX-1'")" 1
# an Idempotency-Key replays the first answer (201 recorded), and records one payment
post "$OPER" /v1/payments '{"invoice": "F2", "amount": "10,00", "reference": "PIX-2"}' -H 'Idempotency-Key: pay-2'
is "keyed payment is 201" "$code" 201
cp body.json first.json
post "$OPER" /v1/payments '{"invoice": "F2", "amount": "10,00", "reference": "PIX-2"}' -H 'Idempotency-Key: pay-2'
is "the replay is 201 too" "$code" 201
cmp -s body.json first.json && ok "the replay is the first answer" || not_ok "the replay is the first answer" "$(cat body.json)"
grep -qi '^Idempotent-Replayed: true' h.txt && ok "the replay says so" || not_ok "the replay says so" "$(cat h.txt)"
is "one payment PIX-2" "$(q "SELECT count(*) FROM payments WHERE reference = 'PIX-2'")" 1
post "$OPER" /v1/payments '{"invoice": "F2", "amount": "11,00", "reference": "PIX-2"}' -H 'Idempotency-Key: pay-2'
is "the key with another body is 422" "$code" 422
post "$OPER" /v1/payments '{"amount": "-3", "paid_at": "ontem", "method": 5, "tip": "1"}'
fields "every bad field of a payment named" invoice,amount,paid_at,method,tip
post "$OPER" /v1/payments '{"invoice": "F2", "amount": "0"}'
fields "a zero amount is refused" amount
post "$OPER" /v1/payments "{\"invoice\": \"F2\", \"amount\": \"1\", \"reference\": \"$(printf 'r%.0s' $(seq 1 200))\"}"
fields "a reference too long is named" reference
post "$OPER" /v1/payments '{"invoice": "F9", "amount": "10"}'
is "an unknown invoice is 404" "$code" 404
post "$VIEW" /v1/payments '{"invoice": "F2", "amount": "10"}'
is "a viewer cannot post payments: 403" "$code" 403
is "refused payments stored nothing" "$(q "SELECT count(*) FROM payments")" 3

# ---- tasks ----
call "$VIEW" GET /v1/tasks
is "a viewer lists tasks" "$code" 200
regua task list --json >cli_tasks.json
/usr/bin/python3 - <<'PY' && ok "GET /v1/tasks is task list --json's items, by id" || not_ok "GET /v1/tasks is task list --json's items, by id" "$(cat body.json)"
import json
o, cli = json.load(open("body.json")), json.load(open("cli_tasks.json"))
assert o["next"] is None and len(o["data"]) == 2, o
assert sorted(o["data"], key=lambda t: t["id"]) == o["data"]
assert sorted(cli, key=lambda t: t["id"]) == o["data"]
PY
CALL=$(/usr/bin/python3 -c 'import json; print([t["id"] for t in json.load(open("body.json"))["data"] if t["kind"] == "call"][0])')
MSG=$(/usr/bin/python3 -c 'import json; print([t["id"] for t in json.load(open("body.json"))["data"] if t["kind"] == "message"][0])')
call "$VIEW" GET "/v1/tasks?limit=1"
NEXT=$(/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert len(o["data"])==1; print(o["next"])')
call "$VIEW" GET "/v1/tasks?limit=1&after=$NEXT"
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert len(o["data"])==1 and o["next"] is None, o' \
    && ok "tasks page with limit and after" || not_ok "tasks page with limit and after" "$(cat body.json)"
call "$VIEW" GET "/v1/tasks?all=maybe"
is "a bad all is 400" "$code" 400
grep -q '"field":"all"' body.json && ok "... naming all" || not_ok "... naming all" "$(cat body.json)"

post "$VIEW" "/v1/tasks/$CALL/claim" '{"assignee": "ana"}'
is "a viewer cannot claim: 403" "$code" 403
post "$OPER" "/v1/tasks/$CALL/claim" '{"who": "ana"}'
fields "claim names assignee and the unknown field" assignee,who
post "$OPER" "/v1/tasks/$CALL/claim" '{"assignee": "a\tb"}'
fields "a bad assignee is named assignee" assignee
post "$OPER" /v1/tasks/999/claim '{"assignee": "ana"}'
is "an unknown task is 404" "$code" 404
post "$OPER" /v1/tasks/abc/claim '{"assignee": "ana"}'
is "a task id that is not a number is 404" "$code" 404
post "$OPER" "/v1/tasks/$CALL/claim" '{"assignee": "ana"}'
is "claim is 200" "$code" 200
regua task claim "$CALL" --as ana --json >cli_claim.json
/usr/bin/python3 - <<'PY' && ok "claim answers task claim --json's document" || not_ok "claim answers task claim --json's document" "$(cat body.json)"
import json
a, b = json.load(open("body.json")), json.load(open("cli_claim.json"))
assert a["status"] == "claimed" and a["assignee"] == "ana", a
assert a == b, (a, b)
PY
post "$OPER" "/v1/tasks/$CALL/claim" '{"assignee": "bia"}'
is "claimed by someone else is 409" "$code" 409
grep -q "already claimed by ana" body.json && ok "... saying by whom" || not_ok "... saying by whom" "$(cat body.json)"

post "$OPER" "/v1/tasks/$CALL/done" '{"promise_date": "amanhã", "promise_amount": "x", "mood": 1}'
fields "done names every bad field" outcome,promise_date,promise_amount,mood
post "$OPER" "/v1/tasks/$CALL/done" '{"outcome": "promised", "promise_amount": "10"}'
fields "promise_amount without promise_date" promise_amount
post "$OPER" "/v1/tasks/$CALL/done" '{"outcome": "Promised!"}'
fields "a bad outcome is named" outcome
post "$OPER" "/v1/tasks/$CALL/done" '{"outcome": "promised", "promise_date": "2026-12-01"}'
fields "a promise in the past is named" promise_date
post "$OPER" "/v1/tasks/$CALL/done" '{"outcome": "promised", "promise_date": "2026-12-15", "promise_amount": "200,00"}'
fields "a promise above the balance is named" promise_amount
is "refusals left the task claimed" "$(q "SELECT status FROM tasks WHERE id = $CALL")" claimed
post "$VIEW" "/v1/tasks/$CALL/done" '{"outcome": "promised"}'
is "a viewer cannot close a task: 403" "$code" 403
post "$OPER" /v1/tasks/999/done '{"outcome": "paid"}'
is "done of an unknown task is 404" "$code" 404
post "$OPER" "/v1/tasks/$CALL/done" '{"outcome": "promised", "note": "paga na terça via Pix", "promise_date": "15/12/2026", "promise_amount": "100,00"}'
is "done is 200" "$code" 200
/usr/bin/python3 - <<'PY' && ok "done answers task, promise and event" || not_ok "done answers task, promise and event" "$(cat body.json)"
import json
o = json.load(open("body.json"))
assert sorted(o) == ["event_id", "promise", "task"], o
t, p = o["task"], o["promise"]
assert t["status"] == "done" and t["outcome"] == "promised" and t["note"] == "paga na terça via Pix" and t["assignee"] == "ana", t
assert p["promised_date"] == "2026-12-15" and p["amount"] == "100.00" and p["status"] == "pending", p
assert isinstance(o["event_id"], int)
PY
is "the promise.made event's source is api" "$(q "SELECT source FROM events WHERE type = 'promise.made'")" api
post "$OPER" "/v1/tasks/$CALL/done" '{"outcome": "paid"}'
is "done twice is 409" "$code" 409
post "$OPER" "/v1/tasks/$MSG/done" '{"outcome": "no_answer", "assignee": "bia"}'
is "an open task is closed at once" "$code" 200
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert o["promise"] is None and o["event_id"] is None and o["task"]["assignee"]=="bia", o' \
    && ok "... without a promise" || not_ok "... without a promise" "$(cat body.json)"
call "$VIEW" GET /v1/tasks
/usr/bin/python3 -c 'import json; assert json.load(open("body.json"))["data"] == []' \
    && ok "done tasks leave the list" || not_ok "done tasks leave the list" "$(cat body.json)"
call "$VIEW" GET "/v1/tasks?all=true"
/usr/bin/python3 -c 'import json; assert [t["status"] for t in json.load(open("body.json"))["data"]] == ["done", "done"]' \
    && ok "?all=true lists done tasks" || not_ok "?all=true lists done tasks" "$(cat body.json)"

kill $pid 2>/dev/null
wait $pid 2>/dev/null
grep -q "ERROR" serve.log && not_ok "no error logged" "$(grep ERROR serve.log)" || ok "no error logged"
