#!/bin/sh
# A page of one customer's invoices among many: `regua invoice list
# --customer C --limit 100` (the query of GET /v1/invoices?customer=C) on a
# database of INVOICES invoices of 20,000 customers, RUNS times; prints the
# mean wall time per run (process start included).
#   sh bench/bench_lists.sh [INVOICES] [RUNS]     (REGUA_BIN: the binary, default build/regua)
set -eu
N=${1:-300000}
RUNS=${2:-20}
BIN=${REGUA_BIN:-$PWD/build/regua}
DIR=${BENCH_DIR:-/tmp/regua-bench-lists-$N}
if [ ! -f "$DIR/regua.db" ]; then
    mkdir -p "$DIR"
    (cd "$DIR" && printf 'database: regua.db\n' >regua.yaml && "$BIN" init >/dev/null 2>&1 &&
     /usr/bin/python3 - "$N" <<'PY'
import random, sys
random.seed(7)
with open("c.csv", "w") as f:
    f.write("external_id,name\n")
    for i in range(1, 20001):
        f.write(f"C{i},Cliente {i}\n")
with open("f.csv", "w") as f:
    f.write("external_id,customer_external_id,amount,due_date\n")
    for i in range(1, int(sys.argv[1]) + 1):
        f.write(f"F{i},C{random.randint(1, 20000)},10.00,2026-12-{random.randint(1, 28):02d}\n")
PY
     "$BIN" import customers c.csv >/dev/null && "$BIN" import invoices f.csv >/dev/null)
fi
cd "$DIR"
for filter in "--customer C777" "--status open --customer C777" ""; do
    start=$(date +%s%N)
    i=0
    while [ $i -lt "$RUNS" ]; do
        # shellcheck disable=SC2086
        "$BIN" invoice list $filter --limit 100 --json >/dev/null
        i=$((i + 1))
    done
    end=$(date +%s%N)
    echo "invoice list ${filter:-(no filter)} --limit 100: $(( (end - start) / RUNS / 1000000 )) ms a run"
done
