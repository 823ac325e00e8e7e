#!/bin/sh
# The dashboard's Canais against `regua serve`: each channel's driver, cost
# per message, messages by status, last send and last failure (in the
# company's zone), a channel only old messages name; the test send (admin
# only, CSRF, POST -> 303) through the real drivers to the local fakes —
# the SMTP sink (smtp) and the fake HTTP provider (http: an SMS API, and
# a refusal shown with its reason) — and its refusals (a viewer's and an
# operator's 403, a bad address 422 naming the field, a driver that cannot
# take a test).
. "$(dirname "$0")/lib.sh"
cd "$T"
SINK="$REGUA_ROOT/tests/support/smtp_sink.py"
FAKE="$REGUA_ROOT/tests/support/fake_http.py"
export RG_SMS_TOKEN=sms-e2e-token
mkdir -p sink fake
/usr/bin/python3 "$SINK" --dir sink --port-file sink.port --lifetime 120 >sink.out 2>&1 &
SPID=$!
printf '[{"match": "5511900000001", "status": 400, "message": "numero bloqueado"}]' >fake/rules.json
/usr/bin/python3 "$FAKE" --port-file fake/port --log fake/fake.jsonl --rules fake/rules.json --timeout 120 >fake/out 2>&1 &
FPID=$!
trap 'kill $FPID $SPID 2>/dev/null; rm -rf "$T"' EXIT
i=0
while { [ ! -s sink.port ] || [ ! -s fake/port ]; } && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
SPORT=$(cat sink.port)
HPORT=$(cat fake/port)
repo_project
cat >regua.yaml <<YAML
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email:
    driver: smtp
    url: smtp://127.0.0.1:$SPORT
    from: "Exemplo <cobranca@exemplo.com.br>"
    cost_per_message: 0.02
  sms:
    driver: http
    url: http://127.0.0.1:$HPORT/sms
    headers: {X-API-TOKEN: "\${RG_SMS_TOKEN}"}
    body: '{"to": "{{to_digits}}", "text": "{{body}}"}'
    timeout: 2
    cost_per_message: 0.12
  whatsapp: {driver: log, path: outbox/whatsapp.jsonl, cost_per_message: 0.05}
  letter: {driver: letter, dir: cartas}
YAML
cat >clientes.csv <<'CSV'
external_id,name,document,email,phone,whatsapp
C1,Maria,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,(11) 98765-4321
CSV
printf 'external_id,customer_external_id,description,amount,due_date\nF1,C1,Mensalidade,"150,00",2026-11-20\n' >faturas.csv
export REGUA_NOW=2026-11-18T13:00:00Z
regua init >/dev/null 2>&1
regua import customers clientes.csv >/dev/null 2>&1 || not_ok "fixture: customers" "import"
regua import invoices faturas.csv >/dev/null 2>&1 || not_ok "fixture: invoices" "import"
/usr/bin/python3 - <<'PY'
import calendar, sqlite3
db = sqlite3.connect("regua.db")
c = db.execute("SELECT id FROM customers").fetchone()[0]
t0 = calendar.timegm((2026, 11, 20, 13, 0, 0))
rows = [("email", "sent", "", t0 + 60), ("email", "delivered", "", t0 + 120), ("email", "read", "", t0 + 180),
        ("email", "failed", "caixa cheia <552>", None), ("email", "queued", "", None),
        ("pombo", "sent", "", t0 + 240)]
for i, (ch, st, reason, sent) in enumerate(rows):
    db.execute("INSERT INTO messages (idempotency_key, customer_id, source_kind, source_id, channel, status, reason,"
               " planned_for, sent_at, created_at, updated_at) VALUES (?, ?, 'manual', 'x', ?, ?, ?, ?, ?, ?, ?)",
               ("k%d" % i, c, ch, st, reason, t0, sent, t0, t0 + 300 + i))
db.commit()
PY
printf 'senha-da-adriana\n' | regua user create adriana@example.com --role admin >/dev/null
printf 'senha-da-olga-1\n' | regua user create olga@example.com --role operator >/dev/null
printf 'senha-do-vitor\n' | regua user create vitor@example.com --role viewer >/dev/null

