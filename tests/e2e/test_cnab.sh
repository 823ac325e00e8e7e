#!/bin/sh
# `regua cnab import` end to end: return files (Itaú and Bradesco CNAB 400,
# FEBRABAN CNAB 240) generated at the manuals' positions by a small Python
# script, imported into a real database; JSON and `invoice show` checked.
. "$(dirname "$0")/lib.sh"
cd "$T"
export REGUA_NOW=2026-03-23T12:00:00Z

cat >gen.py <<'PY'
import sys

def rec(n, fields):
    b = [" "] * n
    for start, width, val in fields:
        s = ("%0*d" % (width, val)) if isinstance(val, int) else str(val)
        s = s[:width].ljust(width)
        b[start - 1:start - 1 + width] = list(s)
    return "".join(b)

def header400(bank, gen):
    return rec(400, [(1, 9, "02RETORNO"), (10, 2, "01"), (12, 15, "COBRANCA"), (77, 3, bank), (95, 6, gen), (395, 6, 1)])

def detail400(bank, seq, nosso, occ, doc, face, paid, credit):
    f = [(1, 1, "1"), (2, 2, "02"), (4, 14, "12345678000195"), (109, 2, occ), (111, 6, "150326"),
         (117, 10, doc), (147, 6, "100326"), (153, 13, face), (176, 13, 0), (189, 13, 0), (202, 13, 0),
         (215, 13, 0), (228, 13, 0), (241, 13, 0), (254, 13, paid), (267, 13, 0), (280, 13, 0),
         (296, 6, credit), (395, 6, seq)]
    if bank == "341":
        f += [(63, 8, nosso), (83, 3, "109")]
    else:
        f += [(63, 8, 0), (71, 12, nosso), (83, 10, 0), (93, 12, 0)]
    return rec(400, f)

def trailer400(bank, seq, count, total):
    if bank == "341":
        f = [(213, 8, count), (221, 14, total)]
    else:
        f = [(18, 8, count), (26, 14, total)]
    return rec(400, [(1, 4, "9201"), (5, 3, bank), (395, 6, seq)] + f)

def file400(bank, gen, details, corrupt_at=None):
    lines = [header400(bank, gen)]
    total = 0
    for i, d in enumerate(details):
        lines.append(detail400(bank, i + 2, *d))
        total += d[3]
    if corrupt_at:
        lines[corrupt_at - 1] = lines[corrupt_at - 1][:399]  # one character short
        total -= details[corrupt_at - 2][3]
    lines.append(trailer400(bank, len(lines) + 1, len(details), total))
    return "\r\n".join(lines) + "\r\n"

def file240(entries):
    L = [rec(240, [(1, 3, "001"), (4, 4, "0000"), (8, 1, "0"), (18, 1, "2"), (143, 1, "2"), (144, 8, "16032026")]),
         rec(240, [(1, 3, "001"), (4, 4, 1), (8, 1, "1"), (9, 1, "T"), (14, 3, "060")])]
    seq = 0
    total = 0
    for occ, nosso, doc, face, paid, credit in entries:
        seq += 1
        L.append(rec(240, [(1, 3, "001"), (4, 4, 1), (8, 1, "3"), (9, 5, seq), (14, 1, "T"), (16, 2, occ),
                           (38, 20, nosso), (59, 15, doc), (74, 8, "10032026"), (82, 15, face), (199, 15, 0)]))
        seq += 1
        L.append(rec(240, [(1, 3, "001"), (4, 4, 1), (8, 1, "3"), (9, 5, seq), (14, 1, "U"), (16, 2, occ),
                           (18, 15, 0), (33, 15, 0), (48, 15, 0), (63, 15, 0), (78, 15, paid), (93, 15, paid),
                           (108, 15, 0), (123, 15, 0), (138, 8, "14032026"), (146, 8, credit)]))
        total += face
    L.append(rec(240, [(1, 3, "001"), (4, 4, 1), (8, 1, "5"), (18, 6, seq + 2), (24, 6, len(entries)), (30, 17, total)]))
    L.append(rec(240, [(1, 3, "001"), (4, 4, "9999"), (8, 1, "9"), (18, 6, 1), (24, 6, len(L) + 1)]))
    return "\n".join(L) + "\n"

