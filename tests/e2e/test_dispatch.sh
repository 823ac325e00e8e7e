#!/bin/sh
# The dispatcher end to end: `regua tick` plans and sends through the
# whatsapp_cloud and http drivers to a local fake provider
# (tests/support/fake_http.py); fallback, retry, a payment between planning
# and sending, `regua dispatch`, `regua serve`; the review queue (uncertain
# messages, `regua messages resolve`). The crash tests (SIGKILL at
# random moments, a provider that de-duplicates nothing) are in
# test_crash.sh.
. "$(dirname "$0")/lib.sh"
cd "$T"
FAKE="$REGUA_ROOT/tests/support/fake_http.py"
export RG_WA_TOKEN=EAAG-e2e-token RG_SMS_TOKEN=sms-e2e-token

# start_fake DIR RULES [DELAY_MS]: a fake provider logging to DIR/fake.jsonl
start_fake() {
    mkdir -p "$1"
    printf '%s' "$2" >"$1/rules.json"
    /usr/bin/python3 "$FAKE" --port-file "$1/port" --log "$1/fake.jsonl" --rules "$1/rules.json" \
        --timeout 170 --delay-ms "${3:-0}" >"$1/fake.out" 2>&1 &
    echo $! >"$1/pid"
    i=0
    while [ ! -s "$1/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    cat "$1/port"
}
stop_fake() { kill "$(cat "$1/pid")" 2>/dev/null; wait "$(cat "$1/pid")" 2>/dev/null; return 0; }

# setup DIR PORT [SMS_EXTRA]: configuration, cadence and templates
setup() {
    mkdir -p "$1/cadences" "$1/templates"
    cat >"$1/regua.yaml" <<EOF
database: regua.db
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
channels:
  whatsapp:
    driver: whatsapp_cloud
    base_url: http://127.0.0.1:$2/v21.0
    phone_number_id: "1234567890"
    token_env: RG_WA_TOKEN
    timeout: 2
  sms:
    driver: http
    url: http://127.0.0.1:$2/sms
    headers: {X-API-TOKEN: "\${RG_SMS_TOKEN}"}
    body: '{"from": "regua", "to": "{{to_digits}}", "contents": [{"type": "text", "text": "{{body}}"}]}'
    timeout: 2
$3
  email:
    driver: log
    path: out/email.jsonl
EOF
    cat >"$1/cadences/teste.yaml" <<'EOF'
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: hoje, at: D0, send: {channels: [whatsapp, sms, email], template: hoje}}
EOF
    printf 'Template: cobranca_vence_hoje pt_BR\n{{customer.first_name}}\n{{invoice.amount}}\n{{company.name}} {{company.cnpj}}\n' \
        >"$1/templates/hoje.whatsapp"
    printf 'Hoje vence {{invoice.external_id}}: {{invoice.amount}}. {{company.name}} (CNPJ {{company.cnpj}})\n' \
        >"$1/templates/hoje.sms"
    printf 'Subject: Vence hoje\nHoje vence {{invoice.external_id}}: {{invoice.amount}}. {{company.name}} (CNPJ {{company.cnpj}})\n' \
        >"$1/templates/hoje.email"
}

export REGUA_NOW=2026-11-24T12:00:00Z # a Tuesday, 09:00 in São Paulo

# ---- flow: send, fallback, retry, payment before sending ----
port=$(start_fake fk1 '[{"match": "5511911110002", "status": 400, "code": 131026, "message": "Undeliverable"},
 {"match": "5511922220003", "status": 503, "times": 1, "retry_after": "600"}]')
