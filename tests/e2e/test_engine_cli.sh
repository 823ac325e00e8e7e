#!/bin/sh
# The engine through the binary: cadence lint/list/show, tick, messages, simulate
# (whose forecast must equal what ticking through the same period produces).
. "$(dirname "$0")/lib.sh"
cd "$T"
cp -r "$REGUA_ROOT/cadences" "$REGUA_ROOT/templates" .
cat >regua.yaml <<'YAML'
database: regua.db
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: sent/email.jsonl}
  whatsapp: {driver: log, path: sent/whatsapp.jsonl}
  sms: {driver: log, path: sent/sms.jsonl}
  letter: {driver: log, path: sent/letter.jsonl}
YAML
export REGUA_NOW=2026-11-02T12:00:00Z

expect_exit "cadence lint accepts the examples" 0 regua cadence lint cadences/mensal-pf.yaml cadences/b2b-pj.yaml cadences/avulso-pf.yaml
contains "lint summary" out "3 file(s): 0 error(s)"
expect_exit "cadence lint a directory" 0 regua cadence lint cadences
contains "lint summary counts the directory's files" out "4 file(s): 0 error(s)"
cat >ruim.yaml <<'YAML'
cadence: ruim
match: {priority: 1}
fees: {fine_pct: 5.00}
steps:
  - {id: a, at: D+1, send: {channels: [email], template: nao-existe}}
  - {id: a, at: D+3, send: {channels: [pombo], template: atraso}}
  - {id: c, at: D+5x, send: {channels: [email], template: atraso}}
  - {id: neg, at: D+8, action: bureau_listing, requires_notice: a}
