#!/bin/sh
# The Brazilian-code commands end to end: boleto encode/decode/pdf, pix
# encode/decode/qr, doc check — JSON keys, round trips across the
# 2025-02-22 factor reset, error exits, and the PDF and QR images read back
# with pdftoppm + zbarimg. Check digits are recomputed independently in
# Python (FEBRABAN módulo 10/11, CRC16/CCITT-FALSE).
. "$(dirname "$0")/lib.sh"
cd "$T"

cat >h.py <<'PY'
import datetime, json

def load(p):
    with open(p) as f:
        return json.load(f)

def keys(o, *ks):
    assert list(o.keys()) == list(ks), "keys %s" % list(o.keys())
    return True

def mod10(s):
    tot, w = 0, 2
    for ch in reversed(s):
        p = int(ch) * w
        tot += p // 10 + p % 10
        w = 1 if w == 2 else 2
    return (10 - tot % 10) % 10

def mod11_general(s43):
    tot, w = 0, 2
    for ch in reversed(s43):
        tot += int(ch) * w
        w = 2 if w == 9 else w + 1
    r = 11 - tot % 11
    return 1 if r in (0, 10, 11) else r

def boleto_ok(bc, linha):
    """FEBRABAN: general DV mod 11 and the linha as the barcode rearranged with mod-10 DVs."""
    assert len(bc) == 44 and bc.isdigit(), bc
    assert int(bc[4]) == mod11_general(bc[:4] + bc[5:]), "general DV of " + bc
    f1, f2, f3 = bc[0:4] + bc[19:24], bc[24:34], bc[34:44]
    want = f1 + str(mod10(f1)) + f2 + str(mod10(f2)) + f3 + str(mod10(f3)) + bc[4] + bc[5:19]
    assert linha == want, "linha %s, expected %s" % (linha, want)
    return True

def factor(iso):
    """Fator de vencimento: days since 1997-10-07; from 2025-02-22 (1000) it repeats every 9000 days."""
    n = (datetime.date.fromisoformat(iso) - datetime.date(1997, 10, 7)).days
    return n if n < 1000 else 1000 + (n - 1000) % 9000

def arrec(segment, vid, value11, rest29):
    """An arrecadação code with module-10 DVs (value id 6 or 7): (barcode, linha)."""
    body = "8" + segment + vid + value11 + rest29
    bc = body[:3] + str(mod10(body)) + body[3:]
    return bc, "".join(bc[i:i + 11] + str(mod10(bc[i:i + 11])) for i in range(0, 44, 11))

def crc16(s):
    crc = 0xFFFF
    for b in s.encode():
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return "%04X" % crc
PY

# pyok NAME CODE: runs Python CODE with h.py loaded and o = the JSON in ./out
pyok() {
    if /usr/bin/python3 -c "import sys; sys.path.insert(0, '.'); from h import *; o = load('out'); $2" 2>pyerr; then
        ok "$1"
    else
        not_ok "$1" "$(tail -1 pyerr) in $(head -c 400 out)"
    fi
}
py() { /usr/bin/python3 -c "import sys; sys.path.insert(0, '.'); from h import *; $1"; }

# ---- help ----
regua --help >main-help.txt 2>&1
for c in boleto pix doc; do
    contains "main help lists $c" main-help.txt "  $c "
    expect_exit "$c --help exits 0" 0 regua "$c" --help
    contains "$c --help shows usage" out "Usage: regua $c"
done
for s in "boleto encode" "boleto decode" "boleto pdf" "pix encode" "pix decode" "pix qr"; do
    # shellcheck disable=SC2086
    expect_exit "$s --help exits 0" 0 regua $s --help
    contains "$s --help shows its usage" out "Usage: regua $s"
    contains "$s --help shows details" out "Global options"
done
regua boleto encode --help >enc-help.txt
contains "boleto encode --help names the banks' fields" enc-help.txt "756 Sicoob"
contains "boleto encode --help lists --nosso-numero" enc-help.txt "--nosso-numero N"

