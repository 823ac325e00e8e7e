#!/bin/sh
# Events and triggers end to end on a fake clock, with the repository's
# mensal-pf cadence and templates (the seeds' dynamic actions): portal
# visited without a download -> the WhatsApp offer 3 h later (nothing when
# the boleto was downloaded meanwhile); e-mail opened with no reply in 48 h
# -> SMS (nothing after a reply); a timer outside the window waits for the
# opening; `regua simulate` forecasts a waiting timer at its moment;
# `regua event` refuses what it cannot record and stores nothing.
. "$(dirname "$0")/lib.sh"
cd "$T"
cp -r "$REGUA_ROOT/cadences" "$REGUA_ROOT/templates" .
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl}
  whatsapp: {driver: log, path: outbox/whatsapp.jsonl}
  sms: {driver: log, path: outbox/sms.jsonl}
  letter: {driver: log, path: outbox/letter.jsonl}
YAML
# C3 and C4 have no WhatsApp: the "outro canal" message goes by SMS
cat >c.csv <<'CSV'
external_id,name,document,email,phone,whatsapp,tags
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br,,+5511999990001,plano-mensal
C2,Bia Lima,529.982.247-25,bia@exemplo.com.br,,+5511999990002,plano-mensal
C3,Caio Reis,529.982.247-25,caio@exemplo.com.br,+5511999990003,,plano-mensal
C4,Davi Melo,529.982.247-25,davi@exemplo.com.br,+5511999990004,,plano-mensal
C5,Eva Dias,529.982.247-25,eva@exemplo.com.br,,+5511999990005,plano-mensal
C6,Fabi Cruz,529.982.247-25,fabi@exemplo.com.br,,+5511999990006,plano-mensal
CSV
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-10-05
F2,C2,100.00,2026-10-05
F3,C3,100.00,2026-10-05
F4,C4,100.00,2026-10-05
F5,C5,100.00,2026-10-05
F5B,C5,50.00,2026-10-05
F6,C6,100.00,2026-10-05
CSV
# Tuesday 2026-10-13, 09:00 in Sao Paulo
export REGUA_NOW=2026-10-13T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
expect_exit "first tick" 0 regua tick

q() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect("regua.db").execute(sys.argv[1]).fetchone()[0])' "$1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
msgs() { q "SELECT count(*) FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = '$1' AND m.source_kind = 'trigger' AND m.source_id = '$2'"; }

# ---- portal visited: the offer 3 h later, unless the boleto was downloaded ----
expect_exit "portal.visited about the customer" 0 regua event portal.visited --customer C1 --at 2026-10-13T13:00:00Z
contains "it starts the trigger's timer" out "1 timer started"
expect_exit "portal.visited (C2)" 0 regua event portal.visited --customer C2 --at 2026-10-13T13:00:00Z
expect_exit "boleto.downloaded meanwhile" 0 regua event boleto.downloaded --invoice F2 --at 2026-10-13T14:00:00Z --json
contains "the download cancels the waiting timer" out '"timers_cancelled": 1'
is "the cancellation says why" "$(q "SELECT reason FROM trigger_timers t JOIN customers c ON c.id = t.customer_id WHERE c.external_id = 'C2'")" \
    "cancelled: boleto.downloaded (event $(q "SELECT max(id) FROM events WHERE type = 'boleto.downloaded'") at 2026-10-13T14:00:00Z) came first"
expect_exit "a tick before the 3 h" 0 regua tick --at 2026-10-13T15:59:00Z
# the forecast includes the waiting timer, at its moment
expect_exit "simulate with a waiting timer" 0 regua simulate --days 2 --json --now 2026-10-13T15:59:30Z
/usr/bin/python3 - <<'PY' && ok "simulate: the offer at 13:00 local" || not_ok "simulate: the offer at 13:00 local" "$(head -c 800 out)"
import json
o = json.load(open("out"))
m = [x for x in o["messages"] if x["step"] == "portal-sem-download"]
assert [(x["customer_external_id"], x["planned_for"], x["source_kind"]) for x in m] == [("C1", "2026-10-13T16:00:00Z", "trigger")], m
PY
expect_exit "invoice show lists the waiting timer" 0 regua invoice show F1 --now 2026-10-13T15:59:30Z
contains "... the trigger, its moment, the event and its unless" out \
    "timer:       portal-sem-download (mensal-pf) fires 2026-10-13 13:00:00 -03:00, on portal.visited (event $(q "SELECT min(id) FROM events WHERE type = 'portal.visited'"), about the customer) unless boleto.downloaded, pix.copied, payment.received, promise.made"
