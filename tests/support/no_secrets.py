#!/usr/bin/python3
"""no_secrets.py — fails when a file holds a secret in any form regua scrubs.

  no_secrets.py FILE... -- SECRET...

For each secret: the value, percent-encoded, and every part of its base64
(standard and URL-safe) that depends on the secret alone, at each of the
three byte alignments — so the secret is found alone in base64 and inside
any longer base64 text (an SMTP AUTH PLAIN blob, HTTP Basic user:pass).
Files are read as bytes (a SQLite database, its WAL). Exit 1 naming the
file and the form found; exit 0 when none is anywhere.
"""
import base64
import sys
import urllib.parse


def forms(secret):
    s = secret.encode()
    yield "value", s
    yield "percent-encoded", urllib.parse.quote(secret, safe="").encode()
    for a in range(3):
        i0, i1 = (8 * a + 5) // 6, 8 * (a + len(s)) // 6
        for name, enc in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            frag = enc(b"\0" * a + s)[i0:i1]
            if len(frag) >= 4:
                yield "%s at alignment %d" % (name, a), frag


def main():
    args = sys.argv[1:]
    if "--" not in args:
        sys.exit("usage: no_secrets.py FILE... -- SECRET...")
    k = args.index("--")
    files, secrets = args[:k], args[k + 1:]
    bad = 0
    for path in files:
        try:
            data = open(path, "rb").read()
        except OSError:
            continue
        for secret in secrets:
            for name, form in forms(secret):
                if form in data:
                    at = data.index(form)
                    print("%s: secret #%d (%s) found: ...%r..." % (path, secrets.index(secret) + 1, name,
                                                                 data[max(0, at - 60):at + len(form) + 20]))
                    bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