setup flow "$port"
cd flow
cat >c.csv <<'EOF'
external_id;name;document;email;whatsapp;phone
C1;Maria da Silva;529.982.247-25;maria@x.com.br;+5511987650001;+5511987650001
C2;Joao Souza;111.444.777-35;joao@x.com.br;+5511911110002;+5511933330002
C3;Ana Lima;390.533.447-05;ana@x.com.br;;+5511922220003
C4;Rui Costa;123.456.789-09;rui@x.com.br;+5511944440004;
EOF
cat >f.csv <<'EOF'
external_id,customer_external_id,description,amount,issue_date,due_date
F1,C1,Mensalidade,100.00,2026-11-01,2026-11-24
F2,C2,Mensalidade,200.00,2026-11-01,2026-11-24
F3,C3,Mensalidade,300.00,2026-11-01,2026-11-24
F4,C4,Mensalidade,400.00,2026-11-01,2026-11-24
EOF
regua import customers c.csv >/dev/null && regua import invoices f.csv >/dev/null
expect_exit "tick --no-dispatch plans only" 0 regua tick --no-dispatch --json
contains "four messages queued" "$T/out" '"queued": 4'
# C4 pays between planning and sending
expect_exit "payment recorded" 0 regua pay F4 --amount 400.00 --at 2026-11-24T12:00:05Z
expect_exit "dispatch drains" 0 regua dispatch --json
cp "$T/out" dispatch1.json
/usr/bin/python3 - <<'PY' && ok "dispatch counts" || not_ok "dispatch counts" "$(cat dispatch1.json)"
import json
d = json.load(open("dispatch1.json"))
assert d["sent"] == 2 and d["rerouted"] == 1 and d["retried"] == 1 and d["cancelled"] == 1, d
assert d["queued"] == 1, d
PY
regua messages list --json >m1.json
/usr/bin/python3 - <<'PY' && ok "statuses after the first dispatch" || not_ok "statuses after the first dispatch" "$(cat m1.json)"
import json
m = {x["customer_external_id"]: x for x in json.load(open("m1.json"))}
assert m["C1"]["status"] == "sent" and m["C1"]["channel"] == "whatsapp", m["C1"]
assert m["C2"]["status"] == "sent" and m["C2"]["channel"] == "sms", m["C2"]
assert m["C2"]["reason"].startswith("whatsapp: WhatsApp error 131026"), m["C2"]
assert m["C2"]["body"] == "Hoje vence F2: R$ 200,00. Exemplo Ltda (CNPJ 11.222.333/0001-81)", m["C2"]
assert m["C3"]["status"] == "queued" and "retrying at 2026-11-24T12:10:00Z" in m["C3"]["reason"], m["C3"]
assert m["C4"]["status"] == "cancelled", m["C4"]
assert m["C4"]["reason"] == "not sent: invoice F4 paid (checked at send time)", m["C4"]
PY
/usr/bin/python3 - <<'PY' && ok "the fake got the right requests" || not_ok "the fake got the right requests" "$(cat ../fk1/fake.jsonl)"
import json
reqs = [json.loads(l) for l in open("../fk1/fake.jsonl")]
wa = [r for r in reqs if r["path"] == "/v21.0/1234567890/messages"]
sms = [r for r in reqs if r["path"] == "/sms"]
assert all(r["auth"] == "Bearer EAAG-e2e-token" for r in wa)
ok = [r for r in wa if r["status"] == 200]
assert len(ok) == 1 and ok[0]["json"]["template"]["name"] == "cobranca_vence_hoje"
assert ok[0]["json"]["template"]["language"]["code"] == "pt_BR"
assert [p["text"] for p in ok[0]["json"]["template"]["components"][0]["parameters"]][:2] == ["Maria", "R$ 100,00"]
assert ok[0]["json"]["biz_opaque_callback_data"] == "step:teste:hoje:1"
assert all(r["idempotency_header"] == r["key"] and r["key"].startswith("step:teste:hoje:") for r in sms)
assert not any("5511944440004" in r["body"] for r in reqs), "the paid invoice's message went out"
PY
grep -q 'e2e-token' ../fk1/fake.jsonl && ! grep -rq 'e2e-token' out regua.yaml && ok "secrets only on the wire" \
    || not_ok "secrets only on the wire" "token found outside requests"
