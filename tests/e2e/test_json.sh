#!/bin/sh
# Every command that documents --json honours it. The commands are read
# from `regua --help`; each one's usage lines (and its subcommands' --help)
# say which take --json. Every such usage line must have an invocation in
# the table below (a new command or subcommand with --json and no entry
# fails this test), and each invocation, run with --json against a small
# fixture database, must exit as expected and print one JSON document on
# stdout (checked with python3's json module). A failure prints nothing
# but JSON on stdout either: stdout is empty or JSON whatever the exit code.
. "$(dirname "$0")/lib.sh"
cd "$T"
cp -r "$REGUA_ROOT/cadences" "$REGUA_ROOT/templates" .
cp "$REGUA_ROOT/tests/data/cnab/itau400.ret" retorno.ret
# a task on the due day, so that task list/claim/done have one
cat >cadences/tarefa.yaml <<'YAML'
cadence: tarefa
match: {priority: 50, tags_any: [tarefa]}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: ligar, at: D0, action: task, task: {kind: call}}
YAML
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81, address: "Av. Paulista, 1000, São Paulo/SP"}
channels:
  email: {driver: log, path: sent/email.jsonl}
  whatsapp: {driver: log, path: sent/whatsapp.jsonl}
  sms: {driver: log, path: sent/sms.jsonl}
  letter: {driver: letter, dir: cartas}
  bureau: {driver: bureau, url: "http://127.0.0.1:9/negativacao", secret_env: BUREAU_SECRET}
YAML
export BUREAU_SECRET=segredo-do-bureau-de-teste
cat >clientes.csv <<'CSV'
external_id,name,document,email,phone,whatsapp,tags,street,number,district,city,state,zip
C1,Maria José da Conceição,529.982.247-25,maria@exemplo.com.br,,(11) 98765-4321,plano-mensal,Rua das Acácias,123,Jardim Paulistano,São Paulo,SP,01452-000
C2,João Ligação,111.444.777-35,joao@exemplo.com.br,(11) 3333-4444,,tarefa,,,,,,
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade de novembro,"150,00",2026-11-20
F2,C1,Mensalidade de dezembro,"150,00",2026-12-20
F3,C2,Serviço avulso,"80,00",2026-12-02
CSV
cat >pagamentos.csv <<'CSV'
invoice_external_id,amount,paid_at
F2,"10,00",2026-12-01
CSV
export REGUA_NOW=2026-12-02T13:00:00Z

# the fixture: each step must work, or the rest means nothing
fixture() {
    if "$@" >fx.out 2>fx.err; then :; else not_ok "fixture: $*" "$(tail -3 fx.err)"; fi
}
fixture regua init
fixture regua import customers clientes.csv
fixture regua import invoices faturas.csv
fixture regua tick
PIX=$(regua pix encode --key maria@exemplo.com.br --name EXEMPLO --city SAOPAULO --amount 10,00 2>fx.err | tail -1)
[ -n "$PIX" ] || not_ok "fixture: pix encode" "$(cat fx.err)"
TASK=$(regua task list --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])' 2>/dev/null)
[ -n "$TASK" ] || not_ok "fixture: a task" "$(regua task list 2>&1 | tail -3)"

# ---- the commands and their usage lines, as --help documents them ----
regua --help >main-help.txt 2>&1
commands=$(awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}' main-help.txt)
[ -n "$commands" ] && ok "commands read from regua --help" || not_ok "commands read from regua --help" "$(cat main-help.txt)"
: >usages.txt
for c in $commands; do
    regua "$c" --help >"help-$c.txt" 2>&1 || not_ok "$c --help" "$(tail -2 "help-$c.txt")"
    # usage lines: "Usage: regua ..." and "       regua ...", with continuation lines
    /usr/bin/python3 - "$c" "help-$c.txt" >>usages.txt <<'PY'
import re, sys
cmd, path = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
entries = []
for l in lines:
    m = re.match(r"^(?:Usage: |       )regua (.*)$", l)
    if m:
        entries.append(m.group(1))
    elif entries and re.match(r"^ {8,}\S", l) and not re.match(r"^ {8,}regua ", l) and l.strip().startswith("["):
        entries[-1] += " " + l.strip()
    elif l.strip() == "" and entries:
        break
opts = any(re.match(r"^\s+--json\b", l) for l in lines)
for e in entries:
    words = e.split()
    key = words[0]
    if len(words) > 1 and re.match(r"^[a-z][a-z|-]*$", words[1]):
        key += " " + words[1]
    print("%s\t%s\t%s" % (key, "json" if ("--json" in e or (opts and len(entries) == 1)) else "-", e))
PY
done
# subcommands have their own --help: an option documented there counts too
while IFS="$(printf '\t')" read -r key has line; do
    case "$key" in *" "*) ;; *) continue ;; esac
    sub=${key#* }
    case "$sub" in *"|"*) sub=${sub%%|*} ;; esac
    regua ${key%% *} "$sub" --help >sub.txt 2>&1
    if grep -qE '^\s+--json\b' sub.txt && [ "$has" != json ]; then
        not_ok "usage line of '$key' shows --json" "its --help lists --json but the usage line does not: $line"
    fi
done <usages.txt
grep -c "	json	" usages.txt >n.txt
if [ "$(cat n.txt)" -ge 20 ]; then ok "usage lines with --json: $(cat n.txt)"; else not_ok "usage lines with --json" "$(cat usages.txt)"; fi

