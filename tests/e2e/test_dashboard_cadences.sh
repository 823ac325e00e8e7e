#!/bin/sh
# The dashboard's Réguas against `regua serve`: each cadence drawn as a
# timeline (SVG) from its first to its last step with each step's day,
# channels and firmness, the `steps` funnel of a period (checked against
# `regua report steps --json`), the lint's diagnostics as `regua cadence
# lint` prints them, bad periods (400 naming the field), and the 30-day
# forecast per cadence (checked against `regua report forecast --json`).
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
sed -i 's|sms: {driver: log, path: outbox/sms.jsonl}|sms: {driver: log, path: outbox/sms.jsonl, cost_per_message: 0.10}|' regua.yaml
cat >cadences/massa.yaml <<'YAML'
cadence: massa
match: {priority: 40, tags_any: [massa]}
steps:
  - {id: hoje, at: D0, send: {channels: [email], template: vence-hoje}}
  - {id: atraso, at: D+3, send: {channels: [sms, email], template: atraso}}
  - {id: ligar, at: D+5, action: task, task: {kind: call}}
YAML
{
    echo "external_id,name,document,email,phone,whatsapp,tags"
    i=10; while [ $i -lt 30 ]; do echo "K$i,Cliente $i,,k$i@exemplo.com.br,(11) 3333-44$i,,massa"; i=$((i + 1)); done
} >clientes.csv
{
    echo "external_id,customer_external_id,description,amount,due_date"
    i=10; while [ $i -lt 20 ]; do echo "G$i,K$i,Parcela,\"10,00\",2026-11-20"; i=$((i + 1)); done
    i=20; while [ $i -lt 30 ]; do echo "G$i,K$i,Parcela,\"10,00\",2026-12-10"; i=$((i + 1)); done
} >faturas.csv
export REGUA_NOW=2026-11-18T13:00:00Z
regua init >/dev/null 2>&1
regua import customers clientes.csv >/dev/null 2>&1 || not_ok "fixture: customers" "import"
regua import invoices faturas.csv >/dev/null 2>&1 || not_ok "fixture: invoices" "import"
for d in 2026-11-20 2026-11-23; do
    REGUA_NOW=${d}T13:00:00Z regua tick >/dev/null 2>&1 || not_ok "fixture: tick $d" "tick"
done
regua pay G10 --amount 10,00 --at 2026-11-24 --reference R1 >/dev/null 2>&1 || not_ok "fixture: pay" "pay"
printf 'senha-do-vitor\n' | regua user create vitor@example.com --role viewer >/dev/null
export REGUA_NOW=2026-12-02T13:00:00Z
regua report steps --json --from 2026-11-01 --to 2026-12-02 >steps.json 2>/dev/null || not_ok "steps report" "$(regua report steps 2>&1 | tail -2)"
regua report forecast --json >forecast.json 2>/dev/null || not_ok "forecast report" "$(regua report forecast 2>&1 | tail -2)"
regua cadence lint cadences >lint.txt 2>&1

port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" || not_ok "serve starts" "$(cat serve.log)"
is "the viewer logs in" "$(login_as vw.jar vitor@example.com senha-do-vitor)" 303
get() { curl -s -o "$1" -b vw.jar -w '%{http_code}' "$B$2"; }

is "Réguas needs a login" "$(curl -s -o /dev/null -w '%{http_code}' "$B/reguas")" 303
is "Réguas is 200" "$(get r.html '/reguas?de=2026-11-01&ate=2026-12-02')" 200
contains "the nav marks Réguas" r.html '<a href="/reguas" aria-current="page">Réguas</a>'
for c in avulso-pf b2b-pj mensal-pf massa; do
    contains "a section for $c" r.html "<section class=\"cadence\" id=\"regua-$c\">"
done
contains "massa's timeline runs from D0 to D+5" r.html 'aria-label="Linha do tempo da régua massa: 3 etapas de D0 a D+5"'
/usr/bin/python3 - r.html steps.json lint.txt <<'PY' && ok "each step's row: day, action, channels, firmness, the steps report's funnel" || not_ok "each step's row" "see r.html"
import html as h, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
steps = json.load(open(sys.argv[2]))
def section(name):
    m = re.search(r'<section class="cadence" id="regua-%s">(.*?)</section>' % re.escape(name), page, re.S)
    assert m, name
    return m.group(1)
def rows(sec):
    out = {}
    for tr in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", sec, re.S):
        cells = [h.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.split(r"</t[hd]><t[hd][^>]*>", tr)]
        out[cells[0]] = cells
    return out
