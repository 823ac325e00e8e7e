#!/bin/sh
# Credit-bureau requests end to end against a local fake integration
# (tests/support/fake_http_bureau.py): the cadence's bureau_listing step
# records a request; `regua bureau sync` sends it signed (HMAC-SHA256 of
# the body), keeps it pending while the bureau fails, marks it listed on a
# 2xx; a payment asks for removal, the next sync removes it; the invoice
# shows each status and date. A request made before a promise whose
# trigger pauses the listing step waits until the promise is resolved.
. "$(dirname "$0")/lib.sh"
cd "$T"

export BUREAU_SECRET=segredo-do-bureau-de-teste
echo ok >mode
/usr/bin/python3 "$REGUA_ROOT/tests/support/fake_http_bureau.py" port requests.jsonl mode 300 &
FAKE=$!
trap 'kill $FAKE 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat port)

mkdir -p cadences templates
cat >regua.yaml <<YAML
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl}
  letter: {driver: log, path: outbox/letter.jsonl}
  bureau: {driver: bureau, url: "http://127.0.0.1:$PORT/negativacao", secret_env: BUREAU_SECRET}
YAML
cat >cadences/teste.yaml <<'YAML'
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: aviso, at: D+1, send: {channels: [letter, email], template: aviso}}
  - {id: negativar, at: D+15, action: bureau_listing, requires_notice: aviso}
triggers:
  - {id: promessa, on: promise.made, pause: [negativar]}
YAML
# a consumer's notice goes by letter (CDC art. 43 §2; STJ REsp 2.056.285/RS)
cat >templates/aviso.letter <<'TXT'
O débito poderá ser informado aos cadastros de proteção ao crédito. {{company.name}} (CNPJ {{company.cnpj}})
TXT
cat >templates/aviso.email <<'TXT'
Subject: Aviso {{invoice.external_id}}
O débito poderá ser informado aos cadastros de proteção ao crédito. {{company.name}} (CNPJ {{company.cnpj}})
TXT
cat >clientes.csv <<'CSV'
external_id,name,document,email,street,number,district,city,state,zip
C1,Maria José da Conceição,529.982.247-25,maria@exemplo.com.br,Rua das Acácias,123,Jardim Paulistano,São Paulo,SP,01452-000
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade,"150,00",2026-12-01
CSV
export REGUA_NOW=2026-11-20T12:00:00Z
regua import customers clientes.csv >/dev/null
regua import invoices faturas.csv >/dev/null

expect_exit "bureau --help" 0 regua bureau --help
contains "bureau help" out "Usage: regua bureau sync"
expect_exit "bureau without subcommand" 2 regua bureau
expect_exit "nothing pending" 0 regua bureau sync
contains "nothing pending says so" out "bureau sync: 0 listed, 0 removed, 0 failed, 0 skipped"

expect_exit "tick notice" 0 regua tick --at 2026-12-02T12:00:00Z
expect_exit "tick listing" 0 regua tick --at 2026-12-16T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["bureau_requests"]==1, o' \
    && ok "listing requested" || not_ok "listing requested" "$(cat out)"
expect_exit "invoice shows requested" 0 regua invoice show F1
contains "requested in text (local times)" out "  bureau:      requested (notice 2026-12-02 09:00:00 -03:00, requested 2026-12-16 09:00:00 -03:00)"

# the bureau is down: stays pending, exit 3, the reason kept
echo fail >mode
export REGUA_NOW=2026-12-16T13:00:00Z
expect_exit "sync while the bureau fails" 3 regua bureau sync
contains "failure reported" out "F1               list   failed   -> requested          HTTP 503"
contains "failure summary" out "bureau sync: 0 listed, 0 removed, 1 failed, 0 skipped"
expect_exit "invoice after failure" 0 regua invoice show F1 --json
/usr/bin/python3 - <<'PY' && ok "still pending after failure" || not_ok "still pending after failure" "$(head -c 1200 out)"
import json
b = json.load(open("out"))["bureau"]
assert b["status"] == "requested" and b["attempts"] == 1 and b["listed_at"] is None, b
assert b["last_error"].startswith("HTTP 503"), b
PY

