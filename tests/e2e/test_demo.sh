#!/bin/sh
# regua demo builds 120 days of history by running the engine day by day:
# messages in several statuses, payments after the steps, promises kept and
# broken, agreements completed and broken, a dispute, opens, clicks and portal visits; boletos and PIX codes;
# the same seed and date give the same database.
. "$(dirname "$0")/lib.sh"
cd "$T"
export REGUA_NOW=2026-11-24T15:00:00Z
repo_project
expect_exit "demo --no-serve exits 0" 0 regua demo --no-serve
contains "demo prints its history" out "over 120 days of history"
contains "demo prints the dashboard's URL and login" out "dashboard: http://127.0.0.1:8080/ — log in as demo@regua.local with the password "
pw1=$(sed -n 's/.*with the password \([A-Za-z0-9]*\) .*/\1/p' out)
is "the password is 12 letters and digits" "${#pw1}" 12
regua user list --json >users.json
is "the demo user is an admin" "$(/usr/bin/python3 -c 'import json; print([(u["email"], u["role"]) for u in json.load(open("users.json"))])')" "[('demo@regua.local', 'admin')]"
grep -q "$pw1" regua.db && not_ok "only the password's hash is stored" "found in regua.db" || ok "only the password's hash is stored"
sql() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"; }
n=$(sql regua.db "select count(distinct status) from messages where status in ('sent','delivered','read','failed','suppressed')")
is "messages in five statuses" "$n" 5
n=$(sql regua.db "select count(*) > 50 from payments p join invoices i on i.id = p.invoice_id
  where exists (select 1 from messages m where m.invoice_id = p.invoice_id and m.status <> 'suppressed'
                and m.sent_at < p.paid_at and p.paid_at - m.sent_at < 4 * 86400)")
is "payments arrive within days after a step" "$n" 1
n=$(sql regua.db "select count(*) > 20 from payments p join invoices i on i.id = p.invoice_id
  where p.paid_at > (i.due_date + 1) * 86400 + 86400")
is "some payments after the due date" "$n" 1
n=$(sql regua.db "select count(*) > 0 from invoices i where status = 'open' and due_date < 20781 - 60
  and exists (select 1 from messages m where m.invoice_id = i.id)")
is "a tail never pays" "$n" 1
is "promises kept" "$(sql regua.db "select count(*) > 0 from promises where status = 'kept'")" 1
is "promises broken" "$(sql regua.db "select count(*) > 0 from promises where status = 'broken'")" 1
is "promise.broken recorded by the tick" "$(sql regua.db "select count(*) > 0 from events where type = 'promise.broken'")" 1
is "agreements completed" "$(sql regua.db "select count(*) > 0 from agreements where status = 'completed'")" 1
is "agreements broken" "$(sql regua.db "select count(*) > 0 from agreements where status = 'broken'")" 1
is "the demo's installments follow the shipped acordo cadence (its messages)" \
   "$(sql regua.db "select count(*) > 0 and min(m.cadence = 'acordo') from messages m join invoices i on i.id = m.invoice_id where i.external_id like 'ACORDO-%' and m.source_kind = 'step'")" 1
is "a dispute" "$(sql regua.db "select count(*) > 0 from events where type = 'dispute.opened'")" 1
for t in email.opened link.clicked portal.visited message.delivered message.read payment.received; do
    is "events $t" "$(sql regua.db "select count(*) > 0 from events where type = '$t'")" 1
done
is "history spans 120 days" "$(sql regua.db "select (max(sent_at) - min(sent_at)) / 86400 >= 110 from messages where sent_at is not null")" 1
is "every invoice has a boleto and a PIX code" \
   "$(sql regua.db "select count(*) from invoices where length(linha_digitavel) <> 47 or pix_code not like '000201%'")" 0
regua invoice show "$(sql regua.db "select external_id from invoices order by id limit 1")" >show.txt
contains "invoice show prints its boleto" show.txt "boleto:      341 "
regua pix decode "$(sql regua.db "select pix_code from invoices order by id limit 1")" >pix.txt 2>&1 \
  && ok "its PIX code decodes" || not_ok "its PIX code decodes" "$(cat pix.txt)"

# determinism: the same seed and date give the same database
dump() {
    /usr/bin/python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("customers", "invoices", "payments", "messages", "events", "promises", "tasks", "agreements"):
    for row in db.execute("select * from %s order by id" % t):
        print(t, row)
PY
}
dump regua.db >a.txt
mkdir two && cd two && repo_project && regua demo --no-serve >out2 && dump regua.db >../b.txt && cd ..
pw2=$(sed -n 's/.*with the password \([A-Za-z0-9]*\) .*/\1/p' two/out2)
[ -n "$pw2" ] && [ "$pw2" != "$pw1" ] && ok "each demo gets a new password" || not_ok "each demo gets a new password" "'$pw1' '$pw2'"
cmp -s a.txt b.txt && ok "demo is deterministic (same seed and date)" || not_ok "demo is deterministic" "$(diff a.txt b.txt | head -3)"
[ "$(wc -l <a.txt)" -gt 10000 ] && ok "the dump compared is the history" || not_ok "the dump compared is the history" "$(wc -l <a.txt)"

mkdir small && cd small && repo_project
expect_exit "demo --customers 20" 0 regua demo --customers 20 --no-serve
is "20 customers" "$(sql regua.db "select count(*) from customers")" 20
is "their history has messages" "$(sql regua.db "select count(*) > 20 from messages")" 1
cd ..