# ---- boleto encode -> decode round trips, several banks ----
export REGUA_NOW=2026-11-24T12:00:00-03:00
i=0
while IFS='|' read -r bank fields nn; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    expect_exit "encode $bank" 0 regua boleto encode --bank "$bank" --due 2026-12-10 --amount 1.234,56 $fields --json
    pyok "encode $bank json keys" 'keys(o, "barcode", "linha_digitavel", "nosso_numero")'
    pyok "encode $bank check digits (recomputed)" 'assert boleto_ok(o["barcode"], o["linha_digitavel"])'
    pyok "encode $bank nosso numero" "assert o['nosso_numero'] == '$nn', o['nosso_numero']"
    pyok "encode $bank fields" "bc = o['barcode']; assert bc[:4] == '${bank}9' and bc[5:9] == '%04d' % factor('2026-12-10') and bc[9:19] == '0000123456'"
    bc=$(py 'print(load("out")["barcode"])')
    linha=$(py 'print(load("out")["linha_digitavel"])')
    cp out "enc-$i.json"
    expect_exit "decode $bank linha" 0 regua boleto decode "$linha" --json
    pyok "decode $bank json keys" 'keys(o, "type", "bank", "currency", "due_date", "amount_cents", "campo_livre", "barcode", "linha_digitavel")'
    pyok "decode $bank gives the inputs back" "e = load('enc-$i.json'); assert o['type'] == 'bancario' and o['bank'] == '$bank' and o['currency'] == '9' and o['due_date'] == '2026-12-10' and o['amount_cents'] == 123456 and o['barcode'] == e['barcode'] and o['linha_digitavel'] == e['linha_digitavel'] and o['campo_livre'] == e['barcode'][19:]"
    expect_exit "decode $bank barcode" 0 regua boleto decode "$bc" --json
    pyok "decode $bank barcode gives the linha" "assert o['linha_digitavel'] == '$linha' and o['due_date'] == '2026-12-10'"
done <<'BANKS'
341|--agencia 0057 --conta 12345 --carteira 109 --nosso-numero 12345678|109/12345678-0
237|--agencia 1172 --conta 403005 --carteira 6 --nosso-numero 75896452|06/00075896452-5
001|--convenio 1234567 --nosso-numero 5 --carteira 18|12345670000000005
001|--convenio 1234 --nosso-numero 5 --agencia 3014 --conta 10000 --carteira 18|12340000005-4
104|--codigo-beneficiario 5507 --nosso-numero 19|14000000000000019-7
033|--codigo-beneficiario 282818 --carteira 101 --nosso-numero 566612457800|566612457800-2
756|--agencia 4133 --codigo-beneficiario 1234567 --nosso-numero 89|0000089-8
BANKS

# the campo livre given as is, and the text output
expect_exit "encode with --campo-livre" 0 regua boleto encode --bank 422 --due 10/12/2026 --amount 99.90 --campo-livre 1234567890123456789012345 --json
pyok "campo livre json: nosso_numero null" 'assert o["nosso_numero"] is None and o["barcode"][19:] == "1234567890123456789012345" and boleto_ok(o["barcode"], o["linha_digitavel"])'
expect_exit "encode text" 0 regua boleto encode --bank 341 --due 2026-12-10 --amount 1234.56 --agencia 57 --conta 12345 --carteira 109 --nosso-numero 12345678
contains "encode text barcode" out "barcode:          34191165600001234561091234567800057123457000"
contains "encode text linha formatted" out "linha digitável:  34191.09123 34567.800056 71234.570001 1 16560000123456"
contains "encode text nosso numero" out "nosso número:     109/12345678-0"

# decode accepts dots and spaces, in one argument or split by the shell
expect_exit "decode formatted linha" 0 regua boleto decode "34191.09123 34567.800056 71234.570001 1 16560000123456"
contains "decode text bank" out "bank:             341 Itaú"
contains "decode text due date and factor" out "due date:         2026-12-10 (fator 1656)"
contains "decode text amount" out "amount:           R\$ 1.234,56"
contains "decode text campo livre" out "campo livre:      1091234567800057123457000"
expect_exit "decode linha split over arguments" 0 regua boleto decode 34191.09123 34567.800056 71234.570001 1 16560000123456 --json
pyok "split linha decodes" 'assert o["barcode"] == "34191165600001234561091234567800057123457000"'

# ---- the 2025-02-22 factor reset, resolved against --now ----
for due in 2025-02-21 2025-02-22 2025-03-01 2000-07-03 2049-10-13 2049-10-14; do
    case $due in
        2000*) now=2000-06-01T12:00:00Z ;;
        2049*) now=2049-09-01T12:00:00Z ;;
        *) now=2025-02-10T12:00:00Z ;;
    esac
    expect_exit "encode due $due" 0 regua boleto encode --bank 341 --due "$due" --amount 10 --campo-livre 1091234567800057123457000 --json
    pyok "factor of $due" "assert o['barcode'][5:9] == '%04d' % factor('$due') and boleto_ok(o['barcode'], o['linha_digitavel'])"
    bc=$(py 'print(load("out")["barcode"])')
    expect_exit "decode due $due with --now $now" 0 regua --now "$now" boleto decode "$bc" --json
    pyok "due $due comes back" "assert o['due_date'] == '$due' and o['amount_cents'] == 1000"
