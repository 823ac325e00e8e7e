#!/bin/sh
# The tick benchmark of docs/BENCHMARKS.md: builds (once) a portfolio of
# INVOICES open invoices of CUSTOMERS customers under a 10-step cadence,
# ticks it once with the log driver, then runs the storage floor on the same
# data (read the same open invoices, insert as many outbox rows, one
# transaction, prepared statements, the same page cache).
set -eu
INVOICES=${1:-1000000}
CUSTOMERS=${2:-300000}
DIR=${BENCH_DIR:-/tmp/regua-bench-tick-$INVOICES}
make --no-print-directory bench >/dev/null
[ -f "$DIR/base.db" ] || build/bench/bench_tick prepare "$DIR" "$INVOICES" "$CUSTOMERS"
/usr/bin/time -f "tick: wall %e s, max RSS %M KB" build/bench/bench_tick tick "$DIR" | tee "$DIR/tick.out"
N=$(sed -n 's/^messages=//p' "$DIR/tick.out")
/usr/bin/time -f "floor: wall %e s, max RSS %M KB" build/bench/bench_tick floor "$DIR" "$N"
