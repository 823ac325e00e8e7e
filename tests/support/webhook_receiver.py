#!/usr/bin/python3
"""A receiver of regua's outgoing webhooks for the end-to-end tests.

    webhook_receiver.py PORT LOG [--status 500,200] [--hold PATH]

Verifies each POST as docs/api.md tells a receiver to: Regua-Signature
"t=UNIX_SECONDS,v1=HEX" where HEX is HMAC-SHA256(secret, t + "." + body),
compared in constant time, t not older than 5 minutes. The secret is the
environment variable WEBHOOK_SECRET. Appends one JSON line per request to
LOG: {"path", "content_type", "signature_ok", "why", "id", "type", "body",
"signature" (the header), "raw" (the body bytes, base64)}.
--status: the answers in order (the last one repeats; default 200).
--hold PATH: the first request is logged, then its answer waits until
PATH exists (a test kills the sender meanwhile).
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG = int(sys.argv[1]), sys.argv[2]
STATUSES, HOLD = [200], None
args = sys.argv[3:]
while args:
    if args[0] == "--status":
        STATUSES = [int(x) for x in args[1].split(",")]
    elif args[0] == "--hold":
        HOLD = args[1]
    args = args[2:]
SECRET = os.environ["WEBHOOK_SECRET"].encode()
seen = [0]


def verify(header, body):
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t, v1 = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit():
        return False, "no t"
    if abs(time.time() - int(t)) > 300:
        return False, "t older than 5 minutes"
    want = hmac.new(SECRET, t.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, v1):
        return False, "bad v1"
    return True, ""


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):  # readiness: the tests wait for it
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ready")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ok, why = verify(self.headers.get("Regua-Signature", ""), body)
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        n = seen[0]
        seen[0] += 1
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                "signature_ok": ok, "why": why, "id": doc.get("id"), "type": doc.get("type"),
                                "body": doc, "signature": self.headers.get("Regua-Signature", ""),
                                "raw": base64.b64encode(body).decode()}) + "\n")
        if HOLD and n == 0:
            while not os.path.exists(HOLD):
                time.sleep(0.05)
        status = STATUSES[min(n, len(STATUSES) - 1)]
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver says no")
        except OSError:
            pass  # the sender is gone (killed while the answer was held)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
