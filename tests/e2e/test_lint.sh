#!/bin/sh
# `regua cadence lint` as the finance team and CI use it: the law rules that
# are errors (contact outside 08:00-20:00 and on Sunday unless a reason is
# stated; a consumer's bureau notice that does not go by letter first),
# `--json` output, and every YAML example of docs/cadences.md and
# docs/cadencias.md linting clean with the example templates.
. "$(dirname "$0")/lib.sh"
cd "$T"
cp -r "$REGUA_ROOT/cadences" "$REGUA_ROOT/templates" .
cat >regua.yaml <<'YAML'
database: regua.db
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: sent/email.jsonl}
  whatsapp: {driver: log, path: sent/whatsapp.jsonl}
  sms: {driver: log, path: sent/sms.jsonl}
  letter: {driver: log, path: sent/letter.jsonl}
# the pt-BR guide's trigger example sends to a webhook named erp
webhooks:
  - {name: erp, url: "https://erp.exemplo.com.br/ganchos/regua", secret_env: ERP_WEBHOOK_SECRET, events: [payment.received]}
YAML

# json_ok NAME PYTHON: runs PYTHON with o = the JSON document in ./out
json_ok() {
    if /usr/bin/python3 -c "import json; o = json.load(open('out')); $2" 2>pyerr; then ok "$1"; else
        not_ok "$1" "$(tail -1 pyerr) in $(head -c 600 out)"; fi
}

# ---- the demo cadences pass ----
# (the only warnings: "Exemplo Serviços" has a c-cedilla, which GSM-7 lacks,
# so each demo SMS takes 3 parts; lint says so once per template)
expect_exit "demo cadences lint clean" 0 regua cadence lint cadences
contains "demo cadences: no error" out "4 file(s): 0 error(s), 3 warning(s)"
if grep -v "template-sms-length" out | grep -q "warning\["; then not_ok "demo warnings are SMS lengths" "$(cat out)"; else
    ok "demo warnings are SMS lengths"; fi

# ---- windows outside 08:00-20:00 and Sunday: errors ----
cat >janela.yaml <<'YAML'
cadence: janela
match: {priority: 1}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
window: {weekdays: "07:30-20:00", saturday: "08:00-21:00", sunday: "09:00-12:00"}
steps:
  - {id: hoje, at: D0, send: {channels: [email], template: vence-hoje}}
YAML
expect_exit "window outside hours is an error" 1 regua cadence lint janela.yaml
contains "window-early is an error" out "janela.yaml:4: error[window-early]: \`weekdays\` opens at 07:30, before 08:00"
contains "window-late is an error" out "janela.yaml:4: error[window-late]: \`saturday\` closes at 21:00, after 20:00"
contains "sunday-open is an error" out "janela.yaml:4: error[sunday-open]"
contains "the error says how to allow it" out 'allow_contact_outside_hours: "reason"'
# ... so the cadence is not loaded: the engine refuses it as lint does
mkdir -p c2 && cp janela.yaml c2/
sed 's/^database: regua.db$/database: regua.db\ncadences: c2/' regua.yaml >r2.yaml
regua --config r2.yaml init >/dev/null 2>&1
regua --config r2.yaml cadence list >out 2>err
if grep -q janela out; then not_ok "a cadence with an outside window is not loaded" "$(cat out)"; else
    ok "a cadence with an outside window is not loaded"; fi

