#!/bin/sh
# Secrets never reach what regua stores, logs or prints, even when a hostile
# provider echoes them back: a WhatsApp 401 quoting `Authorization: Bearer`
# and the bare token, an http provider quoting its X-API-TOKEN and the
# base64 of Basic auth, an SMTP server answering AUTH with the PLAIN blob,
# the password and its base64, a credit bureau quoting its signing secret.
# After each run no form of any secret (value, percent-encoded, base64 at any
# alignment: tests/support/no_secrets.py) is in the database, its WAL,
# `messages list --json`, stdout or stderr (REGUA_LOG=debug), and the echo
# did reach regua: "[redacted]" stands where it was.
. "$(dirname "$0")/lib.sh"
cd "$T"
FAKE="$REGUA_ROOT/tests/support/fake_http.py"
SINK="$REGUA_ROOT/tests/support/smtp_sink.py"
NOSEC="$REGUA_ROOT/tests/support/no_secrets.py"
export RG_WA_TOKEN='EAAG-wa/secret+token=0001'
export RG_SMS_TOKEN='sms-secret-token-0002'
export RG_SMS_USER='AC-user-77'
export RG_SMS_PASS='sms-basic-pass/0003'
export RG_SMTP_USER='cobranca@exemplo.com.br'
export RG_SMTP_PASS='s3nh@-Smtp-0004'
export BUREAU_SECRET='segredo-do-bureau-0005'
SECRETS="$RG_WA_TOKEN $RG_SMS_TOKEN $RG_SMS_PASS $RG_SMTP_PASS $BUREAU_SECRET"
export REGUA_LOG=debug
export REGUA_NOW=2026-11-24T12:00:00Z # a Tuesday, 09:00 in São Paulo

mkdir fk
/usr/bin/python3 "$FAKE" --port-file fk/port --log fk/fake.jsonl --timeout 120 \
    --rules /dev/stdin >fk/out 2>&1 <<'EOF' &
[{"match": "", "status": 401, "code": 190, "message": "Invalid OAuth access token", "echo": true}]
EOF
FPID=$!
mkdir sink
SINK_PASSWORD=$RG_SMTP_PASS /usr/bin/python3 "$SINK" --dir sink --port-file sink.port --lifetime 120 \
    --auth regua --echo-auth >sink.out 2>&1 &
SPID=$!
trap 'kill $FPID $SPID 2>/dev/null; rm -rf "$T"' EXIT
i=0
while { [ ! -s fk/port ] || [ ! -s sink.port ]; } && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
HPORT=$(cat fk/port)
SPORT=$(cat sink.port | tr -d '\n')

# channel NAME: the settings of the channel under test
channel() {
    case $1 in
    whatsapp) cat <<EOF
  whatsapp:
    driver: whatsapp_cloud
    base_url: http://127.0.0.1:$HPORT/v21.0
    phone_number_id: "1234567890"
    token_env: RG_WA_TOKEN
    timeout: 5
EOF
    ;;
    sms) cat <<EOF
  sms:
    driver: http
    url: http://127.0.0.1:$HPORT/sms
    headers: {X-API-TOKEN: "\${RG_SMS_TOKEN}"}
    username_env: RG_SMS_USER
    password_env: RG_SMS_PASS
    body: '{"to": "{{to_digits}}", "text": "{{body}}"}'
    timeout: 5
EOF
    ;;
    email) cat <<EOF
  email:
    driver: smtp
    url: smtp://127.0.0.1:$SPORT
    from: "Exemplo <cobranca@exemplo.com.br>"
    username_env: RG_SMTP_USER
    password_env: RG_SMTP_PASS
    starttls: "off"
    timeout_seconds: 5
EOF
    ;;
    esac
    echo "    max_attempts: 1"
}

