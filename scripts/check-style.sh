#!/bin/sh
# Enforces the rules the compiler cannot: banned unbounded functions, and
# the layering (only src/store speaks SQL, only src/channel speaks to
# providers through libcurl).
set -u
fail=0
banned='\<(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|atof|sscanf|strtok|localtime|gmtime|asctime|ctime)[[:space:]]*\('
if grep -rnE "$banned" src tests/unit bench fuzz 2>/dev/null | grep -v '^\S*:[0-9]*:\s*//' ; then
    echo "check-style: banned function (use the bounded alternatives in src/base)" >&2
    fail=1
fi
if grep -rln '#include <sqlite3.h>\|#include <libpq-fe.h>' src | grep -v '^src/store/' ; then
    echo "check-style: SQL headers may only be included under src/store/" >&2
    fail=1
fi
if grep -rln "#include <curl/curl.h>" src | grep -v '^src/channel/' ; then
    echo "check-style: libcurl may only be used under src/channel/" >&2
    fail=1
fi
# A local date comes from rg_tz_date() with the customer's or the company's
# zone (base/zones.h), never from an instant shifted by a fixed offset
# ("now - 3 * 3600" is Brasília without its rules, and wrong elsewhere).
offset='(\<10800\>|\<3[[:space:]]*\*[[:space:]]*3600\>|\<3600[[:space:]]*\*[[:space:]]*3\>|\<3[[:space:]]*\*[[:space:]]*60[[:space:]]*\*[[:space:]]*60\>|rg_instant_utc_date\([^)]*[-+][[:space:]]*[0-9(])'
if grep -rnE "$offset" src bench fuzz 2>/dev/null | grep -v '^src/base/tz\.[ch]:' | grep -vE '^\S*:[0-9]*:\s*(/?\*|//)'; then
    echo "check-style: a fixed UTC offset for local time; use rg_tz_date() with the zone (base/zones.h)" >&2
    fail=1
fi
exit $fail
