#!/bin/sh
# regua serve receives the outside world: the WhatsApp webhook (handshake,
# signature, replies), an SMS provider's callback, the open pixel, click
# tracking and one-click unsubscribe — on a database made by `regua import`
# and `regua tick`. Tokens and signatures are computed here in Python,
# exactly as src/service/token.h and docs/api.md describe them.
. "$(dirname "$0")/lib.sh"
cd "$T"
export REGUA_NOW=2026-11-24T12:00:00Z
export REGUA_SECRET=e2e-token-secret-0123456789
export WA_APP_SECRET=e2e-meta-app-secret WA_VERIFY=e2e-verify-token SMS_HOOK_SECRET=e2e-sms-secret

mkdir cad
cp "$REGUA_ROOT/cadences/mensal-pf.yaml" cad/
# tick.yaml delivers through the log driver; serve.yaml names the real providers
for f in tick serve; do
    cat >$f.yaml <<EOF
database: t.db
public_url: http://127.0.0.1:1
cadences: cad
templates: $REGUA_ROOT/templates
company:
  name: Exemplo Serviços Ltda
  cnpj: 11.222.333/0001-81
channels:
  email: {driver: log, path: email.jsonl}
EOF
done
cat >>tick.yaml <<'EOF'
  whatsapp: {driver: log, path: whatsapp.jsonl}
  sms: {driver: log, path: sms.jsonl}
EOF
cat >>serve.yaml <<'EOF'
  whatsapp: {driver: whatsapp_cloud, base_url: "http://127.0.0.1:9", phone_number_id: "1", token_env: WA_TOKEN, app_secret_env: WA_APP_SECRET, verify_token_env: WA_VERIFY}
  sms: {driver: http, url: "http://127.0.0.1:9/sms", webhook_secret_env: SMS_HOOK_SECRET}
EOF
cat >clientes.csv <<'CSV'
external_id;name;document;email;whatsapp;phone;tags
C1;Maria da Silva;529.982.247-25;maria@exemplo.com.br;(11) 98765-4321;;plano-mensal
C2;João Souza;111.444.777-35;joao@exemplo.com.br;;(21) 99876-5432;plano-mensal
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,issue_date,due_date
F1,C1,Mensalidade,"123,45",2026-11-01,2026-11-20
CSV
regua --config tick.yaml import customers clientes.csv >/dev/null
regua --config tick.yaml import invoices faturas.csv >/dev/null
regua --config tick.yaml tick >/dev/null
regua --config tick.yaml messages list --json >msgs.json
msg=$(/usr/bin/python3 -c 'import json; m=json.load(open("msgs.json")); print(m[0]["id"] if m else "")')
[ -n "$msg" ] && ok "tick made a message to track" || not_ok "tick made a message to track" "$(cat msgs.json)"

# sign KIND PAYLOAD: a token as src/service/token.h describes it
sign() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import base64, hashlib, hmac, os, sys
kind, payload = sys.argv[1].encode(), sys.argv[2].encode()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
mac = hmac.new(os.environ["REGUA_SECRET"].encode(), kind + b":" + payload, hashlib.sha256).digest()[:16]
print(b64(payload) + "." + b64(mac))
PY
}
# hubsig SECRET FILE: "sha256=HEX" of the file's bytes
hubsig() {
    /usr/bin/python3 -c 'import hashlib, hmac, sys; print("sha256=" + hmac.new(sys.argv[1].encode(), open(sys.argv[2], "rb").read(), hashlib.sha256).hexdigest())' "$1" "$2"
}
# code METHOD URL [curl args...]: the HTTP status (headers in h.txt, body in b.txt)
code() {
    m=$1; u=$2; shift 2
    curl -s -X "$m" -D h.txt -o b.txt -w '%{http_code}' "$@" "$u"
}

port=$(free_port)
base="http://127.0.0.1:$port"
"$REGUA_BIN" --config serve.yaml serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
if wait_http "$base/healthz"; then ok "serve starts"; else not_ok "serve starts" "$(cat serve.log)"; fi

# ---- WhatsApp: the verification handshake ----
c=$(code GET "$base/hooks/whatsapp?hub.mode=subscribe&hub.verify_token=e2e-verify-token&hub.challenge=8675309")
[ "$c" = 200 ] && [ "$(cat b.txt)" = 8675309 ] && ok "handshake echoes the challenge" || not_ok "handshake echoes the challenge" "$c $(cat b.txt)"
c=$(code GET "$base/hooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=8675309")
[ "$c" = 403 ] && ! grep -q 8675309 b.txt && ok "handshake with a wrong token is 403" || not_ok "handshake with a wrong token is 403" "$c"