YAML
expect_exit "cadence lint rejects a bad file" 1 regua cadence lint ruim.yaml
contains "lint: unknown template" out "ruim.yaml:5: error[unknown-template]"
contains "lint: duplicate step" out "ruim.yaml:6: error[duplicate-step]"
contains "lint: unknown channel" out "error[unknown-channel]"
contains "lint: bad offset" out "ruim.yaml:7: error[bad-offset]"
contains "lint: fine above CDC" out "error[fine-above-cdc]"
# a template with a syntax error is reported as broken, with its own file:line
mkdir -p tq && cp templates/* tq/ && printf 'Olá {{customer.name\n{{company.name}} {{company.cnpj}}\n' >tq/quebrado.sms
cat >quebrado.yaml <<'YAML'
cadence: quebrado
match: {priority: 1}
steps:
  - {id: a, at: D+1, send: {channels: [sms], template: quebrado}}
YAML
sed 's/^database: regua.db$/database: regua.db\ntemplates: tq/' regua.yaml >rq.yaml
expect_exit "cadence lint: a broken template" 1 regua --config rq.yaml cadence lint quebrado.yaml
contains "lint: broken template" out "quebrado.yaml:4: error[template-broken]: template quebrado.sms cannot be used (1 error, listed at its own line); the first: tq/quebrado.sms:2:1: error[template-syntax]"
if grep -q "template-no-creditor" out; then not_ok "lint: broken is not no-creditor" "$(cat out)"; else ok "lint: broken is not no-creditor"; fi
# a template file over the size limit exists: it is broken with the limit named, not "create the file"
head -c 3400000 /dev/zero | tr '\0' 'a' >tq/enorme.sms
sed 's/quebrado/enorme/g' quebrado.yaml >enorme.yaml
expect_exit "cadence lint: a template too large" 1 regua --config rq.yaml cadence lint enorme.yaml
contains "lint: template too large names the limit" out "enorme.yaml:4: error[template-broken]: template enorme.sms cannot be used (1 error, listed at its own line); the first: tq/enorme.sms: error[template-too-large]: the file has 3400000 bytes; a template file may have at most 262144 (256 KiB)"
if grep -q "create the file" out; then not_ok "lint: a large template is not missing" "$(cat out)"; else ok "lint: a large template is not missing"; fi
rm tq/enorme.sms
expect_exit "cadence list" 0 regua cadence list --json
/usr/bin/python3 -c 'import json; a=json.load(open("out")); assert sorted(c["cadence"] for c in a)==["acordo","avulso-pf","b2b-pj","mensal-pf"], a' \
    && ok "cadence list names" || not_ok "cadence list names" "$(head -c 300 out)"
expect_exit "cadence show" 0 regua cadence show mensal-pf --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); s=o["steps"]; assert [x["at"] for x in s][:3]==["D-5","D-1","D0"] and s[6]["action"]=="reissue" and s[9]["requires_notice"]=="aviso", s' \
    && ok "cadence show steps" || not_ok "cadence show steps" "$(head -c 300 out)"
expect_exit "cadence show unknown" 1 regua cadence show nope

cat >clientes.csv <<'CSV'
external_id,name,document,email,whatsapp,phone,tags
C1,Maria da Silva,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,,plano-mensal
C2,João Souza,111.444.777-35,,,(21) 99876-5432,plano-mensal
C3,Padaria Pão Quente Ltda,11.222.333/0001-81,contas@paoquente.com.br,,,b2b
C4,Sem Régua,,x@exemplo.com.br,,,
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade 11/2026,189.90,2026-11-10
F2,C2,Mensalidade 11/2026,89.90,2026-11-05
F3,C3,Pedido 41,4500.00,2026-11-16
F4,C4,Avulsa,10.00,2026-11-10
CSV
expect_exit "import customers" 0 regua import customers clientes.csv
expect_exit "import invoices" 0 regua import invoices faturas.csv
expect_exit "invoice without cadence says so" 0 regua invoice show F4
contains "no cadence said" out "cadence:     none — no loaded cadence matches this invoice"

# the forecast first (it must change nothing) ...
cp regua.db before.db
expect_exit "simulate" 0 regua simulate --days 20 --json
cp out simulate.json
cmp -s regua.db before.db && ok "simulate leaves the database untouched" || not_ok "simulate leaves the database untouched" "changed"
[ ! -s sent/email.jsonl ] && ok "simulate sends nothing" || not_ok "simulate sends nothing" "$(head -c 200 sent/email.jsonl)"
# ... then tick every hour through the same 20 days
i=0
t0=$(date -u -d 2026-11-02T12:00:00Z +%s)
while [ $i -lt 480 ]; do
    at=$(date -u -d "@$((t0 + i * 3600))" +%Y-%m-%dT%H:%M:%SZ)
    "$REGUA_BIN" tick --at "$at" >/dev/null 2>&1 || { not_ok "tick at $at" "failed"; break; }
    i=$((i + 1))
done
regua messages list --json >ticked.json
/usr/bin/python3 - <<'PY' && ok "simulate forecasts exactly what ticking does" || not_ok "simulate forecasts exactly what ticking does" "see above"
import json
sim = json.load(open("simulate.json"))["messages"]
tick = json.load(open("ticked.json"))
key = lambda m, ids: (m["customer_external_id"], ids, m.get("step") or m["source"].split(":", 1)[1], m["channel"], m["planned_for"], m["status"])
# one JSON shape for a list of invoice ids: an array in both
assert all(isinstance(m["invoice_external_ids"], list) for m in sim + tick)
a = sorted(key(m, "|".join(m["invoice_external_ids"])) for m in sim)
b = sorted(key(m, "|".join(m["invoice_external_ids"])) for m in tick)
if a != b:
    print("simulate:", *a, sep="\n  ")
    print("tick:", *b, sep="\n  ")
assert a == b and len(a) > 5, len(a)
PY
expect_exit "tick again changes nothing" 0 regua tick --at 2026-11-21T11:00:00Z --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); assert o["messages"]==0 and o["fired"]==0, o' \
    && ok "second tick creates nothing" || not_ok "second tick creates nothing" "$(cat out)"
expect_exit "messages filter by invoice" 0 regua messages list --invoice F2 --json
/usr/bin/python3 -c '
import json; a=json.load(open("out"))
assert a and all(m["invoice_external_ids"]==["F2"] for m in a)
# C2 has no e-mail nor WhatsApp: SMS, and the reason says why
assert any(m["channel"]=="sms" and "whatsapp: no address" in (m["reason"] or "") for m in a), a' \
    && ok "messages for F2 via sms with reason" || not_ok "messages for F2 via sms with reason" "$(head -c 400 out)"
expect_exit "messages filter by channel" 0 regua messages list --channel sms --json
/usr/bin/python3 -c '
import json; a=json.load(open("out")); t=json.load(open("ticked.json"))
assert a and all(m["channel"]=="sms" for m in a), a
assert len(a) == sum(1 for m in t if m["channel"]=="sms") < len(t), (len(a), len(t))' \
    && ok "--channel sms lists exactly the SMS" || not_ok "--channel sms lists exactly the SMS" "$(head -c 400 out)"
expect_exit "messages filter by channel and invoice" 0 regua messages list --channel email --invoice F2 --json
/usr/bin/python3 -c 'import json; assert json.load(open("out")) == []' \
    && ok "--channel and --invoice together (F2 has no e-mail)" || not_ok "--channel with --invoice" "$(head -c 400 out)"
expect_exit "invoice show json has the cadence" 0 regua invoice show F1 --json
/usr/bin/python3 -c 'import json; o=json.load(open("out")); c=o["cadence"]; assert c["name"]=="mensal-pf" and c["state"]=="follows" and any(s["state"]=="done" for s in c["steps"]), c' \
    && ok "invoice show cadence json" || not_ok "invoice show cadence json" "$(head -c 400 out)"
lines=$(cat sent/*.jsonl | wc -l)
sent=$(/usr/bin/python3 -c 'import json; print(sum(1 for m in json.load(open("ticked.json")) if m["status"]=="sent"))')
[ "$lines" = "$sent" ] && ok "every sent message is one log line" || not_ok "every sent message is one log line" "$lines lines, $sent sent"
expect_exit "messages bad status" 2 regua messages list --status frob
/usr/bin/python3 - <<'PY' 2>py.err && ok "log lines are JSON with the message" || not_ok "log lines are JSON with the message" "$(tail -2 py.err)"
import glob, json
n = 0
for f in glob.glob("sent/*.jsonl"):
    for line in open(f, encoding="utf-8"):
        o = json.loads(line)
        assert o["idempotency_key"] and o["channel"] and o["body"] and "11.222.333/0001-81" in o["body"], o
        n += 1
assert n > 5
PY
