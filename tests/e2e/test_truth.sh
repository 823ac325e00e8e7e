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

# ---- encodings: UTF-8 or refused; --encoding converts ----
# "Conceição" and "Pão" as Excel writes them (windows-1252)
printf 'external_id,name,document\nC3,Jo\343o da Concei\347\343o,111.444.777-35\nC4,P\343o de A\347\372car Ltda,\n' >excel.csv
regua --db t.db customer list --json >before.json
expect_exit "a windows-1252 CSV is refused" 1 regua --db t.db import customers excel.csv
contains "the bad byte is named with FILE:LINE" err "excel.csv:2: byte 0xE3 is not UTF-8 text"
contains "the refusal says how to import it" err "--encoding windows-1252"
contains "every bad line is reported" err "excel.csv:3: byte 0xE3 is not UTF-8 text"
regua --db t.db customer list --json >after.json
cmp -s before.json after.json && ok "nothing was stored from the refused file" || not_ok "nothing was stored from the refused file" "customers changed"
expect_exit "--encoding windows-1252 converts" 0 regua --db t.db import customers excel.csv --encoding windows-1252
expect_exit "customer show --json of the converted name" 0 regua --db t.db customer show C3 --json
jcheck "the name is Conceição, not Concei��o" out 'o["name"] == "João da Conceição"'
expect_exit "latin1 converts too" 0 regua --db t.db import customers excel.csv --encoding latin1 --json
jcheck "the same file again changes nothing" out 'o["unchanged"] == 2'
cp clientes.csv utf8.csv
expect_exit "a UTF-8 file declared windows-1252 is refused" 1 regua --db t.db import customers utf8.csv --encoding windows-1252
contains "it says the file is already UTF-8" err "already UTF-8"
expect_exit "an unknown encoding is a usage error" 2 regua --db t.db import customers excel.csv --encoding ebcdic
printf 'external_id,name\nC5,Ab\201c\n' >undefined.csv
expect_exit "a byte windows-1252 does not define is refused" 1 regua --db t.db import customers undefined.csv --encoding windows-1252
contains "the undefined byte is named" err "undefined.csv:2: byte 0x81 is not a windows-1252 character"

# ---- a record JSON cannot hold is an error, never a shorter list ----
# (text written before imports checked it: put there by hand)
cp t.db bad.db
sqlite3 bad.db "UPDATE customers SET name = CAST(X'436F6E636569E7E36F' AS TEXT) WHERE external_id = 'C1';
                UPDATE invoices SET description = CAST(X'50E36F' AS TEXT) WHERE external_id = 'F2';"
expect_exit "customer list --json with a non-UTF-8 name fails" 1 regua --db bad.db customer list --json
contains "it names the customer" err "customer: C1 cannot be written as JSON"
[ ! -s out ] && ok "no shorter list is printed" || not_ok "no shorter list is printed" "$(head -c 200 out)"
expect_exit "customer show --json fails (was: exit 0)" 1 regua --db bad.db customer show C1 --json
expect_exit "invoice list --json fails instead of dropping F2" 1 regua --db bad.db invoice list --json
contains "it names the invoice" err "invoice: F2 cannot be written as JSON"
expect_exit "the text output still works" 0 regua --db bad.db customer list
expect_exit "invoice show --json of F2 fails (its description)" 1 regua --db bad.db invoice show F2 --json
contains "it names the invoice" err "invoice: F2 cannot be written as JSON"
[ ! -s out ] && ok "no partial invoice is printed" || not_ok "no partial invoice is printed" "$(head -c 200 out)"
# an event whose payload holds such text: an error, not an empty payload
sqlite3 bad.db "UPDATE events SET payload = CAST(X'7B2272223A2250E36F227D' AS TEXT)
                WHERE invoice_id = (SELECT id FROM invoices WHERE external_id = 'F1')"