# the bureau refuses the data: a permanent failure, still pending
echo bad >mode
expect_exit "sync while the bureau refuses" 3 regua bureau sync
contains "refusal reported with the answer" out 'HTTP 422: {"error": "dados inválidos"} (refused)'

# the bureau answers: listed
echo ok >mode
export REGUA_NOW=2026-12-16T14:00:00Z
expect_exit "sync lists" 0 regua bureau sync --json
/usr/bin/python3 - <<'PY' && ok "sync json" || not_ok "sync json" "$(cat out)"
import json
o = json.load(open("out"))
assert o["listed"] == 1 and o["failed"] == 0, o
r = o["requests"][0]
assert r == {"invoice_external_id": "F1", "action": "list", "result": "listed", "status": "listed",
             "detail": "bureau reference NEG-1"}, r
PY
/usr/bin/python3 - <<'PY' && ok "signed requests with idempotency keys" || not_ok "signed requests with idempotency keys" "$(head -c 1500 requests.jsonl)"
import json
reqs = [json.loads(l) for l in open("requests.jsonl")]
assert len(reqs) == 3, reqs
for r in reqs:
    assert r["signature_ok"] is True and r["path"] == "/negativacao", r
    assert r["idempotency_key"] == "regua-bureau-list-1" and r["content_type"] == "application/json", r
b = json.loads(reqs[2]["body"])
assert b["type"] == "listing.request" and b["idempotency_key"] == "regua-bureau-list-1", b
assert b["creditor"] == {"name": "Exemplo Serviços Ltda", "cnpj": "11222333000181"}, b
assert b["debtor"]["document"] == "52998224725" and b["debtor"]["kind"] == "PF", b
assert b["debt"]["invoice_external_id"] == "F1" and b["debt"]["amount"] == "150.00", b
assert b["notice_at"] == "2026-12-02T12:00:00Z" and b["requested_at"] == "2026-12-16T12:00:00Z", b
PY
expect_exit "second sync sends nothing" 0 regua bureau sync
contains "nothing more" out "bureau sync: 0 listed, 0 removed, 0 failed, 0 skipped"

# paid: removal requested at once (STJ Súmula 548), then removed
export REGUA_NOW=2026-12-18T12:00:00Z
expect_exit "pay" 0 regua pay F1 --amount 153,20 --reference PIX-1
expect_exit "invoice shows removal requested" 0 regua invoice show F1 --json
/usr/bin/python3 -c 'import json; b=json.load(open("out"))["bureau"]; assert b["status"]=="removal_requested" and b["removal_requested_at"]=="2026-12-18T12:00:00Z", b' \
    && ok "payment requests removal" || not_ok "payment requests removal" "$(head -c 1200 out)"
export REGUA_NOW=2026-12-18T12:05:00Z
expect_exit "sync removes" 0 regua bureau sync
contains "removed reported" out "F1               remove removed  -> removed"
/usr/bin/python3 -c '
import json
r = json.loads(open("requests.jsonl").readlines()[-1])
b = json.loads(r["body"])
assert r["signature_ok"] and r["idempotency_key"] == "regua-bureau-remove-1", r
assert b["type"] == "removal.request" and b["provider_ref"] == "NEG-1" and b["debt"]["paid_on"] == "2026-12-18", b
' && ok "removal request body" || not_ok "removal request body" "$(tail -1 requests.jsonl)"
expect_exit "invoice show json" 0 regua invoice show F1 --json
/usr/bin/python3 - <<'PY' && ok "invoice bureau dates" || not_ok "invoice bureau dates" "$(head -c 1500 out)"
import json
b = json.load(open("out"))["bureau"]
assert b == {"status": "removed", "notice_at": "2026-12-02T12:00:00Z", "requested_at": "2026-12-16T12:00:00Z",
             "listed_at": "2026-12-16T14:00:00Z", "removal_requested_at": "2026-12-18T12:00:00Z",
             "removed_at": "2026-12-18T12:05:00Z", "provider_ref": "NEG-2", "attempts": 4,
             "last_attempt_at": "2026-12-18T12:05:00Z", "last_error": None}, b
