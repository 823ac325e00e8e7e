'use strict';
/*
 * The customer's portal in a browser (docs/portal.md): a link opened on a
 * phone shows the invoice and the amount updated today; "Copiar código
 * PIX" puts the PIX of that amount on the clipboard and records pix.copied;
 * "Baixar boleto (PDF)" downloads a boleto whose linha digitável carries
 * the updated amount; an expired link shows its 410 page; both pages pass
 * axe-core. With $REGUA_SCREENSHOTS set, screenshots (phone and desktop)
 * are written there (docs/screenshots/).
 */
const fs = require('fs');
const path = require('path');
const { scratch, regua, sql, serve, browser, watch, axe, screenshotPath, poll } = require('./lib');

const SECRET = '0123456789abcdef0123';

function linhaFormatted(l) {
    return `${l.slice(0, 5)}.${l.slice(5, 10)} ${l.slice(10, 15)}.${l.slice(15, 21)} ${l.slice(21, 26)}.${l.slice(26, 32)} ${l[32]} ${l.slice(33)}`;
}

function project(dir) {
    fs.mkdirSync(path.join(dir, 'cadences'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'regua.yaml'), `database: regua.db
timezone: America/Sao_Paulo
public_url: https://cobranca.exemplo.com.br
company:
  name: Exemplo Serviços Ltda
  cnpj: 11.222.333/0001-81
  phone: "(11) 4000-1234"
  email: cobranca@exemplo.com.br
  contact: "WhatsApp (11) 94000-1234, de segunda a sexta, das 8h às 18h"
channels:
  email: {driver: log, path: outbox/email.jsonl}
`);
    fs.writeFileSync(path.join(dir, 'cadences', 'padrao.yaml'), `cadence: padrao
match: {priority: 1}
fees: {fine_pct: 2.00, interest_month_pct: 1.00}
steps:
  - {id: aviso, at: D+3, send: {channels: [email], template: aviso}}
`);
    fs.writeFileSync(path.join(dir, 'templates', 'aviso.email'),
        'Subject: Aviso\n{{company.name}} CNPJ {{company.cnpj}} {{#portal_url}}{{portal_url}}{{/portal_url}}\n');
    const enc = (due, amount) => JSON.parse(regua(dir, ['boleto', 'encode', '--bank', '341', '--due', due, '--amount',
        amount, '--agencia', '57', '--conta', '12345', '--carteira', '109', '--nosso-numero', '12345678', '--json']));
    const b1 = enc('2026-12-07', '150,00');
    const pix = regua(dir, ['pix', 'encode', '--key', 'cobranca@exemplo.com.br', '--name', 'EXEMPLO SERVICOS',
        '--city', 'SAO PAULO', '--amount', '150,00', '--txid', 'F1']);
    fs.writeFileSync(path.join(dir, 'clientes.csv'),
        'external_id,name,document,email\nC1,Maria José da Conceição,529.982.247-25,maria@exemplo.com.br\n');
    fs.writeFileSync(path.join(dir, 'faturas.csv'),
        'external_id,customer_external_id,description,amount,due_date,boleto_bank,linha_digitavel,pix_code\n' +
        `F1,C1,Mensalidade de dezembro — plano Família,"150,00",2026-12-07,341,${b1.linha_digitavel},${pix}\n` +
        'F2,C1,Taxa de instalação,"89,90",2026-12-20,,,\n');
    const env = { REGUA_NOW: '2026-12-01T12:00:00Z', REGUA_SECRET: SECRET };
    regua(dir, ['import', 'customers', 'clientes.csv'], env);
    regua(dir, ['import', 'invoices', 'faturas.csv'], env);
    /* on 10/12 F1 is 3 days late: 150,00 + 2% + 1% a month for 3 days = 153,15; the boleto payable now is
     * the same campo livre with that amount, due 17/12 (5 bank business days later) */
    return { updated: linhaFormatted(enc('2026-12-17', '153,15').linha_digitavel) };
}

