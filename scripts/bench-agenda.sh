#!/bin/sh
# The agenda benchmarks of docs/BENCHMARKS.md: at 1,000,000 open invoices, a
# tick with nothing due and a day's tick; the same day's tick at 100,000
# invoices with as many due (the day's cost follows what is due, not the
# portfolio). Each portfolio is built once (bench_tick prepare), copied,
# caught up (every invoice is new, so due), then ticked a minute later five
# times and the next day at the same hour. Then `regua tick` itself, as cron
# runs it, on the caught-up 1,000,000-invoice copy with nothing due.
set -eu
make --no-print-directory bench >/dev/null
D=${BENCH_DIR:-/tmp/regua-bench-agenda}
# 100,000 invoices in collection (60 days late to 9 days ahead) ...
[ -f "$D-100k/base.db" ] || build/bench/bench_tick prepare "$D-100k" 100000 30000
# ... and the same 100,000 (same customers, same due dates) among 900,000 more
# of 270,000 other customers that are not due for weeks
[ -f "$D-1m/base.db" ] || BENCH_ACTIVE=100000 BENCH_ACTIVE_CUSTOMERS=30000 build/bench/bench_tick prepare "$D-1m" 1000000 300000
for p in 100k 1m; do
    echo "== $p"
    /usr/bin/time -f "$p: wall %e s, max RSS %M KB" build/bench/bench_tick agenda "$D-$p"
done
# the command, as cron runs it (process start, config, cadences and templates, the tick)
cat >"$D-1m/regua.yaml" <<YAML
database: $D-1m/agenda.db
cadences: $D-1m/cadences
templates: $D-1m/templates
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: $D-1m/email.jsonl}
YAML
for k in 1 2 3; do
    /usr/bin/time -f "regua tick, nothing due: wall %e s, max RSS %M KB" \
        build/regua --config "$D-1m/regua.yaml" tick --at 2026-11-18T13:0$k:00Z --no-dispatch >/dev/null
done
