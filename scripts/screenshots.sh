#!/bin/sh
# Regenerates docs/screenshots/: the browser tests that take screenshots
# (the portal's and the dashboard's, tests/browser/) run with
# $REGUA_SCREENSHOTS pointing there. Run from the repository root after
# `make` (and `make deps`).
set -eu
cd "$(dirname "$0")/.."
make --no-print-directory build/regua
mkdir -p docs/screenshots
REGUA_SCREENSHOTS="$(pwd)/docs/screenshots" REGUA_BIN="$(pwd)/build/regua" \
    node tests/browser/run.js tests/browser/test_portal.js tests/browser/test_dashboard.js tests/browser/test_dashboard_pages.js
ls -l docs/screenshots