port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" || not_ok "serve starts" "$(cat serve.log)"
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -1; }
get() { curl -s -o "$2" -b "$1" -w '%{http_code}' "$B$3"; }
is "admin logs in" "$(login_as ad.jar adriana@example.com senha-da-adriana)" 303
is "operator logs in" "$(login_as op.jar olga@example.com senha-da-olga-1)" 303
is "viewer logs in" "$(login_as vw.jar vitor@example.com senha-do-vitor)" 303

is "Canais needs a login" "$(curl -s -o /dev/null -w '%{http_code}' "$B/canais")" 303
is "Canais is 200 (viewer)" "$(get vw.jar v.html /canais)" 200
contains "the nav marks Canais" v.html '<a href="/canais" aria-current="page">Canais</a>'
/usr/bin/python3 - v.html <<'PY' && ok "each channel's row: driver, cost, counts" || not_ok "each channel's row: driver, cost, counts" "see v.html"
import html as html_mod, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
def row(name):
    m = re.search(r'<tr id="canal-%s">(.*?)</tr>' % name, html, re.S)
    assert m, name
    return [html_mod.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", m.group(1), re.S)]
email = row("email")
assert email[1] == "smtp", email
assert email[2] == "R$\xa00,02" or email[2] == "R$ 0,02", email
# total, sent (incl. delivered and read), delivered (incl. read), read, queued, failed, other
assert email[3:10] == ["5", "3", "2", "1", "1", "1", "0"], email
assert email[10] == "20/11/2026 10:03", email   # the read one, sent at 13:03 UTC
assert email[11].startswith("20/11/2026 10:05") and "caixa cheia <552>" in email[11], email
sms = row("sms")
assert sms[1] == "http" and sms[3] == "0" and sms[10] == "—", sms
pombo = row("pombo")
assert pombo[1] == "não configurado" and pombo[3] == "1", pombo
wa = row("whatsapp")
assert wa[1] == "log" and wa[2] in ("R$\xa00,05", "R$ 0,05"), wa
PY
contains "the failure's reason is escaped" v.html 'caixa cheia &lt;552&gt;'
contains "the page links its CSV export" v.html 'href="/canais.csv"'
code=$(curl -s -o c.csv -b vw.jar -w '%{http_code}' "$B/canais.csv")
is "Canais' export is 200" "$code" 200
/usr/bin/python3 - c.csv <<'PY' && ok "... parses: each channel, every status on its own column" || not_ok "Canais' export parses" "$(cat c.csv)"
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf")
rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline=""), delimiter=";"))
head = rows[0]
by = {r[0]: dict(zip(head, r)) for r in rows[1:]}
e = by["email"]
assert (e["driver"], e["configurado"], e["custo por mensagem"], e["mensagens"]) == ("smtp", "sim", "0,02", "5"), e
assert (e["enviadas"], e["entregues"], e["lidas"], e["falharam"], e["na fila"]) == ("1", "1", "1", "1", "1"), e
assert e["último envio"] == "20/11/2026 10:03" and e["motivo da última falha"] == "caixa cheia <552>", e
assert by["pombo"]["configurado"] == "não" and by["pombo"]["enviadas"] == "1", by["pombo"]
assert by["letter"]["mensagens"] == "0", by["letter"]
PY
grep -c '<button' v.html | grep -qx 1 && ok "the viewer sees no button but Sair" || not_ok "the viewer sees no button but Sair" "$(grep -o '<button[^>]*>[^<]*' v.html)"
grep -q 'Envio de teste' v.html && not_ok "... and no test send" "shown" || ok "... and no test send"
is "Canais is 200 (operator)" "$(get op.jar o.html /canais)" 200
grep -q '/teste"' o.html && not_ok "the operator sees no test send" "shown" || ok "the operator sees no test send"
is "Canais is 200 (admin)" "$(get ad.jar a.html /canais)" 200
contains "the admin sees the e-mail test form" a.html 'action="/canais/email/teste"'
contains "... the SMS one" a.html 'action="/canais/sms/teste"'
grep -q 'action="/canais/letter/teste"' a.html && not_ok "... but none for letters" "shown" || ok "... but none for letters"
csrf=$(csrf_of a.html)

