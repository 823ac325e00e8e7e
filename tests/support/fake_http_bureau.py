#!/usr/bin/python3
"""A fake credit-bureau integration for the tests (127.0.0.1 only).

Usage: fake_http_bureau.py PORT_FILE LOG_FILE MODE_FILE [SECONDS]

Listens on a free port of 127.0.0.1 and writes the port to PORT_FILE.
Every POST is checked: the X-Regua-Signature header must be
"sha256=" + hex HMAC-SHA256(body) with the secret in $BUREAU_SECRET.
Each request is appended to LOG_FILE as one JSON line:
  {"path", "signature_ok", "idempotency_key", "content_type", "body"}
The answer depends on the first word of MODE_FILE, read at each request:
  ok    -> 200 {"id": "NEG-<n>"}     (n counts the accepted requests)
  fail  -> 503 {"error": "indisponível"}
  bad   -> 422 {"error": "dados inválidos"}
  echo  -> 400 quoting the secret, its base64 and an Authorization header
           (a hostile integration: the secret must not reach regua's texts)
A request with a wrong signature gets 401. The server exits on its own
after SECONDS (default 60).
"""
import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

port_file, log_file, mode_file = sys.argv[1], sys.argv[2], sys.argv[3]
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
secret = os.environ.get("BUREAU_SECRET", "").encode()
accepted = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):  # keep the test output quiet
        pass

    def answer(self, status, obj):
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        global accepted
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Regua-Signature", "")
        ok = hmac.compare_digest(want, got)
        try:
            mode = open(mode_file).read().split()[0]
        except (OSError, IndexError):
            mode = "ok"
        with lock:
            with open(log_file, "a") as f:
                f.write(json.dumps({
                    "path": self.path,
                    "signature_ok": ok,
                    "idempotency_key": self.headers.get("Idempotency-Key"),
                    "content_type": self.headers.get("Content-Type"),
                    "body": body.decode("utf-8", "replace"),
                }) + "\n")
            if not ok:
                self.answer(401, {"error": "assinatura inválida"})
            elif mode == "fail":
                self.answer(503, {"error": "indisponível"})
            elif mode == "bad":
                self.answer(422, {"error": "dados inválidos"})
            elif mode == "echo":
                import base64
                self.answer(400, {"error": "segredo %s (%s) Authorization: Bearer %s" % (
                    secret.decode(), base64.b64encode(secret).decode(), secret.decode())})
            else:
                accepted += 1
                self.answer(200, {"id": "NEG-%d" % accepted})


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
threading.Timer(seconds, server.shutdown).start()
server.serve_forever()
