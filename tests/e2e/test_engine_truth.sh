#!/bin/sh
# Issue 9, the engine's truth, through the binary with the demo templates:
# each check reproduces a wrong behaviour of the old engine and asserts what
# regua sends and records now — consolidation by step (no invoice described
# by another's step), the effective due date ("vence hoje" on Monday for a
# Sunday due date), a PF never listed after an e-mail-only notice, steps
# renamed or added at a passed offset never fired, the letter's boleto,
# calls without a phone, the preferred channel, cost_per_message.
. "$(dirname "$0")/lib.sh"
cd "$T"
cp -r "$REGUA_ROOT/templates" .
mkdir -p cadences

# json FILE EXPR: a Python expression over the JSON in FILE (as o)
jcheck() {
    if /usr/bin/python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$2" "$3" 2>/dev/null; then
        ok "$1"
    else
        not_ok "$1" "$3 is false for $(head -c 900 "$2")"
    fi
}

cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81, address: "Av. Paulista, 1000, São Paulo/SP"}
channels:
  email: {driver: log, path: sent/email.jsonl}
  whatsapp: {driver: log, path: sent/whatsapp.jsonl, cost_per_message: 0.04}
  sms: {driver: log, path: sent/sms.jsonl, cost_per_message: 0.09}
  letter: {driver: letter, dir: cartas}
YAML
# the demo's monthly cadence (mensal-pf), with room in the caps so that every
# step of this portfolio goes out on its day
# (its notice by letter first, as a consumer's must be)
sed -e 's/^cadence: mensal-pf/cadence: teste/' -e 's/max: 3, days: 7/max: 20, days: 7/' \
    -e 's/{id: aviso, *at: D+25, *send: {channels: \[[a-z, ]*\]/{id: aviso, at: D+25, send: {channels: [letter, email]/' \
    "$REGUA_ROOT/cadences/mensal-pf.yaml" >cadences/teste.yaml
grep -q "channels: \[letter, email\], template: aviso-negativacao" cadences/teste.yaml \
    && ok "the notice goes by letter first" || not_ok "the notice goes by letter first" "$(grep aviso cadences/teste.yaml)"
expect_exit "the test cadence lints" 0 regua cadence lint cadences/teste.yaml

# a boleto due 14/12/2026 for D1
regua boleto encode --bank 341 --due 2026-12-14 --amount 400,00 --agencia 57 --conta 12345 --carteira 109 \
    --nosso-numero 55555555 --json >boleto.json
LINHA=$(/usr/bin/python3 -c 'import json; print(json.load(open("boleto.json"))["linha_digitavel"])')
BARCODE=$(/usr/bin/python3 -c 'import json; print(json.load(open("boleto.json"))["barcode"])')

cat >clientes.csv <<'CSV'
external_id,name,document,email,whatsapp,phone,preferred_channel,street,number,district,city,state,zip,tags
C1,Maria da Silva,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,,,,,,,,,plano-mensal
C2,João Souza,111.444.777-35,joao@exemplo.com.br,,,,,,,,,,plano-mensal
C3,Ana Lima,390.533.447-05,ana@exemplo.com.br,(11) 91111-2222,(11) 91111-2222,sms,,,,,,,plano-mensal
C4,Pedro Alves,123.456.789-09,pedro@exemplo.com.br,,,,Rua das Flores,10,Centro,São Paulo,SP,01001-000,plano-mensal
CSV
# A1, B1: due Sunday 10/01/2027, payable without charges on Monday 11/01
cat >faturas.csv <<CSV
external_id,customer_external_id,description,amount,due_date,boleto_bank,linha_digitavel
A1,C1,Mensalidade A1,100.00,2027-01-10,,
A2,C1,Mensalidade A2,200.00,2027-01-08,,
B1,C2,Mensalidade B1,100.00,2027-01-10,,
B2,C2,Mensalidade B2,150.00,2026-12-12,,
B3,C2,Mensalidade B3,80.00,2027-01-13,,
C3A,C3,Mensalidade C3A,90.00,2027-01-12,,
D1,C4,Mensalidade D1,400.00,2026-12-14,341,$LINHA
D2,C4,Mensalidade D2,50.00,2026-12-14,,
CSV
export REGUA_NOW=2026-12-01T12:00:00Z
regua import customers clientes.csv >/dev/null
regua import invoices faturas.csv >/dev/null

# every weekday and Saturday at 08:00 in São Paulo, from 28/12 to 10/01
tick_day() { regua tick --at "$1T11:00:00Z" >/dev/null 2>&1 || not_ok "tick $1" "failed"; }
for d in 2026-12-28 2026-12-29 2026-12-30 2026-12-31 2027-01-01 2027-01-02 2027-01-03 2027-01-04 2027-01-05 \
    2027-01-06 2027-01-07 2027-01-08 2027-01-09 2027-01-10 2027-01-11; do
    tick_day $d