PY
expect_exit "invoice show text" 0 regua invoice show F1
contains "removed in text (local times)" out "  bureau:      removed (notice 2026-12-02 09:00:00 -03:00, requested 2026-12-16 09:00:00 -03:00, listed 2026-12-16 11:00:00 -03:00, removal requested 2026-12-18 09:00:00 -03:00, removed 2026-12-18 09:05:00 -03:00)"

# a wrong secret is refused by the bureau (401): permanent, still pending
cat >>faturas2.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F2,C1,Avulsa,"90,00",2026-12-17
CSV
regua import invoices faturas2.csv >/dev/null
regua tick --at 2026-12-18T13:00:00Z >/dev/null 2>&1
regua tick --at 2027-01-04T13:00:00Z >/dev/null 2>&1
BUREAU_SECRET=outro-segredo regua bureau sync >sync.txt 2>&1
rc=$?
[ $rc -eq 3 ] && ok "wrong secret exits 3" || not_ok "wrong secret exits 3" "exit $rc: $(cat sync.txt)"
contains "wrong secret is refused" sync.txt "F2               list   failed   -> requested          HTTP 401"
contains "refusals are marked" sync.txt "(refused)"

# no secret in the environment, no bureau channel: clear errors
env -u BUREAU_SECRET "$REGUA_BIN" bureau sync >out 2>err
rc=$?
[ $rc -eq 1 ] && ok "missing secret exits 1" || not_ok "missing secret exits 1" "exit $rc"
contains "missing secret names the variable" err "regua: bureau: secret_env: the environment variable BUREAU_SECRET (the bureau signing secret) is not set"
grep -q "$BUREAU_SECRET" err out sync.txt && not_ok "the secret never printed" "found" || ok "the secret never printed"
printf 'database: regua.db\n' >plain.yaml
expect_exit "no bureau channel" 1 regua --config plain.yaml bureau sync
contains "no bureau channel says so" err "no channel with driver 'bureau'"

