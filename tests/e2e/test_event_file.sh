#!/bin/sh
# `regua event --file`: many events from JSON lines in one transaction, each
# recorded as `regua event` records it (timers started and cancelled,
# promise.made, payment.received: the seeds' mensal-pf pauses on a promise
# and a payment cancels the portal offer); standard input with -; all or nothing:
# a bad line is named FILE:LINE (and its field) and nothing is stored.
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
cat >c.csv <<'CSV'
external_id,name,document,email,phone,whatsapp,tags
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br,,+5511999990001,plano-mensal
C2,Bia Lima,529.982.247-25,bia@exemplo.com.br,,+5511999990002,plano-mensal
C3,Caio Reis,529.982.247-25,caio@exemplo.com.br,,+5511999990003,plano-mensal
CSV
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-10-05
F2,C2,100.00,2026-10-05
F3,C3,100.00,2026-10-05
CSV
export REGUA_NOW=2026-10-13T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
expect_exit "first tick" 0 regua tick

events0=$(q "SELECT count(*) FROM events")

# ---- a bad line anywhere: nothing stored, the line named ----
cat >bad.jsonl <<'EOF2'
{"type": "portal.visited", "customer": "C1", "at": "2026-10-13T13:00:00Z"}

{"type": "email.opened", "invoice": "F9", "at": "2026-10-13T13:00:00Z"}
EOF2
expect_exit "an unknown invoice on line 3" 1 regua event --file bad.jsonl
contains "... named by file, line and field" err "bad.jsonl:3: invoice: no invoice 'F9'"
is "... nothing stored (not even line 1)" "$(q "SELECT count(*) FROM events")" "$events0"
is "... no timer" "$(q "SELECT count(*) FROM trigger_timers")" 0
printf '{"type": "portal.visited", "customer": "C1"}\n{"type": "portal.visited", "invoice": "F1", "colour": 1}\n' >bad2.jsonl
expect_exit "an unknown key" 1 regua event --file bad2.jsonl
contains "... names it" err "bad2.jsonl:2: colour: 'colour' is not one of type, invoice, customer, at, data"
printf '{"type": "portal.visited", "customer": "C1", "at": "ontem"}\n' >bad3.jsonl
expect_exit "a bad instant" 1 regua event --file bad3.jsonl
contains "... names the field" err "bad3.jsonl:1: at: an ISO-8601 instant"
printf '{"type": "promise.broken", "invoice": "F1"}\n' >bad4.jsonl
expect_exit "a type regua records itself" 1 regua event --file bad4.jsonl
contains "... refused as by regua event" err "bad4.jsonl:1: type: promise.broken is recorded by regua itself"
printf 'not json\n' >bad5.jsonl
expect_exit "not JSON" 1 regua event --file bad5.jsonl
contains "... names the line" err "bad5.jsonl:1: not JSON"
expect_exit "--file with a type too" 2 regua event portal.visited --file bad.jsonl
expect_exit "a file that is not there" 3 regua event --file nao-existe.jsonl
is "nothing stored by any of them" "$(q "SELECT count(*) FROM events")" "$events0"

# ---- the events, each as `regua event` records it ----
cat >ok.jsonl <<'EOF2'
{"type": "portal.visited", "customer": "C1", "at": "2026-10-13T13:00:00Z"}
{"type": "portal.visited", "customer": "C2", "at": "2026-10-13T13:00:00Z", "data": {"page": "/boleto"}}
{"type": "boleto.downloaded", "invoice": "F2", "at": "2026-10-13T14:00:00Z"}
{"type": "promise.made", "invoice": "F3", "at": "2026-10-13T14:00:00Z", "data": {"date": "2026-10-20"}}
{"type": "payment.received", "invoice": "F1", "at": "2026-10-13T14:30:00Z", "data": {"amount": "10.00", "reference": "pix-1"}}
EOF2
expect_exit "five events from a file" 0 regua event --file ok.jsonl --json
/usr/bin/python3 - <<'PY' && ok "the summary" || not_ok "the summary" "$(cat out)"
import json
o = json.load(open("out"))
assert o == {"events": 5, "timers_started": 3, "timers_cancelled": 2, "promises": 1, "payments": 1}, o
PY
is "the download cancelled C2's timer" "$(q "SELECT status FROM trigger_timers t JOIN customers c ON c.id = t.customer_id WHERE c.external_id = 'C2'")" cancelled
is "the payment cancelled C1's" "$(q "SELECT substr(reason, 1, 34) FROM trigger_timers t JOIN customers c ON c.id = t.customer_id WHERE c.external_id = 'C1'")" "cancelled: payment.received (event"
is "the promise started its pause" "$(q "SELECT t.status FROM trigger_timers t JOIN invoices i ON i.id = t.invoice_id WHERE i.external_id = 'F3'")" waiting
is "the data is stored with its event" "$(q "SELECT payload FROM events WHERE type = 'portal.visited' AND payload <> '{}'")" '{"page":"/boleto"}'
is "the promise" "$(q "SELECT count(*) FROM promises p JOIN invoices i ON i.id = p.invoice_id WHERE i.external_id = 'F3' AND p.status = 'pending'")" 1
is "the payment" "$(q "SELECT amount FROM payments WHERE reference = 'pix-1'")" 1000
is "each at its instant" "$(q "SELECT at FROM events WHERE type = 'boleto.downloaded'")" 1791900000

# ---- standard input; an event without "at" happened now ----
printf '{"type": "email.opened", "invoice": "F3"}\n' | regua event --file - >out 2>err
is "from standard input" "$?" 0
contains "... the text summary" out "recorded 1 event from -: 1 timer started, 0 cancelled"
is "... at the clock" "$(q "SELECT at FROM events WHERE type = 'email.opened'")" 1791892800
