'use strict';
/*
 * The dashboard's Clientes, Mensagens, Réguas (and the forecast), Canais
 * and the CSV exports in a browser (docs/dashboard.md): an admin logs in,
 * every page loads with no console error or failed request and passes
 * axe-core, "Exportar CSV" downloads a file that parses (BOM, `;`, CRLF,
 * pt-BR numbers) with every row, a test send through a channel shows its
 * result, and a viewer's pages hold no form that changes anything (the
 * only POST is "Sair"). With $REGUA_SCREENSHOTS set, each page's screenshot
 * is written there (docs/screenshots/dashboard-*.png).
 */
const fs = require('fs');
const path = require('path');
const { ROOT, scratch, regua, sql, serve, browser, watch, axe, screenshotPath, poll } = require('./lib');

function project(dir) {
    fs.cpSync(path.join(ROOT, 'cadences'), path.join(dir, 'cadences'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'regua.yaml'), `database: regua.db
timezone: America/Sao_Paulo
company: {name: Exemplo Serviços Ltda, cnpj: 11.222.333/0001-81}
channels:
  email: {driver: log, path: outbox/email.jsonl, cost_per_message: 0.02}
  whatsapp: {driver: log, path: outbox/whatsapp.jsonl, cost_per_message: 0.05}
  sms: {driver: log, path: outbox/sms.jsonl, cost_per_message: 0.10}
  letter: {driver: log, path: outbox/letter.jsonl}
`);
    let customers = 'external_id,name,document,email,phone,whatsapp\n' +
        'C1,Maria José da Conceição,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,(11) 98765-4321\n' +
        'C2,João Ligação,111.444.777-35,joao@exemplo.com.br,(11) 3333-4444,\n';
    let invoices = 'external_id,customer_external_id,description,amount,due_date\n' +
        'F1,C1,Mensalidade de novembro,"1.234,56",2026-11-20\n' +
        'F2,C2,Serviço avulso,"80,00",2026-11-25\n';
    fs.writeFileSync(path.join(dir, 'clientes.csv'), customers);
    fs.writeFileSync(path.join(dir, 'faturas.csv'), invoices);
    regua(dir, ['init'], { REGUA_NOW: '2026-11-18T13:00:00Z' });
    regua(dir, ['import', 'customers', 'clientes.csv'], { REGUA_NOW: '2026-11-18T13:00:00Z' });
    regua(dir, ['import', 'invoices', 'faturas.csv'], { REGUA_NOW: '2026-11-18T13:00:00Z' });
    for (const day of ['2026-11-20', '2026-11-23', '2026-11-26', '2026-12-01']) {
        regua(dir, ['tick'], { REGUA_NOW: `${day}T13:00:00Z` });
    }
    regua(dir, ['optout', 'add', 'C1', '--channel', 'sms', '--source', 'atendimento'], { REGUA_NOW: '2026-11-27T15:00:00Z' });
    const user = (email, role, pw) => require('child_process').execFileSync(
        require('./lib').REGUA_BIN, ['user', 'create', email, '--role', role],
        { cwd: dir, input: `${pw}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    user('adriana@example.com', 'admin', 'senha-da-adriana');
    user('vitor@example.com', 'viewer', 'senha-do-vitor');
}

async function login(page, base, email, password) {
    await page.goto(`${base}/login`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

function parseCsv(buf) {
    if (buf[0] !== 0xef || buf[1] !== 0xbb || buf[2] !== 0xbf) throw new Error('no BOM');
    const text = buf.slice(3).toString('utf8');
    if (/[^\r]\n/.test(text)) throw new Error('a line not ended by CRLF');
    const rows = [];
    let row = [], field = '', quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
        } else if (c === '"') quoted = true;
        else if (c === ';') { row.push(field); field = ''; }
        else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
        else field += c;
    }
    return rows;
}

const PAGES = [
    ['/clientes', 'Clientes', 'dashboard-clientes.png'],
    ['/clientes/C1', 'Cliente Maria José da Conceição', 'dashboard-cliente.png'],
    ['/mensagens', 'Mensagens', 'dashboard-mensagens.png'],
    ['/reguas', 'Réguas', 'dashboard-reguas.png'],
    ['/reguas/previsao', 'Previsão dos próximos 30 dias', 'dashboard-previsao.png'],
    ['/canais', 'Canais', 'dashboard-canais.png'],
];

module.exports = async function (t) {
    const dir = scratch(t);
    project(dir);
    const env = { REGUA_NOW: '2026-12-02T13:00:00Z' };
    const base = await serve(t, dir, env);
    const b = await browser(t);

    /* ---- an admin ---- */
    const ctx = await b.newContext({ viewport: { width: 1280, height: 900 }, locale: 'pt-BR', acceptDownloads: true });
    const page = await ctx.newPage();
    const done = watch(t, page, 'admin pages');
    await login(page, base, 'adriana@example.com', 'senha-da-adriana');
    for (const [url, title, shot] of PAGES) {
        const res = await page.goto(`${base}${url}`);
        t.is(`${url} is 200`, res.status(), 200);
        t.is(`${url}: its title`, (await page.textContent('h1')).trim(), title);
        await axe(t, page, url);
        const p = screenshotPath(shot);
        if (p) await page.screenshot({ path: p, fullPage: true });
    }
    await page.goto(`${base}/clientes/C1`);
    t.ok('the customer page lists its opt-out', /atendimento/.test(await page.textContent('#optouts')));

    /* the CSV export of Mensagens, downloaded and parsed */
    await page.goto(`${base}/mensagens?canal=whatsapp`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Exportar CSV')]);
    t.ok('the export is named for today', /^mensagens-2026-12-02\.csv$/.test(download.suggestedFilename()),
        download.suggestedFilename());
    const file = path.join(dir, 'mensagens.csv');
    await download.saveAs(file);
    const rows = parseCsv(fs.readFileSync(file));
    t.is('the CSV has a header and every whatsapp message',
        rows.length - 1, Number(sql(dir, "SELECT count(*) FROM messages WHERE channel = 'whatsapp'")));
    t.is('... its columns', rows[0].slice(0, 5).join('|'), 'mensagem|planejada para|enviada em|canal|situação');
    t.ok('... every row is whatsapp, cost in pt-BR', rows.slice(1).every((r) => r[3] === 'whatsapp' && r[10] === '0,05'),
        JSON.stringify(rows.slice(1, 3)));

    /* the CSV export of Faturas */
    await page.goto(`${base}/faturas`);
    const [d2] = await Promise.all([page.waitForEvent('download'), page.click('text=Exportar CSV')]);
    const f2 = path.join(dir, 'faturas-export.csv');
    await d2.saveAs(f2);
    const inv = parseCsv(fs.readFileSync(f2));
    t.is('the Faturas export has every invoice', inv.length - 1, 2);
    t.ok('... with pt-BR amounts and dates', inv.some((r) => r[0] === 'F1' && r[5] === '1.234,56' && r[4] === '20/11/2026'),
        JSON.stringify(inv));

    /* a test send through the whatsapp channel (the log driver) */
    await page.goto(`${base}/canais`);
    await page.fill('#t-whatsapp', '(11) 91234-5678');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/canais/whatsapp/teste"] button')]);
    t.ok('the test send shows its result', /Mensagem de teste enviada pelo canal whatsapp para \+5511912345678/.test(
        await page.textContent('#resultado-teste')), await page.textContent('main'));
    t.ok('... and the channel wrote it', await poll(() => {
        const f = path.join(dir, 'outbox', 'whatsapp.jsonl');
        return fs.existsSync(f) && fs.readFileSync(f, 'utf8').includes('+5511912345678');
    }));
    await axe(t, page, '/canais after a test send');
    const shot = screenshotPath('dashboard-canais-teste.png');
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    done();
    await ctx.close();

    /* ---- a viewer: nothing that changes anything ---- */
    const vctx = await b.newContext({ viewport: { width: 1280, height: 900 }, locale: 'pt-BR' });
    const vpage = await vctx.newPage();
    const vdone = watch(t, vpage, 'viewer pages');
    await login(vpage, base, 'vitor@example.com', 'senha-do-vitor');
    for (const [url] of PAGES) {
        await vpage.goto(`${base}${url}`);
        const posts = await vpage.$$eval('form', (fs) => fs.filter((f) => f.method.toLowerCase() === 'post')
            .map((f) => f.getAttribute('action')));
        t.is(`${url}: the viewer's only POST form is Sair`, posts.join(','), '/logout');
        const buttons = await vpage.$$eval('button', (bs) => bs.map((b) => b.textContent.trim()));
        t.ok(`${url}: no button but Sair and the filters'`, buttons.every((x) => ['Sair', 'Filtrar', 'Ver período'].includes(x)),
            buttons.join(','));
    }
    vdone();
};
