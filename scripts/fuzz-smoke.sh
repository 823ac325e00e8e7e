#!/bin/sh
# Runs every fuzzer in DIR for SECONDS each from its seed corpus
# (fuzz/corpus/NAME/); any crash fails the run.
set -eu
dir=$1
secs=$2
status=0
for f in "$dir"/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    seeds="fuzz/corpus/${name#fuzz_}"
    work=$(mktemp -d)
    [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
    echo "fuzz: $name for ${secs}s"
    if ! "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
        -artifact_prefix="$dir/$name-" "$work" >"$dir/$name.log" 2>&1; then
        echo "fuzz: $name FAILED (see $dir/$name.log)"
        tail -40 "$dir/$name.log"
        status=1
    fi
    rm -rf "$work"
done
exit $status