# ---- WhatsApp: signatures and replies ----
wa_text() { # FROM ID TEXT
    printf '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","messages":[{"from":"%s","id":"%s","timestamp":"1795520000","type":"text","text":{"body":"%s"}}]}}]}]}' "$1" "$2" "$3"
}
wa_text 5511987654321 wamid.E2E1 SAIR >stop1.json
c=$(code POST "$base/hooks/whatsapp" -H 'Content-Type: application/json' --data-binary @stop1.json)
[ "$c" = 403 ] && ok "unsigned notification is 403" || not_ok "unsigned notification is 403" "$c"
c=$(code POST "$base/hooks/whatsapp" -H 'Content-Type: application/json' -H "X-Hub-Signature-256: $(hubsig wrong-secret stop1.json)" --data-binary @stop1.json)
[ "$c" = 403 ] && ok "wrongly signed notification is 403" || not_ok "wrongly signed notification is 403" "$c"
c=$(code POST "$base/hooks/whatsapp" -H 'Content-Type: application/json' -H "X-Hub-Signature-256: $(hubsig "$WA_APP_SECRET" stop1.json)" --data-binary @stop1.json)
[ "$c" = 200 ] && ok "signed notification is 200" || not_ok "signed notification is 200" "$c $(cat b.txt)"
contains "SAIR opts out" b.txt '"replies":1,"optouts":1'
wa_text 5511987654321 wamid.E2E2 'stop!' >stop2.json
code POST "$base/hooks/whatsapp" -H "X-Hub-Signature-256: $(hubsig "$WA_APP_SECRET" stop2.json)" --data-binary @stop2.json >/dev/null
contains "a second STOP is a reply, not a new opt-out" b.txt '"replies":1,"optouts":0'

# ---- SMS: a signed Twilio-style reply ----
printf 'MessageSid=SMe2e&From=%%2B5521998765432&Body=Parar' >sms.txt
c=$(code POST "$base/hooks/sms/sms" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @sms.txt)
[ "$c" = 403 ] && ok "unsigned SMS callback is 403" || not_ok "unsigned SMS callback is 403" "$c"
c=$(code POST "$base/hooks/sms/sms" -H 'Content-Type: application/x-www-form-urlencoded' -H "X-Regua-Signature: $(hubsig "$SMS_HOOK_SECRET" sms.txt)" --data-binary @sms.txt)
[ "$c" = 200 ] && grep -q '"optouts":1' b.txt && ok "signed SMS reply opts out" || not_ok "signed SMS reply opts out" "$c $(cat b.txt)"
c=$(code POST "$base/hooks/sms/email" -H "X-Regua-Signature: $(hubsig "$SMS_HOOK_SECRET" sms.txt)" --data-binary @sms.txt)
[ "$c" = 403 ] && ok "a channel without webhook secret refuses" || not_ok "a channel without webhook secret refuses" "$c"

# ---- bad bodies ----
printf '{"entry": [' >bad.json
c=$(code POST "$base/hooks/whatsapp" -H "X-Hub-Signature-256: $(hubsig "$WA_APP_SECRET" bad.json)" --data-binary @bad.json)
[ "$c" = 400 ] && grep -q 'not valid JSON' b.txt && ok "malformed JSON is 400 and says so" || not_ok "malformed JSON is 400 and says so" "$c $(cat b.txt)"
head -c 1100000 /dev/zero | tr '\0' 'a' >big.txt
c=$(code POST "$base/hooks/whatsapp" --data-binary @big.txt)
[ "$c" = 413 ] && ok "oversized body is 413" || not_ok "oversized body is 413" "$c"
c=$(code GET "$base/healthz")
[ "$c" = 200 ] && ok "still healthy after hostile bodies" || not_ok "still healthy after hostile bodies" "$c"

