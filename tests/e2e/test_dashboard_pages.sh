#!/bin/sh
# The dashboard's pages against `regua serve`: Faturas (filters, keyset
# pages), an invoice's timeline in order, Tarefas (claim, close with a
# promise) and the roles: a viewer sees no button and its POST is a 403.
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
cat >cadences/tarefa.yaml <<'YAML'
cadence: tarefa
match: {priority: 50, tags_any: [tarefa]}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: ligar, at: D0, action: task, task: {kind: call}}
YAML
cat >clientes.csv <<'CSV'
external_id,name,document,email,phone,tags
C1,Maria José <b>da Conceição</b>,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,
C2,João Ligação,111.444.777-35,joao@exemplo.com.br,(11) 3333-4444,tarefa
CSV
{
    echo "external_id,customer_external_id,description,amount,due_date"
    echo 'F1,C1,Mensalidade de novembro,"150,00",2026-11-20'
    echo 'F3,C2,Serviço avulso,"80,00",2026-12-02'
    i=10; while [ $i -lt 70 ]; do echo "G$i,C1,Parcela $i,\"10,00\",2027-01-15"; i=$((i + 1)); done
} >faturas.csv
export REGUA_NOW=2026-12-02T13:00:00Z
regua init >/dev/null 2>&1
regua import customers clientes.csv >/dev/null 2>&1 || not_ok "fixture: customers" "import"
regua import invoices faturas.csv >/dev/null 2>&1 || not_ok "fixture: invoices" "import"
regua pay F1 --amount 20,00 --at 2026-11-25 --reference R1 >/dev/null 2>&1 || not_ok "fixture: pay" "pay"
regua tick >/dev/null 2>&1 || not_ok "fixture: tick" "$(regua tick 2>&1 | tail -2)"
TASK=$(regua task list --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])' 2>/dev/null)
[ -n "$TASK" ] || not_ok "fixture: a task" "$(regua task list 2>&1 | tail -3)"
printf 'senha-da-olga-1\n' | regua user create olga@example.com --role operator >/dev/null
printf 'senha-do-vitor\n' | regua user create vitor@example.com --role viewer >/dev/null

port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" || not_ok "serve starts" "$(cat serve.log)"
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -1; }
get() { curl -s -o "$2" -b "$1" -w '%{http_code}' "$B$3"; }

is "operator logs in" "$(login_as op.jar olga@example.com senha-da-olga-1)" 303
is "viewer logs in" "$(login_as vw.jar vitor@example.com senha-do-vitor)" 303
code=$(curl -s -o /dev/null -w '%{http_code}' "$B/faturas")
is "Faturas needs a login" "$code" 303

# ---- Faturas ----
is "Faturas is 200" "$(get op.jar f1.html /faturas)" 200
n=$(grep -o '<tr><td><a href="/faturas/' f1.html | wc -l)
is "a page holds 50 invoices" "$n" 50
contains "there is a next page" f1.html 'rel="next"'
next=$(sed -n 's/.*rel="next" href="\([^"]*\)".*/\1/p' f1.html | sed 's/&amp;/\&/g')
is "the next page is 200" "$(get op.jar f2.html "$next")" 200
n=$(grep -o '<tr><td><a href="/faturas/' f2.html | wc -l)
is "the next page holds the other 12" "$n" 12
grep -q 'rel="next"' f2.html && not_ok "the last page has no next" "link" || ok "the last page has no next"
is "status filter" "$(get op.jar f3.html '/faturas?status=open&cliente=C2')" 200
contains "... finds F3" f3.html '>F3</a>'
grep -q '>F1</a>' f3.html && not_ok "... and not C1's" "F1 listed" || ok "... and not C1's"
is "due date filter" "$(get op.jar f4.html '/faturas?de=2026-11-01&ate=2026-11-30')" 200
contains "... finds F1" f4.html '>F1</a>'
grep -q '>G10</a>' f4.html && not_ok "... and not January's" "G10 listed" || ok "... and not January's"
is "a bad date filter is 400" "$(get op.jar f5.html '/faturas?de=ontem')" 400
contains "... naming the field" f5.html 'vencimento de: use uma data'
is "a bad status filter is 400" "$(get op.jar f5.html '/faturas?status=quase')" 400

