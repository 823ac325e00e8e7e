#!/bin/sh
# "Parcelar" on the portal page (docs/portal.md, "Parcelar"): the plans for
# the chosen open invoices (?v=1&sel=..., all of them by default; none or
# too small: said so), POST parcelar (form secret, 303) makes the agreement
# with the service of `regua agreement create` (source portal); refusals:
# a plan not on offer, no invoice, another customer's invoice, an invoice
# under dispute, an installment of an agreement — nothing written. After
# it the page shows the agreement and the installments; the originals
# are renegotiated.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p cadences templates
cat >regua.yaml <<'YAML'
database: regua.db
timezone: America/Sao_Paulo
public_url: http://portal.exemplo.com.br
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}
portal: {rate_token_per_min: 0}
channels:
  email: {driver: log, path: outbox/email.jsonl}
YAML
cat >cadences/t.yaml <<'YAML'
cadence: t
match: {priority: 1}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: ligar, at: D+10, action: task, task: {kind: call}}
YAML
printf 'external_id;name;document;email\nC1;Ana Souza;529.982.247-25;ana@exemplo.com.br\nC2;Bia;111.444.777-35;bia@exemplo.com.br\n' >c.csv
cat >f.csv <<CSV
external_id,customer_external_id,description,amount,due_date
F1,C1,Mensalidade,200.01,2026-11-23
F2,C1,Instalação,300.00,2026-11-26
F3,C1,Avulso,50.00,2026-11-25
F4,C1,Extra,80.00,2026-11-25
F9,C2,Outra,100.00,2026-11-23
CSV
export REGUA_SECRET=0123456789abcdef0123
export REGUA_NOW=2026-11-27T12:00:00Z
regua import customers c.csv >/dev/null
regua import invoices f.csv >/dev/null
TOKEN=$(regua portal link C1 | sed 's|http://portal.exemplo.com.br/p/||')

port=$(free_port)
base="http://127.0.0.1:$port"
REGUA_NOW=2026-11-28T15:00:00Z "$REGUA_BIN" serve --listen 127.0.0.1:$port --no-scheduler --no-dispatch >serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
wait_http "$base/healthz" && ok "serve starts" || not_ok "serve starts" "$(cat serve.log)"

post() {
    code=$(curl -s -D h.txt -o /dev/null -w '%{http_code}' --data "$2" "$base/p/$TOKEN/$1")
    if [ "$code" = 303 ]; then sed -n 's/^Location: \/p\/[^?]*\(.*\)\r$/\1/p' h.txt; else echo "$code"; fi
}
text() { /usr/bin/python3 -c 'import re,sys,html; print(re.sub(r"\s+"," ",html.unescape(re.sub(r"<[^>]+>"," ",open(sys.argv[1]).read()))))' "$1"; }

curl -s -o page.html "$base/p/$TOKEN"
CSRF=$(/usr/bin/python3 -c 'import re; print(re.search(r"name=\"csrf\" value=\"([^\"]*)\"", open("page.html").read()).group(1))')
text page.html >page.txt
contains "the page has Parcelar" page.txt "Parcelar Junte faturas em aberto"
contains "all four invoices chosen by default: R\$ 630,01" page.txt "Planos para R\$ 630,01 (4 faturas)"
contains "the 6-installment plan" page.txt "Entrada de R\$ 126,00 em 02/12/2026 + 6 parcelas mensais de R\$ 89,04 (a última de R\$ 89,05). Total R\$ 660,25, juros de R\$ 30,24."
contains "each invoice is a checkbox with a label" page.html '<input type="checkbox" name="sel" id="sel-0" value="F1" checked><label for="sel-0">Mensalidade (fatura F1) · R$ 200,01</label>'
contains "each plan a radio with a label" page.html '<input type="radio" name="installments" id="plano-3" value="3" required><label for="plano-3">'

curl -s -o p2.html "$base/p/$TOKEN?v=1&sel=F1&sel=F2&sel=F9&sel=nada"
text p2.html >p2.txt
contains "?sel= chooses (another customer's and unknown ids ignored)" p2.txt "Planos para R\$ 500,01 (2 faturas)"
contains "... F3 unchecked" p2.html 'id="sel-2" value="F3"><label'
contains "... the POST form carries the chosen invoices" p2.html '<input type="hidden" name="invoice" value="F1"><input type="hidden" name="invoice" value="F2"><fieldset>'
curl -s -o p3.html "$base/p/$TOKEN?v=1"
text p3.html >p3.txt
contains "none chosen: said so" p3.txt "Escolha ao menos uma fatura"
curl -s -o p4.html "$base/p/$TOKEN?v=1&sel=F3"
text p4.html >p4.txt
contains "too small to split (R\$ 50,00: installment below R\$ 50,00): said so" p4.txt "O valor escolhido (R\$ 50,00) é pequeno demais para parcelar"
is "choosing invoices records no second visit" "$(q "SELECT count(*) FROM events WHERE type='portal.visited'")" 1

