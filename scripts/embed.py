#!/usr/bin/python3
"""Embeds a JSON file in the binary: writes a C file defining
`const char NAME[]` (the file's bytes, NUL-terminated) and
`const size_t NAME_len`. The file must parse as JSON, without duplicate
keys: a document that does not parse fails the build, not a request.

Usage: embed.py NAME IN.json OUT.c   (the Makefile: docs/openapi.json)
"""
import json
import os
import sys


def no_duplicates(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise ValueError(f"duplicate key {k!r}")
        seen.add(k)
    return dict(pairs)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: embed.py NAME IN.json OUT.c")
    name, src, out = sys.argv[1:]
    data = open(src, "rb").read()
    try:
        json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as err:
        sys.exit(f"{src}: not valid JSON: {err}")
    lines = [f"/* generated from {src} by scripts/embed.py: do not edit */",
             "#include <stddef.h>", "",
             f"extern const char {name}[];", f"extern const size_t {name}_len;", "",
             f"const char {name}[] ="]
    for line in data.decode("utf-8").splitlines(keepends=True):
        esc = "".join(c if c.isascii() and c.isprintable() and c not in '"\\?' else
                      "".join(f"\\{b:03o}" for b in c.encode("utf-8")) for c in line)
        lines.append(f'    "{esc}"')
    lines[-1] += ";" if len(lines) > 7 else ""
    if len(lines) == 7:
        lines.append('    "";')
    lines += [f"const size_t {name}_len = sizeof {name} - 1;", ""]
    with open(out + ".tmp", "w") as f:
        f.write("\n".join(lines))
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()
