#!/bin/sh
# The agenda through the binary, on a fake clock: each invoice's stored
# instant (invoice show's agenda), a tick that finds nothing due, and the
# writes that move an instant — a payment, an import that changes an
# invoice, a cadence edit (re-planned) — `tick --full`, and a tick killed midway.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p cadences templates
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
timezone: America/Sao_Paulo
window: {weekdays: "09:00-18:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: lembrete, at: D-3, send: {channels: [email], template: lembrete}}
  - {id: hoje, at: D0, send: {channels: [email], template: lembrete}}
YAML
printf 'Subject: Lembrete {{invoice.external_id}}\n{{invoice.external_id}} vence em {{invoice.due_date}}. {{company.name}} (CNPJ {{company.cnpj}})\n' >templates/lembrete.email
cat >regua.yaml <<'YAML'
database: regua.db
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: sent/email.jsonl}
YAML
export REGUA_NOW=2026-10-10T12:00:00Z
printf 'external_id,name,email\nC1,Ana,ana@exemplo.com.br\nC2,Bia,bia@exemplo.com.br\n' >c.csv
printf 'external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-22\nF2,C2,70.00,2026-10-22\n' >f.csv
expect_exit "import customers" 0 regua import customers c.csv
expect_exit "import invoices" 0 regua import invoices f.csv

# agenda_at of invoice $1 into $T/at
agenda() {
    "$REGUA_BIN" invoice show "$1" --json >"$T/show.json" 2>&1 &&
        /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["agenda_at"])' "$T/show.json"
}
# planned N: the last tick's JSON says N invoices were planned
planned() {
    /usr/bin/python3 -c 'import json,sys; o=json.load(open("out")); assert o["invoices"]==int(sys.argv[1]), o' "$1"
}
is() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}

is "a new invoice is due at once" "$(agenda F1)" "1970-01-01T00:00:00Z"
expect_exit "first tick" 0 regua tick --json
planned 2 && ok "the first tick plans both new invoices" || not_ok "the first tick plans both new invoices" "$(cat out)"
# D-3 is Monday 10-19, 09:00 in Sao Paulo
is "the instant is the next step's opening" "$(agenda F1)" "2026-10-19T12:00:00Z"
expect_exit "invoice show says when" 0 regua invoice show F1
contains "invoice show prints the agenda (local time)" out "agenda:      planned again at 2026-10-19 09:00:00 -03:00"
expect_exit "a tick with nothing due" 0 regua tick --at 2026-10-10T12:01:00Z --json
planned 0 && ok "nothing due: nothing planned" || not_ok "nothing due: nothing planned" "$(cat out)"

# a payment moves the instant of the customer's invoices, not the others'
export REGUA_NOW=2026-10-11T12:00:00Z
expect_exit "a partial payment" 0 regua pay F1 --amount 10.00 --at 2026-10-11T12:00:00Z
is "a payment wakes the invoice" "$(agenda F1)" "1970-01-01T00:00:00Z"
is "... not another customer's" "$(agenda F2)" "2026-10-19T12:00:00Z"
expect_exit "tick after the payment" 0 regua tick --at 2026-10-11T12:01:00Z --json
planned 1 && ok "the tick plans only the woken invoice" || not_ok "the tick plans only the woken invoice" "$(cat out)"
is "planned again" "$(agenda F1)" "2026-10-19T12:00:00Z"

# an import that changes an invoice moves its instant; an unchanged row does not
printf 'external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-22\nF2,C2,70.00,2026-10-29\n' >f2.csv
export REGUA_NOW=2026-10-12T12:00:00Z
expect_exit "import a new due date" 0 regua import invoices f2.csv
is "an unchanged row keeps its instant" "$(agenda F1)" "2026-10-19T12:00:00Z"
is "a changed invoice is woken" "$(agenda F2)" "1970-01-01T00:00:00Z"
expect_exit "tick after the import" 0 regua tick --at 2026-10-12T12:00:00Z --json
planned 1 && ok "the tick plans the changed invoice" || not_ok "the tick plans the changed invoice" "$(cat out)"
is "the new due date's D-3 (Monday 10-26)" "$(agenda F2)" "2026-10-26T12:00:00Z"

