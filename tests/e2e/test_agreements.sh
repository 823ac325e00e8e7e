#!/bin/sh
# Installment agreements (acordos) end to end on a fake clock: one from
# creation to completion (its installments follow the `acordo` cadence, carry
# their own boleto and PIX, the originals go silent), another to its break
# (the open installments cancelled, the paid part credited to the original,
# which is reopened on its cadence, and a trigger answering agreement.broken);
# then the API's POST /v1/agreements and GET /v1/agreements[/{id}].
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
cat >>regua.yaml <<'YAML'
portal:
  agreements: {max_installments: 6, min_installment: 50.00, down_payment_pct: 20, interest_month_pct: 1.0,
               down_payment_days: 3, break_after_days: 10}
YAML
cat >cadences/acordo.yaml <<'YAML'
cadence: acordo
match: {priority: 100, tags_any: [acordo]}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: lembrete, at: D-2, send: {channels: [email], template: lembrete}}
  - {id: atraso, at: D+3, send: {channels: [email], template: atraso}}
YAML
cat >cadences/base.yaml <<'YAML'
cadence: base
match: {priority: 90, tags_any: [teste]}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: atraso, at: D+5, send: {channels: [email], template: atraso}}
  - {id: atraso-2, at: D+60, send: {channels: [email], template: atraso}}
triggers:
  - {id: quebra, on: agreement.broken, send: {channels: [email], template: atraso}}
YAML
# C3's cadence states its own terms: at most 2 installments, no interest
cat >cadences/base3.yaml <<'YAML'
cadence: base3
match: {priority: 90, tags_any: [teste3]}
portal:
  agreements: {max_installments: 2, interest_month_pct: 0}
steps:
  - {id: atraso, at: D+5, send: {channels: [email], template: atraso}}
YAML
cat >c.csv <<'CSV'
external_id,name,document,email,tags
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br,teste
C2,Bia Lima,111.444.777-35,bia@exemplo.com.br,teste
C3,Caio Reis,529.982.247-25,caio@exemplo.com.br,teste3
CSV
LINHA=34191091233456780005671234570001115900000030000
PIX='00020126420014br.gov.bcb.pix0120maria@exemplo.com.br5204000053039865406300.005802BR5907EXEMPLO6008SAOPAULO62070503***6304ADBF'
cat >f.csv <<CSV
external_id,customer_external_id,amount,due_date,linha_digitavel,pix_code
F1,C1,300.00,2026-10-05,$LINHA,$PIX
F2,C1,200.01,2026-10-20,,
F3,C2,1000.00,2026-10-05,,
F4,C3,400.00,2026-10-05,,
CSV
export REGUA_NOW=2026-11-03T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
expect_exit "first tick" 0 regua tick

q() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect("regua.db").execute(sys.argv[1]).fetchone()[0])' "$1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
msgs() { q "SELECT count(*) FROM messages m JOIN invoices f ON f.id = m.invoice_id WHERE f.external_id = '$1' AND m.status <> 'suppressed'"; }
status() { q "SELECT status FROM invoices WHERE external_id = '$1'"; }

# ---- plans and refusals ----
expect_exit "plans" 0 regua agreement plans C1 F1 F2 --json
/usr/bin/python3 - <<'PY' && ok "plans 1..6 with the remainder on the last" || not_ok "plans 1..6 with the remainder on the last" "$(head -c 800 out)"
import json
p = json.load(open("out"))
assert [x["installments"] for x in p] == [1, 2, 3, 4, 5, 6], p
t = p[2]
assert (t["down_payment"], t["interest"], t["installment"], t["last_installment"], t["total"]) == ("100.00", "12.00", "137.33", "137.35", "512.01"), t
assert [s["amount"] for s in t["schedule"]] == ["100.00", "137.33", "137.33", "137.35"], t
assert t["down_payment_due"] == "2026-11-06" and t["schedule"][1]["due_date"] == "2026-12-06", t
PY
expect_exit "7 installments refused" 1 regua agreement create C1 F1 F2 --installments 7
contains "... naming the option and the maximum" err "--installments: 7 installments: choose from 1 to 6"
expect_exit "another customer's invoice refused" 1 regua agreement create C1 F1 F3 --installments 2
contains "... naming the invoice" err "invoices: invoice F3 is customer C2's"
expect_exit "below min_installment refused" 1 regua agreement create C1 F2 --installments 4 --json
contains "... saying how many fit" err "4 installments of R\$ 41,60 are below the minimum installment R\$ 50,00: at most 3"
is "... nothing written" "$(q "SELECT count(*) FROM agreements")" 0
is "... no new invoice" "$(q "SELECT count(*) FROM invoices")" 4

