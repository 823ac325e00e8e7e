#!/bin/sh
# The dashboard's Visão geral against `regua serve` on a demo database:
# every KPI and every chart's table says what `regua report --json` says on
# the same database at the same instant; the KPIs link to the pages (or
# sections) behind them; the charts are accessible SVG with a table; a
# viewer gets the same page with no button but "Sair"; no login is a 303.
. "$(dirname "$0")/lib.sh"
cd "$T"
export REGUA_NOW=2026-11-24T15:00:00Z
repo_project
regua demo --customers 80 --no-serve >demo.out 2>demo.err || not_ok "fixture: demo" "$(tail -3 demo.err)"
PW=$(sed -n 's/.*log in as demo@regua.local with the password \([A-Za-z0-9]*\) .*/\1/p' demo.out)
[ -n "$PW" ] || not_ok "fixture: the demo's password" "$(cat demo.out)"
printf 'senha-do-vitor\n' | regua user create vitor@example.com --role viewer >/dev/null
for r in aging recovery channels promises; do regua report $r --json >rep_$r.json; done
# the chart's weeks: this week's Monday and the 11 before (2026-11-24 is a Tuesday)
regua report recovery --period week --from 2026-09-07 --json >rep_weeks.json
regua task list --json >tasks.json

port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" || not_ok "serve starts" "$(cat serve.log)"
is "without a login / is 303" "$(curl -s -o /dev/null -w '%{http_code}' "$B/")" 303
is "the demo's login works" "$(login_as adm.jar demo@regua.local "$PW")" 303
is "the viewer logs in" "$(login_as vw.jar vitor@example.com senha-do-vitor)" 303
is "Visão geral is 200" "$(curl -s -o home.html -b adm.jar -w '%{http_code}' "$B/")" 200
is "the viewer's Visão geral is 200" "$(curl -s -o home_vw.html -b vw.jar -w '%{http_code}' "$B/")" 200

/usr/bin/python3 - <<'PY'
import html, json, re

page = open("home.html", encoding="utf-8").read()
rep = {n: json.load(open("rep_%s.json" % n)) for n in ("aging", "recovery", "channels", "promises", "weeks")}
tasks = json.load(open("tasks.json"))
fails = 0

def check(name, got, want):
    global fails
    if got == want:
        print("ok " + name)
    else:
        fails += 1
        print("not ok %s: got %r, want %r" % (name, got, want))

def cents(s):
    s = html.unescape(s).strip()
    m = re.fullmatch(r"(-?)R\$ ([\d.]+),(\d\d)", s)
    assert m, "not money: %r" % s
    v = int(m.group(2).replace(".", "")) * 100 + int(m.group(3))
    return -v if m.group(1) else v

def count(s):
    return int(html.unescape(s).strip().replace(".", ""))

def pct(rate):  # the JSON's 4-decimal fraction as the page writes it
    return "—" if rate is None else ("%.2f%%" % (rate * 100)).replace(".", ",")

kpi = {}
for m in re.finditer(r'<a class="kpi" id="kpi-([a-z-]+)" href="([^"]*)"><b>(.*?)</b><span class="kpi-name">(.*?)</span>'
                     r'(?:<small>(.*?)</small>)?</a>', page):
    kpi[m.group(1)] = {"href": html.unescape(m.group(2)), "fig": html.unescape(m.group(3)),
                       "detail": html.unescape(m.group(5) or "")}
check("nine KPIs", sorted(kpi), sorted(["saldo-aberto", "saldo-vencido", "recuperado", "taxa-recuperacao", "dso",
                                         "mensagens", "tarefas", "promessas", "acordos"]))

buckets = rep["aging"]["buckets"]
check("open balance = aging's buckets", cents(kpi["saldo-aberto"]["fig"]), sum(b["amount_cents"] for b in buckets))
check("... and their count", kpi["saldo-aberto"]["detail"], "%d faturas" % sum(b["count"] for b in buckets))
check("... = recovery's open_balance", cents(kpi["saldo-aberto"]["fig"]), rep["recovery"]["open_balance_cents"])
check("overdue balance = aging's buckets past due", cents(kpi["saldo-vencido"]["fig"]),
      sum(b["amount_cents"] for b in buckets if b["name"] != "not_due"))
