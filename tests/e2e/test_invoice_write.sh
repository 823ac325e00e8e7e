#!/bin/sh
# regua invoice create|update|cancel: one invoice written as a one-row
# `regua import invoices` (rg_invoice_write_one, the service of POST
# /v1/invoices, PATCH /v1/invoices/{id} and .../cancel): flags named as the
# CSV's columns, every bad one printed, nothing written then; --json prints
# `invoice show --json`'s document; a closed invoice cannot be cancelled,
# nor its status, amount, due date or customer changed (exit 1 naming its
# status).
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
export REGUA_NOW=2026-10-13T12:00:00Z
regua init >/dev/null
printf 'external_id,name,document,email\nC1,Ana Souza,529.982.247-25,ana@exemplo.com.br\nC2,Bia Lima,,bia@exemplo.com.br\n' >c.csv
expect_exit "import customers" 0 regua import customers c.csv

expect_exit "create" 0 regua invoice create F1 --customer C1 --amount 250,00 --due-date 2026-10-20 \
    --description Mensalidade --tags plano --fine-pct 2 --json
regua invoice create F2 --customer C1 --amount 100.00 --due-date 20/10/2026 --json >c2.json 2>err.txt \
    && ok "create F2" || not_ok "create F2" "$(cat err.txt)"
regua invoice show F2 --json >show.json
/usr/bin/python3 -c 'import json; a=json.load(open("c2.json")); b=json.load(open("show.json")); assert a == b and a["external_id"] == "F2", (a, b)' \
    && ok "--json prints invoice show --json's document" || not_ok "--json prints invoice show --json's document" "$(head -c 400 c2.json)"
is "stored as a one-row import" "$(q "SELECT amount || ':' || date(due_date * 86400, 'unixepoch') || ':' || description || ':' || tags || ':' || fine_pct FROM invoices WHERE external_id = 'F1'")" "25000:2026-10-20:Mensalidade:plano:200"
is "invoice.created recorded" "$(q "SELECT count(*) FROM events WHERE type = 'invoice.created'")" 2
regua invoice create F3 --customer C1 --amount 5 --due-date 2026-10-20 >plain.txt 2>&1
grep -q "F3" plain.txt && grep -q "C1" plain.txt && ok "without --json: printed as invoice show prints it" || not_ok "without --json: printed as invoice show prints it" "$(cat plain.txt)"

regua invoice create F1 --customer C1 --amount 1 --due-date 2026-10-20 >out.txt 2>err.txt
is "create an existing id: exit 1" "$?" 1
grep -q "F1" err.txt && grep -q "exists" err.txt && ok "saying it exists" || not_ok "saying it exists" "$(cat err.txt)"
regua invoice create F9 --customer C9 --amount abc --due-date 2026-13-45 --payment-url ftp://x >out.txt 2>err.txt
is "create with bad values: exit 1" "$?" 1
for flag in --customer --amount --due-date --payment-url; do
    grep -q -- "$flag:" err.txt && ok "names $flag" || not_ok "names $flag" "$(cat err.txt)"
done
is "nothing on stdout" "$(cat out.txt)" ""
regua invoice create F9 --customer C1 >out.txt 2>err.txt
is "create without amount and due date: exit 1" "$?" 1
grep -q -- "--amount: is required" err.txt && grep -q -- "--due-date: is required" err.txt \
    && ok "naming both" || not_ok "naming both" "$(cat err.txt)"
is "nothing written by a refused create" "$(q "SELECT count(*) FROM invoices WHERE external_id = 'F9'")" 0
expect_exit "a list filter on create: usage error" 2 regua invoice create F9 --customer C1 --amount 1 --due-date 2026-10-20 --limit 3
expect_exit "a column's flag on list: usage error" 2 regua invoice list --amount 3
expect_exit "create without an id: usage error" 2 regua invoice create --customer C1

expect_exit "update" 0 regua invoice update F1 --amount 300 --clear description,tags
is "only the given columns changed" "$(q "SELECT amount || ':' || date(due_date * 86400, 'unixepoch') || ':' || coalesce(description, '') || ':' || tags FROM invoices WHERE external_id = 'F1'")" "30000:2026-10-20::"
is "invoice.updated recorded" "$(q "SELECT count(*) FROM events WHERE type = 'invoice.updated'")" 1
regua invoice update F1 --clear amount >out.txt 2>err.txt
is "clearing a required column: exit 1" "$?" 1
grep -q -- "--amount" err.txt && ok "naming it" || not_ok "naming it" "$(cat err.txt)"
expect_exit "update an unknown invoice: exit 1" 1 regua invoice update F99 --amount 1
expect_exit "--clear on create: usage error" 2 regua invoice create F9 --customer C1 --amount 1 --due-date 2026-10-20 --clear tags

expect_exit "cancel" 0 regua invoice cancel F2
is "cancelled" "$(q "SELECT status FROM invoices WHERE external_id = 'F2'")" "cancelled"
is "invoice.cancelled recorded" "$(q "SELECT count(*) FROM events WHERE type = 'invoice.cancelled'")" 1
regua invoice cancel F2 >out.txt 2>err.txt
is "cancel a cancelled invoice: exit 1" "$?" 1
grep -q "is cancelled" err.txt && ok "naming its status" || not_ok "naming its status" "$(cat err.txt)"
expect_exit "cancel takes no column" 2 regua invoice cancel F1 --amount 3
expect_exit "F1 paid" 0 regua pay F1 --amount 300 --reference PIX-1
regua invoice cancel F1 >out.txt 2>err.txt
is "cancel a paid invoice: exit 1" "$?" 1
grep -q "F1" err.txt && grep -q "is paid" err.txt && ok "saying it is paid" || not_ok "saying it is paid" "$(cat err.txt)"
regua invoice update F1 --amount 10 >out.txt 2>err.txt
is "change a paid invoice's amount: exit 1" "$?" 1
grep -q -- "--amount: invoice 'F1' is paid" err.txt && ok "naming --amount and paid" || not_ok "naming --amount and paid" "$(cat err.txt)"
regua invoice update F1 --customer C2 >out.txt 2>err.txt
is "change a paid invoice's customer: exit 1" "$?" 1
grep -q -- "--customer: " err.txt && ok "naming --customer" || not_ok "naming --customer" "$(cat err.txt)"
is "a paid invoice unchanged" "$(q "SELECT amount || ':' || status || ':' || customer_id FROM invoices WHERE external_id = 'F1'")" "30000:paid:1"
expect_exit "describe a paid invoice" 0 regua invoice update F1 --description "Pago no PIX"
regua invoice --help >help.txt 2>&1
grep -q "regua invoice create EXTERNAL_ID" help.txt && grep -q -- "--due-date" help.txt && ok "invoice --help documents create" || not_ok "invoice --help documents create" "$(cat help.txt)"
