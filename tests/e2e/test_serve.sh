#!/bin/sh
# regua demo builds a deterministic portfolio; regua serve answers /healthz.
. "$(dirname "$0")/lib.sh"
cd "$T"
export REGUA_NOW=2026-11-24T12:00:00Z

expect_exit "demo builds the database" 0 regua --db demo.db demo --no-serve
contains "demo reports counts" out "demo.db: 300 customers"
regua --db demo.db invoice list --json >a.json
regua --db demo.db demo --no-serve >/dev/null
regua --db demo.db invoice list --json >b.json
cmp -s a.json b.json && ok "demo is deterministic" || not_ok "demo is deterministic" "differs"
/usr/bin/python3 - <<'PY' && ok "demo has past, future, paid and open invoices" || not_ok "demo has past, future, paid and open invoices" "see data"
import json
a = json.load(open("a.json"))
st = {i["status"] for i in a}
assert {"open", "paid"} <= st, st
assert any(i["due_date"] < "2026-11-24" and i["status"] == "open" for i in a)
assert any(i["due_date"] > "2026-11-24" for i in a)
PY
regua --db demo.db customer list --json >c.json
/usr/bin/python3 - <<'PY' && ok "demo customers have valid documents" || not_ok "demo customers have valid documents" "bad"
import json
c = json.load(open("c.json"))
assert len(c) == 300
def cpf_ok(d):
    d = [int(x) for x in d if x.isdigit()]
    for n in (9, 10):
        s = sum(v * (n + 1 - i) for i, v in enumerate(d[:n]))
        if (s * 10 % 11) % 10 != d[n]:
            return False
    return True
assert all(cpf_ok(x["document"]) for x in c if x["kind"] == "PF")
assert any(x["kind"] == "PJ" for x in c)
PY
printf 'plain\n' >notdemo.db
expect_exit "demo refuses a foreign database" 3 regua --db notdemo.db demo --no-serve

port=$(free_port)
"$REGUA_BIN" --db demo.db serve --listen 127.0.0.1:$port >serve.log 2>&1 &
pid=$!
if wait_http "http://127.0.0.1:$port/healthz"; then ok "serve starts"; else not_ok "serve starts" "$(cat serve.log)"; fi
curl -s -D headers.txt "http://127.0.0.1:$port/healthz" >health.json
contains "healthz is 200" headers.txt "200 OK"
/usr/bin/python3 -c 'import json; o=json.load(open("health.json")); assert o["status"]=="ok" and o["version"] and o["store"]["status"]=="ok" and o["store"]["customers"]==300' \
    && ok "healthz json" || not_ok "healthz json" "$(cat health.json)"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")
[ "$code" = 404 ] && ok "unknown route is 404" || not_ok "unknown route is 404" "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/healthz")
[ "$code" = 405 ] && ok "wrong method is 405" || not_ok "wrong method is 405" "$code"
kill -TERM $pid
wait $pid
[ $? -eq 0 ] && ok "serve stops cleanly on SIGTERM" || not_ok "serve stops cleanly on SIGTERM" "$(cat serve.log)"
