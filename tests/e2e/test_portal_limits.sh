#!/bin/sh
# The portal's limits (docs/portal.md, "Limits"), with the documented
# numbers: per client address 300 requests a minute and per link 60 (the
# defaults), then smaller settings; over a limit 429 with Retry-After: 60
# and a pt-BR page with no customer data, checked before the link is read
# (a guessed token gets 429 too) and before a form does anything. A POST
# body of 8 KiB is read, one byte more is 413; more than 64 fields is 400.
# The clock is fixed (REGUA_NOW), so every request falls in one minute.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
public_url: http://portal.exemplo.com.br
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81, phone: "(11) 4000-1234"}
channels:
  email: {driver: log, path: outbox/email.jsonl}
YAML
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
steps:
  - {id: ligar, at: D+10, action: task, task: {kind: call}}
YAML
printf 'external_id;name;document;email\n' >c.csv
printf 'external_id,customer_external_id,description,amount,due_date\n' >f.csv
for i in 1 2 3 4 5 6; do
    printf 'C%s;Cliente %s;;c%s@exemplo.com.br\n' $i $i $i >>c.csv
    printf 'F%s,C%s,Mensalidade,100.00,2026-11-23\n' $i $i >>f.csv
done
export REGUA_SECRET=0123456789abcdef0123
export REGUA_NOW=2026-11-27T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
for i in 1 2 3 4 5 6; do regua portal link C$i | sed 's|http://portal.exemplo.com.br/p/||' >tok$i; done
T1=$(cat tok1)

start() {
    port=$(free_port)
    base="http://127.0.0.1:$port"
    REGUA_LOG=info "$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >>serve.log 2>&1 &
    pid=$!
    wait_http "$base/healthz" || not_ok "serve starts" "$(tail -5 serve.log)"
}
stop() { kill $pid; wait $pid 2>/dev/null; }
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
# hits PATH N: N GETs on one kept-alive connection; prints "STATUS:COUNT ..." in order of first appearance
hits() {
    /usr/bin/python3 - "$port" "$1" "$2" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
seen = {}
for _ in range(int(sys.argv[3])):
    c.request("GET", sys.argv[2]); r = c.getresponse(); r.read()
    seen[r.status] = seen.get(r.status, 0) + 1
print(" ".join(f"{k}:{v}" for k, v in seen.items()))
PY
}

# ---- the defaults: 60 a link, 300 an address ----
start
is "60 requests on a link in a minute: all 200" "$(hits "/p/$T1" 60)" "200:60"
code=$(curl -s -D h61.txt -o p61.html -w '%{http_code}' "$base/p/$T1")
is "the 61st on that link: 429" "$code" 429
contains "... with Retry-After: 60" h61.txt "Retry-After: 60"
contains "... a page saying to wait a minute" p61.html "Recebemos muitos acessos a este link em pouco tempo. Espere um minuto e tente de novo."
contains "... with the company's contact" p61.html "Telefone: (11) 4000-1234"
if grep -q "Cliente 1" p61.html; then not_ok "... and no customer data" "$(grep -o 'Cliente 1' p61.html)"; else ok "... and no customer data"; fi
is "another link from the same address: 200" "$(curl -s -o /dev/null -w '%{http_code}' "$base/p/$(cat tok2)")" 200
# so far 62 from this address: 238 more reach 300
is "links 2-5: 59 + 60 + 60 + 59 more requests (300 from the address)" \
   "$(hits "/p/$(cat tok2)" 59) $(hits "/p/$(cat tok3)" 60) $(hits "/p/$(cat tok4)" 60) $(hits "/p/$(cat tok5)" 59)" "200:59 200:60 200:60 200:59"
code=$(curl -s -D h301.txt -o p301.html -w '%{http_code}' "$base/p/$(cat tok6)")
is "the 301st from the address, on a fresh link: 429" "$code" 429
contains "... with Retry-After: 60" h301.txt "Retry-After: 60"
contains "... the address's page" p301.html "Recebemos muitos acessos em pouco tempo. Espere um minuto e tente de novo."
is "a guessed token from that address: 429, not 404" "$(curl -s -o /dev/null -w '%{http_code}' "$base/p/MS4xNzk4.AAAAAAAAAAAAAAAAAAAAAA")" 429
is "the API and /healthz are not the portal's" "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" 200
grep -q "refused (429): more than 300 requests a minute from one address" serve.log \
    && ok "the refusal is logged with the limit" || not_ok "the refusal is logged with the limit" "$(tail -3 serve.log)"
