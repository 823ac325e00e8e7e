#!/bin/sh
# The regua binary end to end: help, global options, init, import, list/show, pay, exit codes.
. "$(dirname "$0")/lib.sh"
cd "$T"

# --help on every command, and the main help lists them
regua --help >main-help.txt 2>&1
for c in init import customer invoice pay serve demo; do
    contains "main help lists $c" main-help.txt "  $c "
    expect_exit "$c --help exits 0" 0 regua "$c" --help
    contains "$c --help shows usage" out "Usage: regua $c"
done
expect_exit "no command is a usage error" 2 regua
expect_exit "unknown command is a usage error" 2 regua frobnicate
expect_exit "unknown option is a usage error" 2 regua invoice list --frob
contains "unknown option names it" err "unknown option '--frob'"
expect_exit "bad --now is a usage error" 2 regua --now yesterday init

# global options before or after the command
expect_exit "init with --db before" 0 regua --db a.db init
expect_exit "init with --db after" 0 regua init --db b.db
[ -f a.db ] && [ -f b.db ] && ok "both databases created" || not_ok "both databases created" "missing"

cat >clientes.csv <<'CSV'
external_id;name;document;email;whatsapp;tags;city;state
C1;Maria da Silva;529.982.247-25;maria@exemplo.com.br;(11) 98765-4321;plano-mensal;São Paulo;SP
C2;Padaria Pão Quente Ltda;11.222.333/0001-81;contas@paoquente.com.br;;b2b;Rio de Janeiro;RJ
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,issue_date,due_date
F1,C1,Mensalidade,"1.234,56",01/12/2026,10/12/2026
F2,C2,Pedido 7,99.90,2026-11-01,2026-11-20
F3,C2,Pedido 8,150.00,2026-11-05,2026-11-25
CSV
export REGUA_NOW=2026-11-24T12:00:00Z
expect_exit "import customers" 0 regua --db t.db import customers clientes.csv
contains "import reports counts" out "2 rows: 2 new, 0 updated, 0 unchanged"
expect_exit "import invoices" 0 regua import invoices faturas.csv --db t.db
expect_exit "reimport changes nothing" 0 regua import invoices faturas.csv --db t.db --json
contains "reimport json unchanged" out '"unchanged": 3'

cat >ruim.csv <<'CSV'
external_id,customer_external_id,amount,due_date
F9,C1,10.00,2026-13-01
F10,C404,10.00,2026-12-01
F9,C1,10.00,2026-12-01
CSV
expect_exit "broken file exits 1" 1 regua --db t.db import invoices ruim.csv
contains "bad date reported" err "ruim.csv:2: due_date: '2026-13-01' is not a valid date"
contains "unknown customer reported" err "ruim.csv:3: customer_external_id: no customer with external id 'C404'"
contains "duplicate reported" err "ruim.csv:4: external_id: duplicate 'F9'"
contains "nothing imported said" err "nothing was imported"
regua --db t.db invoice list --json >list.json
n=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open("list.json"))))')
[ "$n" = 3 ] && ok "database unchanged after a broken file" || not_ok "database unchanged after a broken file" "$n invoices"

regua --db t.db invoice list --limit 2 --json >lim.json
n=$(/usr/bin/python3 -c 'import json; print(len(json.load(open("lim.json"))))')
[ "$n" = 2 ] && ok "--limit limits" || not_ok "--limit limits" "$n"
expect_exit "customer list json" 0 regua --db t.db customer list --json
/usr/bin/python3 -c 'import json; a=json.load(open("out")); assert isinstance(a, list) and a[0]["document"]=="529.982.247-25" and a[0]["kind"]=="PF" and a[0]["whatsapp"]=="+5511987654321"' \
    && ok "customer json fields" || not_ok "customer json fields" "$(head -c 300 out)"
expect_exit "customer show" 0 regua --db t.db customer show C2
contains "customer show document" out "11.222.333/0001-81 (PJ)"
expect_exit "missing customer exits 1" 1 regua --db t.db customer show C404
contains "missing customer says so" err "no customer with external id 'C404'"

expect_exit "partial payment" 0 regua --db t.db pay F1 --amount 234,56 --reference PIX-1
contains "partial payment balance" out "balance R\$ 1.000,00, status open"
expect_exit "same payment again" 0 regua --db t.db pay F1 --amount 234,56 --reference PIX-1
contains "same payment is a no-op" out "already recorded"
expect_exit "final payment" 0 regua --db t.db pay F1 --amount 1000 --reference PIX-2 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["status"]=="paid" and o["balance_cents"]==0' \
    && ok "paid when covered" || not_ok "paid when covered" "$(cat out)"
expect_exit "pay without amount is usage" 2 regua --db t.db pay F2
expect_exit "pay bad amount is bad input" 1 regua --db t.db pay F2 --amount abc
expect_exit "pay unknown invoice" 1 regua --db t.db pay F404 --amount 1
expect_exit "invoice show json" 0 regua --db t.db invoice show F1 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert len(o["payments"])==2 and o["events"][-1]["type"]=="payment.received"' \
    && ok "invoice show has payments and events" || not_ok "invoice show has payments and events" "$(head -c 400 out)"

# config errors name file and line
printf 'database: x.db\nlisten: 127.0.0.1:1\nbogus: 1\n' >bad.yaml
expect_exit "unknown config key" 1 regua --config bad.yaml init
contains "config error names file:line" err "bad.yaml:3: unknown key 'bogus'"
expect_exit "explicit missing config" 3 regua --config nope.yaml init
