#!/bin/sh
# regua customer export and anonymize (LGPD). export: everything stored about
# the person, one JSON document. anonymize: refused while an invoice is open; then the
# personal data goes — name replaced, contacts and address emptied, the texts
# of the messages sent, the events' payloads, the task notes — and the
# financial records stay (invoices, payments, the document, the external id,
# every row's dates and statuses); what was still to go out is cancelled;
# customer.anonymized is recorded; another customer is untouched.
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
cat >>regua.yaml <<'YAML'
webhooks:
  - {name: erp, url: "http://127.0.0.1:9/ganchos", secret_env: ERP_SECRET, events: [message.replied, customer.anonymized]}
YAML
cat >c.csv <<'CSV'
external_id,name,document,email,phone,whatsapp,tags,street,number,district,city,state,zip
C1,Ana Souza,529.982.247-25,ana@exemplo.com.br,+5511999990001,+5511999990001,plano-mensal,Rua das Flores,12,Centro,São Paulo,SP,01001-000
C2,Bia Lima,529.982.247-25,bia@exemplo.com.br,+5511999990002,+5511999990002,plano-mensal,Rua B,3,Centro,São Paulo,SP,01001-000
CSV
cat >f.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F1,C1,100.00,2026-10-05
F2,C2,100.00,2026-10-05
CSV
export REGUA_NOW=2026-10-13T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
expect_exit "tick" 0 regua tick
expect_exit "a reply is recorded with its text" 0 regua event message.replied --customer C1 --data '{"text": "Ana aqui, pago sexta"}'
expect_exit "a promise" 0 regua event promise.made --invoice F1 --data '{"date": "2026-10-20"}'

c1="(SELECT id FROM customers WHERE external_id = 'C1')"
is "the reply went to the webhook's outbox" "$(q "SELECT count(*) FROM webhook_deliveries WHERE body LIKE '%Ana aqui%'")" 1
is "C1 was sent messages with her name" "$(q "SELECT count(*) > 0 FROM messages WHERE customer_id = $c1 AND body LIKE '%Ana%'")" 1

expect_exit "export C1" 0 regua customer export C1
cp out export-before.json
/usr/bin/python3 - <<'PY' && ok "export: the customer, her invoices, messages, events and tasks" || not_ok "export: the customer, her invoices, messages, events and tasks" "$(head -c 800 export-before.json)"
import json
d = json.load(open("export-before.json"))
assert d["exported_at"].startswith("2026-10-13"), d["exported_at"]
c = d["customer"]
assert c["external_id"] == "C1" and c["name"] == "Ana Souza" and c["email"] == "ana@exemplo.com.br", c
assert [e["type"] for e in c["events"]].count("message.replied") == 1, c["events"]
assert any("Ana aqui" in json.dumps(e) for e in c["events"]), c["events"]
assert [i["external_id"] for i in d["invoices"]] == ["F1"], d["invoices"]
assert d["invoices"][0]["promises"], d["invoices"][0]
assert d["messages"] and all(m["customer_external_id"] == "C1" for m in d["messages"]), d["messages"]
assert any("Ana" in m["body"] for m in d["messages"]), d["messages"]
assert all("html" in m and "payload" in m for m in d["messages"]), d["messages"][0]
assert isinstance(d["tasks"], list)
PY
expect_exit "export of an unknown customer" 1 regua customer export C9
contains "names it" err "C9"

expect_exit "anonymize needs --yes" 2 regua customer anonymize C1
contains "and says why" err "for good"
expect_exit "refused while F1 is open" 1 regua customer anonymize C1 --yes
contains "naming the open invoice" err "F1"
is "nothing erased" "$(q "SELECT name FROM customers WHERE external_id = 'C1'")" "Ana Souza"
expect_exit "an unknown customer" 1 regua customer anonymize C9 --yes

expect_exit "F1 is paid" 0 regua pay F1 --amount 100.00 --reference pix-1
# a message planned but not yet gone (as a queued outbox row would be)
/usr/bin/python3 - <<'PY'
import sqlite3
db = sqlite3.connect("regua.db")
cid = db.execute("SELECT id FROM customers WHERE external_id = 'C1'").fetchone()[0]
db.execute("INSERT INTO messages (idempotency_key, customer_id, source_kind, source_id, channel, body, status,"
           " planned_for, next_attempt_at, created_at, updated_at) VALUES ('manual:x', ?, 'manual', 'x', 'email',"
           " 'Olá Ana', 'queued', 0, 0, 0, 0)", (cid,))
