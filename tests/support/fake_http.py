#!/usr/bin/python3
"""A local fake of the HTTP providers regua's drivers talk to (a generic SMS
API and the WhatsApp Cloud API), for tests. It records every request as one
JSON line, answers like the provider would, and exits by itself.

  fake_http.py --port-file F --log F.jsonl [--rules F.json] [--timeout S] [--delay-ms N] [--no-dedup]

Answers: 2xx with a provider id by default. A request to a path ending in
/messages whose JSON body has "messaging_product" is a WhatsApp one:
{"messages":[{"id":"wamid.N"}]}; errors in Meta's {"error":{...}} shape.
Others get {"id":"sms-N"}.

Rules (a JSON list, from --rules or POST /_control {"rules":[...]}) change
the answer of requests whose raw body contains `match`:
  {"match": "5511900000001", "status": 400, "code": 131026, "message": "...",
   "times": 1, "retry_after": "2", "hang": 30}
`times` limits a rule to its first N matching requests; `sleep` delays the
answer that many seconds (a 2xx SMS is in the message list meanwhile); `until` (a file path) holds the answer, the
same way, until that file exists (at most the fake's --timeout), after appending the request's seq as a line to the
file PATH.arrived (so a test acts while the answer waits, then lets it go); `hang` holds the request that many seconds and
closes it without an answer; `echo` (a hostile provider) makes the error
message quote the bare values of the Authorization and X-API-TOKEN headers
(the token, the base64 of Basic auth), then every request header as
"Name: value".

Message list (Twilio's GET /2010-04-01/Accounts/SID/Messages.json?To=...):
a GET to a path ending in /Messages.json answers {"messages": [...]}, newest
first, with every SMS delivered so far ({"sid", "id", "to", "body",
"status"}: To/Body of a form body, to/text of a JSON one), filtered by the
To query parameter (same digits). A rule with "match": "GET /Messages.json"
changes that answer's status (e.g. 500).

Idempotency: a request with an Idempotency-Key header already answered with
2xx gets the same answer again and is logged with "replay": true, like a
provider that deduplicates. GET /_stats returns counts.

--no-dedup (the crash tests): a provider that de-duplicates nothing and
acts before it answers. Every complete request is a delivery with a new id,
logged (status 200) as soon as its body is read — before the --delay-ms
wait, so a client killed while waiting leaves a delivery it never heard
of. A request whose body was cut off (the client died while sending) is
logged with "status": 0, "cut": true and is no delivery. The log's "key"
is the Idempotency-Key header, else the body's biz_opaque_callback_data
(WhatsApp), else the body's "ref" field (a key-less provider's request
names its message there for the tests' counting only).
"""
import argparse
import json
import os
import random
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"n": 0, "rules": [], "seen": {}, "log": None, "delay_ms": 0, "dedup": True, "listed": []}


def digits(s):
    return "".join(c for c in (s or "") if c.isdigit())


def list_sms(raw, body, content_type, pid):
    """Keeps a delivered SMS for the message list."""
    to = text = None
    if isinstance(body, dict):
        to = body.get("to")
        text = body.get("text")
        if text is None and isinstance(body.get("contents"), list) and body["contents"]:
            text = body["contents"][0].get("text")
    elif "form" in (content_type or ""):
        q = urllib.parse.parse_qs(raw, keep_blank_values=True)
        to = (q.get("To") or [None])[0]
        text = (q.get("Body") or [None])[0]
    if to is None or text is None:
        return
    with LOCK:
        STATE["listed"].append({"sid": pid, "id": pid, "to": to, "body": text, "status": "queued"})


def log_line(rec):
    with LOCK:
        STATE["log"].write(json.dumps(rec, ensure_ascii=False) + "\n")
        STATE["log"].flush()


