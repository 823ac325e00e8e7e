#!/bin/sh
# The dashboard's Mensagens and the CSV exports against `regua serve`:
# filters (channel, status, cadence, customer, a date range in the company's
# zone), keyset pages, bad filters (400 naming the field), the links to the
# invoice's timeline; every table's "Exportar CSV" (Faturas, Clientes,
# Mensagens, Tarefas) with the page's filters, parsed: BOM, `;`, CRLF,
# pt-BR numbers and dates.
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
sed -i 's|whatsapp: {driver: log, path: outbox/whatsapp.jsonl}|whatsapp: {driver: log, path: outbox/whatsapp.jsonl, cost_per_message: 1234.5}|' regua.yaml
cat >cadences/tarefa.yaml <<'YAML'
cadence: tarefa
match: {priority: 50, tags_any: [tarefa]}
steps:
  - {id: ligar, at: D0, action: task, task: {kind: call}}
YAML
cat >cadences/massa.yaml <<'YAML'
cadence: massa
match: {priority: 40, tags_any: [massa]}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: hoje, at: D0, send: {channels: [email], template: vence-hoje}}
  - {id: atraso, at: D+3, send: {channels: [email], template: atraso}}
YAML
{
    echo "external_id,name,document,email,phone,whatsapp,tags"
    echo 'C1,Maria "da" Silva;Souza,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,(11) 98765-4321,'
    echo 'C2,João,111.444.777-35,joao@exemplo.com.br,(11) 3333-4444,,tarefa'
    i=10; while [ $i -lt 65 ]; do echo "K$i,Cliente $i,,k$i@exemplo.com.br,,,massa"; i=$((i + 1)); done
    # more customers than one batch of an export (500 rows)
    i=1000; while [ $i -lt 1600 ]; do echo "L$i,Sem faturas $i,,,,,"; i=$((i + 1)); done
} >clientes.csv
{
    echo "external_id,customer_external_id,description,amount,due_date"
    echo 'F1,C1,"Mensalidade; novembro","1234,56",2026-11-20'
    echo 'F2,C2,Avulso,"80,00",2026-11-25'
    i=10; while [ $i -lt 65 ]; do echo "G$i,K$i,Parcela,\"10,00\",2026-11-20"; i=$((i + 1)); done
} >faturas.csv
export REGUA_NOW=2026-11-18T13:00:00Z
regua init >/dev/null 2>&1
regua import customers clientes.csv >/dev/null 2>&1 || not_ok "fixture: customers" "import"
regua import invoices faturas.csv >/dev/null 2>&1 || not_ok "fixture: invoices" "import"
for d in 2026-11-18 2026-11-20 2026-11-23 2026-11-25 2026-11-26 2026-12-01; do
    REGUA_NOW=${d}T13:00:00Z regua tick >/dev/null 2>&1 || not_ok "fixture: tick $d" "tick"
done
q "SELECT count(*) FROM messages" | grep -qE '^[0-9]{2,}$' || not_ok "fixture: messages" "$(q "SELECT count(*) FROM messages")"
WA=$(q "SELECT id FROM messages m WHERE channel = 'whatsapp' AND customer_id = (SELECT id FROM customers WHERE external_id = 'C1') ORDER BY id LIMIT 1")
/usr/bin/python3 - "$WA" <<'PY'
import sqlite3, sys
db = sqlite3.connect("regua.db")
db.execute("UPDATE messages SET status = 'failed', reason = 'número <inválido>' WHERE id = ?", (int(sys.argv[1]),))
db.commit()
PY
printf 'senha-do-vitor\n' | regua user create vitor@example.com --role viewer >/dev/null
export REGUA_NOW=2026-12-02T13:00:00Z

port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" || not_ok "serve starts" "$(cat serve.log)"
is "the viewer logs in" "$(login_as vw.jar vitor@example.com senha-do-vitor)" 303
get() { curl -s -o "$1" -b vw.jar -w '%{http_code}' "$B$2"; }
rows() { grep -o '<tr id="mensagem-' "$1" | wc -l | tr -d ' '; }
total=$(q "SELECT count(*) FROM messages")