done
regua boleto encode --bank 341 --due 2025-02-21 --amount 10 --campo-livre 1091234567800057123457000 --json >out
pyok "2025-02-21 is factor 9999" 'assert o["barcode"][5:9] == "9999"'
regua boleto encode --bank 341 --due 2025-02-22 --amount 10 --campo-livre 1091234567800057123457000 --json >out
pyok "2025-02-22 is factor 1000" 'assert o["barcode"][5:9] == "1000"'
bc1000=$(py 'print(load("out")["barcode"])')
expect_exit "factor 1000 in 2000" 0 regua --now 2000-06-15T12:00:00Z boleto decode "$bc1000" --json
pyok "factor 1000 read in 2000 is 2000-07-03" 'assert o["due_date"] == "2000-07-03"'
expect_exit "factor 1000 in 2026" 0 regua --now 2026-01-10T12:00:00Z boleto decode "$bc1000" --json
pyok "factor 1000 read in 2026 is 2025-02-22" 'assert o["due_date"] == "2025-02-22"'
expect_exit "factor 1000 text" 0 regua --now 2026-01-10T12:00:00Z boleto decode "$bc1000"
contains "factor shown" out "due date:         2025-02-22 (fator 1000)"
expect_exit "encode without due date" 0 regua boleto encode --bank 341 --due none --amount 0 --campo-livre 1091234567800057123457000 --json
bc0=$(py 'print(load("out")["barcode"])')
expect_exit "decode factor 0000" 0 regua boleto decode "$bc0" --json
pyok "factor 0000: due_date null" 'assert o["due_date"] is None and o["amount_cents"] == 0 and o["barcode"][5:9] == "0000"'

# ---- arrecadação ----
# 85820000001-5 66980270116-2 30001280018-9 67222025113-0: a real GPS (INSS) code, value id 8 (módulo 11)
expect_exit "decode arrecadacao linha" 0 regua boleto decode "85820000001-5 66980270116-2 30001280018-9 67222025113-0" --json
pyok "arrecadacao json keys" 'keys(o, "type", "segment", "value_type", "amount_cents", "barcode", "linha_digitavel")'
pyok "arrecadacao values" 'assert o["type"] == "arrecadacao" and o["segment"] == "5" and o["value_type"] == "real" and o["amount_cents"] == 16698 and o["barcode"] == "85820000001669802701163000128001867222025113" and o["linha_digitavel"] == "858200000015669802701162300012800189672220251130"'
expect_exit "decode arrecadacao barcode" 0 regua boleto decode 85820000001669802701163000128001867222025113 --json
pyok "arrecadacao barcode gives the linha" 'assert o["type"] == "arrecadacao" and o["linha_digitavel"] == "858200000015669802701162300012800189672220251130"'
expect_exit "decode arrecadacao text" 0 regua boleto decode 858200000015669802701162300012800189672220251130
contains "arrecadacao text segment" out "segment:          5 (orgaos_governamentais)"
contains "arrecadacao text amount" out "amount:           R\$ 166,98"
ref_linha=$(py 'print(arrec("2", "7", "00000012345", "0123" + "9" * 25)[1])')
expect_exit "decode arrecadacao reference value" 0 regua boleto decode "$ref_linha" --json
pyok "reference value: amount_cents null" 'assert o["value_type"] == "reference" and o["amount_cents"] is None and o["segment"] == "2"'
# segments 0 and 8 are assigned to no one: refused even with every DV right
for seg in 0 8; do
    bad_linha=$(py "print(arrec('$seg', '6', '00000012345', '0123' + '9' * 25)[1])")
    expect_exit "arrecadacao segment $seg linha exits 1" 1 regua boleto decode "$bad_linha"
    contains "arrecadacao segment $seg named" err "segment (second digit) must be 1 to 7 or 9 (0 and 8 are not assigned), found $seg"
    bad_bc=$(py "print(arrec('$seg', '6', '00000012345', '0123' + '9' * 25)[0])")
    expect_exit "arrecadacao segment $seg barcode exits 1" 1 regua boleto decode "$bad_bc"