tot = rep["recovery"]["total"]
check("recovered in 30 days = recovery's total", cents(kpi["recuperado"]["fig"]), tot["recovered"]["amount_cents"])
check("recovery rate", kpi["taxa-recuperacao"]["fig"], pct(tot["recovery_rate"]))
dso = rep["recovery"]["dso"]
check("DSO", kpi["dso"]["fig"], "—" if dso is None else ("%.1f dias" % dso).replace(".", ","))
ch = rep["channels"]["total"]
check("messages sent = channels' total", count(kpi["mensagens"]["fig"]), ch["sent"])
check("open tasks = regua task list", count(kpi["tarefas"]["fig"]), len(tasks))
pr = rep["promises"]
check("promises kept / broken", kpi["promessas"]["fig"], "%d / %d" % (pr["kept"]["count"], pr["broken"]["count"]))
check("agreements made", count(kpi["acordos"]["fig"]), pr["agreements"]["made"]["count"])
check("the demo has agreements and promises to show", pr["agreements"]["made"]["count"] > 0 and pr["made"]["count"] > 0,
      True)
check("... and recovered money", tot["recovered"]["amount_cents"] > 0, True)

links = {k: v["href"] for k, v in kpi.items()}
check("KPI links", links, {"saldo-aberto": "/faturas?status=open", "saldo-vencido": "/faturas?status=open&ate=2026-11-23",
                           "recuperado": "#recuperacao", "taxa-recuperacao": "#recuperacao", "dso": "#recuperacao",
                           "mensagens": "#funil", "tarefas": "/tarefas", "promessas": "#promessas",
                           "acordos": "#promessas"})
for anchor in ("recuperacao", "funil", "promessas"):
    check("section #%s exists" % anchor, ('<section id="%s"' % anchor) in page, True)

def table(tid):
    m = re.search(r'<table id="%s">(.*?)</table>' % tid, page, re.S)
    assert m, tid
    rows = []
    for r in re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1).split("<tbody>")[1]):
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)])
    return rows

rows = table("grafico-atraso-tabela")
check("aging chart: five buckets", [r[0] for r in rows], ["A vencer", "1 a 30 dias", "31 a 60 dias", "61 a 90 dias",
                                                          "Mais de 90 dias"])
check("aging chart: amounts", [cents(r[1]) for r in rows], [b["amount_cents"] for b in buckets])
check("aging chart: counts", [count(r[2]) for r in rows], [b["count"] for b in buckets])
rows = table("grafico-recuperacao-tabela")
w = rep["weeks"]["rows"]
check("recovery chart: 12 weeks", len(rows), 12)
check("recovery chart: each week's Monday", [r[0] for r in rows],
      ["%s/%s" % (x["start"][8:10], x["start"][5:7]) for x in w])
check("recovery chart: became overdue", [cents(r[1]) for r in rows], [x["became_overdue"]["amount_cents"] for x in w])
check("recovery chart: recovered", [cents(r[2]) for r in rows], [x["recovered"]["amount_cents"] for x in w])
rows = table("grafico-funil-tabela")
check("funnel chart", [count(r[1]) for r in rows], [ch["sent"], ch["delivered"], ch["read_opened_clicked"],
                                                     ch["paid_within_7_days"], ch["paid"]])
rows = table("canais")
check("the channels' table", [(r[0], count(r[1]), cents(r[6])) for r in rows],
      [(c["channel"], c["sent"], c["attributed"]["amount_cents"]) for c in rep["channels"]["channels"]] +
      [("Total", ch["sent"], ch["attributed"]["amount_cents"])])
rows = table("tabela-promessas")
want = [pr[k] for k in ("made", "pending", "kept", "broken", "cancelled")] + \
       [pr["agreements"][k] for k in ("made", "active", "completed", "broken", "cancelled")]
check("promises and agreements table", [(count(r[1]), cents(r[2])) for r in rows],
      [(x["count"], x["amount_cents"]) for x in want])

svgs = re.findall(r'<svg [^>]*role="img" aria-labelledby="([a-z-]+)-t \1-d"', page)
check("three charts, each an image named by its title and desc", svgs,
      ["grafico-atraso", "grafico-recuperacao", "grafico-funil"])
for s in svgs:
    check("chart %s has its title, desc and table" % s, all(x in page for x in (
        '<title id="%s-t">' % s, '<desc id="%s-d">' % s, '<table id="%s-tabela">' % s)), True)
check("the page has no script", "<script" in page, False)

viewer = open("home_vw.html", encoding="utf-8").read()
forms = re.findall(r'<form[^>]*action="([^"]*)"', viewer)
check("a viewer's page has no form but logout", forms, ["/logout"])
check("a viewer's page has the same KPIs", re.findall(r'<b>(.*?)</b>', viewer)[:9], re.findall(r'<b>(.*?)</b>', page)[:9])
raise SystemExit(0)
PY

kill $pid 2>/dev/null; wait $pid 2>/dev/null