# ---- an invoice's timeline ----
is "the invoice page is 200" "$(get op.jar inv.html /faturas/F1)" 200
contains "it shows the customer, escaped" inv.html 'Maria José &lt;b&gt;da Conceição&lt;/b&gt;'
contains "it shows the payment" inv.html 'R$ 20,00'
contains "it shows a message with its text" inv.html '<pre class="msg">'
contains "it shows the events" inv.html 'payment.received'
/usr/bin/python3 - inv.html <<'PY' && ok "the timeline is in time order" || not_ok "the timeline is in time order" "see inv.html"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
times = re.findall(r"<time>(\d\d)/(\d\d)/(\d{4}) (\d\d):(\d\d)</time>", html)
keys = [(y, m, d, hh, mm) for d, m, y, hh, mm in times]
assert len(keys) >= 3, keys
assert keys == sorted(keys), keys
PY
contains "times are the company's (a bare date is local noon)" inv.html '25/11/2026 12:00'
is "an unknown invoice is 404" "$(get op.jar x.html /faturas/NAO-EXISTE)" 404

# ---- Tarefas ----
is "Tarefas is 200 (viewer)" "$(get vw.jar tv.html /tarefas)" 200
contains "the viewer sees the task" tv.html "tarefa-$TASK"
grep -q '<button' tv.html && grep -c '<button' tv.html | grep -qx 1 && ok "the viewer sees no button but Sair" || not_ok "the viewer sees no button but Sair" "$(grep -o '<button[^>]*>[^<]*' tv.html)"
csrf=$(csrf_of tv.html)
code=$(curl -s -o v403.html -b vw.jar -w '%{http_code}' --data "csrf=$csrf" "$B/tarefas/$TASK/assumir")
is "the viewer's claim is refused: 403" "$code" 403
contains "... saying why" v403.html "Sem permissão"
is "the task is still open" "$(q "SELECT status FROM tasks WHERE id = $TASK")" open

is "Tarefas is 200 (operator)" "$(get op.jar to.html /tarefas)" 200
contains "the operator sees Assumir" to.html "action=\"/tarefas/$TASK/assumir\""
csrf=$(csrf_of to.html)
code=$(curl -s -o /dev/null -b op.jar -w '%{http_code}' --data "csrf=bad" "$B/tarefas/$TASK/assumir")
is "a claim without the CSRF token is 403" "$code" 403
code=$(curl -s -o /dev/null -D h1 -b op.jar -w '%{http_code}' --data "csrf=$csrf" "$B/tarefas/$TASK/assumir")
is "the operator claims the task: 303" "$code" 303
contains "... back to the queue" h1 "Location: /tarefas?m=assumida#tarefa-$TASK"
is "the task is claimed by the user" "$(q "SELECT status || ' ' || assignee FROM tasks WHERE id = $TASK")" "claimed olga@example.com"
code=$(curl -s -o bad.html -b op.jar -w '%{http_code}' --data "csrf=$csrf&resultado=promised&promessa_data=2026-11-01" "$B/tarefas/$TASK/concluir")
is "a promise in the past is 422" "$code" 422
contains "... naming the field" bad.html "Promessa: pagar até"
is "... and nothing changed" "$(q "SELECT status FROM tasks WHERE id = $TASK")" claimed
code=$(curl -s -o /dev/null -D h2 -b op.jar -w '%{http_code}' --data "csrf=$csrf&resultado=promised&nota=Vai+pagar+sexta&promessa_data=2026-12-05&promessa_valor=50%2C00" "$B/tarefas/$TASK/concluir")
is "closing with a promise: 303" "$code" 303
contains "... saying a promise was registered" h2 "m=promessa"
is "the task is done" "$(q "SELECT status || ' ' || outcome || ' ' || note FROM tasks WHERE id = $TASK")" "done promised Vai pagar sexta"
is "the promise is recorded" "$(q "SELECT amount || ' ' || status FROM promises")" "5000 pending"
is "... with promise.made" "$(q "SELECT count(*) FROM events WHERE type = 'promise.made' AND source = 'dashboard'")" 1
is "the invoice page shows the promise" "$(get op.jar f3p.html /faturas/F3)" 200
contains "... in its timeline" f3p.html "R$ 50,00 até 05/12/2026"
contains "... and the task" f3p.html "resultado: promised"
kill -TERM $pid
wait $pid