code=$(curl -s -o /dev/null -b vw.jar -w '%{http_code}' --data "csrf=$(csrf_of v.html)&destino=x@y.com" "$B/canais/email/teste")
is "the viewer's test send is 403" "$code" 403
code=$(curl -s -o /dev/null -b op.jar -w '%{http_code}' --data "csrf=$(csrf_of o.html)&destino=x@y.com" "$B/canais/email/teste")
is "the operator's test send is 403" "$code" 403
code=$(curl -s -o /dev/null -b ad.jar -w '%{http_code}' --data "csrf=bad&destino=x@y.com" "$B/canais/email/teste")
is "a test send without the CSRF token is 403" "$code" 403
is "... nothing reached the sink" "$(ls sink | grep -c '\.eml$')" 0

code=$(curl -s -o /dev/null -D h1 -b ad.jar -w '%{http_code}' --data "csrf=$csrf&destino=teste%40exemplo.com.br" "$B/canais/email/teste")
is "the admin's e-mail test: 303" "$code" 303
contains "... back to Canais with the result" h1 'Location: /canais?teste=ok&canal=email&para=teste%40exemplo.com.br'
i=0; while [ "$(ls sink | grep -c '\.eml$')" -lt 1 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
is "... the SMTP sink got one message" "$(ls sink | grep -c '\.eml$')" 1
contains "... to the typed address" sink/000001.env 'teste@exemplo.com.br'
contains "... the test's text" sink/000001.eml 'Mensagem de teste do canal email'
/usr/bin/python3 -c 'import email, email.policy, sys; m = email.message_from_binary_file(open("sink/000001.eml", "rb"), policy=email.policy.default); sys.exit(0 if m["subject"] == "Teste de envio da régua" else 1)' && ok "... the test's subject" || not_ok "... the test's subject" "$(grep Subject sink/000001.eml)"
loc=$(sed -n 's/^Location: \([^\r]*\).*/\1/p' h1 | tr -d '\r')
is "the result page is 200" "$(get ad.jar r.html "$loc")" 200
contains "... saying it went" r.html 'Mensagem de teste enviada pelo canal <strong>email</strong> para teste@exemplo.com.br.'
is "no message was recorded" "$(q "SELECT count(*) FROM messages WHERE idempotency_key LIKE 'teste-%'")" 0

code=$(curl -s -o /dev/null -D h2 -b ad.jar -w '%{http_code}' --data "csrf=$csrf&destino=%2811%29+98888-7777" "$B/canais/sms/teste")
is "the SMS test: 303" "$code" 303
contains "... accepted, the number in E.164" h2 'teste=ok&canal=sms&para=%2B5511988887777&detalhe=sms-'
contains "... the fake provider got it" fake/fake.jsonl '5511988887777'
contains "... with a test's idempotency key" fake/fake.jsonl '"key": "teste-'
code=$(curl -s -o /dev/null -D h3 -b ad.jar -w '%{http_code}' --data "csrf=$csrf&destino=%2811%29+90000-0001" "$B/canais/sms/teste")
is "a refused SMS test: 303" "$code" 303
contains "... says it failed" h3 'teste=falhou&canal=sms'
loc=$(sed -n 's/^Location: \([^\r]*\).*/\1/p' h3 | tr -d '\r')
is "... its page is 200" "$(get ad.jar f.html "$loc")" 200
contains "... showing the failure" f.html 'O envio de teste pelo canal <strong>sms</strong> para +5511900000001 falhou.'
contains "... and the provider's reason" f.html 'numero bloqueado'

code=$(curl -s -o bad.html -b ad.jar -w '%{http_code}' --data "csrf=$csrf&destino=nao-e-email" "$B/canais/email/teste")
is "a bad e-mail address is 422" "$code" 422
contains "... naming the field" bad.html 'destino: informe um endereço válido'
code=$(curl -s -o bad2.html -b ad.jar -w '%{http_code}' --data "csrf=$csrf&destino=123" "$B/canais/sms/teste")
is "a bad phone is 422" "$code" 422
code=$(curl -s -o bad3.html -b ad.jar -w '%{http_code}' --data "csrf=$csrf&destino=Rua+A" "$B/canais/letter/teste")
is "a letter channel takes no test: 422" "$code" 422
contains "... saying why" bad3.html 'cannot send a test'
code=$(curl -s -o bad4.html -b ad.jar -w '%{http_code}' --data "csrf=$csrf&destino=x" "$B/canais/pombo/teste")
is "an unknown channel is 404" "$code" 404
is "only the two accepted tests reached the providers" "$(ls sink | grep -c '\.eml$') $(grep -c '"path": "/sms"' fake/fake.jsonl)" "1 2"
kill -TERM $pid
wait $pid