# ---- tracking ----
c=$(code GET "$base/t/o/$(sign o "$msg").gif")
n=$(wc -c <b.txt)
[ "$c" = 200 ] && [ "$n" -eq 43 ] && grep -qi '^Content-Type: image/gif' h.txt && ok "open pixel is a 43-byte GIF" || not_ok "open pixel is a 43-byte GIF" "$c $n"
grep -qi '^Cache-Control: no-cache' h.txt && ok "open pixel is not cached" || not_ok "open pixel is not cached" "$(cat h.txt)"
c=$(code GET "$base/t/o/bm9wZQ.AAAAAAAAAAAAAAAAAAAAAA.gif")
[ "$c" = 200 ] && [ "$(wc -c <b.txt)" -eq 43 ] && ok "a bad pixel token still gets the image" || not_ok "a bad pixel token still gets the image" "$c"
url='https://exemplo.com.br/pagar?f=F1'
c=$(code GET "$base/t/c/$(sign c "$msg|$url")")
[ "$c" = 302 ] && grep -q "^Location: $url" h.txt && ok "click redirects to the signed URL" || not_ok "click redirects to the signed URL" "$c $(cat h.txt)"
tok=$(sign c "$msg|https://evil.example/")
forged="$(printf '%s' "$msg|https://evil.example/x" | /usr/bin/python3 -c 'import base64,sys; print(base64.urlsafe_b64encode(sys.stdin.buffer.read()).rstrip(b"=").decode())').${tok#*.}"
c=$(code GET "$base/t/c/$forged")
[ "$c" = 403 ] && ! grep -qi '^Location:' h.txt && ok "tampered click is 403 without Location" || not_ok "tampered click is 403 without Location" "$c $(cat h.txt)"
c=$(code GET "$base/t/c/$(sign o "$msg|$url")")
[ "$c" = 403 ] && ! grep -qi '^Location:' h.txt && ok "a token of another kind does not redirect" || not_ok "a token of another kind does not redirect" "$c"

# ---- one-click unsubscribe ----
u="$base/u/$(sign u "$msg|email")"
c=$(code GET "$u")
[ "$c" = 200 ] && grep -q '<form method="post">' b.txt && ok "unsubscribe GET shows a form" || not_ok "unsubscribe GET shows a form" "$c"
c=$(code POST "$u" -d 'List-Unsubscribe=One-Click')
[ "$c" = 200 ] && grep -q 'Você não receberá mais' b.txt && ok "unsubscribe POST confirms" || not_ok "unsubscribe POST confirms" "$c $(cat b.txt)"

kill -TERM $pid
wait $pid

# ---- what was recorded ----
regua --config tick.yaml invoice show F1 --json >f1.json
regua --config tick.yaml messages list --json >msgs.json
/usr/bin/python3 - <<'PY' && ok "events recorded on the invoice" || not_ok "events recorded on the invoice" "$(cat f1.json | head -c 2000)"
import json
ev = [e["type"] for e in json.load(open("f1.json"))["events"]]
assert ev.count("message.replied") == 2, ev
assert ev.count("optout") == 2, ev  # whatsapp (reply) and email (unsubscribe)
assert ev.count("email.opened") == 1, ev
assert ev.count("link.clicked") == 1, ev
PY
/usr/bin/python3 - <<'PY' && ok "one confirmation per customer and channel" || not_ok "one confirmation per customer and channel" "$(cat msgs.json | head -c 2000)"
import json
m = [x for x in json.load(open("msgs.json")) if x["status"] == "queued"]
assert sorted((x["customer_external_id"], x["channel"]) for x in m) == [("C1", "whatsapp"), ("C2", "sms")], m
assert all("Exemplo Serviços Ltda" in x["body"] for x in m), m
PY
/usr/bin/python3 - <<'PY' && ok "opt-outs stored" || not_ok "opt-outs stored" "see t.db"
import sqlite3
rows = sqlite3.connect("t.db").execute(
    "SELECT c.external_id, o.channel, o.how FROM customer_optouts o JOIN customers c ON c.id = o.customer_id ORDER BY 1, 2").fetchall()
assert rows == [("C1", "email", "unsubscribe"), ("C1", "whatsapp", "reply"), ("C2", "sms", "reply")], rows
PY
regua --config tick.yaml customer show C1 --json >c1.json
/usr/bin/python3 - <<'PY' && ok "customer show lists opt-outs and events" || not_ok "customer show lists opt-outs and events" "$(head -c 2000 c1.json)"
import json
o = json.load(open("c1.json"))
assert [(x["channel"], x["source"]) for x in o["optouts"]] == [("email", "unsubscribe"), ("whatsapp", "reply")], o["optouts"]
assert all(x["at"].endswith("Z") for x in o["optouts"]), o["optouts"]
ev = o["events"]
assert [e["type"] for e in ev].count("optout") == 2, ev
ats = [e["at"] for e in ev]
assert ats == sorted(ats, reverse=True), ats
PY
regua --config tick.yaml customer show C1 >c1.txt
contains "customer show text lists opt-outs" c1.txt "opt-out   whatsapp"
grep -q "$WA_APP_SECRET\|$SMS_HOOK_SECRET\|$REGUA_SECRET" serve.log && not_ok "no secret in the log" "$(cat serve.log)" || ok "no secret in the log"