done
regua messages list --json >m1.json

# -- consolidation by step: on Monday 11/01 Maria's A1 is due (vence hoje) and
# A2 is three days late: two WhatsApp messages, each about its own invoice
# (the old engine sent one "atraso" listing A1 as late)
jcheck "11/01: A1 in a vence-hoje message of its own" m1.json \
    '[(m["source"], m["invoice_external_ids"]) for m in o if m["customer_external_id"]=="C1" and m["planned_for"].startswith("2027-01-11")] == [("step:hoje", ["A1"]), ("step:atraso-3", ["A2"])]'
jcheck "A1 never in a late message" m1.json \
    'not [m for m in o if "A1" in m["invoice_external_ids"] and m["template"] in ("atraso", "aviso-negativacao")]'
expect_exit "invoice show A1" 0 regua invoice show A1 --json
/usr/bin/python3 - <<'PY' && ok "A1's hoje is done only because a hoje message carried it" || not_ok "A1's hoje is done only because a hoje message carried it" "$(head -c 600 out)"
import json
steps = {s["step"]: s["state"] for s in json.load(open("out"))["cadence"]["steps"]}
carried = [m for m in json.load(open("m1.json")) if m["source"] == "step:hoje" and "A1" in m["invoice_external_ids"]]
assert steps.get("hoje") == "done" and len(carried) == 1, (steps, carried)
PY
# -- the effective due date: João (e-mail only) gets the Monday message with 11/01
jcheck "the Monday e-mail says 11/01/2027, not 10/01/2027" m1.json \
    '[m for m in o if m["customer_external_id"]=="C2" and m["source"]=="step:hoje" and m["invoice_external_ids"]==["B1"] and "hoje, 11/01/2027, é o último dia para pagar sem encargos" in m["body"] and "10/01/2027" not in m["body"]]'
# -- a notice before listing never lists an invoice that is not late: on 08/01
# B2 is at its notice (D+25) and B3 at its reminder (D-5), both by e-mail
jcheck "08/01: the notice lists B2 only; B3 gets its reminder" m1.json \
    'sorted((m["source"], tuple(m["invoice_external_ids"])) for m in o if m["customer_external_id"]=="C2" and m["planned_for"].startswith("2027-01-08")) == [("step:aviso", ("B2",)), ("step:lembrete", ("B3",))]'
jcheck "the notice does not mention B3" m1.json \
    'all("B3" not in m["body"] for m in o if m["source"]=="step:aviso" and m["customer_external_id"]=="C2")'
# -- every message describes each of its invoices by that invoice's own step
cat >check_phase.py <<'PY'
import json, sys, datetime
eff = {"A1": "2027-01-11", "A2": "2027-01-08", "B1": "2027-01-11", "B2": "2026-12-14", "B3": "2027-01-13",
       "C3A": "2027-01-12", "D1": "2026-12-14", "D2": "2026-12-14"}
bad = []
for m in json.load(open(sys.argv[1])):
    if m["status"] != "sent":
        continue
    t = datetime.datetime.fromisoformat(m["planned_for"].replace("Z", "+00:00")) - datetime.timedelta(hours=3)
    day = t.date().isoformat()
    step = m["source"].split(":", 1)[1].replace("hoje-novo", "hoje")
    for inv in m["invoice_external_ids"]:
        e = eff[inv]
        ok = {"lembrete": day < e, "vespera": (datetime.date.fromisoformat(e) - t.date()).days == 1,
              "hoje": day == e}.get(step, day > e)
        if not ok:
            bad.append((m["customer_external_id"], step, inv, day))
if bad:
    print(bad)
sys.exit(1 if bad else 0)
PY
/usr/bin/python3 check_phase.py m1.json && ok "no invoice is described by another invoice's step" \
    || not_ok "no invoice is described by another invoice's step" "$(/usr/bin/python3 check_phase.py m1.json)"

# -- the preferred channel goes first: Ana prefers SMS (the step says whatsapp, sms)
jcheck "vespera by SMS, the preferred channel, at its cost" m1.json \
    '[(m["channel"], m["cost"]) for m in o if m["customer_external_id"]=="C3" and m["source"]=="step:vespera"] == [("sms", "0.09")]'
jcheck "cost_per_message on each sent message; e-mail and letters cost 0" m1.json \
    'all(m["cost"] == {"whatsapp": "0.04", "sms": "0.09"}.get(m["channel"], "0.00") for m in o if m["status"]=="sent")'