# with a stated reason: loaded, warnings quoting it, shown by `cadence show`
printf 'allow_contact_outside_hours: "clientes pediram contato no plantão de domingo (ata de 10/2026)"\n' >>janela.yaml
expect_exit "a stated reason allows it" 0 regua cadence lint janela.yaml
contains "the warning quotes the reason" out 'janela.yaml:4: warning[sunday-open]: the window is open on Sunday, the day of rest; allowed by `allow_contact_outside_hours` (line 7): "clientes pediram contato no plantão de domingo (ata de 10/2026)"'
contains "summary: warnings only" out "1 file(s): 0 error(s), 3 warning(s)"
cp janela.yaml c2/
expect_exit "cadence show with a reason" 0 regua --config r2.yaml cadence show janela
contains "show prints the reason" out "  contact outside 08:00-20:00 or on Sunday allowed: clientes pediram contato no plantão de domingo (ata de 10/2026)"
v1=$(sed -n 's/^Cadence janela (version \([0-9a-f]*\),.*/\1/p' out)
expect_exit "cadence show --json with a reason" 0 regua --config r2.yaml cadence show janela --json
json_ok "show --json has the reason" 'assert o["allow_contact_outside_hours"] == "clientes pediram contato no plantão de domingo (ata de 10/2026)", o'
# the tick records each version it runs with its reason
expect_exit "tick with the first reason" 0 regua --config r2.yaml --now 2026-12-01T12:00:00Z tick
# the reason is part of the version: another reason, another version
sed -i 's/ata de 10\/2026/ata de 11\/2026/' c2/janela.yaml
regua --config r2.yaml cadence show janela >out 2>&1
v2=$(sed -n 's/^Cadence janela (version \([0-9a-f]*\),.*/\1/p' out)
if [ -n "$v1" ] && [ -n "$v2" ] && [ "$v1" != "$v2" ]; then ok "the reason is part of the version"; else
    not_ok "the reason is part of the version" "$v1 / $v2"; fi
expect_exit "tick with the second reason" 0 regua --config r2.yaml --now 2026-12-02T12:00:00Z tick
expect_exit "cadence show: the versions run" 0 regua --config r2.yaml cadence show janela
contains "show: the first version with its reason" out "  version $v1 first run 2026-12-01 09:00:00 -03:00; contact outside 08:00-20:00 or on Sunday allowed: clientes pediram contato no plantão de domingo (ata de 10/2026)"
contains "show: the second version with its reason" out "  version $v2 first run 2026-12-02 09:00:00 -03:00; contact outside 08:00-20:00 or on Sunday allowed: clientes pediram contato no plantão de domingo (ata de 11/2026)"
expect_exit "cadence show --json: the versions run" 0 regua --config r2.yaml cadence show janela --json
json_ok "show --json: versions_run" "
r = o['versions_run']
assert [x['version'] for x in r] == ['$v1', '$v2'], r
assert r[0]['first_seen'] == '2026-12-01T12:00:00Z' and r[0]['allow_contact_outside_hours'].endswith('(ata de 10/2026)'), r
assert r[1]['allow_contact_outside_hours'].endswith('(ata de 11/2026)'), r"
expect_exit "cadence show without a reason" 0 regua cadence show mensal-pf --json
json_ok "show --json: null without a reason" 'assert o["allow_contact_outside_hours"] is None, o'

# ---- a consumer's notice must go by letter first ----
cat >aviso.yaml <<'YAML'
cadence: aviso
match: {priority: 1, customer_kind: PF}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: aviso, at: D+20, send: {channels: [email, letter], template: aviso-negativacao}}
  - {id: negativar, at: D+35, action: bureau_listing, requires_notice: aviso}
YAML
expect_exit "notice [email, letter] is an error" 1 regua cadence lint aviso.yaml
contains "notice-not-by-letter names the channel tried first" out "aviso.yaml:5: error[notice-not-by-letter]: the notice \`aviso\` before the bureau listing \`negativar\` tries \`email\` before \`letter\`"
sed -i 's/\[email, letter\]/[email]/' aviso.yaml
expect_exit "notice [email] is an error" 1 regua cadence lint aviso.yaml
contains "notice-not-by-letter without letter" out "aviso.yaml:5: error[notice-not-by-letter]: the notice \`aviso\` before the bureau listing \`negativar\` is not sent by letter"
sed -i 's/\[email\]/[letter, email]/' aviso.yaml
expect_exit "notice [letter, email] passes" 0 regua cadence lint aviso.yaml
sed -i 's/\[letter, email\]/[email]/; s/customer_kind: PF/customer_kind: PJ/' aviso.yaml
expect_exit "a PJ-only cadence may notify by e-mail" 0 regua cadence lint aviso.yaml

# ---- --json ----
cat >ruim.yaml <<'YAML'
cadence: ruim
match: {priority: 1}
fees: {fine_pct: 5.00, interest_month_pct: 1.00}
steps:
  - {id: a, at: D+1, send: {channels: [email], template: nao-existe}}