expect_exit "invoice show --json with a broken event payload fails" 1 regua --db bad.db invoice show F1 --json
contains "it names the event's invoice" err "event on invoice: F1 cannot be written as JSON"
# text typed in another encoding (a latin1 terminal) is refused, never stored
expect_exit "pay --reference that is not UTF-8 is refused" 1 regua --db t.db pay F4 --amount 1 --reference "$(printf 'R\343')"
contains "it names the option" err "reference: not valid UTF-8 text"
expect_exit "pay --method that is not UTF-8 is refused" 1 regua --db t.db pay F4 --amount 1 --method "$(printf 'cart\343o')"
regua --db t.db invoice show F4 --json >f4.json
jcheck "nothing was recorded by the refused payments" f4.json 'len(o["payments"]) == 1'

# ---- CSV rows: every column, and an empty field clears nothing ----
cat >curto.csv <<'CSV'
external_id,name,document,email,whatsapp,tags
C1,Maria da Conceição
CSV
expect_exit "a short row is refused" 1 regua --db t.db import customers curto.csv
contains "the short row is named with FILE:LINE" err "curto.csv:2: 2 fields but the header has 6"
cat >longo.csv <<'CSV'
external_id,name
C1,Maria da Conceição,extra
CSV
expect_exit "a long row is refused" 1 regua --db t.db import customers longo.csv
contains "the long row is named" err "longo.csv:2: 3 fields but the header has 2"
regua --db t.db customer show C1 --json >c1.json
jcheck "the short row cleared nothing" c1.json 'o["whatsapp"] == "+5511987654321" and o["tags"] == ["plano-mensal", "vip"]'
cat >vazio.csv <<'CSV'
external_id,name,document,email,whatsapp,tags
C1,Maria da Conceição,,,,
CSV
expect_exit "a row with empty fields" 0 regua --db t.db import customers vazio.csv
regua --db t.db customer show C1 --json >c1.json
jcheck "an empty field leaves the stored value" c1.json \
    'o["whatsapp"] == "+5511987654321" and o["tags"] == ["plano-mensal", "vip"] and o["email"] == "maria@exemplo.com.br" and o["document"] == "529.982.247-25"'
expect_exit "--clear whatsapp,tags" 0 regua --db t.db import customers vazio.csv --clear whatsapp,tags
regua --db t.db customer show C1 --json >c1.json
jcheck "--clear clears only the columns it lists" c1.json \
    'o["whatsapp"] is None and o["tags"] == [] and o["email"] == "maria@exemplo.com.br"'
expect_exit "--clear of a required column is a usage error" 2 regua --db t.db import customers vazio.csv --clear name
expect_exit "--clear of an unknown column is a usage error" 2 regua --db t.db import customers vazio.csv --clear whatsap

# ---- the law at the door: a consumer's fine is at most 2% (CDC art. 52 §1) ----
cat >multa.csv <<'CSV'
external_id,customer_external_id,amount,due_date,fine_pct
F10,C1,100.00,2027-02-10,10
F11,C2,100.00,2027-02-10,10
CSV
expect_exit "a 10% fine on a PF invoice is refused" 1 regua --db t.db import invoices multa.csv
contains "the refusal names line, column and article" err "multa.csv:2: fine_pct: 10.00% is above the 2.00% fine a consumer (PF) may be charged (CDC art. 52 §1)"
expect_exit "--skip-invalid keeps the PJ invoice only" 0 regua --db t.db import invoices multa.csv --skip-invalid
expect_exit "the PF invoice was not stored" 1 regua --db t.db invoice show F10
expect_exit "the PJ invoice was" 0 regua --db t.db invoice show F11 --json
jcheck "a company may agree to 10%" out 'o["fine_pct"] == "10.00"'

# ---- the database: only init, import and demo create one ----
expect_exit "a database that does not exist is refused" 3 regua --db nope.db invoice list
contains "it says there is no such database" err "nope.db: no such database"
[ ! -e nope.db ] && ok "no empty database was created" || not_ok "no empty database was created" "nope.db exists"
expect_exit "tick refuses it too" 3 regua --db nope.db tick
expect_exit "init creates it" 0 regua --db nope.db init
expect_exit "then it is used" 0 regua --db nope.db invoice list