# ---- agreement 1: C1, 3 installments, to completion ----
expect_exit "create" 0 regua agreement create C1 F1 F2 --installments 3 --json
/usr/bin/python3 - <<'PY' && ok "created: 4 invoices, total 512.01" || not_ok "created: 4 invoices, total 512.01" "$(head -c 1500 out)"
import json
a = json.load(open("out"))
assert a["id"] == 1 and a["status"] == "active" and a["total"] == "512.01" and a["principal"] == "500.01", a
assert [i["external_id"] for i in a["invoices"]] == ["ACORDO-1-0", "ACORDO-1-1", "ACORDO-1-2", "ACORDO-1-3"], a
assert [i["amount"] for i in a["invoices"]] == ["100.00", "137.33", "137.33", "137.35"], a
assert [o["status"] for o in a["originals"]] == ["renegotiated", "renegotiated"], a
PY
is "F1 renegotiated" "$(status F1)" renegotiated
is "... with invoice.updated naming the agreement" "$(q "SELECT e.payload FROM events e JOIN invoices f ON f.id = e.invoice_id WHERE f.external_id = 'F1' AND e.type = 'invoice.updated'")" '{"status":"renegotiated","agreement":1}'
is "agreement.created recorded" "$(q "SELECT count(*) FROM events WHERE type = 'agreement.created'")" 1
expect_exit "installment show" 0 regua invoice show ACORDO-1-1 --json
/usr/bin/python3 - <<'PY' && ok "the installment follows the acordo cadence, tagged acordo" || not_ok "the installment follows the acordo cadence, tagged acordo" "$(head -c 800 out)"
import json
o = json.load(open("out"))
assert o["cadence"]["name"] == "acordo" and o["tags"] == ["acordo"], (o["cadence"], o["tags"])
assert o["amount"] == "137.33" and o["due_date"] == "2026-12-06", o
assert o["description"] == "Acordo 1 - parcela 1/3", o["description"]
open("linha", "w").write(o["linha_digitavel"]); open("pix", "w").write(o["pix_code"])
PY
expect_exit "its boleto decodes" 0 regua boleto decode "$(cat linha)" --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["amount_cents"] == 13733 and o["due_date"] == "2026-12-06" and o["bank"] == "341", o' \
    && ok "... with its amount and due date, F1's bank" || not_ok "... with its amount and due date, F1's bank" "$(cat out)"
expect_exit "its PIX decodes" 0 regua pix decode "$(cat pix)" --json
contains "... with its amount" out '"amount_cents": 13733'
contains "... and F1's key" out "maria@exemplo.com.br"
contains "... and a txid naming the installment" out "ACORDO1N1"

F1_BEFORE=$(msgs F1)
expect_exit "tick 04/11 (entrada's lembrete)" 0 regua tick --at 2026-11-04T12:00:00Z
is "the entrada's lembrete" "$(msgs ACORDO-1-0)" 1
expect_exit "pay entrada" 0 regua pay ACORDO-1-0 --amount 100,00 --at 2026-11-05T12:00:00Z
expect_exit "tick 04/12 (F1's step D+60 would be due)" 0 regua tick --at 2026-12-04T12:00:00Z
is "nothing more about the renegotiated F1" "$(msgs F1)" "$F1_BEFORE"
expect_exit "pay 1" 0 regua pay ACORDO-1-1 --amount 137,33 --at 2026-12-05T12:00:00Z
expect_exit "pay 2" 0 regua pay ACORDO-1-2 --amount 137,33 --at 2027-01-05T12:00:00Z
expect_exit "tick 10/01: still active" 0 regua tick --at 2027-01-10T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["agreements_completed"] == 0, o' \
    && ok "not complete before the last installment" || not_ok "not complete before the last installment" "$(cat out)"