YAML
expect_exit "lint --json with errors exits 1" 1 regua cadence lint ruim.yaml cadences --json
json_ok "lint --json: summary" 'assert o["files"] == 5 and o["errors"] == 2 and o["warnings"] == 3 and o["infos"] == 0, o'
json_ok "lint --json: diagnostics" '
d = [x for x in o["diagnostics"] if x["rule"] != "template-sms-length"]
assert [x["rule"] for x in d] == ["fine-above-cdc", "unknown-template"], d
assert d[0] == {"file": "ruim.yaml", "line": 3, "column": 0, "severity": "error", "rule": "fine-above-cdc", "message": d[0]["message"]}, d[0]
assert d[0]["message"].startswith("a fine of 5.00% is above the 2%"), d[0]
assert d[1]["file"] == "ruim.yaml" and d[1]["line"] == 5, d[1]'
expect_exit "lint --json clean exits 0" 0 regua cadence lint cadences --json
json_ok "lint --json clean" '
assert o["files"] == 4 and o["errors"] == 0 and o["infos"] == 0, o
assert sorted(x["file"] for x in o["diagnostics"]) == ["templates/atraso.sms", "templates/outro-canal.sms", "templates/vence-amanha.sms"], o
assert all(x["severity"] == "warning" and x["rule"] == "template-sms-length" and x["line"] == 0 for x in o["diagnostics"]), o'
regua cadence lint --help >out 2>&1
contains "lint help documents --json" out "regua cadence lint FILE... [--json]"

# ---- every YAML example of the guides lints clean ----
mkdir -p ex
/usr/bin/python3 - "$REGUA_ROOT" <<'PY'
import re, sys
root = sys.argv[1]
n = 0
for doc in ("docs/cadences.md", "docs/cadencias.md"):
    s = open(root + "/" + doc, encoding="utf-8").read()
    for m in re.finditer(r"```yaml\n(.*?)```", s, re.S):
        if re.search(r"^cadence:", m.group(1), re.M):
            n += 1
            open("ex/%s-%02d.yaml" % (doc.split("/")[1][:-3], n), "w", encoding="utf-8").write(m.group(1))