def pick_rule(raw):
    with LOCK:
        for r in STATE["rules"]:
            if r.get("match", "") in raw:
                if "times" in r:
                    if r["times"] <= 0:
                        continue
                    r["times"] -= 1
                return dict(r)
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes

    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, status, obj, extra=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path.endswith("/Messages.json"):
            rule = pick_rule("GET /Messages.json")
            if rule and rule.get("status", 200) >= 300:
                self.send(rule["status"], {"message": rule.get("message", "fake list error")})
                return
            want = digits((urllib.parse.parse_qs(query).get("To") or [""])[0])
            with LOCK:
                items = [dict(m) for m in reversed(STATE["listed"]) if not want or digits(m["to"]) == want]
            log_line({"seq": 0, "t": time.time(), "method": "GET", "path": self.path, "key": None,
                      "auth": self.headers.get("Authorization"), "listed": len(items)})
            self.send(200, {"messages": items, "page": 0, "page_size": len(items)})
            return
        if self.path == "/_stats":
            with LOCK:
                self.send(200, {"requests": STATE["n"], "keys": len(STATE["seen"])})
        else:
            self.send(404, {"error": "not found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode("utf-8", "replace")
        if self.path == "/_control":
            with LOCK:
                STATE["rules"] = json.loads(raw).get("rules", [])
            self.send(200, {"ok": True})
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        wa = self.path.endswith("/messages") and isinstance(body, dict) and "messaging_product" in body
        key = self.headers.get("Idempotency-Key")
        if key is None and isinstance(body, dict):
            key = body.get("biz_opaque_callback_data") or body.get("ref")
        with LOCK:
            STATE["n"] += 1
            seq = STATE["n"]
        rec = {"seq": seq, "t": time.time(), "method": self.command, "path": self.path, "key": key,
               "idempotency_header": self.headers.get("Idempotency-Key"),
               "auth": self.headers.get("Authorization"), "content_type": self.headers.get("Content-Type"),
               "body": raw, "json": body}
        if not STATE["dedup"]:
            self.deliver_at_once(rec, raw, n, wa, body, seq)
            return
        if STATE["delay_ms"]:
            time.sleep(random.random() * STATE["delay_ms"] / 1000.0)
        hk = self.headers.get("Idempotency-Key")
        if hk is not None:
            with LOCK:
                prev = STATE["seen"].get(hk)
            if prev is not None:
                rec.update(status=prev[0], replay=True, id=prev[2])
                log_line(rec)
                self.send(prev[0], prev[1])
                return
        rule = pick_rule(raw)
        if rule and rule.get("hang"):
            rec.update(status=0, replay=False, id=None, hang=True)
            log_line(rec)
            time.sleep(float(rule["hang"]))
            self.close_connection = True
            return
        status = rule.get("status", 200) if rule else 200
        listed = False
        if rule and (rule.get("sleep") or rule.get("until")):
            if 200 <= status < 300 and not wa:  # it acts before it answers: listed while the answer waits
                list_sms(raw, body, self.headers.get("Content-Type"), "sms-%d" % seq)
                listed = True
            if rule.get("until"):
                with LOCK:
                    with open(rule["until"] + ".arrived", "a") as f:
                        f.write("%d\n" % seq)
                while not os.path.exists(rule["until"]):
                    time.sleep(0.01)
            else:
                time.sleep(float(rule["sleep"]))
        extra = {}
        if rule and "retry_after" in rule:
            extra["Retry-After"] = str(rule["retry_after"])
        if 200 <= status < 300:
            pid = ("wamid.%d" if wa else "sms-%d") % seq
            if wa:
                to = body.get("to", "")
                obj = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                       "messages": [{"id": pid}]}
            else:
                obj = {"id": pid, "status": "accepted"}
                if not listed:
                    list_sms(raw, body, self.headers.get("Content-Type"), pid)
            if hk is not None:
                with LOCK:
                    STATE["seen"][hk] = (status, obj, pid)
        else:
            pid = None
            msg = rule.get("message", "fake error %d" % status)
            if rule.get("echo"):
                hdrs = "; ".join("%s: %s" % (k, v) for k, v in self.headers.items())
                bare = [v for k, v in self.headers.items() if k.lower() in ("authorization", "x-api-token")]
                bare = [v.split(" ", 1)[1] if " " in v else v for v in bare]
                msg = "%s: %s (you sent %s)" % (msg, " ".join(bare), hdrs)
            if wa:
                obj = {"error": {"message": msg, "type": "OAuthException", "code": rule.get("code", 100),
                                 "error_data": {"messaging_product": "whatsapp", "details": msg},
                                 "fbtrace_id": "fake"}}
            else:
                obj = {"error": msg, "code": rule.get("code", status)}
        rec.update(status=status, replay=False, id=pid)
        log_line(rec)
        self.send(status, obj, extra)


def deliver_at_once(self, rec, raw, length, wa, body, seq):
    """--no-dedup: a complete request is delivered (logged) before the answer waits."""
    if len(raw.encode("utf-8", "replace")) < length:
        rec.update(status=0, replay=False, id=None, cut=True)
        log_line(rec)
        self.close_connection = True
        return
    pid = ("wamid.%d" if wa else "sms-%d") % seq
    rec.update(status=200, replay=False, id=pid)
    log_line(rec)
    if not wa:
        list_sms(raw, body, self.headers.get("Content-Type"), pid)
    if STATE["delay_ms"]:
        time.sleep(random.random() * STATE["delay_ms"] / 1000.0)
    if wa:
        to = body.get("to", "")
        obj = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": pid}]}
    else:
        obj = {"id": pid, "status": "accepted"}
    try:
        self.send(200, obj)
    except OSError:
        pass  # the client is gone: the delivery stands


Handler.deliver_at_once = deliver_at_once


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # listen() backlog: bursts of new connections


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--rules")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--no-dedup", action="store_true")
    a = ap.parse_args()
    STATE["dedup"] = not a.no_dedup
    STATE["log"] = open(a.log, "a", encoding="utf-8")
    STATE["delay_ms"] = a.delay_ms
    if a.rules:
        with open(a.rules) as f:
            STATE["rules"] = json.load(f)
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    # bounded in time: exits on its own
    threading.Timer(a.timeout, lambda: os._exit(0)).start()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