done

# ---- boleto errors ----
expect_exit "bad field DV exits 1" 1 regua boleto decode "34191.09123 34567.800066 71234.570001 1 16560000123456"
want=$(py 'print(mod10("3456780006"))')
contains "bad field DV names the check and the expected digit" err "linha digitável field 2 check digit (mod 10) is wrong: expected $want, found 6"
expect_exit "bad general DV exits 1" 1 regua boleto decode 34192165600001234561091234567800057123457000
want=$(py 'print(mod11_general("3419165600001234561091234567800057123457000"))')
contains "bad general DV names the expected digit" err "general check digit (mod 11) is wrong: expected $want, found 2"
expect_exit "bad arrecadacao block DV exits 1" 1 regua boleto decode 858200000016669802701162300012800189672220251130
contains "arrecadacao error names the check" err "expected 5, found 6"
expect_exit "wrong length exits 1" 1 regua boleto decode 12345
contains "wrong length says what was expected" err "5 digits: expected 44 (barcode), 47 (boleto linha digitável) or 48"
expect_exit "letters exit 1" 1 regua boleto decode 3419X165600001234561091234567800057123457000
expect_exit "decode without code is usage" 2 regua boleto decode
expect_exit "boleto without subcommand is usage" 2 regua boleto
expect_exit "boleto unknown subcommand is usage" 2 regua boleto frob
expect_exit "encode without --bank is usage" 2 regua boleto encode --due 2026-12-10 --amount 1 --campo-livre 1234567890123456789012345
contains "missing options named" err "--bank, --due and --amount are required"
expect_exit "encode without campo livre nor fields is usage" 2 regua boleto encode --bank 341 --due 2026-12-10 --amount 1
expect_exit "encode with both is usage" 2 regua boleto encode --bank 341 --due 2026-12-10 --amount 1 --campo-livre 1234567890123456789012345 --carteira 109
expect_exit "encode unknown option is usage" 2 regua boleto encode --bank 341 --frob 1
expect_exit "encode bad date exits 1" 1 regua boleto encode --bank 341 --due 2026-13-01 --amount 1 --campo-livre 1234567890123456789012345
contains "bad date named" err "--due: '2026-13-01' is not a date"
expect_exit "encode bad amount exits 1" 1 regua boleto encode --bank 341 --due 2026-12-10 --amount abc --campo-livre 1234567890123456789012345
expect_exit "encode short campo livre exits 1" 1 regua boleto encode --bank 341 --due 2026-12-10 --amount 1 --campo-livre 123
contains "short campo livre named" err "campo_livre: expected 25 digits"
expect_exit "encode missing bank field exits 1" 1 regua boleto encode --bank 237 --due 2026-12-10 --amount 1 --nosso-numero 1
contains "missing bank field named" err "agencia: Bradesco: required"
expect_exit "encode unsupported bank fields exits 1" 1 regua boleto encode --bank 999 --due 2026-12-10 --amount 1 --nosso-numero 1
contains "unsupported bank named" err "no campo livre layout for bank \"999\""
expect_exit "due before 1997-10-08 exits 1" 1 regua boleto encode --bank 341 --due 1990-01-01 --amount 1 --campo-livre 1234567890123456789012345

