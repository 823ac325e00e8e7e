#!/bin/sh
# The operator cancels an agreement (docs/agreements.md, "Cancelling"):
# `regua agreement cancel ID` and POST /v1/agreements/{id}/cancel. The open
# installments are cancelled, the paid ones stay paid, what was paid is
# credited to the originals oldest first (method acordo), the originals are
# reopened on their cadence with what they owe — or paid when covered —
# and agreement.cancelled is recorded; only an active agreement can be
# cancelled (nothing changes otherwise).
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
printf 'external_id,name,document,email\nC1,Ana Souza,529.982.247-25,ana@exemplo.com.br\nC2,Bia Lima,111.444.777-35,bia@exemplo.com.br\n' >c.csv
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date,tags
F1,C1,300.00,2026-10-05,plano-mensal
F2,C1,200.01,2026-10-20,plano-mensal
F3,C2,100.00,2026-10-05,plano-mensal
F4,C2,500.00,2026-10-05,plano-mensal
CSV
export REGUA_NOW=2026-11-03T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
status() { q "SELECT status FROM invoices WHERE external_id = '$1'"; }
expect_exit "agreement 1: F1 + F2 in 3" 0 regua agreement create C1 F1 F2 --installments 3
expect_exit "pay the down payment" 0 regua pay ACORDO-1-0 --amount 100,00 --at 2026-11-05T12:00:00Z
expect_exit "pay installment 1" 0 regua pay ACORDO-1-1 --amount 137,33 --at 2026-12-05T12:00:00Z
events=$(q "SELECT count(*) FROM events")

expect_exit "cancel a bad id: usage" 2 regua agreement cancel um
expect_exit "cancel an unknown agreement" 1 regua agreement cancel 99
contains "... says so" err "agreement: no agreement 99"
is "... nothing recorded" "$(q "SELECT count(*) FROM events")" "$events"

export REGUA_NOW=2026-12-10T12:00:00Z
expect_exit "cancel agreement 1" 0 regua agreement cancel 1
contains "it prints the agreement, cancelled" out "agreement 1  customer C1  cancelled"
is "the agreement: cancelled, closed now" "$(q "SELECT status || ' ' || closed_at FROM agreements WHERE id = 1")" "cancelled $(/usr/bin/python3 -c 'import datetime; print(int(datetime.datetime(2026,12,10,12,tzinfo=datetime.timezone.utc).timestamp()))')"
is "the paid installments stay paid, the open ones are cancelled" \
   "$(q "SELECT group_concat(external_id || ':' || status, ' ') FROM (SELECT * FROM invoices WHERE external_id LIKE 'ACORDO-1-%' ORDER BY external_id)")" \
   "ACORDO-1-0:paid ACORDO-1-1:paid ACORDO-1-2:cancelled ACORDO-1-3:cancelled"
is "the 237,33 paid is credited to F1 (the oldest), method acordo" \
   "$(q "SELECT group_concat(i.external_id || ' ' || p.amount || ' ' || p.method || ' ' || p.reference) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.method = 'acordo'")" \
   "F1 23733 acordo ACORDO-1"
is "F1 reopened owing 62,67, F2 owing 200,01" \
   "$(q "SELECT group_concat(external_id || ':' || status || ':' || (amount - paid), ' ') FROM (SELECT * FROM invoices WHERE external_id IN ('F1','F2') ORDER BY external_id)")" \
   "F1:open:6267 F2:open:20001"
is "agreement.cancelled (source cli) names what was cancelled and reopened" \
   "$(q "SELECT source || ' ' || payload FROM events WHERE type = 'agreement.cancelled'")" \
   'cli {"agreement":1,"cancelled":["ACORDO-1-2","ACORDO-1-3"],"reopened":["F1","F2"]}'
