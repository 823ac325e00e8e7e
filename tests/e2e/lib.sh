# Shared helpers for the end-to-end tests: each test prints "ok NAME" or
# "not ok NAME: why"; tests/run.sh counts those lines.
: "${REGUA_BIN:?REGUA_BIN must point to the regua binary}"
: "${REGUA_ROOT:=$(pwd)}"
T=$(mktemp -d /tmp/regua-e2e-XXXXXX)
trap 'rm -rf "$T"' EXIT
unset REGUA_NOW

regua() { "$REGUA_BIN" "$@"; }

ok() { echo "ok $1"; }
not_ok() { echo "not ok $1: $2"; }

# check NAME COMMAND...: passes when the command succeeds
check() {
    name=$1; shift
    if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$(printf '%s' "$out" | tail -5)"; fi
}

# expect_exit NAME CODE COMMAND...: passes when the command exits with CODE
expect_exit() {
    name=$1; code=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq "$code" ]; then ok "$name"; else not_ok "$name" "exit $rc, expected $code: $(tail -3 "$T/err")"; fi
}

# contains NAME FILE TEXT: passes when FILE contains TEXT (fixed string)
contains() {
    if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1" "'$3' not in $(head -c 600 "$2")"; fi
}

# free_port: a TCP port nobody listens on
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL: waits up to 10 s for URL to answer
wait_http() {
    i=0
    while [ $i -lt 100 ]; do
        curl -sf -o /dev/null "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# q SQL: the first column of the first row of SQL on ./regua.db
q() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect("regua.db").execute(sys.argv[1]).fetchone()[0])' "$1"; }

# is NAME GOT WANT: passes when GOT is WANT
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }

# repo_project: in the current directory, the repository's cadences and
# templates and a regua.yaml whose four channels write to outbox/*.jsonl
# (the log driver) — the project most engine tests start from
repo_project() {
    cp -r "$REGUA_ROOT/cadences" "$REGUA_ROOT/templates" .
    cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl}
  whatsapp: {driver: log, path: outbox/whatsapp.jsonl}
  sms: {driver: log, path: outbox/sms.jsonl}
  letter: {driver: log, path: outbox/letter.jsonl}
YAML
}

# hold_write_lock DB: another process takes DB's write lock (BEGIN IMMEDIATE
# and a write, as a long `regua import` does) and keeps it until
# release_write_lock; passes "another process holds the write lock" once it
# does ($locker is its pid, locked.flag exists while it holds the lock).
hold_write_lock() {
    rm -f locked.flag release.flag
    /usr/bin/python3 - "$1" <<'PY' >locker.log 2>&1 &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("UPDATE customers SET name = 'being imported'")
open("locked.flag", "w").close()
while not os.path.exists("release.flag"):
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
    locker=$!
    i=0
    while [ ! -f locked.flag ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    [ -f locked.flag ] && ok "another process holds the write lock" || not_ok "another process holds the write lock" "$(cat locker.log)"
}
release_write_lock() { touch release.flag; wait $locker; }

# login_as JAR EMAIL PASSWORD: logs in to the dashboard at $B (GET /login for
# its form's token, then POST /login) with the cookies in JAR; prints the
# POST's status (303 on success); its body in JAR.body, headers in JAR.h
login_as() {
    curl -s -c "$1" -b "$1" "$B/login" >"$1.page"
    csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1.page")
    curl -s -o "$1.body" -D "$1.h" -c "$1" -b "$1" -w '%{http_code}' --data-urlencode "csrf=$csrf" \
        --data-urlencode "email=$2" --data-urlencode "password=$3" "$B/login"
}