kind = sys.argv[1]
if kind == "itau":
    # F1 by nosso número, F2 by document, unmatched, F3 partial, entry for F4, a corrupt line (F4 again)
    out = file400("341", "160326", [
        ("00012345", "06", "X1", 123456, 123456, "170326"),
        ("00099999", "06", "F2", 9990, 9990, "170326"),
        ("00055555", "06", "NF9999", 4000, 4000, "170326"),
        ("00000777", "07", "F3", 15000, 5000, "170326"),
        ("00000888", "02", "F4", 2500, 0, "000000"),
        ("00000888", "06", "F4", 2500, 2500, "170326"),
    ], corrupt_at=7)
elif kind == "bradesco":
    out = file400("237", "180326", [("00000000888P", "06", "F4", 2500, 2500, "190326"),
                                    ("00000000999", "09", "F5", 7000, 0, "000000")])
elif kind in ("cut", "whole"):
    # F1 and F2 complete, then the transfer stopped in the middle of line 4
    out = file400("341", "160326", [("00012345", "06", "X1", 123456, 123456, "170326"),
                                    ("00099999", "06", "F2", 9990, 9990, "170326"),
                                    ("00000777", "07", "F3", 15000, 5000, "170326")])
    if kind == "cut":
        out = "\r\n".join(out.split("\r\n")[:3]) + "\r\n" + out.split("\r\n")[3][:150]
elif kind == "240":
    out = file240([("06", "00000000000000000999", "F5", 7000, 7000, "15032026")])
sys.stdout.write(out)
PY

cat >clientes.csv <<'CSV'
external_id,name
C1,Maria da Silva
CSV
cat >faturas.csv <<'CSV'
external_id,customer_external_id,amount,due_date,nosso_numero
F1,C1,"1.234,56",2026-03-10,12345
F2,C1,99.90,2026-03-10,
F3,C1,150.00,2026-03-10,777
F4,C1,25.00,2026-03-10,888
F5,C1,70.00,2026-03-10,999
CSV
regua --db t.db init >/dev/null
regua --db t.db import customers clientes.csv >/dev/null
regua --db t.db import invoices faturas.csv >/dev/null
/usr/bin/python3 gen.py itau >CN16036A.RET
/usr/bin/python3 gen.py bradesco >CB180301.RET
/usr/bin/python3 gen.py 240 >RET240.TXT

# help and usage
expect_exit "cnab --help" 0 regua cnab --help
contains "cnab help usage" out "Usage: regua cnab import FILE [--dry-run] [--accept-partial] [--json]"
expect_exit "cnab without import is usage" 2 regua --db t.db cnab
expect_exit "cnab import without file is usage" 2 regua --db t.db cnab import
regua --help >help.txt
contains "main help lists cnab" help.txt "  cnab "

# dry run: the report of a real import, nothing recorded
expect_exit "dry run exits 0" 0 regua --db t.db cnab import CN16036A.RET --dry-run --json
/usr/bin/python3 -c '
import json; o = json.load(open("out"))
assert o["dry_run"] is True and o["committed"] is False, o
assert o["recorded"]["count"] == 3 and o["recorded"]["amount_cents"] == 123456 + 9990 + 5000, o["recorded"]
' && ok "dry run reports what it would record" || not_ok "dry run reports what it would record" "$(head -c 300 out)"
regua --db t.db invoice show F1 --json >f1.json
/usr/bin/python3 -c 'import json; o = json.load(open("f1.json")); assert o["status"] == "open" and o["payments"] == []' \
    && ok "dry run changed nothing" || not_ok "dry run changed nothing" "$(head -c 300 f1.json)"

