'use strict';
/*
 * "Parcelar" on the portal page, in a browser on a phone (docs/portal.md,
 * "Parcelar"): the section lists the plans for the open invoices (all of
 * them by default); unchecking one and "Ver planos" shows the plans for
 * the rest (the same visit: no second portal.visited); choosing the
 * 3-installment plan makes the agreement (source portal, the service of
 * `regua agreement create`), and the page then shows the agreement — the
 * down payment first, the installments, the originals renegotiated — and
 * the installments as open invoices with their own PIX and boleto, while
 * the originals are gone from the invoices. axe-core clean, no console
 * error or failed request. With $REGUA_SCREENSHOTS set, the page with the
 * agreement on a phone is written there (docs/screenshots/).
 */
const fs = require('fs');
const path = require('path');
const { scratch, regua, sql, serve, browser, watch, axe, screenshotPath } = require('./lib');

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
`);
    fs.writeFileSync(path.join(dir, 'cadences', 't.yaml'), `cadence: t
match: {priority: 1}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: ligar, at: D+10, action: task, task: {kind: call}}
`);
    const enc = (due, amount) => JSON.parse(regua(dir, ['boleto', 'encode', '--bank', '341', '--due', due, '--amount',
        amount, '--agencia', '57', '--conta', '12345', '--carteira', '109', '--nosso-numero', '12345678', '--json']));
    const pix = regua(dir, ['pix', 'encode', '--key', 'cobranca@exemplo.com.br', '--name', 'EXEMPLO',
        '--city', 'SAO PAULO', '--amount', '300,00', '--txid', 'F2']);
    fs.writeFileSync(path.join(dir, 'c.csv'), 'external_id;name;document;email\n' +
        'C1;Ana Souza;529.982.247-25;ana@exemplo.com.br\n');
    fs.writeFileSync(path.join(dir, 'f.csv'),
        'external_id,customer_external_id,description,amount,due_date,boleto_bank,linha_digitavel,pix_code\n' +
        'F1,C1,Mensalidade de novembro,200.01,2026-11-23,,,\n' +
        `F2,C1,Taxa de instalação,300.00,2026-11-26,341,${enc('2026-11-26', '300,00').linha_digitavel},${pix}\n` +
        'F3,C1,Serviço avulso,50.00,2026-11-25,,,\n');
    const env = { REGUA_NOW: '2026-11-27T12:00:00Z', REGUA_SECRET: SECRET };
    regua(dir, ['import', 'customers', 'c.csv'], env);
    regua(dir, ['import', 'invoices', 'f.csv'], env);
    regua(dir, ['tick'], env);
    /* the down payment's boleto: F2's campo livre, R$ 100,00, due 02/12 (3 bank business days after Saturday 28/11) */
    return { entrada: enc('2026-12-02', '100,00').linha_digitavel };
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
    const done = watch(t, page, 'portal agreements');
    await page.goto(url);
    const section = page.locator('section#parcelar');
    const card = (id) => page.locator('section.card', { hasText: new RegExp(`Fatura ${id} ·`) });

    /* every open invoice is chosen at first: the plans for R$ 550,01 */
    t.ok('Parcelar lists the plans for all the open invoices',
        (await section.locator('legend', { hasText: 'Planos para' }).innerText()).includes('R$ 550,01 (3 faturas)'));
    await axe(t, page, 'page with the plans');

    /* F3 left out: the plans for F1 + F2 = R$ 500,01 */
    await section.getByLabel(/fatura F3/).uncheck();
    await section.getByRole('button', { name: 'Ver planos' }).click();
    await page.waitForURL(/[?&]v=1/);
    t.ok('... for the invoices chosen', (await section.locator('legend', { hasText: 'Planos para' }).innerText())
        .includes('R$ 500,01 (2 faturas)'));
    t.is('choosing invoices is the same visit (one portal.visited)',
        sql(dir, "SELECT count(*) FROM events WHERE type='portal.visited'"), '1');
    const plans = await section.locator('fieldset').nth(1).locator('label').allInnerTexts();
    t.is('six plans (max_installments 6), 1 to 6 installments', plans.length, 6);
    const three = section.getByLabel(/3 parcelas mensais/);
    t.is('the 3-installment plan: down payment, installments, total, interest', (await section.locator('label[for=plano-3]').innerText()).trim(),
        'Entrada de R$ 100,00 em 02/12/2026 + 3 parcelas mensais de R$ 137,33 (a última de R$ 137,35). Total R$ 512,01, juros de R$ 12,00.');

    /* choose it */
    await three.check();
    await section.getByRole('button', { name: 'Fazer acordo' }).click();
    await page.waitForURL(/m=acordo#acordo-1$/);
    t.ok('the page confirms the agreement', (await page.locator('.flash').innerText()).includes('Acordo feito'));
    t.is('one agreement, source portal, 3 installments, total 512,01',
        sql(dir, "SELECT source || ' ' || installments || ' ' || total || ' ' || status FROM agreements"), 'portal 3 51201 active');
    t.is('the originals are renegotiated, F3 is not',
        sql(dir, "SELECT group_concat(external_id || ':' || status, ' ') FROM (SELECT * FROM invoices WHERE external_id LIKE 'F%' ORDER BY external_id)"),
        'F1:renegotiated F2:renegotiated F3:open');
    t.is('agreement.created recorded with source portal',
        sql(dir, "SELECT count(*) FROM events WHERE type='agreement.created' AND source='portal'"), '1');

    const ag = page.locator('section#acordo-1');
    const items = (await ag.locator('ol.parcelas li').allInnerTexts()).map((s) => s.trim());
    t.is('the agreement lists the down payment first, then the 3 installments', JSON.stringify(items), JSON.stringify([
        'Entrada · vence 02/12/2026 · R$ 100,00 · em aberto',
        'Parcela 1 de 3 · vence 02/01/2027 · R$ 137,33 · em aberto',
        'Parcela 2 de 3 · vence 02/02/2027 · R$ 137,33 · em aberto',
        'Parcela 3 de 3 · vence 02/03/2027 · R$ 137,35 · em aberto',
    ]));
    const originals = (await ag.locator('ul.parcelas li').allInnerTexts()).map((s) => s.trim());
    t.is('... and the originals as renegotiated', JSON.stringify(originals), JSON.stringify([
        'Mensalidade de novembro (fatura F1) · R$ 200,01 · renegociada',
        'Taxa de instalação (fatura F2) · R$ 300,00 · renegociada',
    ]));

    /* the installments are the open invoices now, each with its PIX and boleto */
    t.is('the originals are no longer among the open invoices', await card('F1').count() + await card('F2').count(), 0);
    const entrada = card('ACORDO-1-0');
    const et = await entrada.innerText();
    t.ok('the down payment is an open invoice: R$ 100,00, due 02/12/2026', et.includes('Acordo 1 - entrada') &&
        et.includes('vencimento 02/12/2026') && et.includes('R$ 100,00'), et);
    t.ok("... with its boleto (F2's campo livre, its amount and date)", et.replace(/[ .]/g, '').includes(want.entrada), et);
    t.ok('... and its PIX to copy', await entrada.getByRole('button', { name: 'Copiar código PIX' }).isVisible());
    t.ok('... the boleto to download', await entrada.getByRole('link', { name: 'Baixar boleto (PDF)' }).isVisible());
    const order = await page.locator('section.card h2').allInnerTexts();
    const idx = (s) => order.findIndex((h) => h.includes(s));
    t.ok('the down payment comes before the installments on the page',
        idx('Acordo 1 - entrada') >= 0 && idx('Acordo 1 - entrada') < idx('Acordo 1 - parcela 1/3') &&
        idx('Acordo 1 - parcela 1/3') < idx('Acordo 1 - parcela 3/3'), order.join(' | '));
    t.is('the installment PIX carries its amount', sql(dir,
        "SELECT instr(pix_code, '5406100.00') > 0 FROM invoices WHERE external_id='ACORDO-1-0'"), '1');

    /* what is left to split: F3 only (an installment cannot enter another agreement from the portal) */
    const left = await section.locator('fieldset').first().locator('label').allInnerTexts();
    t.is('Parcelar now offers only F3', JSON.stringify(left.map((s) => s.trim())),
        JSON.stringify(['Serviço avulso (fatura F3) · R$ 50,00']));
    await axe(t, page, 'page with an agreement');
    const shot = screenshotPath('portal-agreement-phone.png');
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    done();
    await ctx.close();

    const shown = regua(dir, ['agreement', 'show', '1'], now);
    t.ok('regua agreement show: the same agreement', shown.includes('ACORDO-1-3') && shown.includes('137,35'), shown);
};