for ch in whatsapp sms email; do
    mkdir -p "$ch/cadences" "$ch/templates"
    cd "$ch"
    {
        echo "database: regua.db"
        echo "company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}"
        echo "channels:"
        channel "$ch"
    } >regua.yaml
    cat >cadences/teste.yaml <<EOF
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: hoje, at: D0, send: {channels: [$ch], template: hoje}}
EOF
    t='Hoje vence {{invoice.external_id}}. {{company.name}} (CNPJ {{company.cnpj}})'
    printf '%s\n' "$t" >templates/hoje.whatsapp
    printf '%s\n' "$t" >templates/hoje.sms
    printf 'Subject: Vence hoje\n%s\n' "$t" >templates/hoje.email
    printf 'external_id;name;email;whatsapp;phone\nC1;Maria da Silva;maria@x.com.br;+5511987650001;+5511987650001\n' >c.csv
    printf 'external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-11-24\n' >f.csv
    regua import customers c.csv >/dev/null && regua import invoices f.csv >/dev/null
    regua tick >tick.out 2>tick.err
    regua messages list --json >list.json 2>>tick.err
    if /usr/bin/python3 "$NOSEC" regua.db regua.db-wal list.json tick.out tick.err -- $SECRETS >nosec.out; then
        ok "$ch: no secret in the database, the list, stdout or stderr"
    else
        not_ok "$ch: no secret in the database, the list, stdout or stderr" "$(cat nosec.out)"
    fi
    if grep -qF '[redacted]' list.json tick.err; then ok "$ch: the echo reached regua, scrubbed"; else
        not_ok "$ch: the echo reached regua, scrubbed" "$(cat list.json tick.err | head -c 800)"; fi
    cd ..
done
# the fakes did receive the secrets (so the echo held them)
grep -qF "Bearer $RG_WA_TOKEN" fk/fake.jsonl && grep -qF '"auth": "Basic ' fk/fake.jsonl \
    && ok "the providers were sent the secrets" || not_ok "the providers were sent the secrets" "$(head -c 600 fk/fake.jsonl)"
grep -qF 'Authorization: Basic [redacted]' sms/list.json && ok "sms: the header's value is redacted, its name kept" \
    || not_ok "sms: the header's value is redacted, its name kept" "$(cat sms/list.json)"

# ---- the credit bureau quoting its signing secret ----
mkdir -p bureau/cadences bureau/templates
cd bureau
echo echo >mode
/usr/bin/python3 "$REGUA_ROOT/tests/support/fake_http_bureau.py" port requests.jsonl mode 120 &
BPID=$!
trap 'kill $FPID $SPID $BPID 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
cat >regua.yaml <<YAML
database: regua.db
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
channels:
  letter: {driver: log, path: outbox/letter.jsonl}
  bureau: {driver: bureau, url: "http://127.0.0.1:$(cat port)/negativacao", secret_env: BUREAU_SECRET}
YAML
cat >cadences/teste.yaml <<'YAML'
cadence: teste
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: closed, sunday: closed, holidays: closed}
steps:
  - {id: aviso, at: D+1, send: {channels: [letter], template: aviso}}
  - {id: negativar, at: D+15, action: bureau_listing, requires_notice: aviso}
YAML
printf 'O débito poderá ser informado aos cadastros de proteção ao crédito. {{company.name}} (CNPJ {{company.cnpj}})\n' >templates/aviso.letter
cat >c.csv <<'CSV'
external_id,name,document,email,street,number,district,city,state,zip
C1,Maria José da Conceição,529.982.247-25,maria@exemplo.com.br,Rua das Acácias,123,Jardim Paulistano,São Paulo,SP,01452-000
CSV
printf 'external_id,customer_external_id,amount,due_date\nF1,C1,150.00,2026-12-01\n' >f.csv
regua import customers c.csv >/dev/null && regua import invoices f.csv >/dev/null
regua tick --at 2026-12-02T12:00:00Z >tick.out 2>&1 && regua tick --at 2026-12-16T12:00:00Z >>tick.out 2>&1
REGUA_NOW=2026-12-16T13:00:00Z regua bureau sync >sync.out 2>sync.err
regua invoice show F1 --json >show.json 2>>sync.err
if /usr/bin/python3 "$NOSEC" regua.db regua.db-wal sync.out sync.err show.json tick.out -- $SECRETS >nosec.out; then
    ok "bureau: no secret in the database, the sync's output or the invoice"
else
    not_ok "bureau: no secret in the database, the sync's output or the invoice" "$(cat nosec.out)"
fi
grep -qF '[redacted]' show.json && ok "bureau: the echo reached regua, scrubbed" \
    || not_ok "bureau: the echo reached regua, scrubbed" "$(cat sync.out sync.err show.json | head -c 800)"
cd ..