# make run's demo writes the file regua.yaml names, so every other command sees it
mkdir repo && cp "$REGUA_ROOT/regua.yaml" repo/ && cp -r "$REGUA_ROOT/cadences" "$REGUA_ROOT/templates" repo/
db=$(sed -n 's/^database: *//p' repo/regua.yaml)
(cd repo && "$REGUA_BIN" demo --no-serve --customers 5 >../out 2>../err)
[ -n "$db" ] && [ -f "repo/$db" ] && ok "the demo writes regua.yaml's database ($db)" || not_ok "the demo writes regua.yaml's database" "$(ls repo) $(cat err)"
(cd repo && "$REGUA_BIN" customer list --json >../out 2>../err)
jcheck "regua without --db sees the demo's customers" out 'len(o) == 5'

# ---- a cadence or template that does not load is a failure, not "without cadence" ----
mkdir -p cad/cadences cad/templates
cat >cad/regua.yaml <<'YAML'
database: c.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: sent/email.jsonl}
YAML
cat >cad/cadences/boa.yaml <<'YAML'
cadence: boa
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: atraso, at: D+1, send: {channels: [email], template: atraso}}
YAML
printf 'Subject: Fatura {{invoice.external_id}} em aberto\n\nOlá {{customer.first_name}}, a fatura {{invoice.external_id}} venceu em {{invoice.due_date}}.\nValor atualizado: {{invoice.updated_amount}}.\n{{company.name}} (CNPJ {{company.cnpj}})\n' >cad/templates/atraso.email
printf 'external_id,name,email,document\nK1,Ana Lima,ana@exemplo.com.br,529.982.247-25\n' >cad/k.csv
printf 'external_id,customer_external_id,amount,due_date\nG1,K1,10.00,2027-01-04\n' >cad/g.csv
cd cad
export REGUA_NOW=2027-01-05T12:00:00Z
regua import customers k.csv >/dev/null && regua import invoices g.csv >/dev/null
# a 10% fine stored on a consumer's invoice before imports refused it
sqlite3 c.db "UPDATE invoices SET fine_pct = 1000 WHERE external_id = 'G1'"
cat >cadences/ruim.yaml <<'YAML'
cadence: ruim
match: {priority: 5, tags_any: [vip]}
stepz: []
YAML
expect_exit "tick with a cadence file that does not load exits 1" 1 regua tick
contains "tick names the file" "$T/err" "ruim.yaml"
contains "tick says nothing was done" "$T/err" "nothing was done"
n=$(regua messages list --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 0 ] && ok "no message went out with a partial cadence set" || not_ok "no message went out with a partial cadence set" "$n"
expect_exit "simulate exits 1" 1 regua simulate --days 3
contains "simulate names the file" "$T/err" "ruim.yaml"
expect_exit "cadence list exits 1" 1 regua cadence list
contains "cadence list names the file" "$T/err" "ruim.yaml"
rm cadences/ruim.yaml
printf 'Olá {{customer.name\n' >templates/quebrado.sms
expect_exit "a template that does not load fails the tick too, used or not" 1 regua tick
contains "the template is named" "$T/err" "templates/quebrado.sms"
rm templates/quebrado.sms
expect_exit "with everything loading, the tick runs" 0 regua tick --json
jcheck "and sends" "$T/out" 'o["sent"] == 1'
head -1 sent/email.jsonl >line.json
jcheck "the log channel's line lists the invoice ids as an array, like every JSON (was \"G1\")" line.json \
    'o["invoice_external_ids"] == ["G1"]'
regua messages list --json >m.json
jcheck "the message charges a consumer 2%, not the stored 10% (R$ 10,20, not R$ 11,00)" m.json \
    '"Valor atualizado: R$ 10,20." in o[0]["body"]'
expect_exit "invoice show says the fine is charged as 2%" 0 regua invoice show G1
contains "with the article" "$T/out" "fine:        10.00% (this invoice's own) — charged as 2.00%: a consumer's fine is at most 2% (CDC art. 52 §1)"
expect_exit "invoice show --json" 0 regua invoice show G1 --json
jcheck "fine_pct_applied in JSON" "$T/out" 'o["fine_pct"] == "10.00" and o["fine_pct_applied"] == "2.00" and "CDC art. 52" in o["fine_capped"]'
# people read local times; JSON keeps UTC
expect_exit "messages list (text)" 0 regua messages list
contains "text shows the local time with its offset" "$T/out" "2027-01-05 09:00:00 -03:00"
jcheck "JSON keeps UTC" m.json 'o[0]["planned_for"] == "2027-01-05T12:00:00Z"'
expect_exit "tick text" 0 regua tick
contains "tick text says the local time" "$T/out" "tick at 2027-01-05 09:00:00 -03:00"