# the import
expect_exit "import exits 0 despite a corrupt line" 0 regua --db t.db cnab import CN16036A.RET --json
cp out itau.json
contains "stderr says the file was not clean" err "1 corrupt line(s) skipped"
/usr/bin/python3 -c '
import json; o = json.load(open("itau.json"))
assert o["layout"] == "CNAB 400" and o["bank"] == "341" and o["committed"] is True and o["clean"] is False
r = o["recorded"]
assert r["count"] == 3 and r["invoices_paid"] == 2 and r["partial"] == 1, r
assert [i["invoice"] for i in r["items"]] == ["F1", "F2", "F3"], r["items"]
assert r["items"][0]["reference"] == "cnab:%s:2" % o["hash"]
u = o["unmatched"]
assert u["count"] == 1 and u["items"][0]["line"] == 4 and u["items"][0]["nosso_numero"] == "00055555", u
assert o["other_occurrences"]["entry_confirmed"]["items"][0]["line"] == 6
c = o["corrupt_lines"]
assert c["count"] == 1 and c["items"][0]["line"] == 7 and c["items"][0]["field"] == "line", c
assert o["trailer"]["ok"] is True, o["trailer"]
' && ok "import JSON" || not_ok "import JSON" "$(head -c 600 itau.json)"
for inv in F1:paid F2:paid F3:open F4:open; do
    regua --db t.db invoice show "${inv%%:*}" --json >show.json
    /usr/bin/python3 -c "import json,sys; o=json.load(open('show.json')); sys.exit(o['status'] != '${inv#*:}')" \
        && ok "invoice ${inv%%:*} is ${inv#*:}" || not_ok "invoice ${inv%%:*} is ${inv#*:}" "$(head -c 300 show.json)"
done
regua --db t.db invoice show F1 --json >f1.json
/usr/bin/python3 -c '
import json; o = json.load(open("f1.json")); p = o["payments"]
assert len(p) == 1 and p[0]["source"] == "cnab" and p[0]["method"] == "boleto", p
assert p[0]["reference"].startswith("cnab:") and p[0]["reference"].endswith(":2"), p
assert o["events"][0]["type"] == "payment.received", o["events"]
' && ok "payment recorded from cnab" || not_ok "payment recorded from cnab" "$(head -c 600 f1.json)"

# again, renamed: nothing new
cp CN16036A.RET copia.ret
expect_exit "second import exits 0" 0 regua --db t.db cnab import copia.ret --json
/usr/bin/python3 -c '
import json; o = json.load(open("out"))
assert o["recorded"]["count"] == 0 and o["already_recorded"]["count"] == 3, o["already_recorded"]
' && ok "second import records nothing" || not_ok "second import records nothing" "$(head -c 400 out)"
regua --db t.db invoice show F3 --json >f3.json
/usr/bin/python3 -c 'import json; o = json.load(open("f3.json")); assert len(o["payments"]) == 1' \
    && ok "still one payment" || not_ok "still one payment" "$(head -c 300 f3.json)"

# the text report
expect_exit "text report" 0 regua --db t.db cnab import CN16036A.RET --dry-run
contains "text names the file" out "CN16036A.RET: CNAB 400, bank 341 (Itaú), generated 16/03/2026, 8 lines"
contains "text says dry run" out "DRY RUN: nothing was recorded"
contains "text lists unmatched" out "line 4: nosso número 00055555, document NF9999, R\$ 40,00 paid on 17/03/2026"
contains "text lists corrupt line" out "CN16036A.RET:7: line: expected 400 characters, found 399"
contains "text totals already" out "already recorded            3  R\$ 1.384,46"

