#!/usr/bin/python3
"""crash_harness.py — SIGKILL regua at random moments of `tick` and
`dispatch`, then judge what the provider received against what regua
recorded. Used by tests/e2e/test_crash.sh.

  crash_harness.py run --regua BIN --dir DIR --n N [--budget 50]
                       [--max-sleep 0.15] [--seed N]
      Runs `regua tick` and `regua dispatch` in turn in DIR, each killed with
      SIGKILL after a random 0.02..--max-sleep s unless it ended first, until
      the work is done (N messages planned, none queued or sending) or
      --budget seconds passed. Only kills while work remained count. Then
      recovers with up to 10 uninterrupted `regua dispatch` runs, each 10
      minutes later on the clock (REGUA_NOW must be set: business time is
      fixed). Writes DIR/crash.json: kills (while work remained),
      kills_in_flight (those after which leases were left behind), runs,
      seconds, left (messages still queued or sending), seed.

  crash_harness.py check --name NAME --dir DIR --n N --kind http|whatsapp|smtp
                         --deliveries FAKE.jsonl|SINK_DIR --policy resend|review
                         [--max-in-flight 4] [--min-kills 20] [--lookup]
      Prints one "ok NAME: ..." or "not ok NAME: ...: why" line per assertion
      (tests/run.sh counts them) and a summary line on stderr:
        - the run killed regua at least --min-kills times while work remained;
        - all N messages exist and none is left queued or sending;
        - 0 lost: no message recorded `failed` unless the provider refused it
          (the fakes here accept everything), none `sent` that the provider
          never received;
        - no message `failed` that the provider accepted;
        - every `sent` message carries an id the provider gave it;
        - policy resend: no message `uncertain`, and every duplicate delivery
          of a message carries the same key (http: Idempotency-Key) or
          Message-ID (smtp) as the first;
          policy review: no duplicate delivery at all, at most
          kills x max_in_flight messages `uncertain`, each with an open
          `review` task;
        - --lookup (a review channel with lookup_url, the fake's message
          list): every `uncertain` message the provider did receive was
          received after the dispatcher last asked the list for its number
          (else the lookup should have found it and recorded it `sent`).
Deliveries are what the provider accepted: for http and whatsapp the fake's
(--no-dedup) log lines with status 200, grouped by the message they name
(its key: header, biz_opaque_callback_data or the body's "ref"); for smtp
the sink's .eml files, by X-Regua-Idempotency-Key.
"""
import argparse
import datetime
import email
import email.policy
import glob
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse

FINAL = ("sent", "delivered", "read", "failed", "uncertain", "cancelled", "suppressed")