# serve keeps the last good set, says degraded on /healthz, and reloads
health() { curl -s "http://127.0.0.1:$port/healthz" >health.json; }
wait_status() { # wait_status STATUS: up to 15 s for /healthz to say it
    i=0
    while [ $i -lt 150 ]; do
        health
        json health.json "o[\"status\"] == \"$1\"" 2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
cp -r cadences ruim-backup
printf 'cadence: ruim\nmatch: {priority: 5}\nstepz: []\n' >cadences/ruim.yaml
port=$(free_port)
"$REGUA_BIN" serve --listen 127.0.0.1:$port --tick-every 1 --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "http://127.0.0.1:$port/healthz" || not_ok "serve starts" "$(cat serve.log)"
if wait_status degraded; then ok "healthz says degraded when a cadence does not load"; else not_ok "healthz says degraded when a cadence does not load" "$(cat health.json)"; fi
jcheck "the reason names the component and the file" health.json \
    'any(r["component"] == "cadences" and "ruim.yaml" in r["reason"] for r in o["reasons"])'
jcheck "the reason says the scheduler waits for a set that loads" health.json \
    'any("does not tick until they load" in r["reason"] for r in o["reasons"])'
rm cadences/ruim.yaml
if wait_status ok; then ok "fixed files are loaded again: ok"; else not_ok "fixed files are loaded again: ok" "$(cat health.json) $(tail -3 serve.log)"; fi
printf 'cadence: ruim\nmatch: {priority: 5}\nstepz: []\n' >cadences/ruim.yaml
if wait_status degraded; then ok "a later broken file: degraded again"; else not_ok "a later broken file: degraded again" "$(cat health.json)"; fi
jcheck "and the last good set keeps running" health.json \
    'any("runs the last set that loaded" in r["reason"] for r in o["reasons"])'
contains "the problem is logged with file:line" serve.log "ruim.yaml:3"
kill -TERM $pid
wait $pid
rm cadences/ruim.yaml

# the day a payment was made is the customer's: 23:30 on the due date in
# Manaus is on time (03:30Z the next day was "late" with now - 3h), so a
# repeat-offender cadence does not match
cat >cadences/reincidente.yaml <<'YAML'
cadence: reincidente
match: {priority: 10, late_count_12m_min: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: atraso, at: D+1, send: {channels: [email], template: atraso}}
YAML
printf 'external_id,name,email,timezone\nM1,Rui Manaus,rui@exemplo.com.br,America/Manaus\n' >m.csv
printf 'external_id,customer_external_id,amount,due_date\nH1,M1,10.00,2026-12-01\nH2,M1,10.00,2027-01-20\n' >h.csv
regua import customers m.csv >/dev/null && regua import invoices h.csv >/dev/null
expect_exit "paid at 23:30 in Manaus on the due date" 0 regua pay H1 --amount 10 --at 2026-12-02T03:30:00Z
expect_exit "invoice show H2" 0 regua invoice show H2 --json
jcheck "an on-time payer is not a repeat offender" "$T/out" 'o["cadence"]["name"] == "boa"'
regua tick >/dev/null
expect_exit "invoice show H2 (text)" 0 regua invoice show H2
contains "the agenda's next instant is printed in local time too (was: UTC)" "$T/out" \
    "agenda:      planned again at 2027-01-21 09:00:00 -03:00"
expect_exit "simulate --from dd/mm/aaaa --json" 0 regua simulate --from 20/01/2027 --days 3 --json
jcheck "simulate lists invoice ids as an array, like messages list" "$T/out" \
    'o["messages"] and all(m["invoice_external_ids"] == ["H2"] for m in o["messages"])'
expect_exit "a payment on a paid invoice" 0 regua pay H1 --amount 5 --reference EXTRA
contains "is recorded with a warning" "$T/err" "warning: H1"
contains "the warning says credit" "$T/err" "credit is now R\$ 5,00"
expect_exit "invoice show H1" 0 regua invoice show H1
contains "invoice show shows the credit" "$T/out" "credit:      R\$ 5,00"
expect_exit "invoice show H1 --json" 0 regua invoice show H1 --json
jcheck "credit in JSON" "$T/out" 'o["credit_cents"] == 500 and o["credit"] == "5.00" and o["paid_cents"] == 1500'
printf 'invoice_external_id,amount,reference\nH1,1.00,CSV-1\n' >p.csv
expect_exit "an overpayment by CSV is kept" 0 regua import payments p.csv
contains "with a warning line" "$T/err" "p.csv:2: warning: amount: R\$ 1,00 is beyond what was open on H1"

# text that is not UTF-8 in the database (from before imports checked it):
# messages list --json fails naming the message, and no message carries it
cp c.db c2.db
sqlite3 c2.db "UPDATE messages SET body = CAST(X'50E36F' AS TEXT) WHERE id = 1;
               UPDATE customers SET name = CAST(X'5275E3' AS TEXT) WHERE external_id = 'M1';"
expect_exit "messages list --json with a broken body fails (was: silently dropped)" 1 regua --db c2.db messages list --json
contains "it names the message" "$T/err" "message: 1 cannot be written as JSON"
expect_exit "a tick renders the customer's broken name" 0 regua --db c2.db tick --at 2027-01-21T12:00:00Z
st=$(sqlite3 c2.db "SELECT m.status || ': ' || m.reason FROM messages m JOIN invoices i ON i.id = m.invoice_id WHERE i.external_id = 'H2'" 2>&1)
case "$st" in
suppressed*"not valid UTF-8"*) ok "the e-mail with broken text is suppressed, with the reason, not sent" ;;
*) not_ok "the e-mail with broken text is suppressed, with the reason, not sent" "$st" ;;
esac
if grep -q "$(printf 'Ru\343')" sent/email.jsonl 2>/dev/null; then not_ok "nothing with broken text reached the channel" "found"; else ok "nothing with broken text reached the channel"; fi
cd ..

