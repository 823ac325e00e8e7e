'use strict';
/*
 * What the browser tests share: the regua binary ($REGUA_BIN) in a scratch
 * project, `regua serve` on a free port, Debian's chromium driven by
 * playwright-core (never a downloaded browser), and the checks every page
 * gets — no console error, no failed request, no response >= 400 that the
 * test did not announce, and no serious or critical axe-core violation.
 *
 * A test file exports `async function (t)`; t.ok / t.is print "ok NAME" or
 * "not ok NAME: why" (tests/run.sh counts them, as for tests/e2e).
 */
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const http = require('http');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..');
const REGUA_BIN = process.env.REGUA_BIN || path.join(ROOT, 'build', 'regua');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

class T {
    constructor(file) {
        this.file = file;
        this.passed = 0;
        this.failed = 0;
        this.cleanups = [];
    }
    ok(name, cond, why) {
        if (cond) {
            this.passed++;
            console.log(`ok ${name}`);
        } else {
            this.failed++;
            console.log(`not ok ${name}: ${String(why === undefined ? 'false' : why).replace(/\s+/g, ' ').slice(0, 600)}`);
        }
        return !!cond;
    }
    is(name, got, want) {
        return this.ok(name, got === want, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
    defer(fn) {
        this.cleanups.push(fn);
    }
}

/* A scratch directory, removed at the end. */
function scratch(t) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regua-browser-'));
    t.defer(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
}

/* Runs regua in dir; returns its stdout (throws with stderr on failure). */
function regua(dir, args, env) {
    return execFileSync(REGUA_BIN, args, {
        cwd: dir,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
}

/* The first column of the first row of a query on dir/regua.db. */
function sql(dir, query) {
    return execFileSync('/usr/bin/python3', ['-c',
        'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print(r[0] if r else "")',
        path.join(dir, 'regua.db'), query], { encoding: 'utf8' }).trim();
}

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
        s.on('error', reject);
    });
}

function get(url) {
    return new Promise((resolve) => {
        const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode); });
        req.on('error', () => resolve(0));
    });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* `regua serve` in dir (no scheduler, no dispatcher); resolves to its base
 * URL once /healthz answers; stopped at the end of the test. */
async function serve(t, dir, env) {
    const port = await freePort();
    const log = fs.openSync(path.join(dir, 'serve.log'), 'a');
    const p = spawn(REGUA_BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--no-scheduler', '--no-dispatch'], {
        cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', log, log],
    });
    t.defer(() => new Promise((resolve) => {
        if (p.exitCode !== null) return resolve();
        p.on('exit', resolve);
        p.kill('SIGTERM');
    }));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
        if (await get(`${base}/healthz`) === 200) return base;
        await sleep(100);
    }
    throw new Error(`regua serve did not start: ${fs.readFileSync(path.join(dir, 'serve.log'), 'utf8')}`);
}

/* Debian's chromium, headless; closed at the end of the test. */
async function browser(t) {
    const b = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    t.defer(() => b.close());
    return b;
}

/* Watches a page: every console error, page error, failed request and
 * response >= 400 is a failure unless `allow` (a list of RegExps matched
 * against "STATUS URL" and console texts) announces it. Returns a check
 * function to call when the test is done with the page. */
function watch(t, page, name, allow = []) {
    const problems = [];
    const allowed = (s) => allow.some((re) => re.test(s));
    page.on('console', (m) => {
        if (m.type() === 'error' && !allowed(m.text())) problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (r) => {
        const why = r.failure() ? r.failure().errorText : '';
        /* a download's navigation is aborted by design */
        if (why !== 'net::ERR_ABORTED' || !/\.pdf$/.test(r.url())) problems.push(`request failed: ${r.url()} ${why}`);
    });
    page.on('response', (r) => {
        const s = `${r.status()} ${r.url()}`;
        if (r.status() >= 400 && !allowed(s)) problems.push(`response ${s}`);
    });
    return () => t.ok(`${name}: no console error, failed request or unexpected error status`, problems.length === 0,
        problems.join('; '));
}

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/* axe-core on the page as it is: no serious or critical violation. */
async function axe(t, page, name) {
    /* evaluated through the debugging protocol: the page's CSP allows no inline script */
    await page.evaluate(AXE);
    const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    t.ok(`${name}: axe-core finds no serious or critical violation`, bad.length === 0,
        bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; '));
    return res.violations;
}

/* Where screenshots go when $REGUA_SCREENSHOTS names a directory (how
 * docs/screenshots/ is made); null otherwise. */
function screenshotPath(name) {
    const dir = process.env.REGUA_SCREENSHOTS;
    return dir ? path.join(dir, name) : null;
}

async function poll(fn, ms = 5000) {
    const end = Date.now() + ms;
    let v;
    while (!(v = fn()) && Date.now() < end) await sleep(100);
    return v;
}

module.exports = { T, ROOT, REGUA_BIN, scratch, regua, sql, serve, browser, watch, axe, screenshotPath, poll, sleep };
