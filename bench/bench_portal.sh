#!/bin/sh
# The portal page under load: GET /p/TOKEN for one customer with 5 open
# invoices (each late, with a boleto and a PIX: fees, a generated boleto and
# a rebuilt PIX per invoice per page), served by `regua serve` on loopback
# with the portal's limits off, measured with wrk. Two runs: the page as a
# customer opens it (each view records portal.visited: one write), and the
# page coming back from a form (?m=pix: no event, the render alone).
#   sh bench/bench_portal.sh [SECONDS] [CONNECTIONS]   (REGUA_BIN: the binary, default build/regua)
set -eu
SECS=${1:-10}
CONNS=${2:-16}
BIN=${REGUA_BIN:-$PWD/build/regua}
DIR=$(mktemp -d /tmp/regua-bench-portal-XXXXXX)
pid=
trap 'kill $pid 2>/dev/null; rm -rf "$DIR"' EXIT
cd "$DIR"
mkdir cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
public_url: https://cobranca.exemplo.com.br
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81, phone: "(11) 4000-1234"}
portal: {rate_token_per_min: 0, rate_ip_per_min: 0}
server: {max_connections_per_ip: 0}
YAML
cat >cadences/padrao.yaml <<'YAML'
cadence: padrao
match: {priority: 1}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: tarefa, at: D+30, action: task}
YAML
export REGUA_SECRET=0123456789abcdef0123 REGUA_NOW=2026-12-01T12:00:00Z
printf 'external_id,name,document\nC1,Maria José da Conceição,529.982.247-25\n' >c.csv
printf 'external_id,customer_external_id,description,amount,due_date,boleto_bank,linha_digitavel,pix_code\n' >f.csv
for i in 1 2 3 4 5; do
    linha=$("$BIN" boleto encode --bank 341 --due 2026-11-0$i --amount 1${i}0,00 --agencia 57 --conta 12345 \
        --carteira 109 --nosso-numero 1234567$i --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["linha_digitavel"])')
    pix=$("$BIN" pix encode --key cobranca@exemplo.com.br --name "EXEMPLO SERVICOS" --city "SAO PAULO" \
        --amount 1${i}0,00 --txid F$i)
    echo "F$i,C1,Mensalidade $i,\"1${i}0,00\",2026-11-0$i,341,$linha,$pix" >>f.csv
done
"$BIN" import customers c.csv >/dev/null
"$BIN" import invoices f.csv >/dev/null
URL=$("$BIN" portal link C1 | sed 's|https://cobranca.exemplo.com.br||')
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
export REGUA_NOW=2026-12-10T12:00:00Z
"$BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat serve.log; exit 1; }; sleep 0.1
done
page=$(curl -s "http://127.0.0.1:$port$URL")
n=$(printf '%s' "$page" | grep -o 'Copiar código PIX' | wc -l)
echo "page: $(printf '%s' "$page" | wc -c) bytes, $n invoices with a PIX"
echo "== the page with its portal.visited ($SECS s, $CONNS connections, 2 threads)"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$port$URL" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
echo "== the page without an event (?m=pix)"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$port$URL?m=pix" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
echo "portal.visited recorded: $(/usr/bin/python3 -c 'import sqlite3; print(sqlite3.connect("regua.db").execute("select count(*) from events where type=\"portal.visited\"").fetchone()[0])')"