stop

# ---- smaller settings: rate_ip_per_min 5 ----
sed -i "s|^company:|portal: {rate_ip_per_min: 5, rate_token_per_min: 0}\ncompany:|" regua.yaml
start
is "5 requests from an address: 200" "$(hits "/p/$T1" 5)" "200:5"
is "the 6th: 429" "$(curl -s -o /dev/null -w '%{http_code}' "$base/p/$(cat tok2)")" 429
visits=$(q "SELECT count(*) FROM events WHERE type='portal.visited'")
CSRF=$(curl -s "$base/p/$T1" | /usr/bin/python3 -c 'import re,sys; m=re.search(r"name=\"csrf\" value=\"([^\"]*)\"", sys.stdin.read()); print(m.group(1) if m else "")')
is "over the limit a page shows no form (no form secret)" "$CSRF" ""
is "a POST over the limit: 429" "$(curl -s -o /dev/null -w '%{http_code}' -d "invoice=F1" "$base/p/$T1/pix")" 429
is "... nothing recorded" "$(q "SELECT count(*) FROM events WHERE type IN ('portal.visited','pix.copied')")" "$visits"
stop

# ---- rate_token_per_min 3 ----
sed -i "s|^portal: .*|portal: {rate_ip_per_min: 0, rate_token_per_min: 3}|" regua.yaml
start
is "3 requests on a link: 200" "$(hits "/p/$T1" 3)" "200:3"
is "the boleto of that link counts too: 429" "$(curl -s -o /dev/null -w '%{http_code}' "$base/p/$T1/boleto/F1.pdf")" 429
is "another link: 200" "$(curl -s -o /dev/null -w '%{http_code}' "$base/p/$(cat tok2)")" 200
stop

# ---- bodies ----
sed -i "s|^portal: .*|portal: {rate_ip_per_min: 0, rate_token_per_min: 0}|" regua.yaml
start
CSRF=$(curl -s "$base/p/$T1" | /usr/bin/python3 -c 'import re,sys; print(re.search(r"name=\"csrf\" value=\"([^\"]*)\"", sys.stdin.read()).group(1))')
# a form of exactly 8192 bytes: the fields, then a padding field
/usr/bin/python3 -c 'import sys; b="csrf=%s&invoice=F1&x=" % sys.argv[1]; sys.stdout.write(b + "a" * (8192 - len(b)))' "$CSRF" >b8192
/usr/bin/python3 -c 'import sys; b="csrf=%s&invoice=F1&x=" % sys.argv[1]; sys.stdout.write(b + "a" * (8193 - len(b)))' "$CSRF" >b8193
is "the bodies are 8192 and 8193 bytes" "$(wc -c <b8192) $(wc -c <b8193)" "8192 8193"
is "a form of 8 KiB: read (303)" "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @b8192 "$base/p/$T1/pix")" 303
is "... and recorded" "$(q "SELECT count(*) FROM events WHERE type='pix.copied'")" 1
code=$(curl -s -o b413.html -w '%{http_code}' --data-binary @b8193 "$base/p/$T1/pix")
is "one byte more: 413" "$code" 413
contains "... with a page" b413.html "Pedido grande demais"
head -c 1048576 /dev/zero | tr '\0' 'a' >big
is "1 MiB: 413" "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @big "$base/p/$T1/pix")" 413
is "... nothing recorded" "$(q "SELECT count(*) FROM events WHERE type='pix.copied'")" 1
/usr/bin/python3 -c 'import sys; print("csrf=%s&invoice=F1" % sys.argv[1] + "".join("&k%d=1" % i for i in range(62)), end="")' "$CSRF" >f64
/usr/bin/python3 -c 'import sys; print("csrf=%s&invoice=F1" % sys.argv[1] + "".join("&k%d=1" % i for i in range(63)), end="")' "$CSRF" >f65
is "64 fields: read (303)" "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @f64 "$base/p/$T1/pix")" 303
is "65 fields: 400" "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @f65 "$base/p/$T1/pix")" 400
printf 'csrf=%s&invoice=F1\000&x=1' "$CSRF" >nul
is "a raw NUL byte in the body: 400" "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @nul "$base/p/$T1/pix")" 400
is "%00: 400" "$(curl -s -o /dev/null -w '%{http_code}' --data "csrf=$CSRF&invoice=F1%00" "$base/p/$T1/pix")" 400
is "... nothing recorded by the refused bodies" "$(q "SELECT count(*) FROM events WHERE type='pix.copied'")" 2
stop