module.exports = async function (t) {
    const dir = scratch(t);
    const want = project(dir);
    const now = { REGUA_NOW: '2026-12-10T12:00:00Z', REGUA_SECRET: SECRET };
    const link = regua(dir, ['portal', 'link', 'C1'], now);
    const expired = regua(dir, ['portal', 'link', 'C1', '--days', '1'], { ...now, REGUA_NOW: '2026-12-01T12:00:00Z' });
    const base = await serve(t, dir, now);
    const local = (u) => u.replace('https://cobranca.exemplo.com.br', base);
    const b = await browser(t);

    /* ---- a phone ---- */
    const phone = await b.newContext({
        viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
        locale: 'pt-BR', acceptDownloads: true,
    });
    await phone.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await phone.newPage();
    const done = watch(t, page, 'phone page');
    const res = await page.goto(local(link));
    t.is('the link opens (200)', res.status(), 200);
    const text = await page.locator('main').innerText();
    t.ok('the page names the company and its CNPJ', (await page.locator('header').innerText()).includes('CNPJ 11.222.333/0001-81'));
    t.ok('the invoice is listed', text.includes('Mensalidade de dezembro — plano Família'), text);
    t.ok('the amount updated today is shown (R$ 153,15)', /Valor atualizado hoje\s*R\$\s153,15/.test(text), text);
    t.ok('an invoice not yet due shows its amount (R$ 89,90)', text.includes('R$ 89,90'), text);
    t.ok('the total of both is shown', text.includes('R$ 243,05'), text);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    t.ok('nothing wider than the phone (no sideways scrolling)', width <= 390, `scrollWidth ${width}`);
    await axe(t, page, 'phone page');
    const shot = screenshotPath('portal-phone.png');
    if (shot) await page.screenshot({ path: shot, fullPage: true });

    /* Copiar código PIX */
    const field = page.getByLabel(/Código PIX copia e cola/).first();
    const code = await field.inputValue();
    const decoded = JSON.parse(regua(dir, ['pix', 'decode', code, '--json']));
    t.is('the PIX shown is of the updated amount', decoded.amount_cents, 15315);
    await page.getByRole('button', { name: 'Copiar código PIX' }).first().click();
    await page.getByText('Código PIX copiado').first().waitFor();
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    t.is('the clipboard holds the PIX copia-e-cola', clip, code);
    const copied = await poll(() => sql(dir, "SELECT count(*) FROM events WHERE type='pix.copied' AND source='portal'") === '1');
    t.ok('pix.copied is recorded', copied, sql(dir, "SELECT group_concat(type) FROM events"));
    t.ok('the copy stays on the page', page.url() === local(link), page.url());

    /* Baixar boleto (PDF) */
    const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Baixar boleto (PDF)' }).click(),
    ]);
    const pdf = path.join(dir, 'boleto.pdf');
    await download.saveAs(pdf);
    t.is('the boleto is named after the invoice', download.suggestedFilename(), 'boleto-F1.pdf');
    const pdfText = require('child_process').execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });
    t.ok("the PDF's linha digitável carries the updated amount", pdfText.includes(want.updated),
        `${want.updated} not in the PDF`);
    t.ok('boleto.downloaded is recorded',
        await poll(() => sql(dir, "SELECT count(*) FROM events WHERE type='boleto.downloaded'") === '1'));
    t.is('one visit recorded', sql(dir, "SELECT count(*) FROM events WHERE type='portal.visited'"), '1');
    done();

    /* ---- an expired link ---- */
    const gone = await phone.newPage();
    const doneGone = watch(t, gone, 'expired page', [/^410 /, /status of 410/]);
    const r2 = await gone.goto(local(expired));
    t.is('an expired link answers 410', r2.status(), 410);
    const goneText = await gone.locator('body').innerText();
    t.ok('it says so, with the company\'s contact', goneText.includes('Link expirado') && goneText.includes('(11) 4000-1234'), goneText);
    t.ok('and nothing of the customer', !goneText.includes('Maria') && !goneText.includes('153,15'), goneText);
    await axe(t, gone, 'expired page');
    doneGone();
    await phone.close();

    /* ---- a desktop ---- */
    const desk = await b.newContext({ viewport: { width: 1280, height: 900 }, locale: 'pt-BR' });
    const dpage = await desk.newPage();
    const doneDesk = watch(t, dpage, 'desktop page');
    await dpage.goto(local(link));
    await axe(t, dpage, 'desktop page');
    const dshot = screenshotPath('portal-desktop.png');
    if (dshot) await dpage.screenshot({ path: dshot, fullPage: true });
    doneDesk();
    await desk.close();
};
