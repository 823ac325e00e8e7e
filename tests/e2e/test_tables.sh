#!/bin/sh
# The tables the CLI prints for people keep their columns whatever the
# accents: customer list, invoice list, messages list, simulate and task
# list pad by display width (a combining mark takes no column), not by
# bytes. Checked by measuring, with python3's unicodedata, the display
# column where a known value starts on every row.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: sent/email.jsonl}
YAML
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: lembrete, at: D-1, send: {channels: [email], template: lembrete}}
  - {id: ligar, at: D0, action: task, task: {kind: call}}
YAML
cat >templates/lembrete.email <<'TXT'
Subject: Lembrete
{{company.name}} CNPJ {{company.cnpj}}: {{invoice.external_id}} vence em {{invoice.effective_due_date}}.
TXT
# ASCII, precomposed accents (NFC), the same name with combining marks (NFD),
# and accents in the external ids
# (dash drops a byte of "Ç" (C3 87) even in quoted here-documents: 0x87 is
# one of its internal markers; that id is written with printf escapes)
NFD=$(printf 'Concei\143\314\247\141\314\203o')
CC=$(printf 'C\303\207')
cat >clientes.csv <<'CSV'
external_id,name,document,email,phone
C1,Ana Lima,529.982.247-25,ana@exemplo.com.br,(11) 3333-4444
C4,Álvaro Ünal Müller Gonçalves Peçanha de Assunção,123.456.789-09,alvaro@exemplo.com.br,(11) 3333-4447
CSV
printf '%s2,Conceição Araújo,111.444.777-35,conceicao@exemplo.com.br,(11) 3333-4445\n' "$CC" >>clientes.csv
printf 'C3,%s Araújo,390.533.447-05,nfd@exemplo.com.br,(11) 3333-4446\n' "$NFD" >>clientes.csv
cat >faturas.csv <<'CSV'
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade,"100,00",2026-12-03
F3,C3,Instalação,"300,00",2026-12-03
F4,C4,Serviço,"400,00",2026-12-03
CSV
printf 'F%s2,%s2,Manutenção elétrica,"200,00",2026-12-03\n' "$(printf '\303\207')" "$CC" >>faturas.csv
FC2=$(printf 'F\303\2072')
export REGUA_NOW=2026-12-02T13:00:00Z
regua init >/dev/null
regua import customers clientes.csv >/dev/null || not_ok "import customers" "$(regua import customers clientes.csv 2>&1 | tail -3)"
regua import invoices faturas.csv >/dev/null || not_ok "import invoices" "$(regua import invoices faturas.csv 2>&1 | tail -3)"

# aligned NAME FILE MARKER...: every MARKER (one per row) starts at the same
# display column of its line; ROW::TEXT is TEXT on the one line holding ROW
aligned() {
    name=$1; file=$2; shift 2
    if /usr/bin/python3 - "$file" "$@" <<'PY' 2>err.txt
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff" else 1 for ch in s)
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
cols = []
for arg in sys.argv[2:]:
    key, _, m = arg.partition("::")
    m = m or key
    row = [l for l in lines if key in l]
    assert len(row) == 1, "%r on %d lines" % (key, len(row))
    cols.append(width(row[0][:row[0].index(m, row[0].index(key) if m != key else 0)]))
assert len(set(cols)) == 1, "columns %s for %s" % (cols, sys.argv[2:])
PY
    then ok "$name"; else not_ok "$name" "$(tail -1 err.txt): $(cat "$file")"; fi
}

regua customer list >out 2>&1
aligned "customer list: the name column" out "Ana Lima" "Conceição Araújo" "$NFD Araújo" "Álvaro Ünal"
aligned "customer list: the document column" out "529.982.247-25" "111.444.777-35" "390.533.447-05" "123.456.789-09"
aligned "customer list: the e-mail column" out "ana@exemplo" "conceicao@exemplo" "nfd@exemplo" "alvaro@exemplo"
# a long name is cut to its column with …, on a character boundary
contains "customer list: a long name cut with an ellipsis" out "Álvaro Ünal Müller Gonçalves Pe…"

regua invoice list >out 2>&1
aligned "invoice list: the customer column" out "C1 " "${CC}2 " "C3 " "C4 "
aligned "invoice list: the amount column" out "R\$ 100,00" "R\$ 200,00" "R\$ 300,00" "R\$ 400,00"
aligned "invoice list: the description column" out "Mensalidade" "Manutenção elétrica" "Instalação" "Serviço"

regua simulate --days 2 >out 2>&1
aligned "simulate: the invoice column" out "F1 " "$FC2 " "F3 " "F4 "
aligned "simulate: the channel column" out "F1 ::email" "$FC2 ::email" "F3 ::email" "F4 ::email"

regua tick >/dev/null 2>&1
regua messages list >out 2>&1
aligned "messages list: the invoice column" out " F1 " " $FC2 " " F3 " " F4 "
aligned "messages list: the template column" out " F1 ::lembrete" " $FC2 ::lembrete" " F3 ::lembrete" " F4 ::lembrete"

regua tick --at 2026-12-03T13:00:00Z >/dev/null 2>&1
regua task list >out 2>&1
aligned "task list: the name column" out "Ana Lima" "Conceição Araújo" "$NFD Araújo" "Álvaro Ünal"
aligned "task list: the phone column" out "33334444" "33334445" "33334446" "33334447"
aligned "task list: the invoice column" out "33334444::F1 " "33334445::$FC2 " "33334446::F3 " "33334447::F4 "