PY
# the SMS template the pt-BR guide creates in its example
printf '{{company.name}} CNPJ {{company.cnpj}}: {{customer.first_name}}, {{totals.amount}} vence hoje ({{invoice.due_date}}).{{#portal_url}} Pague em {{portal_url}}{{/portal_url}}\n' >templates/vence-hoje.sms
count=$(ls ex | wc -l)
if [ "$count" -ge 5 ]; then ok "the guides have examples ($count)"; else not_ok "the guides have examples" "$count"; fi
for f in ex/*.yaml; do
    expect_exit "guide example $(basename "$f") lints" 0 regua cadence lint "$f"
done

# ---- templates: a variable that may be empty outside its guard ----
mkdir -p tv
cp templates/* tv/
sed 's/^database: regua.db$/database: regua.db\ntemplates: tv/' regua.yaml >rt.yaml
# the boleto line and the portal link are not always there; company.address
# is not in this regua.yaml; the e-mail is there in an e-mail, not in an SMS
cat >tv/cobranca.sms <<'TXT'
{{company.name}} CNPJ {{company.cnpj}}: pague com {{invoice.linha_digitavel}}
ou em {{portal_url}}. {{company.address}} {{customer.email}}
{{#portal_url}}Portal: {{portal_url}}{{/portal_url}}
TXT
cat >tv/cobranca.email <<'TXT'
Subject: Cobrança {{company.name}}
Para {{customer.email}}: {{company.name}} CNPJ {{company.cnpj}} {{#company.address}}{{company.address}}{{/company.address}}
TXT
cat >vazio.yaml <<'YAML'
cadence: vazio
match: {priority: 1}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: hoje, at: D0, send: {channels: [sms, email], template: cobranca}}
YAML
expect_exit "a variable that may be empty is an error" 1 regua --config rt.yaml cadence lint vazio.yaml
contains "the cadence cannot use the template" out "vazio.yaml:5: error[template-broken]: template cobranca.sms cannot be used (4 errors, each listed at its own line); the first: tv/cobranca.sms:1:51: error[template-may-be-empty]: {{invoice.linha_digitavel}} may be empty when a message is sent"
contains "linha digitavel named with its line" out "tv/cobranca.sms:1:51: error[template-may-be-empty]: {{invoice.linha_digitavel}} may be empty when a message is sent; then the message is suppressed, never sent: put it inside {{#invoice.linha_digitavel}}...{{/invoice.linha_digitavel}}"
contains "portal_url named with its line" out "tv/cobranca.sms:2:7: error[template-may-be-empty]: {{portal_url}}"
contains "an unconfigured company.address" out "tv/cobranca.sms:2:23: error[template-may-be-empty]: {{company.address}} is empty: regua.yaml sets no \`company.address\`"
contains "customer.email in an SMS" out "tv/cobranca.sms:2:43: error[template-may-be-empty]: {{customer.email}} is empty for customers without an e-mail address, and sms messages reach them"
if grep -q "cobranca.email:.*error" out; then not_ok "customer.email in an e-mail is fine" "$(cat out)"; else ok "customer.email in an e-mail is fine"; fi
if grep -q "cobranca.sms:3:" out; then not_ok "a guarded portal_url is fine" "$(cat out)"; else ok "a guarded portal_url is fine"; fi
# with company.address configured, that one goes
sed 's/^company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333\/0001-81}$/company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333\/0001-81, address: "Av. Paulista, 1000"}/' rt.yaml >rt2.yaml
expect_exit "lint with company.address" 1 regua --config rt2.yaml cadence lint vazio.yaml
if grep -q "company.address" out; then not_ok "a configured company.address is fine" "$(cat out)"; else ok "a configured company.address is fine"; fi
# and the engine refuses that cadence, as lint does
mkdir -p c3 && cp vazio.yaml c3/
sed 's/^database: regua.db$/database: regua.db\ncadences: c3/' rt.yaml >rt3.yaml
regua --config rt3.yaml init >/dev/null 2>&1
regua --config rt3.yaml cadence list >out 2>err
if grep -q vazio out; then not_ok "the engine does not load it" "$(cat out)"; else ok "the engine does not load it"; fi
contains "the engine says why" err "tv/cobranca.sms:1:51: error[template-may-be-empty]"

# ---- every error of a template, each at its own line ----
cat >tv/quebrado.whatsapp <<'TXT'
Olá {{customer.nmae}}, {{company.name}} {{company.cnpj}}
{{#invoices}}{{invoice.valor}}{{/invoices}}
{{#portal_url}}{{portal_url}}
TXT
cat >quebrado.yaml <<'YAML'
cadence: quebrado
match: {priority: 1}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: hoje, at: D0, send: {channels: [whatsapp], template: quebrado}}
YAML
expect_exit "a broken template" 1 regua --config rt.yaml cadence lint quebrado.yaml
contains "broken: the cadence line" out "quebrado.yaml:5: error[template-broken]: template quebrado.whatsapp cannot be used (3 errors, each listed at its own line); the first: tv/quebrado.whatsapp:1:7: error[template-unknown-variable]: unknown variable 'customer.nmae'"
contains "broken: first error" out "tv/quebrado.whatsapp:1:7: error[template-unknown-variable]: unknown variable 'customer.nmae' (did you mean 'customer.name'?)"
contains "broken: second error" out "tv/quebrado.whatsapp:2:16: error[template-unknown-variable]: unknown variable 'invoice.valor'"
contains "broken: third error" out "tv/quebrado.whatsapp:3:1: error[template-syntax]: unclosed section '{{#portal_url}}'"
# a template two cadences use is listed once, each cadence saying it cannot use it
sed 's/^cadence: quebrado$/cadence: quebrado2/' quebrado.yaml >quebrado2.yaml
expect_exit "a broken template, two cadences" 1 regua --config rt.yaml cadence lint quebrado.yaml quebrado2.yaml --json
json_ok "each template error once" '
d = o["diagnostics"]
mine = [x for x in d if x["file"] == "tv/quebrado.whatsapp"]
assert [(x["line"], x["column"], x["rule"]) for x in mine] == [(1, 7, "template-unknown-variable"), (2, 16, "template-unknown-variable"), (3, 1, "template-syntax")], mine
assert sorted(x["file"] for x in d if x["rule"] == "template-broken") == ["quebrado.yaml", "quebrado2.yaml"], d
assert o["errors"] == 5, o'
