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
YAML

# json_ok NAME PYTHON: runs PYTHON with o = the JSON document in ./out
json_ok() {
    if /usr/bin/python3 -c "import json; o = json.load(open('out')); $2" 2>pyerr; then ok "$1"; else
        not_ok "$1" "$(tail -1 pyerr) in $(head -c 600 out)"; fi
}

# ---- the demo cadences pass ----
expect_exit "demo cadences lint clean" 0 regua cadence lint cadences
contains "demo cadences: no error" out "3 file(s): 0 error(s), 0 warning(s)"

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
# the reason is part of the version: another reason, another version
sed -i 's/ata de 10\/2026/ata de 11\/2026/' c2/janela.yaml
regua --config r2.yaml cadence show janela >out 2>&1
v2=$(sed -n 's/^Cadence janela (version \([0-9a-f]*\),.*/\1/p' out)
if [ -n "$v1" ] && [ -n "$v2" ] && [ "$v1" != "$v2" ]; then ok "the reason is part of the version"; else
    not_ok "the reason is part of the version" "$v1 / $v2"; fi
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
json_ok "lint --json: summary" 'assert o["files"] == 4 and o["errors"] == 2 and o["warnings"] == 0 and o["infos"] == 0, o'
json_ok "lint --json: diagnostics" '
d = o["diagnostics"]
assert [x["rule"] for x in d] == ["fine-above-cdc", "unknown-template"], d
assert d[0] == {"file": "ruim.yaml", "line": 3, "column": 0, "severity": "error", "rule": "fine-above-cdc", "message": d[0]["message"]}, d[0]
assert d[0]["message"].startswith("a fine of 5.00% is above the 2%"), d[0]
assert d[1]["file"] == "ruim.yaml" and d[1]["line"] == 5, d[1]'
expect_exit "lint --json clean exits 0" 0 regua cadence lint cadences --json
json_ok "lint --json clean" 'assert o == {"files": 3, "errors": 0, "warnings": 0, "infos": 0, "diagnostics": []}, o'
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