# Bradesco (nosso número with its DV) and CNAB 240
expect_exit "bradesco import" 0 regua --db t.db cnab import CB180301.RET --json
/usr/bin/python3 -c '
import json; o = json.load(open("out"))
assert o["bank"] == "237" and o["clean"] is True
assert o["recorded"]["items"][0]["invoice"] == "F4", o["recorded"]
assert o["other_occurrences"]["write_off"]["items"][0]["invoice"] == "F5"
' && ok "bradesco JSON" || not_ok "bradesco JSON" "$(head -c 400 out)"
expect_exit "240 import" 0 regua --db t.db cnab import RET240.TXT
contains "240 text" out "RET240.TXT: CNAB 240, bank 001"
for inv in F4:paid F5:paid; do
    regua --db t.db invoice show "${inv%%:*}" --json >show.json
    /usr/bin/python3 -c "import json,sys; o=json.load(open('show.json')); sys.exit(o['status'] != '${inv#*:}')" \
        && ok "invoice ${inv%%:*} is ${inv#*:} after bradesco/240" || not_ok "invoice ${inv%%:*} is ${inv#*:}" "$(head -c 300 show.json)"
done

# a file cut mid-line (no trailer): nothing recorded unless --accept-partial
/usr/bin/python3 gen.py cut >cut.ret
regua --db cut.db init >/dev/null
regua --db cut.db import customers clientes.csv >/dev/null
regua --db cut.db import invoices faturas.csv >/dev/null
expect_exit "a cut file exits 1" 1 regua --db cut.db cnab import cut.ret --json
contains "a cut file names where the trailer should be" err "cut.ret:5: no trailer record ('9'): the file is incomplete (cut in transfer?); nothing was recorded"
/usr/bin/python3 -c '
import json; o = json.load(open("out"))
assert o["incomplete"] is True and o["committed"] is False, o
assert o["recorded"]["count"] == 2 and o["corrupt_lines"]["items"][0]["line"] == 4, o
' && ok "a cut file reports what it holds" || not_ok "a cut file reports what it holds" "$(head -c 400 out)"
regua --db cut.db invoice show F1 --json >f1.json
/usr/bin/python3 -c 'import json; o = json.load(open("f1.json")); assert o["status"] == "open" and o["payments"] == []' \
    && ok "a cut file records nothing" || not_ok "a cut file records nothing" "$(head -c 300 f1.json)"
expect_exit "a cut file, text" 1 regua --db cut.db cnab import cut.ret
contains "the text says it is incomplete" out "INCOMPLETE: the file has no readable trailer; nothing was recorded"
expect_exit "--accept-partial records a cut file" 0 regua --db cut.db cnab import cut.ret --accept-partial
contains "--accept-partial says what it did" out "its complete lines were recorded (--accept-partial)"
regua --db cut.db invoice show F1 --json >f1.json
/usr/bin/python3 -c 'import json; o = json.load(open("f1.json")); assert o["status"] == "paid"' \
    && ok "--accept-partial recorded the complete lines" || not_ok "--accept-partial recorded the complete lines" "$(head -c 300 f1.json)"
/usr/bin/python3 gen.py whole >whole.ret
expect_exit "the whole file after the cut one" 0 regua --db cut.db cnab import whole.ret --json
/usr/bin/python3 -c '
import json; o = json.load(open("out"))
assert o["recorded"]["count"] == 1 and o["recorded"]["items"][0]["invoice"] == "F3", o["recorded"]
assert o["duplicates"]["count"] == 2, o["duplicates"]
' && ok "the whole file adds only what the cut one missed" || not_ok "the whole file adds only what the cut one missed" "$(head -c 600 out)"

# whole-file failures
expect_exit "not a return file exits 1" 1 regua --db t.db cnab import faturas.csv
contains "not a return file says why" err "faturas.csv: line 1: not a CNAB retorno header"
expect_exit "missing file exits 3" 3 regua --db t.db cnab import nope.ret
contains "missing file named" err "nope.ret: cannot open"
