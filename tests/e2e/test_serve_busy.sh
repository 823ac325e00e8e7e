#!/bin/sh
# regua serve under another writer: while a second process holds the
# database's write lock (as a long `regua import` does), /healthz and the
# open pixel keep answering, a webhook answers 503 with Retry-After instead
# of hanging, and the provider's retry once the lock is free is stored.
# Then the per-IP connection limit of regua.yaml (server.max_connections_per_ip).
. "$(dirname "$0")/lib.sh"
cd "$T"
export REGUA_NOW=2026-11-24T12:00:00Z
export REGUA_SECRET=e2e-token-secret-0123456789
export SMS_HOOK_SECRET=e2e-sms-secret

cat >regua.yaml <<'EOF2'
database: t.db
server:
  write_wait_ms: 300
  max_connections_per_ip: 3
company:
  name: Exemplo Serviços Ltda
  cnpj: 11.222.333/0001-81
channels:
  sms: {driver: http, url: "http://127.0.0.1:9/sms", webhook_secret_env: SMS_HOOK_SECRET}
EOF2
cat >clientes.csv <<'CSV'
external_id;name;phone
C1;Maria da Silva;(21) 99876-5432
CSV
regua import customers clientes.csv >/dev/null

hubsig() {
    /usr/bin/python3 -c 'import hashlib, hmac, sys; print("sha256=" + hmac.new(sys.argv[1].encode(), open(sys.argv[2], "rb").read(), hashlib.sha256).hexdigest())' "$1" "$2"
}
code() {
    m=$1; u=$2; shift 2
    curl -s --max-time 60 -X "$m" -D h.txt -o b.txt -w '%{http_code}' "$@" "$u"
}

port=$(free_port)
base="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
if wait_http "$base/healthz"; then ok "serve starts"; else not_ok "serve starts" "$(cat serve.log)"; fi

# another process takes the write lock and keeps it until release_write_lock
hold_write_lock t.db

c=$(code GET "$base/healthz")
[ "$c" = 200 ] && grep -q '"status":"ok"' b.txt && grep -q '"customers":1' b.txt \
    && ok "/healthz answers while the lock is held" || not_ok "/healthz answers while the lock is held" "$c $(cat b.txt)"
printf 'MessageSid=SMbusy&From=%%2B5521998765432&Body=Parar' >sms.txt
sig=$(hubsig "$SMS_HOOK_SECRET" sms.txt)
c=$(code POST "$base/hooks/sms/sms" -H 'Content-Type: application/x-www-form-urlencoded' -H "X-Regua-Signature: $sig" --data-binary @sms.txt)
[ "$c" = 503 ] && ok "a webhook gets 503 while the lock is held" || not_ok "a webhook gets 503 while the lock is held" "$c $(cat b.txt)"
grep -qi '^Retry-After: 5' h.txt && ok "503 says Retry-After" || not_ok "503 says Retry-After" "$(cat h.txt)"
contains "503 says busy" b.txt '"code":"busy"'
c=$(code GET "$base/t/o/bm9wZQ.AAAAAAAAAAAAAAAAAAAAAA.gif")
[ "$c" = 200 ] && ok "the pixel answers while the lock is held" || not_ok "the pixel answers while the lock is held" "$c"
contains "the 503 is logged with the wait" serve.log "answered 503: the database's write lock stayed with another writer for 300 ms"
[ -f locked.flag ] && kill -0 $locker 2>/dev/null && ok "the lock was held throughout" || not_ok "the lock was held throughout" "$(cat locker.log)"

release_write_lock
c=$(code POST "$base/hooks/sms/sms" -H 'Content-Type: application/x-www-form-urlencoded' -H "X-Regua-Signature: $sig" --data-binary @sms.txt)
[ "$c" = 200 ] && grep -q '"optouts":1' b.txt && ok "the retry after the lock is stored" || not_ok "the retry after the lock is stored" "$c $(cat b.txt)"

# ---- server.max_connections_per_ip: 3 ----
/usr/bin/python3 - "$port" <<'PY' && ok "a 4th connection from one address is refused, the 3 open ones served" || not_ok "a 4th connection from one address is refused" "see above"
import socket, sys, time
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s
def served(s):
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        return s.recv(12) == b"HTTP/1.1 200"
    except OSError:
        return False
held = [conn() for _ in range(3)]
assert all(served(s) for s in held), "the first three are served"
extra = conn()
assert not served(extra), "the fourth is closed unanswered"
extra.close()
held[0].close()
for _ in range(200):  # the server sees the close on its own time
    s = conn()
    ok = served(s)
    s.close()
    if ok:
        break
    time.sleep(0.01)
assert ok, "served again once one closed"
PY

kill -TERM $pid
wait $pid
[ $? -eq 0 ] && ok "serve stops cleanly" || not_ok "serve stops cleanly" "$(tail -5 serve.log)"