# ---- Mensagens ----
is "Mensagens needs a login" "$(curl -s -o /dev/null -w '%{http_code}' "$B/mensagens")" 303
is "Mensagens is 200" "$(get m1.html /mensagens)" 200
contains "the nav marks Mensagens" m1.html '<a href="/mensagens" aria-current="page">Mensagens</a>'
is "a page holds 50 messages" "$(rows m1.html)" 50
next=$(sed -n 's/.*rel="next" href="\([^"]*\)".*/\1/p' m1.html | sed 's/&amp;/\&/g')
is "the next page is 200" "$(get m2.html "$next")" 200
rest=$((total - 50)); [ $rest -gt 50 ] && rest=50
is "... and holds the next ones" "$(rows m2.html)" $rest
first2=$(grep -o '<tr id="mensagem-[0-9]*' m2.html | head -1 | sed 's/.*-//')
last1=$(grep -o '<tr id="mensagem-[0-9]*' m1.html | tail -1 | sed 's/.*-//')
is "... after the first page's last" "$(q "SELECT min(id) FROM messages WHERE id > $last1")" "$first2"
is "channel + status filter" "$(get f.html '/mensagens?canal=whatsapp&status=failed')" 200
is "... finds the failed one" "$(rows f.html)" 1
contains "... with its reason, escaped" f.html 'número &lt;inválido&gt;'
contains "... its status" f.html '<td>falhou</td>'
contains "... its cost from cost_per_message" f.html 'R$ 1.234,50'
contains "... links to the invoice's timeline" f.html '<a href="/faturas/F1">F1</a>'
contains "... and to the customer" f.html '<a href="/clientes/C1">C1</a>'
contains "... the channel stays selected" f.html '<option value="whatsapp" selected>'
n=$(q "SELECT count(*) FROM messages WHERE customer_id = (SELECT id FROM customers WHERE external_id = 'C1')")
is "customer filter" "$(get c.html '/mensagens?cliente=C1')" 200
is "... finds C1's messages" "$(rows c.html)" "$n"
n=$(q "SELECT count(*) FROM messages WHERE cadence = 'avulso-pf'")
is "cadence filter" "$(get r.html '/mensagens?regua=avulso-pf')" 200
expected=$n; [ "$n" -gt 50 ] && expected=50
is "... finds its messages" "$(rows r.html)" "$expected"
is "an unknown cadence: none" "$(get r0.html '/mensagens?regua=nenhuma')" 200
contains "... saying so" r0.html 'Nenhuma mensagem com estes filtros.'
# the messages of 2026-11-23 10:00 local (13:00 UTC); the date range is the company's days
n=$(q "SELECT count(*) FROM messages WHERE coalesce(sent_at, planned_for) >= CAST(strftime('%s', '2026-11-23 03:00:00') AS INTEGER) AND coalesce(sent_at, planned_for) < CAST(strftime('%s', '2026-11-24 03:00:00') AS INTEGER)")
is "date range filter" "$(get d.html '/mensagens?de=2026-11-23&ate=2026-11-23')" 200
expected=$n; [ "$n" -gt 50 ] && expected=50
is "... finds that day's messages" "$(rows d.html)" "$expected"
contains "... shown in the company's zone" d.html '23/11/2026 10:00'
grep -q '26/11/2026' d.html && not_ok "... and no other day's" "26/11 listed" || ok "... and no other day's"
is "a bad channel is 400" "$(get b1.html '/mensagens?canal=Whats%20App')" 400
contains "... naming the field" b1.html 'canal: use o nome de um canal'
is "a bad status is 400" "$(get b2.html '/mensagens?status=lost')" 400
contains "... naming the field" b2.html 'status: escolha uma das situações'
is "a bad date is 400" "$(get b3.html '/mensagens?de=2026-13-01')" 400
contains "... naming the field" b3.html 'de: use uma data como 2026-12-31'
is "a reversed range is 400" "$(get b4.html '/mensagens?de=2026-12-01&ate=2026-11-01')" 400
contains "... naming the field" b4.html 'de: a data inicial vem depois da final (ate)'
is "a bad ate is 400" "$(get b5.html '/mensagens?ate=amanha')" 400
contains "... naming the field" b5.html 'ate: use uma data'
contains "there is an export link with the filters" f.html 'href="/mensagens.csv?canal=whatsapp&amp;status=failed"'