# ---- a cadence that states no `timezone` opens its window where the company
# is (`timezone` in regua.yaml), not in São Paulo ----
mkdir -p mao/cadences mao/templates
sed -e 's/^database: c.db/database: m.db/' -e 's|^timezone: America/Sao_Paulo|timezone: America/Manaus|' \
    cad/regua.yaml >mao/regua.yaml
sed 's/^cadence: boa/cadence: manaus/' cad/cadences/boa.yaml >mao/cadences/manaus.yaml
cp cad/templates/atraso.email mao/templates/
cd mao
grep -q timezone cadences/manaus.yaml && not_ok "the cadence states no timezone" "$(cat cadences/manaus.yaml)" \
    || ok "the cadence states no timezone"
export REGUA_NOW=2027-01-05T11:30:00Z
printf 'external_id,name,email,document\nN1,Ana Lima,ana@exemplo.com.br,529.982.247-25\n' >n.csv
printf 'external_id,customer_external_id,amount,due_date\nP1,N1,10.00,2027-01-04\n' >p.csv
regua import customers n.csv >/dev/null && regua import invoices p.csv >/dev/null
expect_exit "tick at 07:30 in Manaus (08:30 in São Paulo)" 0 regua tick --json
jcheck "the window is the company's: nothing before 08:00 in Manaus (was: sent at 08:30 São Paulo time)" "$T/out" \
    'o["sent"] == 0'
expect_exit "tick at 08:00 in Manaus" 0 regua tick --at 2027-01-05T12:00:00Z --json
jcheck "at 08:00 in Manaus it goes" "$T/out" 'o["sent"] == 1'
# a zone that does not exist is an error, not São Paulo with a warning in the log
printf 'timezone: America/Sao_Paolo\n' >>cadences/manaus.yaml
expect_exit "a cadence timezone with a typo fails lint" 1 regua cadence lint cadences/manaus.yaml
contains "it is named, with file:line" "$T/out" "cadences/manaus.yaml:7: error[bad-value]: \`timezone\` \"America/Sao_Paolo\" is not an IANA time zone installed here"
expect_exit "and the tick refuses to run without it" 1 regua tick
cd ..
