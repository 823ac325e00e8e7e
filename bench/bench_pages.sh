#!/bin/sh
# The dashboard's pages (Clientes, Mensagens, Réguas, Canais, the CSV
# exports) timed against `regua serve` on a large database
# (docs/BENCHMARKS.md, "Dashboard pages").
#
#   sh bench/bench_pages.sh DIR [RUNS]
#
# DIR holds regua.yaml and regua.db (e.g. a copy of the 1,000,000-invoice,
# 3,000,000-message database of bench_reports.sh; it is migrated, an admin
# user made and, when regua.yaml has no company, a company and four log
# channels added, in place: use a copy). Each URL is fetched RUNS times
# (default 5) after one warm-up; printed: the fastest, the median and the
# slowest total time (curl's time_total: the whole answer, streamed CSVs
# included) and the answer's size.
set -eu
DIR=${1:?usage: bench_pages.sh DIR [RUNS]}
RUNS=${2:-5}
BIN=${REGUA_BIN:-$(pwd)/build/regua}
cd "$DIR"
# the cadences load only with a company and their channels (bench_reports.sh's regua.yaml has neither)
grep -q '^company:' regua.yaml || cat >>regua.yaml <<'YAML'
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl, cost_per_message: 0.02}
  whatsapp: {driver: log, path: outbox/whatsapp.jsonl, cost_per_message: 0.35}
  sms: {driver: log, path: outbox/sms.jsonl, cost_per_message: 0.12}
  letter: {driver: log, path: outbox/letter.jsonl}
YAML
printf 'senha-do-banco-1\n' | "$BIN" user create bench@example.com --role admin >/dev/null 2>&1 || true
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
i=0; while ! curl -s -o /dev/null "$B/healthz" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
curl -s -c jar -b jar "$B/login" >login.html
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' login.html)
curl -s -o /dev/null -c jar -b jar --data-urlencode "csrf=$csrf" --data-urlencode "email=bench@example.com" \
    --data-urlencode "password=senha-do-banco-1" "$B/login"
cust=$(/usr/bin/python3 -c 'import sqlite3; print(sqlite3.connect("regua.db").execute("SELECT external_id FROM customers ORDER BY id DESC LIMIT 1").fetchone()[0])')
deep=$(/usr/bin/python3 -c 'import sqlite3; print(sqlite3.connect("regua.db").execute("SELECT max(id) - 100 FROM messages").fetchone()[0])')
# a day in the middle of the messages, in the company's zone (regua.yaml's timezone, default São Paulo)
zone=$(sed -n 's/^timezone: *//p' regua.yaml); zone=${zone:-America/Sao_Paulo}
day=$(/usr/bin/python3 -c 'import sqlite3, sys, datetime, zoneinfo; t = sqlite3.connect("regua.db").execute("SELECT coalesce(sent_at, planned_for) FROM messages WHERE id = (SELECT max(id) / 2 FROM messages)").fetchone()[0]; print(datetime.datetime.fromtimestamp(t, zoneinfo.ZoneInfo(sys.argv[1])).date())' "$zone")
echo "pages over $(/usr/bin/python3 -c 'import sqlite3; db = sqlite3.connect("regua.db"); print(*[db.execute("SELECT count(*) FROM " + t).fetchone()[0] for t in ("customers", "invoices", "messages")])') customers/invoices/messages; load $(cut -d' ' -f1-3 /proc/loadavg)"
for url in /clientes "/clientes?nome=Silva" "/clientes?documento=123" "/clientes/$cust" /mensagens "/mensagens?depois=$deep" \
    "/mensagens?canal=sms&status=failed" "/mensagens?de=$day&ate=$day" "/mensagens?cliente=$cust" /reguas /canais \
    /reguas.csv /canais.csv "/clientes.csv" "/mensagens.csv?de=$day&ate=$day" "/faturas.csv?status=open&de=$day&ate=$day"; do
    curl -s -o /dev/null -b jar "$B$url"
    times=$(i=0; while [ $i -lt "$RUNS" ]; do curl -s -o out.bin -b jar -w '%{time_total}\n' "$B$url"; i=$((i + 1)); done | sort -n)
    printf '%-45s min %6.3f s  median %6.3f s  max %6.3f s  %s bytes (HTTP %s)\n' "$url" \
        "$(echo "$times" | head -1)" "$(echo "$times" | sed -n "$(((RUNS + 1) / 2))p")" "$(echo "$times" | tail -1)" \
        "$(wc -c <out.bin | tr -d ' ')" "$(curl -s -o /dev/null -b jar -w '%{http_code}' "$B$url")"
done