# ---- refusals: nothing written ----
is "without the form secret: 403" "$(post parcelar "invoice=F1&installments=3")" 403
is "installments 0: the plan" "$(post parcelar "csrf=$CSRF&invoice=F1&installments=0")" "?m=parcelar-plano#parcelar"
is "installments 7 (max 6): the plan" "$(post parcelar "csrf=$CSRF&invoice=F1&invoice=F2&installments=7")" "?m=parcelar-plano#parcelar"
is "installments 3x: the plan" "$(post parcelar "csrf=$CSRF&invoice=F1&installments=3x")" "?m=parcelar-plano#parcelar"
is "installments below the minimum (F3 in 2): the plan" "$(post parcelar "csrf=$CSRF&invoice=F3&installments=2")" "?m=parcelar-plano#parcelar"
is "no invoice: the invoices" "$(post parcelar "csrf=$CSRF&installments=1")" "?m=parcelar-faturas#parcelar"
is "another customer's invoice: the invoices" "$(post parcelar "csrf=$CSRF&invoice=F1&invoice=F9&installments=2")" "?m=parcelar-faturas#parcelar"
is "an unknown invoice: the invoices" "$(post parcelar "csrf=$CSRF&invoice=F1&invoice=NADA&installments=2")" "?m=parcelar-faturas#parcelar"
is "an invoice twice: the invoices" "$(post parcelar "csrf=$CSRF&invoice=F1&invoice=F1&installments=2")" "?m=parcelar-faturas#parcelar"
curl -s -o e.html "$base/p/$TOKEN?m=parcelar-faturas#parcelar"
contains "the refusal is shown in the section" e.html '<p class="field-err">Uma das faturas escolhidas não pode mais entrar num acordo.'
contains "... and in the flash" e.html 'role="alert">O acordo não foi feito'
is "contest F4" "$(post contestar "csrf=$CSRF&invoice=F4&reason=Nao+comprei")" "?m=contestado&i=F4"
is "an invoice under dispute: the invoices" "$(post parcelar "csrf=$CSRF&invoice=F1&invoice=F4&installments=2")" "?m=parcelar-faturas#parcelar"
curl -s -o p5.html "$base/p/$TOKEN"
if grep -q 'name="sel" id="sel-[0-9]*" value="F4"' p5.html; then not_ok "F4 (under dispute) is not offered" "$(grep -o 'value="F4"[^<]*' p5.html)"; else ok "F4 (under dispute) is not offered"; fi
is "no agreement from the refusals" "$(q "SELECT count(*) FROM agreements")" 0
is "no invoice renegotiated" "$(q "SELECT count(*) FROM invoices WHERE status <> 'open'")" 0

# ---- the agreement ----
is "F1 + F2 in 3: 303 to the agreement" "$(post parcelar "csrf=$CSRF&invoice=F1&invoice=F2&installments=3")" "?m=acordo#acordo-1"
is "the agreement: source portal, 3 installments, R\$ 512,01" "$(q "SELECT source || ' ' || installments || ' ' || down_payment || ' ' || total FROM agreements")" "portal 3 10000 51201"
is "the installments add up to the total" "$(q "SELECT sum(amount) FROM invoices WHERE external_id LIKE 'ACORDO-1-%'")" 51201
is "F1, F2 renegotiated" "$(q "SELECT group_concat(status) FROM (SELECT status FROM invoices WHERE external_id IN ('F1','F2'))")" "renegotiated,renegotiated"
is "agreement.created (source portal)" "$(q "SELECT count(*) FROM events WHERE type='agreement.created' AND source='portal'")" 1
expect_exit "regua agreement show 1" 0 regua agreement show 1
contains "... lists ACORDO-1-0" out "ACORDO-1-0"
curl -s -o p6.html "$base/p/$TOKEN?m=acordo"
text p6.html >p6.txt
contains "the flash" p6.txt "Acordo feito."
contains "the agreement's section" p6.txt "Seu acordo nº 1 Feito em 28/11/2026 · total R\$ 512,01 (juros R\$ 12,00)"
contains "the down payment first" p6.txt "Parcelas Entrada · vence 02/12/2026 · R\$ 100,00 · em aberto Parcela 1 de 3 · vence 02/01/2027 · R\$ 137,33 · em aberto"
contains "the originals renegotiated" p6.txt "Faturas renegociadas neste acordo Mensalidade (fatura F1) · R\$ 200,01 · renegociada Instalação (fatura F2) · R\$ 300,00 · renegociada"
contains "the down payment is an open invoice on the page" p6.txt "Acordo 1 - entrada Fatura ACORDO-1-0 · vencimento 02/12/2026"
is "an installment cannot enter another agreement from the portal" "$(post parcelar "csrf=$CSRF&invoice=ACORDO-1-1&installments=1")" "?m=parcelar-faturas#parcelar"
is "... nothing written" "$(q "SELECT count(*) FROM agreements")" 1
if grep -q 'value="ACORDO-' p6.html && grep -o 'name="sel"[^>]*value="ACORDO-[^"]*"' p6.html | grep -q .; then not_ok "installments are not offered to split" "$(grep -o 'name="sel"[^>]*' p6.html)"; else ok "installments are not offered to split"; fi
kill $pid; wait $pid 2>/dev/null