# -- a call with no phone to call: no task, the step says why
expect_exit "task list" 0 regua task list --json
jcheck "no call task for João (no phone)" out 'not [t for t in o if t["customer_external_id"]=="C2"]'
expect_exit "invoice show B2" 0 regua invoice show B2
contains "the call step says why" out "ligar"
contains "no-phone said" out "no-phone"

# -- letters: Pedro's notice (08/01) encloses the boleto he can pay now
LETTER=$(ls cartas/2027-01-08/*.json 2>/dev/null | head -1)
[ -n "$LETTER" ] && ok "the notice went by letter" || not_ok "the notice went by letter" "$(ls -R cartas 2>&1)"
/usr/bin/python3 - "$LETTER" "$BARCODE" <<'PY' && ok "the letter encloses an updated boleto, not the expired one" || not_ok "the letter encloses an updated boleto, not the expired one" "$(head -c 1500 "$LETTER")"
import json, sys
l = json.load(open(sys.argv[1]))
bol = l["letter"]["boletos"]
assert len(bol) == 1, bol  # D1 has a boleto, D2 none
b = bol[0]
assert b["barcode"] != sys.argv[2], b
# 400,00 + 2% + 1% a month for 25 days = 411,33, due 15/01 (5 bank business days)
assert b["barcode"][9:19] == "0000041133" and b["due_date"] == "2027-01-15", b
PY
jcheck "the letter names its boleto only for D1" m1.json \
    '[m["body"].count("Boleto para pagamento anexo a esta carta") for m in o if m["customer_external_id"]=="C4" and m["channel"]=="letter"] == [1]'

# -- versions: on 11/01, after Maria's messages went, the cadence renames
# `hoje` and adds a step at D+2; neither fires at once for invoices past them
sed -e 's/{id: hoje, /{id: hoje-novo, /' \
    -e 's/  - {id: atraso-3, /  - {id: atraso-2,   at: D+2,  send: {channels: [whatsapp, sms], template: atraso}}\n  - {id: atraso-3, /' \
    cadences/teste.yaml >cadences/t2 && mv cadences/t2 cadences/teste.yaml
grep -q "hoje-novo" cadences/teste.yaml && grep -q "atraso-2" cadences/teste.yaml \
    && ok "cadence edited" || not_ok "cadence edited" "$(cat cadences/teste.yaml)"
expect_exit "tick after the edit" 0 regua tick --at 2027-01-11T12:00:00Z --json
jcheck "the renamed and the added steps do not fire" out 'o["messages"] == 0 and o["added_after"] >= 3'
expect_exit "invoice show A1 after the edit" 0 regua invoice show A1
contains "renamed step skipped, with the reason" out "hoje-novo"
contains "added-after-passed said" out "skipped: added after the invoice passed it"
expect_exit "invoice show A2 after the edit" 0 regua invoice show A2 --json
jcheck "A2's new D+2 step (10/01, passed) is skipped" out \
    '{s["step"]: s["state"] for s in o["cadence"]["steps"]}.get("atraso-2") == "added-after-passed"'
for d in 2027-01-12 2027-01-13 2027-01-14 2027-01-15 2027-01-16 2027-01-18 2027-01-19 2027-01-20 2027-01-21 \
    2027-01-22 2027-01-23 2027-01-25; do
    tick_day $d
done
regua messages list --json >m2.json
jcheck "a step added ahead of A1 and B1 fires in its time (13/01, D+2)" m2.json \
    '[m["invoice_external_ids"] for m in o if m["source"]=="step:atraso-2" and m["planned_for"].startswith("2027-01-13")] == [["A1"], ["B1"]]'
jcheck "no vence-hoje twice" m2.json \
    'all(len([m for m in o if m["template"]=="vence-hoje" and i in m["invoice_external_ids"]]) <= 1 for i in ("A1","B1","B3","C3A"))'
/usr/bin/python3 check_phase.py m2.json && ok "after the edit, still every invoice by its own step" \
    || not_ok "after the edit, still every invoice by its own step" "$(/usr/bin/python3 check_phase.py m2.json)"

# -- the law at run time: a PF is listed only after a notice by letter
expect_exit "invoice show B2 at the end" 0 regua invoice show B2 --json
jcheck "B2 (notice by e-mail) is never listed, and says why" out \
    'o["bureau"] is None and {s["step"]: s["state"] for s in o["cadence"]["steps"]}.get("negativar") == "notice-not-by-letter"'
expect_exit "invoice show D1 at the end" 0 regua invoice show D1 --json
jcheck "D1 (notice by letter) is listed" out 'o["bureau"] is not None and o["bureau"]["status"] == "requested"'