massa = rows(section("massa"))
assert massa["hoje"][1:5] == ["D0", "mensagem", "email", "não"], massa["hoje"]
assert massa["atraso"][1:5] == ["D+3", "mensagem", "sms → email", "não"], massa["atraso"]
assert massa["ligar"][1:5] == ["D+5", "tarefa para a equipe", "tarefa call", "não"], massa["ligar"]
# the steps report's figures, the same in the page
found = 0
for row in steps.get("steps", steps.get("rows", [])):
    if row.get("cadence") != "massa":
        continue
    cells = massa[row["step"]]
    assert cells[5] == str(row["sent"]), (row, cells)
    assert cells[6] == str(row["delivered"]), (row, cells)
    assert cells[9] == str(row["paid"]), (row, cells)
    found += row["sent"]
assert found >= 10, (found, steps)
b2b = rows(section("b2b-pj"))
assert any(c[4] == "sim" for c in b2b.values()), b2b   # its negativação step is firm
PY
contains "the lint's lines as the CLI prints them" r.html "$(grep 'massa.yaml' lint.txt | head -1 | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')"
contains "... and the totals" r.html 'arquivo(s) verificados'
is "a period filter" "$(get p.html '/reguas?de=2026-11-01&ate=2026-11-21')" 200
contains "... says the period" p.html 'enviadas de 01/11/2026 a 21/11/2026'
is "a bad date is 400" "$(get b.html '/reguas?de=ontem')" 400
contains "... naming the field" b.html 'de: use uma data como 2026-12-31'
is "a reversed period is 400" "$(get b2.html '/reguas?de=2026-12-01&ate=2026-11-01')" 400
contains "... naming the field" b2.html 'de: a data inicial vem depois da final (ate)'
contains "each cadence links its forecast" r.html 'href="/reguas/previsao#regua-massa"'
contains "the page links its CSV export with the period" r.html 'href="/reguas.csv?de=2026-11-01&amp;ate=2026-12-02"'
code=$(curl -s -o r.csv -D r.csv.h -b vw.jar -w '%{http_code}' "$B/reguas.csv?de=2026-11-01&ate=2026-12-02")
is "Réguas' export is 200" "$code" 200
contains "... a download" r.csv.h 'attachment; filename="reguas-2026-12-02.csv"'
/usr/bin/python3 - r.csv steps.json <<'PY' && ok "... parses: a row per step and trigger, the funnel as the page's" || not_ok "Réguas' export parses" "see r.csv"
import csv, io, json, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf")
rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline=""), delimiter=";"))
head, body = rows[0], rows[1:]
assert head[:6] == ["régua", "etapa", "quando", "ação", "canais", "firme"], head
by = {(r[0], r[1]): r for r in body}
assert by[("massa", "atraso")][2:6] == ["D+3", "mensagem", "sms,email", "não"], by[("massa", "atraso")]
assert by[("massa", "ligar")][4] == "tarefa call", by[("massa", "ligar")]
assert any(r[0] == "b2b-pj" and r[5] == "sim" for r in body)
for row in json.load(open(sys.argv[2]))["steps"]:
    if row["cadence"] == "massa":
        assert by[("massa", row["step"])][6] == str(row["sent"]), (row, by[("massa", row["step"])])
PY
is "a bad period on the export is 400" "$(curl -s -o /dev/null -b vw.jar -w '%{http_code}' "$B/reguas.csv?ate=x")" 400

# ---- the forecast ----
is "the forecast page is 200" "$(get f.html /reguas/previsao)" 200
/usr/bin/python3 - f.html forecast.json <<'PY' && ok "the forecast per cadence and channel = regua report forecast --json" || not_ok "the forecast per cadence" "see f.html"
import html as h, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
fc = json.load(open(sys.argv[2]))
assert fc["by_cadence"], fc
for row in fc["by_cadence"]:
    m = re.search(r'<section id="regua-%s">(.*?)</section>' % re.escape(row["cadence"]), page, re.S)
    assert m, row
    cells = re.findall(r"<tr><td>(.*?)</td><td class=\"n\">(\d+)</td><td class=\"n\">(.*?)</td></tr>", m.group(1))
    got = {c[0]: (int(c[1]), h.unescape(c[2]).replace("\xa0", " ")) for c in cells}
    assert got[row["channel"]][0] == row["count"], (row, got)
    assert got[row["channel"]][1] == "R$ " + row["cost"].replace(".", ","), (row, got)
total = sum(r["count"] for r in fc["by_cadence"])
assert total == fc["total"]["count"], (total, fc["total"])
assert ("<strong>%d</strong> mensagens" % total) in page, total
PY
kill -TERM $pid
wait $pid
