#!/bin/sh
# The shipped `acordo` cadence (cadences/acordo.yaml): lint clean; an
# agreement's installments (tag acordo) follow it before any other cadence
# (priority 100, over mensal-pf's plano-mensal); a tick plans and runs its
# steps: the reminder D-3, the due day, a call task at D+5.
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
expect_exit "the shipped acordo cadence lints clean" 0 regua cadence lint cadences/acordo.yaml
contains "... no error, no warning" out "1 file(s): 0 error(s), 0 warning(s)"
printf 'external_id,name,document,email,whatsapp\nC1,Ana Souza,529.982.247-25,ana@exemplo.com.br,+5511987654321\n' >c.csv
printf 'external_id,customer_external_id,amount,due_date,tags\nF1,C1,300.00,2026-10-05,plano-mensal\nF2,C1,200.00,2026-10-20,plano-mensal\n' >f.csv
export REGUA_NOW=2026-11-03T12:00:00Z # Tuesday, 09:00 in São Paulo
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
expect_exit "F1 shows its cadence" 0 regua invoice show F1 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["cadence"]["name"]=="mensal-pf", o["cadence"]' \
    && ok "F1 follows mensal-pf" || not_ok "F1 follows mensal-pf" "$(head -c 400 out)"
expect_exit "agreement of F1 + F2 in 2" 0 regua agreement create C1 F1 F2 --installments 2
for k in 0 1 2; do
    expect_exit "ACORDO-1-$k shows" 0 regua invoice show ACORDO-1-$k --json
    /usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["cadence"]["name"]=="acordo" and o["tags"]==["acordo"], o["cadence"]' \
        && ok "ACORDO-1-$k follows the acordo cadence" || not_ok "ACORDO-1-$k follows the acordo cadence" "$(head -c 400 out)"
done
expect_exit "tick on 03/11 (the down payment is due 06/11)" 0 regua tick
expect_exit "ACORDO-1-0 after the tick" 0 regua invoice show ACORDO-1-0
contains "its D-3 reminder ran" out "step        lembrete       done"
contains "its next step is the due day" out "next step:   hoje at 2026-11-06 08:00:00 -03:00"
is "the reminder went by e-mail, from the acordo cadence" \
   "$(q "SELECT m.channel || ' ' || m.cadence || ' ' || m.source_id FROM messages m JOIN invoices i ON i.id = m.invoice_id WHERE i.external_id = 'ACORDO-1-0'")" "email acordo lembrete"
expect_exit "tick on 06/11" 0 regua tick --at 2026-11-06T12:00:00Z
expect_exit "ACORDO-1-0 on its due day" 0 regua invoice show ACORDO-1-0
contains "the due-day step ran" out "step        hoje           done"
expect_exit "tick on 11/11 (D+5)" 0 regua tick --at 2026-11-11T12:00:00Z
expect_exit "task list" 0 regua task list --json
contains "a call task for the late down payment" out '"kind": "call"'
contains "... about ACORDO-1-0" out "ACORDO-1-0"
is "nothing more about the renegotiated originals" \
   "$(q "SELECT count(*) FROM messages m JOIN invoices i ON i.id = m.invoice_id WHERE i.external_id IN ('F1','F2')")" 0