# ---- how to run each of them (KEY | expected exit | arguments) ----
cat >table.txt <<TABLE
init|0|init --json
import customers|invoices|payments|0|import customers clientes.csv --json
import customers|invoices|payments|0|import invoices faturas.csv --json
import customers|invoices|payments|0|import payments pagamentos.csv --json
customer list|0|customer list --json
customer show|0|customer show C1 --json
customer show|1|customer show NAO-EXISTE --json
customer anonymize|1|customer anonymize NAO-EXISTE --yes --json
customer export|0|customer export C1 --json
customer export|1|customer export NAO-EXISTE --json
customer anonymize|1|customer anonymize C1 --yes --json
invoice list|0|invoice list --json
invoice show|0|invoice show F1 --json
invoice show|1|invoice show NAO-EXISTE --json
invoice create|0|invoice create F9 --customer C1 --amount 99,90 --due-date 2026-12-30 --json
invoice create|1|invoice create F9 --customer C1 --amount 99,90 --due-date 2026-12-30 --json
invoice create|1|invoice create F8 --customer C1 --amount abc --json
invoice update|0|invoice update F9 --description Ajuste --json
invoice cancel|0|invoice cancel F9 --json
invoice cancel|1|invoice cancel F9 --json
pay|0|pay F1 --amount 10,00 --at 2026-12-02 --json
event|0|event portal.visited --invoice F1 --json
event|1|event portal.visitado --invoice F1 --json
optout add|0|optout add C1 --channel sms --json
optout list|0|optout list --json
promise list|0|promise list --json
promise list|1|promise list --customer NAO-EXISTE --json
portal link|1|portal link NAO-EXISTE --json
portal link|2|portal link C1 --json
optout remove|0|optout remove C1 --channel sms --json
optout remove|1|optout remove C1 --channel sms --json
cnab import|0|cnab import retorno.ret --dry-run --json
cadence lint|0|cadence lint cadences --json
cadence lint|1|cadence lint nao-existe.yaml --json
cadence list|0|cadence list --json
cadence show|0|cadence show mensal-pf --json
tick|0|tick --json
simulate|0|simulate --days 3 --json
messages list|0|messages list --json
messages resolve|1|messages resolve 999999 --failed --json
webhooks deliveries|0|webhooks deliveries --json
webhooks retry|1|webhooks retry 999999 --json
boleto encode|0|boleto encode --bank 341 --due 2026-12-10 --amount 1234,56 --campo-livre 1091234567800057123457000 --json
boleto decode|0|boleto decode 34191.09123 34567.800056 71234.570001 1 16560000123456 --json
pix decode|0|pix decode $PIX --json
doc check|0|doc check 529.982.247-25 --json
doc check|1|doc check 529.982.247-24 --json
task list|0|task list --all --json
task claim|0|task claim $TASK --as ana --json
task done|0|task done $TASK --outcome no_answer --as ana --json
bureau sync|0|bureau sync --json
letters build|0|letters build --json
dispatch|0|dispatch --json
apikey create|0|apikey create --role viewer --name painel --json
apikey list|0|apikey list --json
apikey revoke|0|apikey revoke 1 --json
apikey revoke|1|apikey revoke 1 --json
report aging|recovery|steps|channels|promises|forecast|0|report aging --json
report aging|recovery|steps|channels|promises|forecast|0|report recovery --period week --json
report aging|recovery|steps|channels|promises|forecast|0|report channels --json
report aging|recovery|steps|channels|promises|forecast|1|report agin --json
agreement plans|0|agreement plans C1 F1 F2 --json
agreement plans|1|agreement plans C1 NAO-EXISTE --json
agreement create|0|agreement create C1 F1 F2 --installments 2 --json
agreement create|1|agreement create C1 F1 --installments 2 --json
agreement list|0|agreement list --json
agreement show|0|agreement show 1 --json
agreement show|1|agreement show 99 --json
agreement cancel|0|agreement cancel 1 --json
agreement cancel|1|agreement cancel 1 --json
user create|1|user create not-an-email --role viewer --json
user list|0|user list --json
user disable|1|user disable nobody@example.com --json
TABLE

# every usage line with --json has at least one invocation
while IFS="$(printf '\t')" read -r key has line; do
    [ "$has" = json ] || continue
    if grep -qF "$key|" table.txt; then ok "'$key' is exercised"; else not_ok "'$key' is exercised" "no entry in this test's table for: regua $line"; fi
done <usages.txt

# ---- run them ----
i=0
while IFS= read -r row; do
    i=$((i + 1))
    rest=${row#*|}
    case "$row" in
    import*) rest=${rest#*|}; rest=${rest#*|} ;;
    report*) rest=${rest#*|}; rest=${rest#*|}; rest=${rest#*|}; rest=${rest#*|}; rest=${rest#*|} ;;
    esac
    want=${rest%%|*}
    args=${rest#*|}
    # shellcheck disable=SC2086
    regua $args >"j$i.out" 2>"j$i.err"
    rc=$?
    name="--json: regua $args"
    if [ "$rc" -ne "$want" ]; then not_ok "$name" "exit $rc, expected $want: $(tail -2 "j$i.err")"; continue; fi
    if /usr/bin/python3 - "j$i.out" "$want" <<'PY' 2>"j$i.py"
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
if sys.argv[2] != "0" and text.strip() == "":
    sys.exit(0)  # a failure may print nothing on stdout (the error is on stderr)
json.loads(text)  # one JSON document, nothing else
PY
    then ok "$name"; else not_ok "$name" "stdout is not JSON ($(tail -1 "j$i.py")): $(head -c 300 "j$i.out")"; fi
done <table.txt
