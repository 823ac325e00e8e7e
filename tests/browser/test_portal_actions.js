'use strict';
/*
 * What the customer does on the portal page, in a browser on a phone
 * (docs/portal.md, "What the customer can do"): promise a date (a date
 * beyond the bound is refused next to the field; then promise.made, and
 * after the tick the firm step is held, as `regua invoice show` says),
 * accept an offer (offer.accepted), extend a due date (the page shows the
 * new date and the reissued boleto; invoice.extended), contest an invoice
 * (the dispute's hold and the review task), opt out of WhatsApp (the
 * opt-out ledger, source portal). Every page passes axe-core and logs no
 * console error or failed request.
 */
const fs = require('fs');
const path = require('path');
const { scratch, regua, sql, serve, browser, watch, axe } = require('./lib');

const SECRET = '0123456789abcdef0123';

function project(dir) {
    fs.mkdirSync(path.join(dir, 'cadences'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'regua.yaml'), `database: regua.db
timezone: America/Sao_Paulo
public_url: https://cobranca.exemplo.com.br
company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81, phone: "(11) 4000-1234"}
channels:
  email: {driver: log, path: outbox/email.jsonl}
  whatsapp: {driver: log, path: outbox/whatsapp.jsonl}
`);
    fs.writeFileSync(path.join(dir, 'cadences', 't.yaml'), `cadence: t
match: {priority: 1}
window: {weekdays: "08:00-20:00", saturday: "08:00-14:00", sunday: closed, holidays: closed}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - id: oferta
    at: D+4
    send: {channels: [email], template: oferta}
    offer: {waive_interest: true, waive_fine: true, discount_pct: 10, valid_days: 3}
  - {id: ligar, at: D+10, action: task, task: {kind: call}}
triggers:
  - {id: promessa, on: promise.made, pause: [ligar], pause_grace_days: 1}
`);
    fs.writeFileSync(path.join(dir, 'templates', 'oferta.email'),
        'Subject: Proposta\n\nPague {{offer.amount}}.\n{{company.name}} {{company.cnpj}}\n');
    const enc = (due) => JSON.parse(regua(dir, ['boleto', 'encode', '--bank', '341', '--due', due, '--amount',
        '100,00', '--agencia', '57', '--conta', '12345', '--carteira', '109', '--nosso-numero', '12345678', '--json']));
    fs.writeFileSync(path.join(dir, 'c.csv'), 'external_id;name;document;email;whatsapp\n' +
        'C1;Ana Souza;529.982.247-25;ana@exemplo.com.br;+5511987654321\n');
    fs.writeFileSync(path.join(dir, 'f.csv'),
        'external_id,customer_external_id,description,amount,due_date,boleto_bank,linha_digitavel\n' +
        'F1,C1,Mensalidade de novembro,100.00,2026-11-23,,\n' +
        `F2,C1,Taxa de instalação,100.00,2026-11-26,341,${enc('2026-11-26').linha_digitavel}\n` +
        'F3,C1,Serviço avulso,50.00,2026-11-25,,\n');
    const env = { REGUA_NOW: '2026-11-27T12:00:00Z', REGUA_SECRET: SECRET };
    regua(dir, ['import', 'customers', 'c.csv'], env);
    regua(dir, ['import', 'invoices', 'f.csv'], env);
    regua(dir, ['tick'], env); /* F1 at D+4: its offer */
    return { extended: enc('2026-12-02').linha_digitavel };
}

