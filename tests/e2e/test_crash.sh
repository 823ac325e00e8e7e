#!/bin/sh
# Crash tests that can fail (issue 10): for e-mail through a real SMTP
# server, an `http` channel that sends Idempotency-Key, an `http` channel
# that sends none and WhatsApp, regua `tick` and `dispatch` are killed with
# SIGKILL at random moments (at least 20 times per channel) while they send
# 500 messages to a provider that answers in 0-50 ms, acts before
# it answers and de-duplicates nothing (fake_http.py --no-dedup,
# smtp_sink.py --delay-ms). After recovery tests/support/crash_harness.py
# checks every message against what the provider received: none lost, none
# left non-final, none failed that the provider accepted, every duplicate
# delivery with the same key or Message-ID (channels that resend an
# uncertain attempt), no duplicate and at most kills x max_in_flight
# `uncertain`, each with an open review task (channels that put it up for
# review); on the key-less channel, which asks the provider's message list
# (lookup_url), no message left uncertain that the provider had when asked.
# Each channel is bounded to about a minute (50 s of kills, then
# recovery); the summary lines (kills, deliveries, duplicates, uncertain,
# the seed) go to stderr.
. "$(dirname "$0")/lib.sh"
cd "$T"
FAKE="$REGUA_ROOT/tests/support/fake_http.py"
SINK="$REGUA_ROOT/tests/support/smtp_sink.py"
HARNESS="$REGUA_ROOT/tests/support/crash_harness.py"
export RG_WA_TOKEN=EAAG-crash-token RG_SMS_TOKEN=sms-crash-token
export REGUA_NOW=2026-11-24T12:00:00Z # a Tuesday, 09:00 in São Paulo
N=${CRASH_N:-500}
PIDS=""
trap 'kill $PIDS 2>/dev/null; rm -rf "$T"' EXIT

# wait_port FILE: the port a fake wrote
wait_port() {
    i=0
    while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    tr -d '\n' <"$1"
}

# scenario NAME CHANNEL CHANNEL_YAML: a database with N invoices due today,
# one message each on CHANNEL
scenario() {
    mkdir -p "$1/cadences" "$1/templates"
    {
        echo "database: regua.db"
        echo "company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}"
        echo "channels:"
        echo "  $2:"
        printf '%s\n' "$3"
        echo "    max_in_flight: 4"
    } >"$1/regua.yaml"
    cat >"$1/cadences/teste.yaml" <<'EOF'
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: hoje, at: D0, send: {channels: [CHANNEL], template: hoje}}
EOF
    sed -i "s/CHANNEL/$2/" "$1/cadences/teste.yaml"
    text='Hoje vence {{invoice.external_id}}: {{invoice.amount}}. {{company.name}} (CNPJ {{company.cnpj}})'
    if [ "$2" = email ]; then printf 'Subject: Vence hoje\n%s\n' "$text"; else printf '%s\n' "$text"; fi \
        >"$1/templates/hoje.$2"
    /usr/bin/python3 - "$N" "$1" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
with open(d + "/c.csv", "w") as f:
    f.write("external_id;name;email;whatsapp;phone\n")
    for i in range(n):
        f.write("K%d;Cliente %d;k%d@cliente.test;+55119%08d;+55119%08d\n" % (i, i, i, i, i))
with open(d + "/f.csv", "w") as f:
    f.write("external_id,customer_external_id,amount,due_date\n")
    for i in range(n):
        f.write("G%d,K%d,10.00,2026-11-24\n" % (i, i))
PY
    (cd "$1" && regua import customers c.csv >/dev/null && regua import invoices f.csv >/dev/null)
}

# crash NAME KIND DELIVERIES POLICY [MAX_SLEEP [CHECK_FLAGS]]: kills, recovery, then the checks
crash() {
    /usr/bin/python3 "$HARNESS" run --regua "$REGUA_BIN" --dir "$1" --n "$N" --budget 50 --max-sleep "${5:-0.15}" \
        2>"$1/run.err"
    /usr/bin/python3 "$HARNESS" check --name "crash $1" --dir "$1" --n "$N" --kind "$2" --deliveries "$3" \
        --policy "$4" $6 2>"$1/check.err"
    cat "$1/check.err" >&2
}

# start_fake NAME: a non-deduplicating HTTP provider for scenario NAME; sets
# $port (not in a subshell: the trap must know its pid)
start_fake() {
    mkdir -p "$1"
    /usr/bin/python3 "$FAKE" --port-file "$1/fake.port" --log "$1/fake.jsonl" --timeout 200 --delay-ms 50 \
        --no-dedup >"$1/fake.out" 2>&1 &
    PIDS="$PIDS $!"
    port=$(wait_port "$1/fake.port")
}

# ---- e-mail: a real SMTP server; resent with the same Message-ID ----
mkdir -p email/sink
/usr/bin/python3 "$SINK" --dir email/sink --port-file email/sink.port --lifetime 200 --delay-ms 50 \
    >email/sink.out 2>&1 &
PIDS="$PIDS $!"
sport=$(wait_port email/sink.port)
scenario email email "    driver: smtp
    url: smtp://127.0.0.1:$sport
    from: \"Exemplo <cobranca@exemplo.com.br>\"
    timeout_seconds: 5"
# (an SMTP transaction is slower: runs live longer, or most of the minute goes in kills)
crash email smtp email/sink resend 0.4

# ---- an http channel with Idempotency-Key: resent with the same key ----
start_fake keyed
scenario keyed sms "    driver: http
    url: http://127.0.0.1:$port/sms
    headers: {X-API-TOKEN: \"\${RG_SMS_TOKEN}\"}
    body: '{\"to\": \"{{to_digits}}\", \"text\": \"{{body}}\"}'
    timeout: 5"
crash keyed http keyed/fake.jsonl resend

# ---- an http channel without a key: its message list is asked (lookup_url), the rest put up for review ----
start_fake keyless
scenario keyless sms "    driver: http
    url: http://127.0.0.1:$port/sms
    idempotency_header: none
    body: '{\"to\": \"{{to_digits}}\", \"text\": \"{{body}}\", \"ref\": \"{{idempotency_key}}\"}'
    lookup_url: http://127.0.0.1:$port/2010-04-01/Accounts/AC1/Messages.json?To={{to}}
    timeout: 5"
crash keyless http keyless/fake.jsonl review 0.15 --lookup

# ---- WhatsApp (takes no key): put up for review ----
start_fake whatsapp
scenario whatsapp whatsapp "    driver: whatsapp_cloud
    base_url: http://127.0.0.1:$port/v21.0
    phone_number_id: \"1234567890\"
    token_env: RG_WA_TOKEN
    timeout: 5"
crash whatsapp whatsapp whatsapp/fake.jsonl review
