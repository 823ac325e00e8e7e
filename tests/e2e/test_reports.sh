#!/bin/sh
# The reports (docs/reports.md) through the CLI and the API: on a portfolio
# the real engine worked (import, tick and dispatch with costs per channel,
# payments, a promise), `regua report NAME --json` and GET /v1/reports/NAME
# answer the same document for every report; --csv is what Excel reads
# (BOM, `;`, pt-BR numbers), parsed back to the same figures; bad names,
# dates and periods are refused naming what is wrong.
. "$(dirname "$0")/lib.sh"
cd "$T"
cp -r "$REGUA_ROOT/cadences" "$REGUA_ROOT/templates" .
cat >regua.yaml <<'YAML'
database: regua.db
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: sent/email.jsonl, cost_per_message: 0.02}
  whatsapp: {driver: log, path: sent/whatsapp.jsonl, cost_per_message: 0.35}
  sms: {driver: log, path: sent/sms.jsonl, cost_per_message: 0.12}
  letter: {driver: log, path: sent/letter.jsonl}
YAML
export REGUA_NOW=2026-11-12T12:00:00Z

cat >clientes.csv <<'CSV'
external_id,name,document,email,whatsapp,phone,tags
C1,Maria da Silva,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,,plano-mensal
C2,João Souza,111.444.777-35,,,(21) 99876-5432,plano-mensal
C3,Padaria Pão Quente Ltda,11.222.333/0001-81,contas@paoquente.com.br,,,b2b
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date,tags
F1,C1,Mensalidade 10/2026,189.90,2026-10-10,mensal
F2,C2,Mensalidade 11/2026,89.90,2026-11-05,mensal
F3,C3,Pedido 41,4500.00,2026-11-16,
F4,C1,Mensalidade 11/2026,189.90,2026-11-10,mensal
F5,C2,Mensalidade 12/2026,89.90,2026-12-05,mensal
CSV
expect_exit "import customers" 0 regua import customers clientes.csv
expect_exit "import invoices" 0 regua import invoices faturas.csv
expect_exit "tick" 0 regua tick
sent=$(q "SELECT count(*) FROM messages WHERE sent_at IS NOT NULL")
[ "$sent" -ge 2 ] && ok "the tick sent messages" || not_ok "the tick sent messages" "$sent"
cost=$(q "SELECT sum(cost) FROM messages WHERE sent_at IS NOT NULL")
expect_exit "F4 paid after its messages" 0 regua pay F4 --amount 189.90 --reference PIX-4 --now 2026-11-13T15:00:00Z
expect_exit "a promise on F2" 0 regua event promise.made --invoice F2 --data '{"date": "2026-11-20"}' --now 2026-11-12T13:00:00Z

# ---- the text table ----
regua report aging --as-of 2026-11-12 >aging.txt
head -1 aging.txt >head.txt
sed -n 2p aging.txt >total.txt
contains "aging prints a table" head.txt "not_due_amount"
contains "aging's total row, pt-BR numbers" total.txt "4.589,90"