module.exports = async function (t) {
    const dir = scratch(t);
    const want = project(dir);
    const now = { REGUA_NOW: '2026-11-28T15:00:00Z', REGUA_SECRET: SECRET };
    const link = regua(dir, ['portal', 'link', 'C1'], now);
    const base = await serve(t, dir, now);
    const url = link.replace('https://cobranca.exemplo.com.br', base);
    const b = await browser(t);
    const ctx = await b.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'pt-BR' });
    const page = await ctx.newPage();
    const done = watch(t, page, 'portal actions');
    await page.goto(url);
    const card = (id) => page.locator('section.card', { hasText: new RegExp(`Fatura ${id} ·`) });
    /* a card's controls, in order: its buttons and links, and the <summary> of each folded form */
    const controls = async (id) => (await card(id).locator('summary, a.btn, button:not(details button)').allInnerTexts())
        .map((x) => x.trim());
    const buttons = async () => JSON.stringify({ F1: await controls('F1'), F2: await controls('F2'), F3: await controls('F3') });
    t.is('before anything: every invoice offers what it may', await buttons(), JSON.stringify({
        F1: ['Aceitar oferta', 'Prometer pagamento', 'Prorrogar vencimento', 'Contestar cobrança'],
        F2: ['Baixar boleto (PDF)', 'Prometer pagamento', 'Prorrogar vencimento', 'Contestar cobrança'],
        F3: ['Prometer pagamento', 'Prorrogar vencimento', 'Contestar cobrança'],
    }));

    /* ---- Prometer pagamento: refused beyond the bound, then accepted ---- */
    await card('F1').locator('summary', { hasText: 'Prometer pagamento' }).click();
    const date = card('F1').getByLabel(/Data em que vou pagar/);
    t.is('the promise date is bounded (max = today + 10 days)', await date.getAttribute('max'), '2026-12-08');
    /* past the browser's own check: the server's refusal */
    await date.evaluate((el) => { el.removeAttribute('max'); el.value = '2026-12-20'; });
    await card('F1').getByRole('button', { name: 'Prometer pagamento' }).click();
    await page.waitForURL(/m=promessa-data/);
    const err = card('F1').locator('.field-err');
    t.is('the error is shown next to the field, in pt-BR', (await err.innerText()).trim(),
        'Escolha uma data de hoje até 08/12/2026.');
    t.is('... and the field is marked invalid', await card('F1').getByLabel(/Data em que vou pagar/).getAttribute('aria-invalid'), 'true');
    await axe(t, page, 'page with a field error');
    t.is('no promise from the refused date', sql(dir, 'SELECT count(*) FROM promises'), '0');
    await card('F1').getByLabel(/Data em que vou pagar/).fill('2026-12-03');
    await card('F1').getByRole('button', { name: 'Prometer pagamento' }).click();
    await page.waitForURL(/m=promessa&/);
    t.ok('the page confirms the promise', (await page.locator('.flash').innerText()).includes('Promessa registrada'));
    t.is('promise.made recorded (source portal)',
        sql(dir, "SELECT count(*) FROM events WHERE type='promise.made' AND source='portal'"), '1');
    t.ok('F1 says what was promised', (await card('F1').innerText()).includes('Pagamento prometido para 03/12/2026.'));
    t.is('after the promise: F1 offers no second promise (one pending at a time), the rest unchanged', await buttons(), JSON.stringify({
        F1: ['Aceitar oferta', 'Prorrogar vencimento', 'Contestar cobrança'],
        F2: ['Baixar boleto (PDF)', 'Prometer pagamento', 'Prorrogar vencimento', 'Contestar cobrança'],
        F3: ['Prometer pagamento', 'Prorrogar vencimento', 'Contestar cobrança'],
    }));

    /* ---- Aceitar oferta ---- */
    t.ok("F1's offer is shown", (await card('F1').innerText()).includes('Valor com a oferta'));
    await card('F1').getByRole('button', { name: 'Aceitar oferta' }).click();
    await page.waitForURL(/m=oferta&/);
    t.ok('the page confirms the offer', (await page.locator('.flash').innerText()).includes('Oferta aceita'));
    t.is('offer.accepted recorded', sql(dir, "SELECT count(*) FROM events WHERE type='offer.accepted'"), '1');
    const f1 = await card('F1').innerText();
    t.ok("F1 shows the offer's amount, and that it was accepted", /Valor com a oferta\s+R\$ 90,00/.test(f1) &&
        f1.includes('Oferta aceita: pague R$ 90,00 até 30/11/2026.'), f1);
    t.is('after the acceptance: no "Aceitar oferta" again', await buttons(), JSON.stringify({
        F1: ['Prorrogar vencimento', 'Contestar cobrança'],
        F2: ['Baixar boleto (PDF)', 'Prometer pagamento', 'Prorrogar vencimento', 'Contestar cobrança'],
        F3: ['Prometer pagamento', 'Prorrogar vencimento', 'Contestar cobrança'],
    }));

    /* ---- Prorrogar vencimento ---- */
    await card('F2').locator('summary', { hasText: 'Prorrogar vencimento' }).click();
    await card('F2').getByLabel(/Nova data de vencimento/).fill('2026-12-02');
    await card('F2').getByRole('button', { name: 'Prorrogar vencimento' }).click();
    await page.waitForURL(/m=prorrogado/);
    const f2 = await card('F2').innerText();
    t.ok('F2 shows its new due date', f2.includes('vencimento 02/12/2026') && f2.includes('Vencimento prorrogado de 26/11/2026 para 02/12/2026'), f2);
    t.ok('F2 offers no second extension', !f2.includes('Nova data de vencimento'), f2);
    t.is("F2's boleto is reissued for the new date", sql(dir, "SELECT linha_digitavel FROM invoices WHERE external_id='F2'"), want.extended);
    t.ok('the page shows the reissued linha digitável', f2.replace(/[ .]/g, '').includes(want.extended), f2);
    t.is('invoice.extended recorded', sql(dir, "SELECT count(*) FROM events WHERE type='invoice.extended'"), '1');
    t.is('after the extension: F2 offers no second one', await buttons(), JSON.stringify({
        F1: ['Prorrogar vencimento', 'Contestar cobrança'],
        F2: ['Baixar boleto (PDF)', 'Prometer pagamento', 'Contestar cobrança'],
        F3: ['Prometer pagamento', 'Prorrogar vencimento', 'Contestar cobrança'],
    }));

    /* ---- Contestar cobrança ---- */
    await card('F3').locator('summary', { hasText: 'Contestar cobrança' }).click();
    await card('F3').getByLabel('Motivo da contestação').fill('Não reconheço esta compra.');
    await card('F3').getByRole('button', { name: 'Contestar cobrança' }).click();
    await page.waitForURL(/m=contestado/);
    t.ok('F3 is under review', (await card('F3').innerText()).includes('Contestação em análise'));
    t.is('after the contest: F3 is held — no form at all', await buttons(), JSON.stringify({
        F1: ['Prorrogar vencimento', 'Contestar cobrança'],
        F2: ['Baixar boleto (PDF)', 'Prometer pagamento', 'Contestar cobrança'],
        F3: [],
    }));
    const shown = regua(dir, ['invoice', 'show', 'F3'], now);
    t.ok('the dispute holds F3 (invoice show)', /hold\s+every step\s+dispute/.test(shown), shown);
    const tasks = regua(dir, ['task', 'list'], now);
    t.ok('a review task with the reason (task list)', tasks.includes('dispute') && tasks.includes('Não reconheço esta compra.'), tasks);

    /* ---- Como prefere ser avisado: out of WhatsApp ---- */
    await page.getByRole('button', { name: 'Não receber mais por WhatsApp' }).click();
    await page.waitForURL(/m=canal-saiu/);
    t.ok('the page offers to come back', await page.getByRole('button', { name: 'Voltar a receber por WhatsApp' }).isVisible());
    t.is('the opt-out ledger: whatsapp, source portal', sql(dir, "SELECT channel || ' ' || how FROM customer_optouts"), 'whatsapp portal');
    await axe(t, page, 'page after the actions');
    done();
    await ctx.close();

    /* the promise's consequences: the next tick holds the firm step */
    regua(dir, ['tick'], now);
    const shownF1 = regua(dir, ['invoice', 'show', 'F1'], now);
    t.ok("the promise holds F1's firm step (invoice show)", /hold\s+ligar/.test(shownF1), shownF1);
};