expect_exit "pay 3" 0 regua pay ACORDO-1-3 --amount 137,35 --at 2027-02-05T12:00:00Z
expect_exit "tick 06/02" 0 regua tick --at 2027-02-06T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["agreements_completed"] == 1, o' \
    && ok "tick: agreement completed" || not_ok "tick: agreement completed" "$(cat out)"
is "status completed" "$(q "SELECT status FROM agreements WHERE id = 1")" completed
is "agreement.completed recorded" "$(q "SELECT count(*) FROM events WHERE type = 'agreement.completed'")" 1
is "F1 stays renegotiated" "$(status F1)" renegotiated

# ---- agreement 2: C2, 2 installments, broken ----
export REGUA_NOW=2026-11-03T12:00:00Z
expect_exit "create 2" 0 regua agreement create C2 F3 --installments 2
contains "... printed" out "installment ACORDO-2-2"
expect_exit "pay entrada 2" 0 regua pay ACORDO-2-0 --amount 200,00 --at 2026-11-05T12:00:00Z
# ACORDO-2-1 due Sunday 06/12 -> effective Monday 07/12; + 10 days: 17/12 is the last day
expect_exit "tick 17/12: not yet" 0 regua tick --at 2026-12-17T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["agreements_broken"] == 0, o' \
    && ok "not broken on the 10th day" || not_ok "not broken on the 10th day" "$(cat out)"
F3_BEFORE=$(msgs F3)
expect_exit "tick 18/12: broken" 0 regua tick --at 2026-12-18T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["agreements_broken"] == 1, o' \
    && ok "broken on the 11th day" || not_ok "broken on the 11th day" "$(cat out)"
expect_exit "show 2" 0 regua agreement show 2 --json
/usr/bin/python3 - <<'PY' && ok "broken: installments cancelled, F3 reopened" || not_ok "broken: installments cancelled, F3 reopened" "$(head -c 1500 out)"
import json
a = json.load(open("out"))
assert a["status"] == "broken" and a["closed_at"] == "2026-12-18T12:00:00Z", a
assert [(i["external_id"], i["status"]) for i in a["invoices"]] == [("ACORDO-2-0", "paid"), ("ACORDO-2-1", "cancelled"), ("ACORDO-2-2", "cancelled")], a
assert a["originals"][0]["status"] == "open" and a["originals"][0]["paid"] == "200.00", a
PY
is "the credit is a payment 'acordo'" "$(q "SELECT p.method || ' ' || p.reference || ' ' || p.amount FROM payments p JOIN invoices f ON f.id = p.invoice_id WHERE f.external_id = 'F3'")" "acordo ACORDO-2 20000"
is "agreement.broken on F3, by the engine" "$(q "SELECT f.external_id || ' ' || e.source FROM events e JOIN invoices f ON f.id = e.invoice_id WHERE e.type = 'agreement.broken'")" "F3 engine"
is "F3's reopening recorded" "$(q "SELECT e.payload || ' ' || e.source FROM events e JOIN invoices f ON f.id = e.invoice_id WHERE f.external_id = 'F3' AND e.type = 'invoice.updated' ORDER BY e.id DESC LIMIT 1")" '{"status":"open","agreement":2} engine'
is "the trigger answered it" "$(q "SELECT count(*) FROM messages m JOIN invoices f ON f.id = m.invoice_id WHERE f.external_id = 'F3' AND m.source_id = 'quebra'")" 1
expect_exit "F3 back on its cadence" 0 regua invoice show F3 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["cadence"]["name"] == "base" and o["balance"] == "800.00", (o["cadence"], o["balance"])' \
    && ok "... base, balance 800.00" || not_ok "... base, balance 800.00" "$(head -c 600 out)"
expect_exit "tick 19/12: nothing more to break" 0 regua tick --at 2026-12-19T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["agreements_broken"] == 0, o' \
    && ok "broken once" || not_ok "broken once" "$(cat out)"
expect_exit "list broken" 0 regua agreement list --status broken --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert [a["id"] for a in o] == [2], o' \
    && ok "list --status broken" || not_ok "list --status broken" "$(cat out)"
expect_exit "list bad status" 1 regua agreement list --status quebrado
contains "... names the option" err "--status: 'quebrado' is not a status"
expect_exit "show unknown" 1 regua agreement show 99
contains "... says so" err "agreement: no agreement 99"

