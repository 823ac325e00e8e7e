#!/bin/sh
# POST /v1/events under concurrent load: the requests waiting for the write
# lock are recorded in groups (one transaction each, every event accepted or
# refused on its own). 400 requests from 16 threads (half the per-address connection limit), a quarter of them for
# an unknown invoice: each good one is answered 201 and recorded exactly
# once with its trigger timer, each bad one 404 and nothing of it stored.
. "$(dirname "$0")/lib.sh"
cd "$T"
repo_project
export REGUA_NOW=2026-10-13T12:00:00Z
/usr/bin/python3 - <<'PY'
with open("c.csv", "w") as f:
    f.write("external_id,name,document,email,tags\n")
    for i in range(100):
        f.write("C%d,Cliente %d,529.982.247-25,c%d@exemplo.com.br,plano-mensal\n" % (i, i, i))
with open("f.csv", "w") as f:
    f.write("external_id,customer_external_id,amount,due_date\n")
    for i in range(100):
        f.write("F%d,C%d,100.00,2026-10-05\n" % (i, i))
PY
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
KEY=$(regua apikey create --role operator 2>/dev/null)
port=$(free_port)
"$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
wait_http "http://127.0.0.1:$port/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"
/usr/bin/python3 - "$port" "$KEY" >load.txt <<'PY'
import json, sys, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor
port, key = sys.argv[1], sys.argv[2]
def post(k):
    inv = "F%d" % (k % 100) if k % 4 else "NAO-%d" % k
    body = json.dumps({"type": "portal.visited", "invoice": inv, "data": {"k": k}}).encode()
    rq = urllib.request.Request("http://127.0.0.1:%s/v1/events" % port, data=body, method="POST",
                                headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(rq, timeout=30) as r:
            return k, r.status
    except urllib.error.HTTPError as e:
        return k, e.code
with ThreadPoolExecutor(16) as ex:
    res = list(ex.map(post, range(400)))
good = [k for k, st in res if k % 4 and st == 201]
bad = [k for k, st in res if not k % 4 and st == 404]
print(len(good), len(bad), len(res))
PY
is "every good request 201, every bad one 404" "$(cat load.txt)" "300 100 400"
is "each good event recorded once" "$(q "SELECT count(*) || ':' || count(DISTINCT json_extract(payload, '$.k')) FROM events WHERE type = 'portal.visited'")" "300:300"
is "nothing of the bad ones" "$(q "SELECT count(*) FROM events WHERE type = 'portal.visited' AND json_extract(payload, '$.k') % 4 = 0")" 0
# the trigger portal-sem-download (mensal-pf) waits on each visit; a later
# visit of the same invoice cancels the earlier one's timer (its `unless`)
is "each event with its trigger's timer" "$(q "SELECT count(*) FROM trigger_timers")" 300
kill -TERM $pid; wait $pid 2>/dev/null
