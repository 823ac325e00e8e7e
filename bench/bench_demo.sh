#!/bin/sh
# `regua demo --no-serve` (what `make run` does before serving) in a copy of
# the repository's regua.yaml, cadences and templates: the 120-day history of
# CUSTOMERS customers, RUNS times; prints each run's wall and CPU time.
#   sh bench/bench_demo.sh [CUSTOMERS] [RUNS]     (REGUA_BIN: the binary, default build/regua)
set -eu
N=${1:-300}
RUNS=${2:-3}
BIN=${REGUA_BIN:-$PWD/build/regua}
ROOT=$PWD
DIR=$(mktemp -d /tmp/regua-bench-demo.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
cp "$ROOT/regua.yaml" "$DIR/" && cp -r "$ROOT/cadences" "$ROOT/templates" "$DIR/"
cd "$DIR"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ $i -lt "$RUNS" ]; do
    rm -rf outbox
    /usr/bin/time -f "run $i: wall %e s, user %U s, sys %S s, max RSS %M KB" "$BIN" demo --customers "$N" --no-serve >out.txt
    tail -c 400 out.txt | head -1
    i=$((i + 1))
done
