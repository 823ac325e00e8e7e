#!/bin/sh
# The events benchmark of docs/BENCHMARKS.md: 100,000 events with their
# trigger timers through the event service — rg_event_submit_many in
# batches of 1,000, rg_event_submit (one transaction per event, what one
# `regua event` command does), and the command `regua event --file` with
# the same 100,000 events as JSON lines (one transaction).
set -eu
N=${1:-100000}
D=${BENCH_DIR:-/tmp/regua-bench-events}
make --no-print-directory bench >/dev/null
mkdir -p "$D"
build/bench/bench_events "$N" 1000 "$D/batch.db"
build/bench/bench_events "$N" 1 "$D/single.db"
rm -rf "$D/file"
build/bench/bench_events "$N" file "$D/file" >/dev/null
/usr/bin/time -f "regua event --file: wall %e s, max RSS %M KB" \
    build/regua --config "$D/file/regua.yaml" event --file "$D/file/events.jsonl"