# regua serve sends the bureau requests itself, after each scheduler tick:
# F2's listing (left pending by the 401 above), then, once F2 is paid, its
# removal (STJ Súmula 548); a failure waits (1 minute, doubling) and is
# retried until the bureau acknowledges it.
# bureau_status F STATUS: waits (up to 20 s) for F's listing to reach STATUS
bureau_status() {
    i=0
    while [ $i -lt 200 ]; do
        regua invoice show "$1" --json >st.json 2>/dev/null
        /usr/bin/python3 -c 'import json,sys; b=json.load(open("st.json"))["bureau"]; sys.exit(0 if b and b["status"]==sys.argv[1] else 1)' "$2" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# serve_until F STATUS: runs serve (a tick every second) until F's listing is STATUS
serve_until() {
    port=$(free_port)
    "$REGUA_BIN" serve --listen 127.0.0.1:$port --tick-every 1 --no-dispatch >>serve.log 2>&1 &
    spid=$!
    bureau_status "$1" "$2"
    found=$?
    kill -TERM $spid
    wait $spid
    return $found
}
echo ok >mode
export REGUA_NOW=2026-12-18T12:10:00Z
serve_until F2 listed && ok "serve lists the pending request" || not_ok "serve lists the pending request" "$(tail -5 serve.log; cat st.json | head -c 600)"
contains "serve says it runs the bureau requests" serve.log "then the bureau requests"
contains "serve reports the listing (local time)" serve.log "bureau at 2026-12-18 09:10:00 -03:00: 1 listed, 0 removed, 0 failed"
export REGUA_NOW=2026-12-18T12:20:00Z
regua pay F2 --amount 100,00 --reference PIX-2 >/dev/null
echo fail >mode
n_before=$(wc -l <requests.jsonl)
serve_until F2 removal_requested >/dev/null
# wait for the failed attempt to be recorded, then stop
port=$(free_port)
"$REGUA_BIN" serve --listen 127.0.0.1:$port --tick-every 1 --no-dispatch >>serve.log 2>&1 &
spid=$!
i=0
while [ $i -lt 200 ]; do
    regua invoice show F2 --json >st.json 2>/dev/null
    /usr/bin/python3 -c 'import json,sys; b=json.load(open("st.json"))["bureau"]; sys.exit(0 if (b["last_error"] or "").startswith("HTTP 503") else 1)' && break
    sleep 0.1
    i=$((i + 1))
done
kill -TERM $spid
wait $spid
/usr/bin/python3 - "$n_before" <<'PY' && ok "serve sends the removal; a failure stays pending" || not_ok "serve sends the removal; a failure stays pending" "$(cat st.json | head -c 900)"
import json, sys
b = json.load(open("st.json"))["bureau"]
assert b["status"] == "removal_requested" and b["last_error"].startswith("HTTP 503"), b
assert b["last_attempt_at"] == "2026-12-18T12:20:00Z", b
reqs = [json.loads(l) for l in open("requests.jsonl")][int(sys.argv[1]):]
# with the clock still, the failed removal was tried once: it waits a minute
assert [r["idempotency_key"] for r in reqs] == ["regua-bureau-remove-2"], reqs
PY
contains "serve reports the failure" serve.log "F2 remove failed: HTTP 503"
echo ok >mode
export REGUA_NOW=2026-12-18T12:25:00Z  # the third attempt on this listing: it waited 4 minutes
serve_until F2 removed && ok "serve retries the removal until acknowledged" || not_ok "serve retries the removal until acknowledged" "$(tail -5 serve.log; head -c 900 st.json)"
/usr/bin/python3 -c '
import json
r = json.loads(open("requests.jsonl").readlines()[-1])
b = json.loads(r["body"])
assert r["signature_ok"] and r["idempotency_key"] == "regua-bureau-remove-2" and b["type"] == "removal.request", r
' && ok "the retried removal is the same request" || not_ok "the retried removal is the same request" "$(tail -1 requests.jsonl)"

# a promise pauses the listing step (trigger promessa): a request already
# recorded waits while the promise is pending, and goes once it breaks
cat >c3.csv <<'CSV'
external_id,name,document,email,street,number,district,city,state,zip
C3,Caio Reis,111.444.777-35,caio@exemplo.com.br,Rua das Flores,10,Centro,São Paulo,SP,01010-000
CSV
cat >f3.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F3,C3,Mensalidade,"100,00",2027-01-04
CSV
export REGUA_NOW=2027-01-04T12:00:00Z
regua import customers c3.csv >/dev/null
regua import invoices f3.csv >/dev/null
regua tick --at 2027-01-05T12:00:00Z >/dev/null 2>&1
expect_exit "F3's listing requested" 0 regua tick --at 2027-01-19T12:00:00Z --json
expect_exit "promise.made F3" 0 regua event promise.made --invoice F3 --at 2027-01-19T12:30:00Z --data '{"date": "2027-01-22"}'
expect_exit "the tick pauses negativar" 0 regua tick --at 2027-01-19T12:31:00Z
export REGUA_NOW=2027-01-19T12:32:00Z
expect_exit "sync while the promise is pending" 0 regua bureau sync
contains "the request waits on the promise's pause" out "held: trigger:teste/promessa: not sent while it holds"
expect_exit "invoice show F3" 0 regua invoice show F3 --json
/usr/bin/python3 -c 'import json; b=json.load(open("out"))["bureau"]; assert b["status"]=="requested" and b["attempts"]==0, b' \
    && ok "F3's request still pending, never sent" || not_ok "F3's request still pending, never sent" "$(head -c 900 out)"
expect_exit "the promise breaks" 0 regua tick --at 2027-01-25T12:00:00Z --json
contains "... broken" out '"promises_broken": 1'
export REGUA_NOW=2027-01-25T12:05:00Z
expect_exit "sync after the promise broke" 0 regua bureau sync
expect_exit "invoice show F3 after" 0 regua invoice show F3 --json
/usr/bin/python3 -c 'import json; b=json.load(open("out"))["bureau"]; assert b["status"]=="listed", b' \
    && ok "F3 listed once the promise broke" || not_ok "F3 listed once the promise broke" "$(head -c 900 out)"