# ---- the API: POST /v1/agreements (operator), GET /v1/agreements[/{id}] (viewer) ----
export REGUA_NOW=2026-11-03T12:00:00Z
OPER=$(regua apikey create --role operator 2>/dev/null)
VIEW=$(regua apikey create --role viewer 2>/dev/null)
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"
call() {
    k=$1; m=$2; p=$3; shift 3
    code=$(curl -s -o body.json -w '%{http_code}' -X "$m" -H "Authorization: Bearer $k" "$@" "$B$p")
}
post() { call "$1" POST "$2" -H 'Content-Type: application/json' --data "$3"; }
post "$OPER" /v1/agreements '{"customer": "C3", "invoices": "F4", "installments": 0, "parcelas": 2}'
is "POST: a bad body is 422" "$code" 422
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert sorted(e["field"] for e in o["errors"]) == ["installments", "invoices", "parcelas"], o' \
    && ok "... naming every bad field" || not_ok "... naming every bad field" "$(cat body.json)"
post "$OPER" /v1/agreements '{"customer": "C3", "invoices": ["F4"], "installments": 3}'
is "POST: 3 installments is 422 (C3's cadence allows 2)" "$code" 422
contains "... naming installments and the cadence's maximum" body.json '"field":"installments","message":"3 installments: choose from 1 to 2'
post "$OPER" /v1/agreements '{"customer": "C3", "invoices": ["F1"], "installments": 2}'
is "POST: another customer's invoice is 409" "$code" 409
post "$OPER" /v1/agreements '{"customer": "C3", "invoices": ["F404"], "installments": 2}'
is "POST: an unknown invoice is 404" "$code" 404
post "$VIEW" /v1/agreements '{"customer": "C3", "invoices": ["F4"], "installments": 2}'
is "POST: a viewer may not" "$code" 403
post "$OPER" /v1/agreements '{"customer": "C3", "invoices": ["F4"], "installments": 2}'
is "POST: 201" "$code" 201
/usr/bin/python3 - <<'PY' && ok "... the agreement on the cadence's terms, source api" || not_ok "... the agreement on the cadence's terms, source api" "$(head -c 800 body.json)"
import json
a = json.load(open("body.json"))
assert a["id"] == 3 and a["customer"] == "C3" and a["source"] == "api" and a["total"] == "400.00", a
assert a["interest_month_pct"] == 0 and a["down_payment_pct"] == 20, a  # the cadence's key, regua.yaml's other
assert [i["external_id"] for i in a["invoices"]] == ["ACORDO-3-0", "ACORDO-3-1", "ACORDO-3-2"], a
assert [i["amount"] for i in a["invoices"]] == ["80.00", "160.00", "160.00"], a
PY
call "$VIEW" GET /v1/agreements/3
is "GET /v1/agreements/3: 200" "$code" 200
regua agreement show 3 --json >cli.json
/usr/bin/python3 -c 'import json; assert json.load(open("body.json")) == json.load(open("cli.json"))' \
    && ok "... the document of agreement show --json" || not_ok "... the document of agreement show --json" "$(head -c 400 body.json)"
call "$VIEW" GET /v1/agreements/99
is "GET /v1/agreements/99: 404" "$code" 404
call "$VIEW" GET "/v1/agreements?limit=2"
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert [a["id"] for a in o["data"]] == [1, 2] and o["next"], o' \
    && ok "GET /v1/agreements: a page of 2 with a cursor" || not_ok "GET /v1/agreements: a page of 2 with a cursor" "$code $(head -c 400 body.json)"
call "$VIEW" GET "/v1/agreements?customer=C3&status=active"
/usr/bin/python3 -c 'import json; o=json.load(open("body.json")); assert [a["id"] for a in o["data"]] == [3] and o["next"] is None, o' \
    && ok "GET /v1/agreements?customer=C3&status=active" || not_ok "GET /v1/agreements?customer=C3&status=active" "$code $(head -c 400 body.json)"
call "$VIEW" GET "/v1/agreements?status=quebrado"
is "GET ?status=quebrado: 400" "$code" 400
call "$VIEW" GET "/v1/agreements?customer=C404"
is "GET ?customer=C404: 404" "$code" 404
kill $pid 2>/dev/null