# ---- CSV exports ----
parse_csv() {
    /usr/bin/python3 - "$@" <<'PY'
import csv, io, sys
path, want_rows = sys.argv[1], int(sys.argv[2])
raw = open(path, "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "no BOM"
text = raw[3:].decode("utf-8")
assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), "lines must end in CRLF"
rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
assert len(rows) - 1 == want_rows, (len(rows) - 1, want_rows)
widths = {len(r) for r in rows}
assert len(widths) == 1, widths
for probe in sys.argv[3:]:
    col, value = probe.split("=", 1)
    i = rows[0].index(col)
    assert value in [r[i] for r in rows[1:]], (col, value, [r[i] for r in rows[1:]][:5])
print("ok")
PY
}
hdr() { curl -s -o "$1" -D "$1.h" -b vw.jar -w '%{http_code}' "$B$2"; }
is "Mensagens' export is 200" "$(hdr m.csv '/mensagens.csv?canal=whatsapp&status=failed')" 200
contains "... as CSV" m.csv.h 'Content-Type: text/csv; charset=utf-8'
contains "... a download named for today" m.csv.h 'attachment; filename="mensagens-2026-12-02.csv"'
is "... parses: the one filtered row, cost in pt-BR" "$(parse_csv m.csv 1 'custo=1.234,50' 'motivo=número <inválido>' 'canal=whatsapp' 'faturas=F1')" ok
is "every message, unfiltered" "$(hdr all.csv /mensagens.csv)" 200
is "... parses with every row" "$(parse_csv all.csv "$total" 'planejada para=23/11/2026 10:00')" ok
is "Faturas' export is 200" "$(hdr f.csv '/faturas.csv?cliente=C1')" 200
is "... parses: quotes, ';' and pt-BR numbers and dates" "$(parse_csv f.csv 1 'descrição=Mensalidade; novembro' 'valor=1.234,56' 'vencimento=20/11/2026' 'situação=em aberto')" ok
is "every invoice" "$(hdr fa.csv /faturas.csv)" 200
is "... 57 rows" "$(parse_csv fa.csv 57 'fatura=G64')" ok
is "Clientes' export is 200" "$(hdr c.csv /clientes.csv)" 200
is "... parses: every customer (two batches), names with quotes" "$(parse_csv c.csv 657 'código=L1599' 'nome=Maria "da" Silva;Souza' 'documento=529.982.247-25' 'telefone=+5511987654321')" ok
/usr/bin/python3 -c 'import sys; raw = open("c.csv", "rb").read(); sys.exit(0 if raw.count(b"\xef\xbb\xbf") == 1 else 1)' && ok "... one BOM, one header" || not_ok "... one BOM, one header" "BOM repeated"
is "Clientes' export with a filter" "$(hdr c1.csv '/clientes.csv?documento=111')" 200
is "... one row" "$(parse_csv c1.csv 1 'código=C2')" ok
is "Tarefas' export is 200" "$(hdr t.csv /tarefas.csv)" 200
is "... parses: the open task" "$(parse_csv t.csv "$(q "SELECT count(*) FROM tasks WHERE status IN ('open', 'claimed')")" 'cliente=C2' 'tipo=call')" ok
is "a bad filter on an export is 400" "$(hdr b.csv '/mensagens.csv?status=lost')" 400
contains "... naming the field" b.csv 'status: escolha uma das situações'
is "an export needs a login" "$(curl -s -o /dev/null -w '%{http_code}' "$B/faturas.csv")" 303
is "the Faturas page links its export" "$(get fp.html '/faturas?status=open')" 200
contains "... with the filters" fp.html 'href="/faturas.csv?status=open"'
is "the Tarefas page links its export" "$(get tp.html '/tarefas')" 200
contains "... there" tp.html 'href="/tarefas.csv"'
kill -TERM $pid
wait $pid
