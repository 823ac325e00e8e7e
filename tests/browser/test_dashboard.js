'use strict';
/*
 * The team's dashboard in a browser (docs/dashboard.md), on a `regua demo`
 * database: log in with the login the demo printed; the Visão geral's KPIs
 * say what `regua report --json` says on the same database at the same
 * instant; a KPI leads to its page; an invoice's timeline; a task worked end
 * to end (claim, close with a promise, the promise and the task on the
 * invoice's timeline); a viewer sees no button that changes anything and
 * its forged POST is a 403; logout. Every page passes axe-core with no
 * console error or failed request. With $REGUA_SCREENSHOTS set, the pages'
 * screenshots are written there (docs/screenshots/, scripts/screenshots.sh).
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT, REGUA_BIN, scratch, regua, sql, serve, browser, watch, axe, screenshotPath } = require('./lib');

/* 2026-11-24 is a Tuesday: the 30 days are 26/10 to 24/11 */
const NOW = { REGUA_NOW: '2026-11-24T15:00:00Z' };

function project(dir) {
    fs.cpSync(path.join(ROOT, 'cadences'), path.join(dir, 'cadences'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'regua.yaml'), `database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl, cost_per_message: 0.02}
  whatsapp: {driver: log, path: outbox/whatsapp.jsonl, cost_per_message: 0.35}
  sms: {driver: log, path: outbox/sms.jsonl, cost_per_message: 0.12}
  letter: {driver: log, path: outbox/letter.jsonl, cost_per_message: 3.50}
`);
    const out = regua(dir, ['demo', '--customers', '80', '--no-serve'], NOW);
    const m = /log in as (demo@regua\.local) with the password ([A-Za-z0-9]+) /.exec(out);
    if (!m) throw new Error(`regua demo printed no login: ${out}`);
    execFileSync(REGUA_BIN, ['user', 'create', 'vitor@example.com', '--role', 'viewer'],
        { cwd: dir, env: { ...process.env, ...NOW }, input: 'senha-do-vitor\n', stdio: ['pipe', 'ignore', 'pipe'] });
    return { email: m[1], password: m[2] };
}

const report = (dir, name, args = []) => JSON.parse(regua(dir, ['report', name, ...args, '--json'], NOW));

/* "R$ 1.234,56" -> 123456 */
function cents(s) {
    const m = /^(-?)R\$\s([\d.]+),(\d\d)$/.exec(s.trim());
    if (!m) return NaN;
    const v = Number(m[2].replace(/\./g, '')) * 100 + Number(m[3]);
    return m[1] ? -v : v;
}
const count = (s) => Number(s.trim().replace(/\./g, ''));
const pct = (rate) => (rate === null ? '—' : `${(rate * 100).toFixed(2).replace('.', ',')}%`);

/* the overview whole; the long pages (50 rows, a timeline) as the window shows them */
async function shot(page, name, fullPage = false) {
    const p = screenshotPath(name);
    if (p) await page.screenshot({ path: p, fullPage });
}