expect_exit "invoice show --json lists it" 0 regua invoice show F1 --json --now 2026-10-13T15:59:30Z
/usr/bin/python3 - <<'PY' && ok "invoice show --json: timers" || not_ok "invoice show --json: timers" "$(head -c 1500 out)"
import json
t = json.load(open("out"))["timers"]
assert [(x["trigger"], x["fire_at"], x["about"], x["event_type"]) for x in t] == [("portal-sem-download", "2026-10-13T16:00:00Z", "customer", "portal.visited")], t
assert t[0]["unless"] == ["boleto.downloaded", "pix.copied", "payment.received", "promise.made"], t
PY
expect_exit "no timer left for C2's invoice" 0 regua invoice show F2 --json --now 2026-10-13T15:59:30Z
contains "... an empty list" out '"timers": []'
is "simulate changed nothing" "$(q "SELECT count(*) FROM trigger_timers WHERE status = 'waiting'")" 1
is "nothing before its moment" "$(msgs C1 portal-sem-download)" 0
expect_exit "the tick 3 h later" 0 regua tick --at 2026-10-13T16:00:00Z --json
contains "the tick fires one timer" out '"timers_fired": 1'
is "the offer went to C1" "$(msgs C1 portal-sem-download)" 1
is "... on WhatsApp" "$(q "SELECT channel FROM messages WHERE source_id = 'portal-sem-download'")" whatsapp
contains "the log names the trigger as the source" outbox/whatsapp.jsonl '"source":"portal-sem-download"'
contains "the offer's amount: without interest" outbox/whatsapp.jsonl 'Você paga *R$ 102,00* e economiza R$ 0,27'
contains "it lists the invoice the event concerns" outbox/whatsapp.jsonl '"invoice_external_ids":["F1"]'
is "nothing for C2, who downloaded the boleto" "$(msgs C2 portal-sem-download)" 0
expect_exit "the same instant again" 0 regua tick --at 2026-10-13T16:00:00Z
expect_exit "and later" 0 regua tick --at 2026-10-13T17:00:00Z
is "a timer never fires twice" "$(msgs C1 portal-sem-download)" 1
is "the timer is fired" "$(q "SELECT status FROM trigger_timers t JOIN customers c ON c.id = t.customer_id WHERE c.external_id = 'C1'")" fired

# ---- e-mail opened, no reply in 48 h: another channel (SMS) ----
expect_exit "email.opened (C3)" 0 regua event email.opened --invoice F3 --at 2026-10-13T13:00:00Z
expect_exit "email.opened (C4)" 0 regua event email.opened --invoice F4 --at 2026-10-13T13:00:00Z
expect_exit "C4 replies" 0 regua event message.replied --customer C4 --at 2026-10-14T10:00:00Z
contains "the reply cancels the timer" out "0 timers started, 1 cancelled"
expect_exit "a tick before the 48 h" 0 regua tick --at 2026-10-15T12:59:00Z
is "nothing before 48 h" "$(msgs C3 abriu-sem-retorno)" 0
expect_exit "the tick 48 h later" 0 regua tick --at 2026-10-15T13:00:00Z
is "C3 gets the SMS" "$(q "SELECT count(*) FROM messages WHERE source_id = 'abriu-sem-retorno' AND channel = 'sms'")" 1
contains "the SMS is the outro-canal template" outbox/sms.jsonl '"source":"abriu-sem-retorno"'
is "nothing for C4, who replied" "$(msgs C4 abriu-sem-retorno)" 0

# ---- outside the window: the timer waits for the next opening ----
# visited at 19:00 in Sao Paulo: 3 h later is 22:00, closed; 08:00 next day
expect_exit "portal.visited in the evening" 0 regua event portal.visited --customer C5 --at 2026-10-13T22:00:00Z
expect_exit "the tick at 22:00 local" 0 regua tick --at 2026-10-14T01:00:00Z --json
contains "the timer waits" out '"timers_waiting": 1'
is "nothing at night" "$(msgs C5 portal-sem-download)" 0
is "it fires at the window's opening" "$(q "SELECT fire_at FROM trigger_timers t JOIN customers c ON c.id = t.customer_id WHERE c.external_id = 'C5'")" \
    "$(/usr/bin/python3 -c 'import datetime; print(int(datetime.datetime(2026,10,14,11,0,tzinfo=datetime.timezone.utc).timestamp()))')"
expect_exit "the tick at the opening" 0 regua tick --at 2026-10-14T11:00:00Z
is "the offer goes at 08:00" "$(msgs C5 portal-sem-download)" 1
contains "... one message listing both of C5's open invoices" outbox/whatsapp.jsonl '"invoice_external_ids":["F5","F5B"]'
is "... each with its offer" "$(q "SELECT count(*) FROM offers o JOIN invoices i ON i.id = o.invoice_id WHERE i.external_id IN ('F5', 'F5B') AND o.source = 'trigger:mensal-pf/portal-sem-download'")" 2

# ---- payment.received through regua event cancels, and pays ----
expect_exit "portal.visited (C6)" 0 regua event portal.visited --invoice F6 --at 2026-10-14T12:00:00Z
expect_exit "payment.received as an event" 0 regua event payment.received --invoice F6 --at 2026-10-14T12:30:00Z \
    --data '{"amount": "100.00", "reference": "E2E-1", "method": "pix"}' --json
