#!/bin/sh
# The REST API's operator writes (docs/api.md, Routes): POST /v1/events,
# POST /v1/payments (idempotent by invoice + reference, and by
# Idempotency-Key), GET /v1/tasks, POST /v1/tasks/{id}/claim|done,
# GET/POST /v1/promises and opt-outs (regua optout list|add|remove, GET/POST/DELETE /v1/optouts) — each the
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
long=$(/usr/bin/python3 -c 'print("x" * 512)')
post "$OPER" "/v1/tasks/$CALL/done" '{"outcome": "Promised!", "note": "'$long'", "assignee": "a\u0001b", "promise_date": "2026-12-01", "promise_amount": "0"}'
fields "done names every field the service refuses, at once" outcome,note,assignee,promise_date,promise_amount
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

# ---- promises ----
call "$VIEW" GET /v1/promises
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); d=o["data"]; assert len(d)==1 and d[0]["customer"]=="C1" and d[0]["invoice"]=="F1" and d[0]["amount"]=="100.00" and d[0]["status"]=="pending" and o["next"] is None, o' \
    && ok "GET /v1/promises lists the task's promise" || not_ok "GET /v1/promises lists the task's promise" "$(cat body.json)"
post "$OPER" /v1/promises '{"invoice": "F2", "date": "2026-12-20", "amount": "50,00"}'
is "POST /v1/promises is 201" "$code" 201
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert o["type"]=="promise.made" and o["promise_id"] and o["event_id"], o' \
    && ok "its answer names the promise and the event" || not_ok "its answer names the promise and the event" "$(cat body.json)"
regua event promise.made --invoice F2 --data '{"date": "2026-12-21"}' --json >cli_promise.json
same_keys "it is regua event promise.made --json's document" cli_promise.json
call "$VIEW" GET "/v1/promises?invoice=F2"
/usr/bin/python3 -c 'import json; d=json.load(open("body.json"))["data"]; assert [(p["promised_date"], p["amount"], p["source"]) for p in d]==[("2026-12-20","50.00","api"),("2026-12-21","140.00","cli")], d' \
    && ok "?invoice filters; the amount defaults to the balance" || not_ok "?invoice filters; the amount defaults to the balance" "$(cat body.json)"
regua promise list --invoice F2 --json >cli_list.json
/usr/bin/python3 -c 'import json; a=json.load(open("body.json"))["data"]; b=json.load(open("cli_list.json")); assert a == b, (a, b)' \
    && ok "regua promise list --invoice F2 --json prints GET /v1/promises?invoice=F2's items" || not_ok "regua promise list --invoice F2 --json prints GET /v1/promises?invoice=F2's items" "$(cat cli_list.json)"
call "$VIEW" GET "/v1/promises?customer=C1&status=pending"
regua promise list --customer C1 --status pending --json >cli_list.json
/usr/bin/python3 -c 'import json; a=json.load(open("body.json"))["data"]; b=json.load(open("cli_list.json")); assert a == b and len(a) == 1, (a, b)' \
    && ok "promise list --customer --status: the API's filters" || not_ok "promise list --customer --status: the API's filters" "$(cat cli_list.json)"