expect_exit "a later dispatch sends the retry" 0 regua --now 2026-11-24T12:10:00Z dispatch
contains "retry sent" "$T/out" "1 sent"
regua messages list --json >m2.json
/usr/bin/python3 -c '
import json
m = {x["customer_external_id"]: x for x in json.load(open("m2.json"))}
assert m["C3"]["status"] == "sent" and m["C3"]["attempts"] == 2, m["C3"]
assert m["C1"]["attempts"] == 1 and m["C1"]["provider_id"], m["C1"]
assert m["C4"]["attempts"] == 0 and m["C4"]["provider_id"] is None, m["C4"]' && ok "retry delivered" || not_ok "retry delivered" "$(cat m2.json)"
n=$(sqlite3 regua.db "select count(*) from messages where status in ('queued','sending')")
[ "$n" = 0 ] && ok "outbox empty" || not_ok "outbox empty" "$n left"
attempts=$(sqlite3 regua.db "select attempts from messages where idempotency_key = 'step:teste:hoje:3'")
[ "$attempts" = 2 ] && ok "retry counted as attempt 2" || not_ok "retry counted as attempt 2" "$attempts"
expect_exit "dispatch --help" 0 regua dispatch --help
contains "dispatch help" "$T/out" "Usage: regua dispatch [--json]"
cd ..
stop_fake fk1

# ---- regua serve: the scheduler ticks and the dispatcher sends ----
port=$(start_fake fk2 '[]')
setup srv "$port"
cd srv
cp ../flow/c.csv ../flow/f.csv .
regua import customers c.csv >/dev/null && regua import invoices f.csv >/dev/null
hport=$(free_port)
"$REGUA_BIN" serve --listen 127.0.0.1:$hport --tick-every 1 >serve.log 2>&1 &
spid=$!
if wait_http "http://127.0.0.1:$hport/healthz"; then ok "serve starts"; else not_ok "serve starts" "$(cat serve.log)"; fi
i=0
while [ $i -lt 100 ]; do
    n=$(sqlite3 regua.db "select count(*) from messages where status = 'sent'" 2>/dev/null)
    [ "$n" = 4 ] && break
    sleep 0.1
    i=$((i + 1))
done
[ "$n" = 4 ] && ok "serve ticks and dispatches" || not_ok "serve ticks and dispatches" "$n sent; $(cat serve.log)"
contains "serve says what runs" serve.log "scheduler: a tick every 1 s; dispatcher: on"
kill -TERM $spid
wait $spid
[ $? -eq 0 ] && ok "serve stops cleanly on SIGTERM" || not_ok "serve stops cleanly on SIGTERM" "$(cat serve.log)"
cd ..
stop_fake fk2

# ---- the review queue: uncertain messages and what the operator does with them ----
# A key-less SMS channel (on_uncertain: review); the provider holds C1's, C2's and C3's requests past
# the timeout: each may have gone, so each becomes uncertain with a review task.
port=$(start_fake fk3 '[{"match": "55119", "hang": 4}]')
setup rev "$port" "    idempotency_header: none"
sed -i 's/channels: \[whatsapp, sms, email\]/channels: [sms]/' rev/cadences/teste.yaml
cd rev
cat >c.csv <<'EOF'
external_id;name;phone
C1;Maria da Silva;+5511987650001
C2;Joao Souza;+5511933330002
C3;Ana Lima;+5511922220003
EOF
cat >f.csv <<'EOF'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-11-24
F2,C2,200.00,2026-11-24
F3,C3,300.00,2026-11-24
EOF
regua import customers c.csv >/dev/null && regua import invoices f.csv >/dev/null
expect_exit "review: tick sends, no answer comes" 0 regua tick --json
regua messages list --status uncertain --json >u.json
/usr/bin/python3 -c '
import json
u = json.load(open("u.json"))
assert sorted(m["customer_external_id"] for m in u) == ["C1", "C2", "C3"], u
assert all("not resent (on_uncertain: review)" in m["reason"] for m in u), u' \
    && ok "review: messages list --status uncertain shows the queue" || not_ok "review: list uncertain" "$(cat u.json)"
regua task list --json >t.json
/usr/bin/python3 -c '
import json
t = [x for x in json.load(open("t.json")) if x["kind"] == "review"]
assert len(t) == 3 and all(x["status"] == "open" and x["message_id"] for x in t), t' \
    && ok "review: one open review task each" || not_ok "review: one open review task each" "$(cat t.json)"