is "... on the first reopened original" "$(q "SELECT i.external_id FROM events e JOIN invoices i ON i.id = e.invoice_id WHERE e.type = 'agreement.cancelled'")" F1
is "invoice.cancelled for each open installment (source cli)" "$(q "SELECT count(*) FROM events WHERE type = 'invoice.cancelled' AND source = 'cli'")" 2
is "invoice.updated reopens the originals" "$(q "SELECT count(*) FROM events WHERE type = 'invoice.updated' AND source = 'cli' AND payload = '{\"status\":\"open\",\"agreement\":1}'")" 2
is "no payment.received for the credit (only the two payments')" "$(q "SELECT count(*) FROM events WHERE type = 'payment.received'")" 2
expect_exit "tick" 0 regua tick
expect_exit "F1 after the tick" 0 regua invoice show F1 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["status"]=="open" and o["cadence"]["name"]=="mensal-pf" and o["balance"]=="62.67", (o["status"], o["cadence"], o["balance"])' \
    && ok "F1 is back on its cadence, owing 62,67" || not_ok "F1 is back on its cadence, owing 62,67" "$(head -c 500 out)"
events=$(q "SELECT count(*) FROM events")
expect_exit "cancel it again" 1 regua agreement cancel 1
contains "... only an active agreement" err "agreement: agreement 1 is cancelled: only an active agreement can be cancelled"
is "... nothing recorded" "$(q "SELECT count(*) FROM events")" "$events"

# ---- a credit that covers the original; over the API ----
expect_exit "agreement 2: F3 in 1" 0 regua agreement create C2 F3 --installments 1 --json
expect_exit "agreement 3: F4 in 2" 0 regua agreement create C2 F4 --installments 2 --json
expect_exit "pay agreement 2's down payment" 0 regua pay ACORDO-2-0 --amount 20,00
expect_exit "pay agreement 2's installment" 0 regua pay ACORDO-2-1 --amount 80,80
OPER=$(regua apikey create --role operator 2>/dev/null)
VIEW=$(regua apikey create --role viewer 2>/dev/null)
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"
call() {
    k=$1; p=$2; shift 2
    code=$(curl -s -o body.json -w '%{http_code}' -X POST -H "Authorization: Bearer $k" "$@" "$B$p")
}
call "$VIEW" /v1/agreements/2/cancel
is "POST /v1/agreements/2/cancel: a viewer may not" "$code" 403
call "$OPER" /v1/agreements/2/cancel -H 'Content-Type: application/json' --data '{"motivo": "x"}'
is "... a body with a field: 422" "$code" 422
contains "... naming it" body.json '"field":"motivo"'
call "$OPER" /v1/agreements/99/cancel
is "... an unknown agreement: 404" "$code" 404
call "$OPER" /v1/agreements/1/cancel
is "... a cancelled one: 409" "$code" 409
call "$OPER" /v1/agreements/2/cancel
is "... an active one: 200" "$code" 200
/usr/bin/python3 - <<'PY' && ok "... the agreement, cancelled, with its invoices as they are now" || not_ok "... the agreement, cancelled, with its invoices as they are now" "$(head -c 600 body.json)"
import json
a = json.load(open("body.json"))
assert a["id"] == 2 and a["status"] == "cancelled" and a["closed_at"], a
assert [(i["external_id"], i["status"]) for i in a["invoices"]] == [("ACORDO-2-0", "paid"), ("ACORDO-2-1", "paid")], a
assert [(i["external_id"], i["status"]) for i in a["originals"]] == [("F3", "paid")], a
PY
is "F3 paid by the credit (100,00 of the 100,80 paid)" \
   "$(q "SELECT status || ' ' || paid FROM invoices WHERE external_id = 'F3'") $(q "SELECT sum(p.amount) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.external_id = 'F3' AND p.method = 'acordo'")" "paid 10000 10000"
is "agreement.cancelled (source api), customer-level: nothing reopened" \
   "$(q "SELECT source || ' ' || coalesce(invoice_id, 0) || ' ' || payload FROM events WHERE type = 'agreement.cancelled' AND payload LIKE '{\"agreement\":2,%'")" \
   'api 0 {"agreement":2,"cancelled":[],"reopened":[]}'
is "agreement 3 is untouched" "$(q "SELECT status FROM agreements WHERE id = 3")" active
regua agreement show 2 --json >cli.json
/usr/bin/python3 -c 'import json; assert json.load(open("body.json")) == json.load(open("cli.json"))' \
    && ok "... the document of agreement show --json" || not_ok "... the document of agreement show --json" "$(head -c 400 cli.json)"
kill $pid; wait $pid 2>/dev/null