async function login(page, base, email, password) {
    await page.goto(`${base}/login`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Senha').fill(password);
    await Promise.all([page.waitForURL(`${base}/`), page.getByRole('button', { name: 'Entrar' }).click()]);
}

module.exports = async function (t) {
    const dir = scratch(t);
    const demo = project(dir);
    const base = await serve(t, dir, NOW);
    const b = await browser(t);
    const ctx = await b.newContext({ viewport: { width: 1280, height: 900 }, locale: 'pt-BR' });
    const page = await ctx.newPage();
    const done = watch(t, page, 'admin pages');

    /* ---- log in with the demo's login ---- */
    await page.goto(`${base}/`);
    t.is('without a session / leads to the login page', new URL(page.url()).pathname, '/login');
    await axe(t, page, 'login page');
    await login(page, base, demo.email, demo.password);
    t.is("the demo's printed login opens the Visão geral", await page.locator('h1').innerText(), 'Visão geral');

    /* ---- the KPIs against regua report --json ---- */
    const aging = report(dir, 'aging');
    const recovery = report(dir, 'recovery');
    const channels = report(dir, 'channels');
    const promises = report(dir, 'promises');
    const tasks = JSON.parse(regua(dir, ['task', 'list', '--json'], NOW));
    const fig = async (id) => (await page.locator(`#kpi-${id} b`).innerText()).trim();
    const open = aging.buckets.reduce((s, x) => s + x.amount_cents, 0);
    t.ok('the demo has an open balance to show', open > 0);
    t.is('Saldo em aberto = aging (sum of the buckets)', cents(await fig('saldo-aberto')), open);
    t.is('... = recovery.open_balance', cents(await fig('saldo-aberto')), recovery.open_balance_cents);
    t.is('Saldo vencido = aging past due', cents(await fig('saldo-vencido')),
        aging.buckets.filter((x) => x.name !== 'not_due').reduce((s, x) => s + x.amount_cents, 0));
    t.is('Recuperado em 30 dias = recovery.total.recovered', cents(await fig('recuperado')),
        recovery.total.recovered.amount_cents);
    t.is('Taxa de recuperação = recovery.total.recovery_rate', await fig('taxa-recuperacao'),
        pct(recovery.total.recovery_rate));
    t.is('DSO = recovery.dso', await fig('dso'),
        recovery.dso === null ? '—' : `${recovery.dso.toFixed(1).replace('.', ',')} dias`);
    t.is('Mensagens enviadas = channels.total.sent', count(await fig('mensagens')), channels.total.sent);
    t.is('Tarefas abertas = regua task list', count(await fig('tarefas')), tasks.length);
    t.is('Promessas cumpridas / quebradas = promises', await fig('promessas'),
        `${promises.kept.count} / ${promises.broken.count}`);
    t.is('Acordos = promises.agreements.made', count(await fig('acordos')), promises.agreements.made.count);
    const costs = await page.locator('#canais tr.total td').nth(4).innerText();
    t.is("the channels' cost = channels.total.cost", cents(costs), channels.total.cost_cents);
    t.ok('the demo spent something to show a return', channels.total.cost_cents > 0);
    t.is('three charts, each an image', await page.locator('svg[role="img"]').count(), 3);
    for (const id of ['grafico-atraso', 'grafico-recuperacao', 'grafico-funil']) {
        const name = await page.locator(`#${id} svg`).getAttribute('aria-labelledby');
        t.is(`${id} is named by its title and desc`, name, `${id}-t ${id}-d`);
    }
    await page.getByText('Ver os números').first().click();
    const firstRow = await page.locator('#grafico-atraso-tabela tbody tr').first().innerText();
    t.ok("'Ver os números' shows the aging chart's table", firstRow.includes('A vencer') &&
        firstRow.includes(await page.locator('#grafico-atraso-tabela tbody tr td').first().innerText()), firstRow);
    t.is("... whose first amount is aging's not_due",
        cents(await page.locator('#grafico-atraso-tabela tbody tr td').first().innerText()), aging.buckets[0].amount_cents);
    await axe(t, page, 'Visão geral');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    t.ok('the Visão geral fits a 1280 px window', width <= 1280, `scrollWidth ${width}`);
    await page.locator('details').first().evaluate((d) => { d.open = false; });
    await shot(page, 'dashboard-overview.png', true);

    /* ---- a KPI leads to the page behind it ---- */
    await Promise.all([page.waitForURL(/\/faturas\?status=open$/), page.locator('#kpi-saldo-aberto').click()]);
    t.is("'Saldo em aberto' opens Faturas", await page.locator('h1').innerText(), 'Faturas');
    t.ok('... filtered to the open invoices', (await page.locator('tbody').innerText()).includes('em aberto'));
    await axe(t, page, 'Faturas');
    await shot(page, 'dashboard-faturas.png');

    /* ---- a task end to end ---- */
    await page.goto(`${base}/tarefas`);
    await axe(t, page, 'Tarefas');
    await shot(page, 'dashboard-tarefas.png');
    /* an open task on an invoice with something left to promise, not held by a dispute */
    const pick = sql(dir, "SELECT t.id FROM tasks t JOIN invoices i ON i.id = t.invoice_id WHERE t.status = 'open'" +
        " AND i.status = 'open' AND i.amount > i.paid AND NOT EXISTS (SELECT 1 FROM events e WHERE" +
        " e.invoice_id = i.id AND e.type = 'dispute.opened') ORDER BY t.id LIMIT 1");
    t.ok('the demo has an open task on an open invoice', pick !== '');
    await page.goto(`${base}/tarefas?depois=${Number(pick) - 1}`);
    const row = page.locator(`#tarefa-${pick}`);
    t.is('... with its Assumir button', await row.getByRole('button', { name: 'Assumir' }).count(), 1);
    const rowId = await row.getAttribute('id');
    const invoice = (await row.locator('a[href^="/faturas/"]').innerText()).trim();
    await Promise.all([page.waitForURL(/m=assumida/), row.getByRole('button', { name: 'Assumir' }).click()]);
    t.ok('Assumir: the flash says so', (await page.getByRole('status').innerText()).includes('Tarefa assumida'));
    const claimed = page.locator(`#${rowId}`);
    t.ok('the task is now claimed by the user', (await claimed.innerText()).includes('assumida por demo'),
        await claimed.innerText());
    await claimed.getByText('Concluir', { exact: true }).click();
    await claimed.getByLabel('Resultado').selectOption('promised');
    await claimed.getByLabel('Anotação').fill('Cliente vai pagar na sexta pelo PIX');
    await claimed.getByLabel('Promessa: pagar até').fill('2026-11-27');
    await claimed.getByLabel(/Valor prometido/).fill('12,34');
    await Promise.all([page.waitForURL(/m=promessa/), claimed.getByRole('button', { name: 'Concluir tarefa' }).click()]);
    t.ok('Concluir with a promise: the flash says so',
        (await page.getByRole('status').innerText()).includes('promessa de pagamento registrada'));
    t.is('the task left the queue', await page.locator(`#${rowId}`).count(), 0);

    /* ---- the invoice's timeline shows it ---- */
    await page.goto(`${base}/faturas/${encodeURIComponent(invoice)}`);
    t.ok("the invoice's page names it", (await page.locator('main').innerText()).includes(invoice));
    const promise = page.locator('ol.timeline li.promise').filter({ hasText: '27/11/2026' });
    t.is('the timeline shows the promise (27/11/2026)', await promise.count(), 1);
    t.ok('... of R$ 12,34', (await promise.innerText()).includes('R$ 12,34'), await promise.innerText());
    const task = page.locator('ol.timeline li.task').filter({ hasText: 'Cliente vai pagar na sexta pelo PIX' });
    t.is('the timeline shows the task done with its note', await task.count(), 1);
    t.ok('... its outcome and who', /concluída, com demo@regua\.local; resultado: promised/.test(await task.innerText()),
        await task.innerText());
    const items = await page.locator('ol.timeline li').count();
    t.ok('the timeline holds the messages and events too', items > 3, `${items} items`);
    await axe(t, page, 'invoice page');
    await shot(page, 'dashboard-fatura.png');

    /* ---- logout ---- */
    await Promise.all([page.waitForURL(`${base}/login`), page.getByRole('button', { name: 'Sair' }).click()]);
    await page.goto(`${base}/`);
    t.is('after Sair the session is over', new URL(page.url()).pathname, '/login');
    done();
    await ctx.close();

    /* ---- a viewer ---- */
    const vctx = await b.newContext({ viewport: { width: 1280, height: 900 }, locale: 'pt-BR' });
    const vpage = await vctx.newPage();
    const vdone = watch(t, vpage, 'viewer pages', [/^403 .*\/tarefas\/\d+\/assumir$/]);
    await login(vpage, base, 'vitor@example.com', 'senha-do-vitor');
    const buttons = async () => (await vpage.getByRole('button').allInnerTexts()).map((s) => s.trim());
    t.is("the viewer's Visão geral: no button but Sair", JSON.stringify(await buttons()), '["Sair"]');
    t.is("... the same figures", cents(await vpage.locator('#kpi-saldo-aberto b').innerText()), open);
    await vpage.goto(`${base}/tarefas`);
    t.is("the viewer's Tarefas: no button but Sair", JSON.stringify(await buttons()), '["Sair"]');
    t.is('... and no Concluir', await vpage.getByText('Concluir', { exact: true }).count(), 0);
    const taskId = (await vpage.locator('tbody tr[id^="tarefa-"]').first().getAttribute('id')).slice(7);
    const csrf = await vpage.locator('form[action="/logout"] input[name="csrf"]').getAttribute('value');
    const forged = await vpage.request.post(`${base}/tarefas/${taskId}/assumir`, { form: { csrf }, maxRedirects: 0 });
    t.is("a viewer's forged POST (with its own CSRF token) is a 403", forged.status(), 403);
    t.ok('... saying why', (await forged.text()).includes('Sem permissão'));
    const still = JSON.parse(regua(dir, ['task', 'list', '--json'], NOW)).find((x) => String(x.id) === taskId);
    t.is('... and the task is still open', still && still.status, 'open');
    vdone();
    await vctx.close();
};
