#!/bin/sh
# Issue 9, inputs and the CLI's truth: each check reproduces a wrong
# behaviour of the old code (dates from `now - 3h`, bare dates as UTC
# midnight, ...) and asserts what regua says and stores now.
. "$(dirname "$0")/lib.sh"
cd "$T"

# json FILE EXPR: evaluates a Python expression over the JSON in FILE (as o)
json() {
    /usr/bin/python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
# jcheck NAME FILE EXPR
jcheck() {
    if json "$2" "$3" 2>/dev/null; then ok "$1"; else not_ok "$1" "$3 is false for $(head -c 600 "$2")"; fi
}

cat >clientes.csv <<'CSV'
external_id,name,document,email,whatsapp,tags
C1,Maria da Conceição,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,plano-mensal|vip
C2,Padaria Pão Quente Ltda,11.222.333/0001-81,contas@paoquente.com.br,,b2b
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade,100.00,2027-01-10
F2,C1,Mensalidade,100.00,2027-01-10
F3,C2,Pedido 7,50.00,2027-01-10
F4,C2,Pedido 8,50.00,2027-01-10
CSV
export REGUA_NOW=2027-01-14T12:00:00Z
regua --db t.db import customers clientes.csv >/dev/null 2>&1
regua --db t.db import invoices faturas.csv >/dev/null 2>&1

# ---- dates: a bare date is that day where the company is ----
expect_exit "pay --at AAAA-MM-DD" 0 regua --db t.db pay F1 --amount 100 --at 2027-01-13
regua --db t.db invoice show F1 --json >f1.json
jcheck "pay --at 2027-01-13 is noon of the 13th in São Paulo, not 00:00Z (the 12th there)" f1.json \
    'o["payments"][0]["paid_at"] == "2027-01-13T15:00:00Z"'
expect_exit "pay --at dd/mm/aaaa is accepted" 0 regua --db t.db pay F2 --amount 100 --at 13/01/2027
regua --db t.db invoice show F2 --json >f2.json
jcheck "pay --at 13/01/2027 is the same day" f2.json 'o["payments"][0]["paid_at"] == "2027-01-13T15:00:00Z"'
expect_exit "pay --at nonsense is a usage error" 2 regua --db t.db pay F3 --amount 1 --at 32/01/2027
contains "pay --at error names the formats" err "--at takes a date (2027-01-13 or 13/01/2027"
cat >pagamentos.csv <<'CSV'
invoice_external_id,amount,paid_at,reference
F3,50.00,13/01/2027,R1
CSV
expect_exit "payments CSV with dd/mm/aaaa" 0 regua --db t.db import payments pagamentos.csv
regua --db t.db invoice show F3 --json >f3.json
jcheck "a CSV date is noon where the company is too" f3.json 'o["payments"][0]["paid_at"] == "2027-01-13T15:00:00Z"'
expect_exit "--now with a bare date" 0 regua --db t.db --now 13/01/2027 pay F4 --amount 1 --reference R2
regua --db t.db invoice show F4 --json >f4.json
jcheck "--now 13/01/2027 is noon of that day where the company is" f4.json \
    'o["payments"][0]["paid_at"] == "2027-01-13T15:00:00Z"'

# "today" comes from the company's zone, not from now - 3h: at 02:30Z on
# the 13th it is still the 12th in São Paulo but already the 13th in
# Fernando de Noronha (UTC-2)
cat >sp.yaml <<'YAML'
timezone: America/Sao_Paulo
channels:
  letter: {driver: letter, dir: cartas}
YAML
sed 's|America/Sao_Paulo|America/Noronha|' sp.yaml >noronha.yaml
expect_exit "letters build in São Paulo" 0 regua --config sp.yaml --db t.db --now 2027-01-13T02:30:00Z letters build --json
jcheck "today in São Paulo at 02:30Z is the 12th" out 'o[0]["date"] == "2027-01-12"'
expect_exit "letters build in Noronha" 0 regua --config noronha.yaml --db t.db --now 2027-01-13T02:30:00Z letters build --json
jcheck "today in Noronha at 02:30Z is the 13th" out 'o[0]["date"] == "2027-01-13"'
expect_exit "letters build --date dd/mm/aaaa" 0 regua --config sp.yaml --db t.db letters build --date 05/01/2027 --json
jcheck "letters --date 05/01/2027" out 'o[0]["date"] == "2027-01-05"'
printf 'timezone: America/Sao_Paolo\n' >typo.yaml
expect_exit "a time zone that does not exist is refused" 1 regua --config typo.yaml --db t.db invoice list
contains "the bad zone is named with file:line" err "typo.yaml:1"
