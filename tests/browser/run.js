'use strict';
/*
 * The browser tests' runner: runs each tests/browser/test_*.js (or the
 * files named on the command line) one after the other, printing their
 * "ok" / "not ok" lines and, last, "browser: N passed, M failed". Exit
 * status 1 when something failed or nothing ran. tests/run.sh (make test)
 * runs it after the unit and end-to-end tests.
 */
const fs = require('fs');
const path = require('path');
const { T } = require('./lib');

async function main() {
    const files = process.argv.length > 2
        ? process.argv.slice(2).map((f) => path.resolve(f))
        : fs.readdirSync(__dirname).filter((f) => /^test_.*\.js$/.test(f)).sort().map((f) => path.join(__dirname, f));
    let passed = 0;
    let failed = 0;
    for (const file of files) {
        const t = new T(path.basename(file));
        try {
            await require(file)(t);
        } catch (err) {
            t.ok(`${t.file} ran to the end`, false, err && err.stack ? err.stack : err);
        }
        for (const fn of t.cleanups.reverse()) {
            try { await fn(); } catch (err) { t.ok(`${t.file}: cleanup`, false, err); }
        }
        passed += t.passed;
        failed += t.failed;
    }
    console.log(`browser: ${passed} passed, ${failed} failed`);
    process.exit(failed || !passed ? 1 : 0);
}

main();