db.execute("INSERT INTO tasks (kind, customer_id, due_at, note, created_at) VALUES ('call', ?, 0, 'Ana pediu retorno', 0)", (cid,))
db.commit()
PY
expect_exit "anonymize C1" 0 regua customer anonymize C1 --yes --json
/usr/bin/python3 - <<'PY' && ok "the summary counts what changed" || not_ok "the summary counts what changed" "$(cat out)"
import json
r = json.load(open("out"))
assert r["customer"] == "C1" and r["name"] == "Titular anonimizado", r
assert r["messages_cancelled"] == 1 and r["messages_erased"] >= 2, r
assert r["events_erased"] >= 2 and r["webhook_bodies_erased"] == 1 and r["task_notes_erased"] == 1 and r["tasks_cancelled"] == 1, r
PY
is "the name is replaced" "$(q "SELECT name FROM customers WHERE external_id = 'C1'")" "Titular anonimizado"
is "contacts and address are empty" "$(q "SELECT email || phone || whatsapp || street || number || district || city || state || zip || tags FROM customers WHERE external_id = 'C1'")" ""
is "the document stays" "$(q "SELECT document FROM customers WHERE external_id = 'C1'")" "52998224725"
is "no message keeps a text" "$(q "SELECT count(*) FROM messages WHERE customer_id = $c1 AND (subject <> '' OR body <> '' OR html <> '' OR payload <> '{}')")" 0
is "the messages stay, with status and dates" "$(q "SELECT count(*) FROM messages WHERE customer_id = $c1 AND status = 'sent' AND sent_at IS NOT NULL")" "$(q "SELECT count(*) FROM messages WHERE customer_id = $c1 AND status = 'sent'")"
is "the queued message is cancelled" "$(q "SELECT status || ':' || reason FROM messages WHERE idempotency_key = 'manual:x'")" "cancelled:anonymized"
is "no event keeps a payload but the anonymization's" "$(q "SELECT count(*) FROM events WHERE (customer_id = $c1 OR invoice_id IN (SELECT id FROM invoices WHERE customer_id = $c1)) AND payload <> '{}' AND type <> 'customer.anonymized'")" 0
is "the reply's text is gone" "$(q "SELECT count(*) FROM events WHERE payload LIKE '%Ana aqui%'")" 0
is "and from its webhook delivery, which stays" "$(q "SELECT count(*) || ':' || sum(body LIKE '%Ana aqui%') FROM webhook_deliveries WHERE event_type = 'message.replied'")" "1:0"
is "the ERP is told of the anonymization" "$(q "SELECT count(*) FROM webhook_deliveries WHERE event_type = 'customer.anonymized' AND status = 'pending'")" 1
is "the task note is gone, the task cancelled" "$(q "SELECT status || ':' || note FROM tasks WHERE customer_id = $c1 AND kind = 'call'")" "cancelled:"
is "the invoice and its payment stay" "$(q "SELECT i.status || ':' || p.amount || ':' || p.reference FROM invoices i JOIN payments p ON p.invoice_id = i.id WHERE i.external_id = 'F1'")" "paid:10000:pix-1"
is "the promise stays" "$(q "SELECT count(*) FROM promises WHERE customer_id = $c1")" 1
is "customer.anonymized is recorded" "$(q "SELECT source FROM events WHERE type = 'customer.anonymized' AND customer_id = $c1")" "cli"
regua customer show C1 >show.txt
contains "customer show lists it" show.txt "customer.anonymized"
is "C2 is untouched" "$(q "SELECT name || ':' || email FROM customers WHERE external_id = 'C2'")" "Bia Lima:bia@exemplo.com.br"
is "C2's messages keep their texts" "$(q "SELECT count(*) > 0 FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = 'C2' AND m.body <> ''")" 1
expect_exit "export after" 0 regua customer export C1
/usr/bin/python3 - <<'PY' && ok "the export after holds no personal data, and the financial records" || not_ok "the export after holds no personal data, and the financial records" "$(head -c 1500 out)"
import json
text = open("out").read()
for gone in ("Ana Souza", "ana@exemplo", "5511999990001", "Rua das Flores", "Ana aqui", "Ana pediu"):
    assert gone not in text, gone
d = json.loads(text)
assert d["customer"]["name"] == "Titular anonimizado"
inv = d["invoices"][0]
assert inv["status"] == "paid" and inv["payments"][0]["reference"] == "pix-1", inv
assert len(d["tasks"]) >= 1 and all(t["note"] in ("", None) for t in d["tasks"]), d["tasks"]
PY
expect_exit "anonymizing again is allowed" 0 regua customer anonymize C1 --yes