def db_rows(path, sql):
    con = sqlite3.connect(path, timeout=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def pending(path):
    """(messages, queued, sending); Nones before the database has them"""
    if not os.path.exists(path):
        return None, None, None
    try:
        (n, q, s), = db_rows(path, "select count(*), sum(status = 'queued'), sum(status = 'sending') from messages")
    except sqlite3.Error:
        return None, None, None
    return n, q or 0, s or 0


def shifted(now, minutes):
    t = datetime.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def run(a):
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    db = os.path.join(a.dir, "regua.db")
    now = os.environ.get("REGUA_NOW")
    if not now:
        sys.exit("crash_harness: set REGUA_NOW")
    log = open(os.path.join(a.dir, "crash.log"), "ab")
    kills = kills_in_flight = runs = 0
    t0 = time.monotonic()
    left = None
    while time.monotonic() - t0 < a.budget:
        cmd = "tick" if runs % 2 == 0 else "dispatch"
        p = subprocess.Popen([a.regua, cmd], cwd=a.dir, stdout=log, stderr=log)
        try:
            p.wait(timeout=rng.uniform(0.02, a.max_sleep))
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait()
            kills += 1
            n, q, s = pending(db)
            if s:
                kills_in_flight += 1
        runs += 1
        n, q, s = pending(db)
        left = None if q is None else q + s
        if n == a.n and left == 0:
            break
    # recovery: later on the clock, nobody killed
    for i in range(10):
        env = dict(os.environ, REGUA_NOW=shifted(now, 10 * (i + 1)))
        subprocess.run([a.regua, "tick" if i == 0 else "dispatch"], cwd=a.dir, stdout=log, stderr=log, env=env)
        n, q, s = pending(db)
        left = None if q is None else q + s
        if left == 0:
            break
    out = {"kills": kills, "kills_in_flight": kills_in_flight, "runs": runs,
           "seconds": round(time.monotonic() - t0, 1), "left": left, "seed": seed}
    with open(os.path.join(a.dir, "crash.json"), "w") as f:
        json.dump(out, f)
    print(json.dumps(out), file=sys.stderr)


def digits(s):
    return "".join(c for c in (s or "") if c.isdigit())


def http_lookups(path):
    """{recipient digits: [times the message list was asked about it]}"""
    asked = {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        if r.get("method") == "GET" and "/Messages.json" in (r.get("path") or ""):
            q = urllib.parse.parse_qs(r["path"].partition("?")[2])
            asked.setdefault(digits((q.get("To") or [""])[0]), []).append(r["t"])
    return asked


def http_deliveries(path):
    """{message key: [(provider id, key sent, recipient, time)]} and {key: refusals}"""
    got, refused = {}, {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        j = r.get("json") if isinstance(r.get("json"), dict) else {}
        ident = r.get("key")
        if ident is None:
            continue
        if r.get("status") == 200:
            got.setdefault(ident, []).append((r.get("id"), r.get("idempotency_header"), j.get("to"), r.get("t")))
        elif r.get("status", 0) >= 400:
            refused[ident] = refused.get(ident, 0) + 1
    return got, refused


def smtp_deliveries(d):
    got = {}
    for p in sorted(glob.glob(os.path.join(d, "*.eml"))):
        with open(p, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.compat32)
        key = (m.get("X-Regua-Idempotency-Key") or "").strip()
        mid = (m.get("Message-ID") or "").strip()
        got.setdefault(key, []).append((mid, key, (m.get("To") or "").strip()))
    return got, {}


def check(a):
    name = a.name
    results = []

    def judge(what, bad, detail=""):
        if bad:
            results.append("not ok %s: %s: %s" % (name, what, bad if isinstance(bad, str) else detail))
        else:
            results.append("ok %s: %s" % (name, what))

    crash = json.load(open(os.path.join(a.dir, "crash.json")))
    rows = db_rows(os.path.join(a.dir, "regua.db"),
                   "select idempotency_key, status, coalesce(provider_id, ''), coalesce(reason, '') from messages")
    msgs = {k: (st, pid, why) for k, st, pid, why in rows}
    got, refused = (smtp_deliveries(a.deliveries) if a.kind == "smtp" else http_deliveries(a.deliveries))
    by_status = {}
    for st, _, _ in msgs.values():
        by_status[st] = by_status.get(st, 0) + 1
    deliveries = sum(len(v) for v in got.values())
    dups = {k: v for k, v in got.items() if len(v) > 1}
    extra = sum(len(v) - 1 for v in dups.values())

    judge("killed at least %d times while work remained" % a.min_kills,
          crash["kills"] < a.min_kills and "only %d kills in %d runs" % (crash["kills"], crash["runs"]))
    judge("all %d messages planned" % a.n, len(msgs) != a.n and "%d messages" % len(msgs))
    nonfinal = sorted(k for k, (st, _, _) in msgs.items() if st not in FINAL)
    judge("none left non-final", nonfinal and "%d left (%s): %s" % (
        len(nonfinal), ", ".join(sorted({msgs[k][0] for k in nonfinal})), nonfinal[:3]))
    lost_failed = sorted(k for k, (st, _, _) in msgs.items() if st == "failed" and k not in got and not refused.get(k))
    phantom = sorted(k for k, (st, _, _) in msgs.items() if st in ("sent", "delivered", "read") and k not in got)
    judge("0 lost", (lost_failed or phantom) and "%d failed though the provider never refused them (e.g. %s: %s);"
          " %d recorded sent that the provider never received %s" % (
              len(lost_failed), lost_failed[:1], msgs[lost_failed[0]][2] if lost_failed else "",
              len(phantom), phantom[:3]))
    failed_accepted = sorted(k for k, (st, _, _) in msgs.items() if st == "failed" and k in got)
    judge("no message failed that the provider accepted", failed_accepted and "%d (e.g. %s: %s)" % (
        len(failed_accepted), failed_accepted[0], msgs[failed_accepted[0]][2]))
    wrong_id = sorted(k for k, (st, pid, _) in msgs.items()
                      if st in ("sent", "delivered", "read") and k in got and pid not in {d[0] for d in got[k]})
    judge("every sent message carries an id the provider gave it", wrong_id and "%d (e.g. %s: %r not in %r)" % (
        len(wrong_id), wrong_id[0], msgs[wrong_id[0]][1], [d[0] for d in got[wrong_id[0]]]))
    uncertain = by_status.get("uncertain", 0)
    if a.policy == "resend":
        judge("on_uncertain resend: no message left uncertain", uncertain and "%d uncertain" % uncertain)
        if a.kind == "smtp":
            differ = sorted(k for k, v in dups.items() if len({d[0] for d in v}) != 1 or len({d[2] for d in v}) != 1)
            what = "every duplicate delivery carries the same Message-ID"
        else:
            differ = sorted(k for k, v in dups.items() if len({d[1] for d in v}) != 1 or None in {d[1] for d in v}
                            or len({d[2] for d in v}) != 1)
            what = "every duplicate delivery carries the same Idempotency-Key"
        judge(what, differ and "%d messages (e.g. %s: %r)" % (len(differ), differ[0], dups[differ[0]]))
    else:
        judge("on_uncertain review: no message delivered twice", dups and "%d messages (e.g. %s: %r)" % (
            len(dups), sorted(dups)[0], dups[sorted(dups)[0]]))
        bound = crash["kills"] * a.max_in_flight
        judge("at most kills x max_in_flight messages uncertain", uncertain > bound and "%d uncertain > %d" % (
            uncertain, bound))
        unseen = [k for k, in db_rows(os.path.join(a.dir, "regua.db"),
                                      "select m.idempotency_key from messages m where m.status = 'uncertain' and not"
                                      " exists (select 1 from tasks t where t.message_id = m.id and t.kind = 'review'"
                                      " and t.status in ('open', 'claimed'))")]
        judge("every uncertain message has an open review task", unseen and "%d without (e.g. %s)" % (
            len(unseen), unseen[0]))
    reconciled = sum(1 for _, _, why in msgs.values() if "reconciled by lookup" in why)
    if a.lookup:
        asked = http_lookups(a.deliveries)
        missed = []
        for k, (st, _, _) in msgs.items():
            if st != "uncertain" or k not in got:
                continue
            first = min(d[3] for d in got[k])
            if not any(t < first for t in asked.get(digits(got[k][0][2]), [])):
                missed.append(k)
        judge("lookup: every uncertain message the provider has was received after the list was asked",
              missed and "%d (e.g. %s: %s)" % (len(missed), missed[0], msgs[missed[0]][2]))
    print("\n".join(results))
    print("crash %s: %d kills (%d with messages in flight), %d runs, %.1f s; %d messages: %s; %d deliveries, "
          "%d messages delivered more than once (%d extra deliveries), %d reconciled by lookup, seed %d" % (
              name, crash["kills"], crash["kills_in_flight"], crash["runs"], crash["seconds"], len(msgs),
              ", ".join("%s %d" % kv for kv in sorted(by_status.items())), deliveries, len(dups), extra,
              reconciled, crash["seed"]), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--regua", required=True)
    r.add_argument("--dir", required=True)
    r.add_argument("--n", type=int, required=True)
    r.add_argument("--budget", type=float, default=50)
    r.add_argument("--max-sleep", type=float, default=0.15)
    r.add_argument("--seed", type=int)
    c = sub.add_parser("check")
    c.add_argument("--name", required=True)
    c.add_argument("--dir", required=True)
    c.add_argument("--n", type=int, required=True)
    c.add_argument("--kind", choices=["http", "whatsapp", "smtp"], required=True)
    c.add_argument("--deliveries", required=True)
    c.add_argument("--policy", choices=["resend", "review"], required=True)
    c.add_argument("--max-in-flight", type=int, default=4)
    c.add_argument("--min-kills", type=int, default=20)
    c.add_argument("--lookup", action="store_true")
    a = ap.parse_args()
    run(a) if a.cmd == "run" else check(a)


if __name__ == "__main__":
    main()
