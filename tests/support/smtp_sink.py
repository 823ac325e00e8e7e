#!/usr/bin/python3
"""smtp_sink — a real SMTP server on 127.0.0.1 for regua's tests and benches.

Built on Debian's python3-aiosmtpd. It listens on a free port (written to
--port-file once listening), stores every accepted message as NNNNNN.eml
(the bytes exactly as received, CRLF and all) plus NNNNNN.env (the EHLO
name, MAIL FROM, RCPT TO, AUTH login, TLS) in --dir, and exits on its own after
--lifetime seconds (or on SIGTERM).

Replies can be forced per recipient (fnmatch patterns, first match wins):
  --rcpt '*@bounce.test=550 5.1.1 Mailbox unavailable'   at RCPT TO
  --data '*@full.test=452 4.3.1 Insufficient storage'    after the message
  --mail 'noreply@*=550 5.7.1 Sender refused'            at MAIL FROM (by sender)
  --drop '*@cut.test[=N]' take the message (stored like any other) and close
                         the connection without a final reply, so the client
                         cannot know it was accepted (the first N only)
  --auth-fail N           answer the first N AUTH attempts 535 even when right
Options:
  --auth USER             require AUTH (PLAIN or LOGIN); the password is
                          read from the environment variable SINK_PASSWORD
  --auth-exclude MECH     do not offer MECH (e.g. PLAIN, to force LOGIN)
  --echo-auth             a hostile server: every AUTH fails with a 535 reply
                          quoting what the client sent (the PLAIN blobs, the
                          password and its base64)
  --cert PEM --key PEM    offer STARTTLS with this certificate
  --require-starttls      refuse MAIL before STARTTLS
  --implicit-tls          TLS from the first byte (smtps://); needs --cert
  --discard               count messages but write nothing (benchmarks)
  --delay-ms N            after storing a message, wait a random 0..N ms before
                          the 250 reply (the crash tests: a client killed then
                          leaves a message the server accepted)
"""
import argparse
import asyncio
import base64
import fnmatch
import logging
import os
import random
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def parse_rules(items):
    rules = []
    for item in items or []:
        pattern, sep, reply = item.partition("=")
        if not sep or len(reply) < 3 or not reply[:3].isdigit():
            sys.exit("smtp_sink: bad rule %r (want PATTERN=CODE text)" % item)
        rules.append((pattern.lower(), reply))
    return rules


def match(rules, address):
    a = address.lower()
    for pattern, reply in rules:
        if fnmatch.fnmatchcase(a, pattern):
            return reply
    return None


class Sink:
    def __init__(self, args):
        self.dir = args.dir
        self.discard = args.discard
        self.rcpt_rules = parse_rules(args.rcpt)
        self.data_rules = parse_rules(args.data)
        self.mail_rules = parse_rules(args.mail)
        self.drop = []  # [pattern, times left or None]
        for item in args.drop or []:
            pattern, sep, times = item.partition("=")
            self.drop.append([pattern.lower(), int(times) if sep else None])
        self.count = 0
        self.delay_ms = args.delay_ms

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = match(self.mail_rules, address)
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = match(self.rcpt_rules, address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            reply = match(self.data_rules, rcpt)
            if reply:
                return reply
        self.count += 1
        if not self.discard:
            base = os.path.join(self.dir, "%06d" % self.count)
            with open(base + ".eml.tmp", "wb") as f:
                f.write(envelope.original_content)
            env = "EHLO:%s\n" % session.host_name
            env += "MAIL FROM:%s\n" % envelope.mail_from
            env += "".join("RCPT TO:%s\n" % r for r in envelope.rcpt_tos)
            env += "AUTH:%s\n" % (session.auth_data or "")
            tls = session.ssl or server.transport.get_extra_info("ssl_object") is not None
            env += "TLS:%s\n" % ("yes" if tls else "no")
            with open(base + ".env.tmp", "w") as f:
                f.write(env)
            os.rename(base + ".env.tmp", base + ".env")
            os.rename(base + ".eml.tmp", base + ".eml")
        for rule in self.drop:
            if rule[1] != 0 and any(fnmatch.fnmatchcase(r.lower(), rule[0]) for r in envelope.rcpt_tos):
                if rule[1] is not None:
                    rule[1] -= 1
                server.transport.abort()  # accepted, and the client never hears so
                break
        if self.delay_ms:
            await asyncio.sleep(random.random() * self.delay_ms / 1000.0)
        return "250 2.0.0 Ok: queued as %d" % self.count


def main():
    # expected failures (untrusted certificates, AUTH without TLS) are the tests' business
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    p = argparse.ArgumentParser(description="SMTP sink for tests")
    p.add_argument("--dir", default=".")
    p.add_argument("--port-file", required=True)
    p.add_argument("--rcpt", action="append")
    p.add_argument("--data", action="append")
    p.add_argument("--mail", action="append")
    p.add_argument("--drop", action="append")
    p.add_argument("--auth")
    p.add_argument("--auth-fail", type=int, default=0)
    p.add_argument("--auth-exclude", action="append")
    p.add_argument("--echo-auth", action="store_true")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--discard", action="store_true")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=60.0)
    args = p.parse_args()

    sink = Sink(args)
    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)

    authenticator = None
    if args.auth:
        password = os.environ.get("SINK_PASSWORD", "").encode()
        user = args.auth.encode()

        fails = [args.auth_fail]

        def authenticator(server, session, envelope, mechanism, data):
            if args.echo_auth and isinstance(data, LoginPassword):
                b64 = lambda b: base64.b64encode(b).decode()
                u, pw = data.login, data.password
                echo = "535 5.7.8 rejected %s: %s %s pass %s %s" % (
                    mechanism, b64(u + b"\0" + u + b"\0" + pw), b64(b"\0" + u + b"\0" + pw),
                    pw.decode("utf-8", "replace"), b64(pw))
                return AuthResult(success=False, handled=False, message=echo)
            ok = isinstance(data, LoginPassword) and data.login == user and data.password == password
            if ok and fails[0] > 0:
                fails[0] -= 1
                ok = False
            return AuthResult(success=ok, handled=False, auth_data=args.auth if ok else None)

    def factory():
        return SMTP(
            sink,
            hostname="sink.test",
            tls_context=None if args.implicit_tls else tls,
            require_starttls=args.require_starttls,
            auth_required=bool(args.auth),
            auth_require_tls=False,
            authenticator=authenticator,
            auth_exclude_mechanism=args.auth_exclude,
            timeout=max(args.lifetime, 1.0),
        )

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(factory, "127.0.0.1", 0, ssl=tls if args.implicit_tls else None, backlog=256)
    )
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(args.port_file + ".tmp", args.port_file)

    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    loop.call_later(args.lifetime, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