# ---- pix ----
expect_exit "pix encode static" 0 regua pix encode --key 11222333000181 --name "Exemplo Serviços Ltda" --city "São Paulo" --amount 1.234,56 --txid F1 --description "Fatura F1"
pix=$(cat out)
printf '%s' "$pix" | grep -q '^000201' && ok "pix payload starts with 000201" || not_ok "pix payload starts with 000201" "$pix"
py "p = open('out').read().strip(); assert crc16(p[:-4]) == p[-4:]" && ok "pix CRC recomputed" || not_ok "pix CRC recomputed" "$pix"
expect_exit "pix decode" 0 regua pix decode "$pix" --json
pyok "pix decode json keys" 'keys(o, "type", "key", "url", "description", "merchant_name", "merchant_city", "amount_cents", "txid", "crc")'
pyok "pix round trip" "assert o == {'type': 'static', 'key': '11222333000181', 'url': None, 'description': 'Fatura F1', 'merchant_name': 'Exemplo Servicos Ltda', 'merchant_city': 'Sao Paulo', 'amount_cents': 123456, 'txid': 'F1', 'crc': '$pix'[-4:]}, o"
expect_exit "pix decode text" 0 regua pix decode "$pix"
contains "pix text amount" out "amount:         R\$ 1.234,56"
contains "pix text crc" out "(valid)"
expect_exit "pix encode dynamic" 0 regua pix encode --url https://pix.example.com.br/qr/v2/9d36b84f --name Loja --city Recife
dyn=$(cat out)
expect_exit "pix decode dynamic" 0 regua pix decode "$dyn" --json
pyok "dynamic: url, no key, no amount" 'assert o["type"] == "dynamic" and o["url"] == "pix.example.com.br/qr/v2/9d36b84f" and o["key"] is None and o["amount_cents"] is None and o["txid"] == "***"'
# the Banco Central manual's static example (CRC 1D3D)
bcb='00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D'
expect_exit "pix decode BCB example" 0 regua pix decode "$bcb" --json
pyok "BCB example fields" 'assert o["type"] == "static" and o["key"] == "123e4567-e12b-12d1-a456-426655440000" and o["merchant_name"] == "Fulano de Tal" and o["merchant_city"] == "BRASILIA" and o["amount_cents"] is None and o["crc"] == "1D3D"'
expect_exit "pix bad CRC exits 1" 1 regua pix decode "${bcb%1D3D}1D3E"
contains "bad CRC named" err "CRC mismatch: the code says 1D3E but its content gives 1D3D"
expect_exit "pix malformed exits 1" 1 regua pix decode "000201265"
contains "malformed names where" err "brcode:"
expect_exit "pix decode without payload is usage" 2 regua pix decode
expect_exit "pix encode key and url is usage" 2 regua pix encode --key 11222333000181 --url x.example/y --name A --city B
expect_exit "pix encode without name is usage" 2 regua pix encode --key 11222333000181 --city B
expect_exit "pix encode bad key exits 1" 1 regua pix encode --key 11222333000182 --name A --city B
contains "bad key named" err "key:"
expect_exit "pix encode bad amount exits 1" 1 regua pix encode --key 11222333000181 --name A --city B --amount 0
expect_exit "pix without subcommand is usage" 2 regua pix

expect_exit "pix qr png" 0 regua pix qr "$pix" --out pix.png
got=$(zbarimg --raw -q pix.png 2>/dev/null)
[ "$got" = "$pix" ] && ok "pix qr png decodes to the payload" || not_ok "pix qr png decodes to the payload" "got '$got'"
expect_exit "pix qr svg" 0 regua pix qr "$pix" --out pix.svg
py "import xml.etree.ElementTree as E; r = E.parse('pix.svg').getroot(); assert r.tag.endswith('svg') and len(r.findall('.//{http://www.w3.org/2000/svg}rect')) > 100" \
    && ok "pix qr svg is an SVG" || not_ok "pix qr svg is an SVG" "$(head -c 200 pix.svg)"
expect_exit "pix qr bad extension exits 1" 1 regua pix qr "$pix" --out pix.gif
expect_exit "pix qr bad payload exits 1" 1 regua pix qr "${bcb%1D3D}0000" --out bad.png
[ ! -f bad.png ] && ok "no image for a bad payload" || not_ok "no image for a bad payload" "bad.png written"
expect_exit "pix qr without --out is usage" 2 regua pix qr "$pix"

# ---- doc ----
expect_exit "doc check CPF" 0 regua doc check 52998224725 --json
pyok "doc CPF json" 'assert o == {"valid": True, "kind": "cpf", "formatted": "529.982.247-25"}'
expect_exit "doc check CNPJ text" 0 regua doc check 11.222.333/0001-81
contains "doc CNPJ text" out "valid CNPJ: 11.222.333/0001-81"
expect_exit "doc check alphanumeric CNPJ" 0 regua doc check 12.ABC.345/01DE-35 --json
pyok "alphanumeric CNPJ" 'assert o == {"valid": True, "kind": "cnpj", "formatted": "12.ABC.345/01DE-35"}'
expect_exit "invalid CPF exits 1" 1 regua doc check 529.982.247-26
contains "invalid CPF names the expected digit" err "cpf: check digit 2 is wrong: expected 5, found 6"
expect_exit "invalid CPF json exits 1" 1 regua doc check 529.982.247-26 --json
pyok "invalid json" 'assert o == {"valid": False, "error": "cpf: check digit 2 is wrong: expected 5, found 6"}, o'
expect_exit "repeated digits exit 1" 1 regua doc check 111.111.111-11
expect_exit "doc check without DOC is usage" 2 regua doc check
expect_exit "doc without subcommand is usage" 2 regua doc