# a cadence edit: the next tick re-plans every open invoice
sed 's/at: D-3/at: D-6/' cadences/t.yaml >t.new && mv t.new cadences/t.yaml
expect_exit "tick after the cadence edit" 0 regua tick --at 2026-10-12T13:00:00Z --json
planned 2 && ok "a cadence edit re-plans every open invoice" || not_ok "a cadence edit re-plans every open invoice" "$(cat out)"
is "F1: D-6 is Friday 10-16" "$(agenda F1)" "2026-10-16T12:00:00Z"
is "F2: D-6 is Friday 10-23" "$(agenda F2)" "2026-10-23T12:00:00Z"
expect_exit "the tick after that" 0 regua tick --at 2026-10-12T13:01:00Z --json
planned 0 && ok "the re-plan is done" || not_ok "the re-plan is done" "$(cat out)"

# --full plans every open invoice, and the instants stay
expect_exit "tick --full" 0 regua tick --full --at 2026-10-12T14:00:00Z --json
planned 2 && ok "tick --full plans every open invoice" || not_ok "tick --full plans every open invoice" "$(cat out)"
is "tick --full keeps the instant" "$(agenda F1)" "2026-10-16T12:00:00Z"

# the step goes at its instant, once
expect_exit "tick at the instant" 0 regua tick --at 2026-10-16T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["invoices"]==1 and o["messages"]==1, o' \
    && ok "the due step goes out at its instant" || not_ok "the due step goes out at its instant" "$(cat out)"
is "then the next step" "$(agenda F1)" "2026-10-22T12:00:00Z"
expect_exit "tick at the same instant again" 0 regua tick --at 2026-10-16T12:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["invoices"]==0 and o["messages"]==0, o' \
    && ok "ticking twice creates nothing" || not_ok "ticking twice creates nothing" "$(cat out)"
# a paid invoice leaves the agenda
export REGUA_NOW=2026-10-17T12:00:00Z
expect_exit "pay the rest" 0 regua pay F1 --amount 90.00 --at 2026-10-17T12:00:00Z
expect_exit "paid invoice" 0 regua invoice show F1 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["status"]=="paid" and o["agenda_at"] is None, o' \
    && ok "a paid invoice has no instant" || not_ok "a paid invoice has no instant" "$(head -c 300 out)"

# a tick killed (SIGKILL) wherever it is: the next tick at the same instant
# does what was left, nothing twice; the one after that does nothing
mkdir -p crash && cd crash
cp -r ../templates . && sed 's/regua.db/crash.db/' ../regua.yaml >regua.yaml
mkdir cadences && sed 's/at: D-6/at: D-3/' ../cadences/t.yaml >cadences/t.yaml
/usr/bin/python3 - <<'PY'
with open("c.csv", "w") as c, open("f.csv", "w") as f:
    c.write("external_id,name,email\n")
    f.write("external_id,customer_external_id,amount,due_date\n")
    for i in range(4000):
        c.write(f"K{i},Cliente {i},k{i}@exemplo.com.br\n")
        f.write(f"G{i},K{i},10.00,2026-10-2{i % 2 + 2}\n")
PY
export REGUA_NOW=2026-10-10T12:00:00Z
expect_exit "crash: import customers" 0 regua import customers c.csv
expect_exit "crash: import invoices" 0 regua import invoices f.csv
"$REGUA_BIN" tick --at 2026-10-22T12:00:00Z --no-dispatch >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
expect_exit "crash: the tick after the kill" 0 regua tick --at 2026-10-22T12:00:00Z --no-dispatch --json
expect_exit "crash: once more" 0 regua tick --at 2026-10-22T12:00:00Z --no-dispatch --json
/usr/bin/python3 -c 'import json; o=json.load(open("../out")); assert o["invoices"]==0 and o["messages"]==0, o' \
    && ok "crash: the third tick finds nothing" || not_ok "crash: the third tick finds nothing" "$(cat ../out)"
expect_exit "crash: messages" 0 regua messages list --json
/usr/bin/python3 - <<'PY' && ok "crash: every due step exactly once" || not_ok "crash: every due step exactly once" "see above"
import json, collections
msgs = json.load(open("../out"))
n = collections.Counter((tuple(m["invoice_external_ids"]), m["source"]) for m in msgs)
dup = [k for k, v in n.items() if v > 1]
# due 10-22 (Thursday): D0 (hoje), D-3 superseded; due 10-23: D-3 (lembrete) since 10-20
want = {f"G{i}": ("hoje" if i % 2 == 0 else "lembrete") for i in range(4000)}
got = {ids[0]: src.split(":")[-1] for (ids, src) in n}
assert not dup, dup[:5]
assert got == want, [(k, got.get(k), v) for k, v in want.items() if got.get(k) != v][:5]
PY
cd ..