regua promise list --invoice F2 >cli_list.txt
grep -q "2026-12-21.*pending.*cli" cli_list.txt && ok "promise list prints date, status and source" || not_ok "promise list prints date, status and source" "$(cat cli_list.txt)"
expect_exit "promise list --limit 1" 0 regua promise list --limit 1 --json
/usr/bin/python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 1' "$T/out" && ok "--limit 1 prints one" || not_ok "--limit 1 prints one" "$(cat "$T/out")"
expect_exit "promise list --customer unknown: exit 1" 1 regua promise list --customer C9
expect_exit "promise list --status other: exit 1" 1 regua promise list --status late
grep -q -- "--status" "$T/err" && ok "naming --status" || not_ok "naming --status" "$(cat "$T/err")"
post "$OPER" /v1/promises '{"date": "amanhã", "amount": 5, "why": 1}'
fields "every bad field of a promise named" invoice,date,amount,why
post "$OPER" /v1/promises '{"invoice": "F2", "date": "2026-12-01"}'
fields "a promise in the past names date" date
post "$OPER" /v1/promises '{"invoice": "F2", "date": "2026-12-20", "amount": "900,00"}'
fields "a promise above the balance names amount" amount
post "$OPER" /v1/promises '{"invoice": "F9", "date": "2026-12-20"}'
is "a promise on an unknown invoice is 404" "$code" 404
post "$VIEW" /v1/promises '{"invoice": "F2", "date": "2026-12-20"}'
is "a viewer cannot make promises: 403" "$code" 403
call "$VIEW" GET "/v1/promises?status=pending&limit=2"
N=$(/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert len(o["data"])==2 and o["next"], o; print(o["next"])') \
    && ok "promises page" || not_ok "promises page" "$(cat body.json)"
call "$VIEW" GET "/v1/promises?status=pending&limit=2&after=$N"
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert len(o["data"])==1 and o["next"] is None, o' \
    && ok "promises last page" || not_ok "promises last page" "$(cat body.json)"
call "$VIEW" GET "/v1/promises?customer=C2&status=kept"
/usr/bin/python3 -c 'import json; assert json.load(open("body.json"))["data"]==[]' \
    && ok "?customer and ?status filter" || not_ok "?customer and ?status filter" "$(cat body.json)"
call "$VIEW" GET "/v1/promises?status=late"
is "a bad status is 400" "$code" 400
call "$VIEW" GET "/v1/promises?customer=C9"
is "an unknown customer is 404" "$code" 404

# ---- opt-outs: regua optout list|add|remove and /v1/optouts ----
expect_exit "optout --help" 0 regua optout --help
contains "optout help shows usage" out "regua optout add CUSTOMER_ID --channel CH"
regua --help >help.txt 2>&1
contains "main help lists optout" help.txt "  optout "
expect_exit "optout list, none" 0 regua optout list
contains "none said" out "no opt-outs"
expect_exit "optout add" 0 regua optout add C1 --channel sms
contains "add says so" out "C1 opted out of sms (cli)"
expect_exit "optout add again" 0 regua optout add C1 --channel sms --source atendimento
contains "again changes nothing" out "C1 was already opted out of sms"
is "the first source is kept" "$(q "SELECT how FROM customer_optouts WHERE channel = 'sms'")" cli
expect_exit "optout add email with a source" 0 regua optout add C1 --channel email --source atendimento --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o=={"customer":"C1","channel":"email","source":"atendimento","at":"2026-12-09T13:00:00Z","opted_out":True,"changed":True,"event_id":o["event_id"]} and o["event_id"], o' \
    && ok "optout add --json" || not_ok "optout add --json" "$(cat out)"
is "one optout event each" "$(q "SELECT count(*) FROM events WHERE type = 'optout'")" 2
expect_exit "optout add without --channel" 2 regua optout add C1
expect_exit "optout add of an unknown customer" 1 regua optout add C9 --channel sms
contains "unknown customer said" err "no customer with external id 'C9'"
expect_exit "optout add of a bad channel" 1 regua optout add C1 --channel SMS
contains "bad channel named" err "regua: channel: 'SMS' is not a channel name"
expect_exit "optout add of a bad source" 1 regua optout add C1 --channel sms --source "Equipe A"
contains "bad source named" err "regua: source:"
expect_exit "optout list" 0 regua optout list
contains "list shows C1 sms" out "sms        2026-12-09 10:00:00 -03:00  cli"

post "$OPER" /v1/optouts '{"customer": "C2", "channel": "whatsapp"}'
is "POST /v1/optouts is 201" "$code" 201
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert o["customer"]=="C2" and o["source"]=="api" and o["changed"] is True and o["opted_out"] is True, o' \
    && ok "the opt-out's answer" || not_ok "the opt-out's answer" "$(cat body.json)"
regua optout add C2 --channel whatsapp --json >cli_optout.json
same_keys "it is optout add --json's document" cli_optout.json
post "$OPER" /v1/optouts '{"customer": "C2", "channel": "whatsapp", "source": "portal"}'
is "an opt-out already there is 200" "$code" 200
grep -q '"changed":false' body.json && grep -q '"source":"api"' body.json && ok "... unchanged, the first kept" || not_ok "... unchanged, the first kept" "$(cat body.json)"
post "$OPER" /v1/optouts '{"channel": "SMS", "source": "Bad Source", "why": "x"}'
fields "every bad field of an opt-out named" customer,channel,source,why
post "$OPER" /v1/optouts '{"customer": "C9", "channel": "sms"}'
is "an opt-out of an unknown customer is 404" "$code" 404
post "$VIEW" /v1/optouts '{"customer": "C2", "channel": "sms"}'
is "a viewer cannot record opt-outs: 403" "$code" 403

call "$VIEW" GET /v1/optouts
/usr/bin/python3 - <<'PY' && ok "GET /v1/optouts lists them by customer and channel" || not_ok "GET /v1/optouts lists them by customer and channel" "$(cat body.json)"
import json
o = json.load(open("body.json"))
assert [(x["customer"], x["channel"], x["source"]) for x in o["data"]] == [("C1", "email", "atendimento"), ("C1", "sms", "cli"), ("C2", "whatsapp", "api")], o
assert o["next"] is None
PY
regua optout list --json >cli_optouts.json
/usr/bin/python3 -c 'import json; assert json.load(open("body.json"))["data"] == json.load(open("cli_optouts.json"))' \
    && ok "its items are optout list --json's" || not_ok "its items are optout list --json's" "$(cat cli_optouts.json)"
# a page never splits a customer's opt-outs
call "$VIEW" GET "/v1/optouts?limit=1"
N1=$(/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert [x["channel"] for x in o["data"]]==["email","sms"] and o["next"], o; print(o["next"])') \
    && ok "limit=1: the first customer whole" || not_ok "limit=1: the first customer whole" "$(cat body.json)"
call "$VIEW" GET "/v1/optouts?limit=1&after=$N1"
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert [x["customer"] for x in o["data"]]==["C2"] and o["next"] is None, o' \
    && ok "limit=1: then the next customer" || not_ok "limit=1: then the next customer" "$(cat body.json)"
call "$VIEW" GET "/v1/optouts?limit=2"
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert [x["customer"] for x in o["data"]]==["C1","C1"] and o["next"], o' \
    && ok "limit=2: a page ends at a customer" || not_ok "limit=2: a page ends at a customer" "$(cat body.json)"
call "$VIEW" GET "/v1/optouts?customer=C2"
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert [x["channel"] for x in o["data"]]==["whatsapp"], o' \
    && ok "?customer filters" || not_ok "?customer filters" "$(cat body.json)"
call "$VIEW" GET "/v1/optouts?channel=sms"
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert [(x["customer"], x["channel"]) for x in o["data"]]==[("C1","sms")], o' \
    && ok "?channel filters" || not_ok "?channel filters" "$(cat body.json)"
call "$VIEW" GET "/v1/optouts?customer=C9"
is "an unknown customer filter is 404" "$code" 404
call "$VIEW" GET "/v1/optouts?channel=SMS"
is "a bad channel filter is 400" "$code" 400

call "$VIEW" DELETE /v1/optouts/C2/whatsapp
is "a viewer cannot revoke: 403" "$code" 403
call "$OPER" DELETE "/v1/optouts/C2/whatsapp?source=Bad%20Source"
is "a bad source is 400" "$code" 400
call "$OPER" DELETE "/v1/optouts/C2/whatsapp?source=portal"
is "DELETE revokes: 200" "$code" 200
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert o["opted_out"] is False and o["changed"] is True and o["source"]=="api" and o["channel"]=="whatsapp", o' \
    && ok "the revoked opt-out's answer" || not_ok "the revoked opt-out's answer" "$(cat body.json)"
is "optout.revoked says the source and who revoked" "$(q "SELECT source || ' ' || payload FROM events WHERE type = 'optout.revoked'")" \
    'portal {"channel":"whatsapp","how":"api","by":"portal"}'
is "the opt-out is gone" "$(q "SELECT count(*) FROM customer_optouts WHERE channel = 'whatsapp'")" 0
call "$OPER" DELETE /v1/optouts/C2/whatsapp
is "revoking again is 404" "$code" 404
call "$OPER" DELETE /v1/optouts/C9/sms
is "revoking for an unknown customer is 404" "$code" 404
call "$OPER" DELETE /v1/optouts/C1/SMS
is "a channel that is no name is 404" "$code" 404
expect_exit "optout remove" 0 regua optout remove C1 --channel sms --source atendimento
contains "remove says so" out "C1's opt-out of sms (since 2026-12-09 10:00:00 -03:00, cli) revoked"
expect_exit "optout remove again" 1 regua optout remove C1 --channel sms
contains "remove again says why" err "regua: channel: customer C1 has not opted out of sms"
expect_exit "optout list --customer" 0 regua optout list --customer C1 --json
/usr/bin/python3 -c 'import json; assert [x["channel"] for x in json.load(open("out"))] == ["email"]' \
    && ok "optout list --customer" || not_ok "optout list --customer" "$(cat out)"

# ---- Idempotency-Key: the server stops between the operation's commit and
# recording its answer (simulated: a trigger refuses to store any answer).
# The key was marked carried out in the event's own transaction, so a retry
# never records the event again: 409 retry while it may still answer, then
# 409 "carried out, answer lost" — never a second event.
sql() { /usr/bin/python3 -c 'import sqlite3, sys; c = sqlite3.connect("regua.db"); c.execute(sys.argv[1]); c.commit()' "$1"; }
sql "CREATE TRIGGER lose_answer BEFORE UPDATE ON api_idempotency WHEN NEW.status >= 100 BEGIN SELECT RAISE(ABORT, 'the answer is lost'); END"
n0=$(q "SELECT count(*) FROM events WHERE type = 'portal.visited'")
post "$OPER" /v1/events '{"type": "portal.visited", "customer": "C2"}' -H 'Idempotency-Key: lost-1'
is "the event is recorded (its answer is not)" "$code" 201
is "one event more" "$(q "SELECT count(*) FROM events WHERE type = 'portal.visited'")" $((n0 + 1))
is "the key is marked carried out, without an answer" "$(q "SELECT status || ' ' || length(body) FROM api_idempotency WHERE key = 'lost-1'")" "1 0"
sql "DROP TRIGGER lose_answer"
post "$OPER" /v1/events '{"type": "portal.visited", "customer": "C2"}' -H 'Idempotency-Key: lost-1'
is "a retry at once: 409, retry" "$code" 409
grep -qi '^Retry-After: 1' h.txt && ok "with Retry-After" || not_ok "with Retry-After" "$(cat h.txt)"
sql "UPDATE api_idempotency SET created_at = created_at - 601 WHERE key = 'lost-1'"
post "$OPER" /v1/events '{"type": "portal.visited", "customer": "C2"}' -H 'Idempotency-Key: lost-1'
is "ten minutes later: 409, not carried out again" "$code" 409
contains "saying it was carried out" body.json "was carried out, but the server stopped before recording its answer"
grep -qi '^Retry-After' h.txt && not_ok "no Retry-After then" "$(cat h.txt)" || ok "no Retry-After then"
is "still one event more" "$(q "SELECT count(*) FROM events WHERE type = 'portal.visited'")" $((n0 + 1))
post "$OPER" /v1/events '{"type": "portal.visited", "customer": "C2"}' -H 'Idempotency-Key: lost-2'
is "another key records another event" "$code" 201
post "$OPER" /v1/events '{"type": "portal.visited", "customer": "C2"}' -H 'Idempotency-Key: lost-2'
is "and replays it" "$code" 201
is "two events more" "$(q "SELECT count(*) FROM events WHERE type = 'portal.visited'")" $((n0 + 2))

kill $pid 2>/dev/null
wait $pid 2>/dev/null
grep -q "ERROR" serve.log && not_ok "no error logged" "$(grep ERROR serve.log)" || ok "no error logged"