# ---- boleto pdf from a database built with regua import ----
cat >regua.yaml <<'YAML'
database: br.db
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81, address: "Av. Paulista, 1000 - Bela Vista - São Paulo/SP"}
YAML
regua boleto encode --bank 341 --due 2026-12-10 --amount 1.234,56 --agencia 57 --conta 12345 --carteira 109 --nosso-numero 12345678 --json >out
bc=$(py 'print(load("out")["barcode"])')
linha=$(py 'print(load("out")["linha_digitavel"])')
regua boleto encode --bank 237 --due 2026-12-15 --amount 99,90 --agencia 1172 --conta 403005 --carteira 6 --nosso-numero 75896452 --json >out
bc2=$(py 'print(load("out")["barcode"])')
linha2=$(py 'print(load("out")["linha_digitavel"])')
cat >clientes.csv <<'CSV'
external_id;name;document;street;number;district;city;state;zip
C1;Maria da Conceição;529.982.247-25;Rua das Flores;123;Centro;São Paulo;SP;01310-100
CSV
cat >faturas.csv <<CSV
external_id;customer_external_id;description;amount;issue_date;due_date;boleto_bank;linha_digitavel;nosso_numero;pix_code
F1;C1;Mensalidade;1.234,56;2026-12-01;2026-12-10;341;$linha;109/12345678-0;$pix
F2;C1;Pedido 7;99,90;2026-12-01;2026-12-15;237;$linha2;06/00075896452-5;
F3;C1;Sem boleto;10,00;2026-12-01;2026-12-20;;;;
CSV
expect_exit "import customers" 0 regua import customers clientes.csv
expect_exit "import invoices" 0 regua import invoices faturas.csv
expect_exit "boleto pdf F1" 0 regua boleto pdf F1 --out f1.pdf
contains "pdf says híbrido" out "with the PIX QR code (boleto híbrido)"
pdftoppm -r 300 -png f1.pdf f1 && zbarimg --raw -q -Si25.enable f1-1.png >f1-codes.txt 2>/dev/null
grep -qx "$bc" f1-codes.txt && ok "PDF barcode reads back the 44 digits" || not_ok "PDF barcode reads back the 44 digits" "$(cat f1-codes.txt)"
grep -qxF "$pix" f1-codes.txt && ok "PDF QR reads back the PIX payload" || not_ok "PDF QR reads back the PIX payload" "$(cat f1-codes.txt)"
pdftotext -layout f1.pdf f1.txt
contains "PDF beneficiary" f1.txt "Exemplo Serviços Ltda - CPF/CNPJ: 11.222.333/0001-81"
contains "PDF payer" f1.txt "Maria da Conceição - CPF/CNPJ: 529.982.247-25"
contains "PDF payer address" f1.txt "CEP 01310-100 - São Paulo/SP"
contains "PDF agência/código" f1.txt "0057 / 12345-7"
contains "PDF nosso número" f1.txt "109/12345678-0"
contains "PDF linha" f1.txt "34191.09123 34567.800056 71234.570001 1 16560000123456"
expect_exit "boleto pdf F2 (no PIX)" 0 regua boleto pdf F2 --out f2.pdf
pdftoppm -r 300 -png f2.pdf f2 && zbarimg --raw -q -Si25.enable f2-1.png >f2-codes.txt 2>/dev/null
[ "$(cat f2-codes.txt)" = "$bc2" ] && ok "PDF without PIX: only the barcode" || not_ok "PDF without PIX: only the barcode" "$(cat f2-codes.txt)"
expect_exit "boleto pdf of an invoice without boleto exits 1" 1 regua boleto pdf F3 --out f3.pdf
contains "no boleto said" err "invoice F3: has no boleto"
[ ! -f f3.pdf ] && ok "no PDF for an invoice without boleto" || not_ok "no PDF for an invoice without boleto" "f3.pdf written"
expect_exit "boleto pdf unknown invoice exits 1" 1 regua boleto pdf F404 --out x.pdf
expect_exit "boleto pdf without --out is usage" 2 regua boleto pdf F1
expect_exit "boleto pdf without invoice is usage" 2 regua boleto pdf --out x.pdf
expect_exit "boleto pdf unwritable path exits 3" 3 regua boleto pdf F1 --out /nonexistent/dir/f1.pdf