id1=$(sqlite3 regua.db "select id from messages where idempotency_key = 'step:teste:hoje:1'")
id2=$(sqlite3 regua.db "select id from messages where idempotency_key = 'step:teste:hoje:2'")
id3=$(sqlite3 regua.db "select id from messages where idempotency_key = 'step:teste:hoje:3'")
tid=$(sqlite3 regua.db "select id from tasks where message_id = $id1 and kind = 'review'")
expect_exit "review: task done alone is refused while the message is uncertain" 1 regua task done "$tid" --outcome sent
contains "task done points to messages resolve" "$T/err" "decide with 'regua messages resolve $id1 --sent|--resend|--failed'"
expect_exit "resolve: exactly one decision" 2 regua messages resolve "$id1" --sent --failed
expect_exit "resolve: --as is checked as task claim's" 1 regua messages resolve "$id1" --sent --as "$(printf 'ana\tb')"
contains "resolve names --as and the byte" "$T/err" "as: a control character at byte 4"
expect_exit "resolve: --note is checked" 1 regua messages resolve "$id1" --sent --note "$(printf 'x\001')"
contains "resolve names --note" "$T/err" "note: control characters are not allowed"
expect_exit "resolve --sent" 0 regua messages resolve "$id1" --sent --provider-id SM123 --note "Twilio console: delivered" --as ana
contains "resolve --sent says so" "$T/out" "message $id1: sent; review task closed"
expect_exit "resolve --failed" 0 regua messages resolve "$id2" --failed --note "número desativado"
expect_exit "resolve --resend" 0 regua messages resolve "$id3" --resend --json
contains "resolve --resend is queued" "$T/out" '"status": "queued"'
expect_exit "resolve: only an uncertain message" 1 regua messages resolve "$id1" --failed
contains "resolve refuses a settled message" "$T/err" "message $id1 is sent, not uncertain"
expect_exit "resolve: unknown message" 1 regua messages resolve 999 --failed
expect_exit "resolve: a provider id only with --sent" 1 regua messages resolve "$id2" --resend --provider-id X
stop_fake ../fk3
port=$(start_fake ../fk3b '[]')
sed -i "s#127.0.0.1:[0-9]*/sms#127.0.0.1:$port/sms#" regua.yaml
expect_exit "review: the next dispatch sends the resend" 0 regua dispatch --json
contains "review: one sent" "$T/out" '"sent": 1'
regua messages list --json >m.json
regua task list --all --json >t2.json
/usr/bin/python3 - "$id1" "$id2" "$id3" <<'PY' && ok "review: each message as decided, tasks closed" \
    || not_ok "review: as decided" "$(cat m.json t2.json)"
import json, sys
i1, i2, i3 = (int(x) for x in sys.argv[1:])
m = {x["id"]: x for x in json.load(open("m.json"))}
assert m[i1]["status"] == "sent" and m[i1]["provider_id"] == "SM123", m[i1]
assert m[i1]["reason"] == "marked sent by the operator (ana): Twilio console: delivered", m[i1]
assert m[i2]["status"] == "failed" and m[i2]["reason"] == "given up by the operator: número desativado", m[i2]
assert m[i3]["status"] == "sent" and m[i3]["attempts"] == 1, m[i3]
t = {x["message_id"]: x for x in json.load(open("t2.json")) if x["kind"] == "review"}
assert [t[i]["status"] for i in (i1, i2, i3)] == ["done"] * 3, t
assert [t[i]["outcome"] for i in (i1, i2, i3)] == ["sent", "failed", "resent"], t
PY
reqs=$(grep -c '"path": "/sms"' ../fk3b/fake.jsonl)
[ "$reqs" = 1 ] && ok "review: only the resend went out again" || not_ok "review: only the resend" "$reqs requests"
n=$(regua messages list --status uncertain | wc -l)
[ "$n" = 0 ] && ok "review: the queue is empty" || not_ok "review: the queue is empty" "$n left"
cd ..
stop_fake fk3b
