#!/bin/sh
# Runs every unit test program, every end-to-end script and the browser
# tests against the build in $1, then prints one summary line: "tests: N
# passed, M failed".
set -u
BUILD=${1:-build}
export REGUA_BIN="$(cd "$BUILD" && pwd)/regua"
export REGUA_ROOT="$(pwd)"
passed=0
failed=0
failed_names=""
log=$(mktemp)
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failed_names="$failed_names $(basename "$t")"
        cat "$log"
    fi
    echo "$(basename "$t"): $p passed, $f failed"
done
for t in tests/e2e/test_*.sh; do
    [ -f "$t" ] || continue
    sh "$t" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failed_names="$failed_names $(basename "$t")"
        cat "$log"
    fi
    echo "$(basename "$t"): $p passed, $f failed"
done
# the browser tests (tests/browser: Debian's chromium, playwright-core and
# axe-core from package-lock.json, installed by scripts/deps.sh), counted
# like an end-to-end script
if ls tests/browser/test_*.js >/dev/null 2>&1; then
    node tests/browser/run.js >"$log" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failed_names="$failed_names tests/browser"
        cat "$log"
    fi
    echo "tests/browser: $p passed, $f failed"
fi
rm -f "$log"
[ -n "$failed_names" ] && echo "failing:$failed_names"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