# ---- CLI --json vs GET /v1/reports/NAME ----
VIEW=$(regua apikey create --role viewer --name painel 2>/dev/null)
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
wait_http "$B/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"
get() { code=$(curl -s -D h.txt -o "$2" -w '%{http_code}' -H "Authorization: Bearer $VIEW" "$B$1"); }
same() {
    /usr/bin/python3 - "$2" "$3" <<'PY' && ok "$1" || not_ok "$1" "$(head -c 600 "$2"; echo; head -c 600 "$3")"
import json, sys
a, b = (json.load(open(f, encoding="utf-8")) for f in sys.argv[1:3])
assert a == b, [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
PY
}
for r in aging recovery steps channels promises forecast; do
    expect_exit "report $r --json" 0 sh -c "'$REGUA_BIN' report $r --from 2026-11-01 --to 2026-11-15 --as-of 2026-11-12 --json >cli_$r.json"
    get "/v1/reports/$r?from=2026-11-01&to=2026-11-15&as_of=2026-11-12" api_$r.json
    is "GET /v1/reports/$r is 200" "$code" 200
    same "GET /v1/reports/$r = report $r --json" cli_$r.json api_$r.json
done
expect_exit "recovery by week --json" 0 sh -c "'$REGUA_BIN' report recovery --from 2026-11-01 --to 2026-11-15 --period week --json >cli_w.json"
get "/v1/reports/recovery?from=2026-11-01&to=2026-11-15&period=week" api_w.json
same "?period=week = --period week" cli_w.json api_w.json

# ---- the figures the engine's work made ----
/usr/bin/python3 - "$cost" <<'PY' && ok "steps and channels: sent, cost, F4's payment attributed" || not_ok "steps and channels" "$(cat cli_channels.json)"
import json, sys
ch = json.load(open("cli_channels.json"))
st = json.load(open("cli_steps.json"))
cost = int(sys.argv[1])
assert ch["total"]["cost_cents"] == cost == st["total"]["cost_cents"], (ch["total"], cost)
assert ch["total"]["sent"] == st["total"]["sent"] >= 2
# F4 was paid after its messages: its R$ 189,90 is the last touch's
assert ch["total"]["attributed"]["amount_cents"] == 18990, ch["total"]
assert ch["total"]["paid"] >= 1 and ch["total"]["paid_within_7_days"] >= 1
for c in ch["channels"]:
    per_real = c["attributed"]["amount_cents"] / c["cost_cents"] if c["cost_cents"] else None
    assert c["recovered_per_real"] == (None if per_real is None else round(per_real, 4)), c
PY
/usr/bin/python3 <<'PY' && ok "aging and promises" || not_ok "aging and promises" "$(cat cli_aging.json cli_promises.json)"
import json
a = json.load(open("cli_aging.json"))
b = {x["name"]: x for x in a["buckets"]}
# on 2026-11-12: F1 due Saturday 10-10 is due in effect on Tuesday 10-13 (10-12 is a
# holiday): 30 days late, not 33; F2 7 (11-05 is a Thursday); F3 and F5 not due; F4 is
# paid (aging reads the invoices open now)
assert b["1-30"]["amount_cents"] == 18990 + 8990 and b["1-30"]["count"] == 2, b
assert b["31-60"]["count"] == 0, b
assert b["not_due"]["amount_cents"] == 450000 + 8990 and b["not_due"]["count"] == 2, b
assert a["by_tag"]["mensal"][1]["amount_cents"] == 18990 + 8990 and "-" in a["by_tag"], a["by_tag"]
p = json.load(open("cli_promises.json"))
assert p["made"]["count"] == 1 and p["pending"]["amount_cents"] == 8990, p
PY

# ---- CSV ----
regua report channels --from 2026-11-01 --to 2026-11-15 --csv >channels.csv
/usr/bin/python3 <<'PY' && ok "CSV: BOM, ';', pt-BR numbers, the JSON's figures" || not_ok "CSV" "$(cat channels.csv)"
import csv, json
raw = open("channels.csv", "rb").read()
assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
rows = list(csv.reader(open("channels.csv", encoding="utf-8-sig", newline=""), delimiter=";"))
head, body = rows[0], rows[1:]
assert head[:3] == ["channel", "sent", "delivered"], head
j = json.load(open("cli_channels.json"))
def cents(s): return int(s.replace(".", "").replace(",", ""))
total = body[-1]
assert total[0] == "total"
assert int(total[head.index("sent")]) == j["total"]["sent"]
assert cents(total[head.index("cost")]) == j["total"]["cost_cents"]
assert cents(total[head.index("attributed_amount")]) == j["total"]["attributed"]["amount_cents"]
assert total[head.index("attributed_amount")] == "189,90"
PY

# ---- bad input ----
expect_exit "an unknown report is a usage error" 1 regua report agin
contains "it names the reports" err "aging, recovery"
expect_exit "--from after --to" 1 regua report recovery --from 2026-11-10 --to 2026-11-01
contains "it names --from" err "--from"
expect_exit "a bad --period" 2 regua report recovery --period year
expect_exit "a bad date" 2 regua report aging --as-of 2026-13-01
expect_exit "--json with --csv" 2 regua report aging --json --csv
get "/v1/reports/agin" nf.json
is "GET an unknown report is 404" "$code" 404
get "/v1/reports/aging?as_of=ontem" bad.json
is "GET a bad as_of is 400" "$code" 400
contains "it names as_of" bad.json '"as_of"'
get "/v1/reports/recovery?period=year" bad.json
is "GET a bad period is 400" "$code" 400
get "/v1/reports/recovery?from=2026-11-10&to=2026-11-01" bad.json
is "GET from after to is 400" "$code" 400
contains "it names from" bad.json '"from"'