contains "the payment is recorded" out '"balance_cents": 0'
contains "... and cancels the offer" out '"timers_cancelled": 1'
is "the invoice is paid" "$(q "SELECT status FROM invoices WHERE external_id = 'F6'")" paid
expect_exit "the same payment again" 0 regua event payment.received --invoice F6 --at 2026-10-14T12:30:00Z \
    --data '{"amount": "100.00", "reference": "E2E-1"}'
contains "the same payment twice is one" out "already recorded"
is "one payment" "$(q "SELECT count(*) FROM payments WHERE reference = 'E2E-1'")" 1

# ---- promise.made through regua event ----
expect_exit "promise.made" 0 regua event promise.made --invoice F1 --data '{"date": "2026-10-20"}' --json
contains "a promise is made" out '"promise_id"'
is "for the balance" "$(q "SELECT amount FROM promises")" 10000
expect_exit "the tick after the promise" 0 regua tick --at 2026-10-14T12:10:00Z
is "the promise's trigger paused ligar and negativar" \
    "$(q "SELECT group_concat(step, ',') FROM (SELECT step FROM invoice_holds WHERE reason = 'trigger:mensal-pf/promessa' AND released_at IS NULL ORDER BY step)")" "ligar,negativar"
is "... while that promise is pending" "$(q "SELECT count(*) FROM invoice_holds WHERE promise_id = (SELECT id FROM promises)")" 2
is "the promise's grace is the trigger's" "$(q "SELECT grace_days FROM promises")" 2
contains "the aguardando message names the promised date" outbox/whatsapp.jsonl "até 20/10/2026"
is "the trigger's message is its own" "$(msgs C1 promessa)" 1
# the promise (20/10, grace 2) breaks at 23/10 00:00 local: the tick that
# breaks it also sends the promessa-quebrada message (promise.broken starts
# the trigger's timer, due at once)
expect_exit "the tick after the deadline" 0 regua tick --at 2026-10-23T12:00:00Z --json
contains "the promise breaks" out '"promises_broken": 1'
is "promessa-quebrada goes in the same tick" "$(msgs C1 promessa-quebrada)" 1
is "... its timer fired" "$(q "SELECT status FROM trigger_timers WHERE trigger_id = 'promessa-quebrada'")" fired
expect_exit "a promise in the past" 1 regua event promise.made --invoice F1 --data '{"date": "2026-01-01"}'
contains "names data.date" err "data.date"

# ---- optout through regua event: the customer leaves the channel ----
expect_exit "optout as an event" 0 regua event optout --customer C3 --data '{"channel": "sms"}' --at 2026-10-23T12:30:00Z
expect_exit "customer show C3" 0 regua customer show C3 --json
/usr/bin/python3 - <<'PY' && ok "the opt-out is recorded (channel, how, when) with its event" || not_ok "the opt-out is recorded (channel, how, when) with its event" "$(head -c 1500 out)"
import json
o = json.load(open("out"))
assert [(x["channel"], x["source"], x["at"]) for x in o["optouts"]] == [("sms", "cli", "2026-10-23T12:30:00Z")], o["optouts"]
assert o["events"][0]["type"] == "optout" and o["events"][0]["payload"] == {"channel": "sms", "how": "cli"}, o["events"][0]
PY
is "its invoices are planned again" "$(q "SELECT count(*) FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = 'C3' AND i.status = 'open' AND i.next_at = 0")" 1

# ---- refused: exit 1, what and where, nothing stored ----
before=$(q "SELECT count(*) FROM events")
expect_exit "unknown type" 1 regua event portal.visitado --invoice F1
contains "names the type" err "unknown event type 'portal.visitado'"
expect_exit "unknown invoice" 1 regua event portal.visited --invoice F99
contains "names the invoice" err "--invoice: no invoice 'F99'"
expect_exit "unknown customer" 1 regua event portal.visited --customer C99
contains "names the customer" err "--customer: no customer 'C99'"
expect_exit "bad JSON" 1 regua event portal.visited --invoice F1 --data '{"a": '
contains "says where in the JSON" err "--data: not JSON: line 1"
expect_exit "JSON that is not an object" 1 regua event portal.visited --invoice F1 --data '[1]'
expect_exit "an event only regua records" 1 regua event promise.broken --invoice F1
contains "says regua records it" err "is recorded by regua itself"
expect_exit "an invoice's event named by customer" 1 regua event boleto.downloaded --customer C1
expect_exit "payment.received without amount" 1 regua event payment.received --invoice F1 --data '{"reference": "x"}'
contains "names data.amount" err "data.amount"
expect_exit "a typo in promise data" 1 regua event promise.made --invoice F1 --data '{"data": "2026-10-20"}'
expect_exit "optout without its channel" 1 regua event optout --customer C1
contains "names data.channel" err "data.channel: optout needs the channel left"
expect_exit "optout of no channel name" 1 regua event optout --customer C1 --data '{"channel": "SMS!"}'
expect_exit "no invoice nor customer" 2 regua event portal.visited
is "nothing was stored" "$(q "SELECT count(*) FROM events")" "$before"
expect_exit "help lists the types" 0 regua event --help
contains "help lists portal.visited" out "portal.visited"
