// The QA console in real headless Chromium against a real sandbox (`cargo xtask browser-test`):
// create a dynamic merchant code, pay it and refund half with the CLI and watch both arrive
// without a reload, scan a corpus photo, and show HTML in a merchant name as text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch, openConsole, shot, pay, refund, qa, cny, createMerchantCode, env } from './lib.mjs';

const WAIT = { timeout: 20_000 };
let browser;
let page;
let problems;
let paid; // { intentId, payable }

before(async () => {
  browser = await launch();
  ({ page, problems } = await openConsole(browser));
  // Survives only as long as the document does: still there at the end means no reload.
  await page.evaluate(() => { window.hutongNoReload = 'marker'; });
});

after(async () => {
  if (browser) await browser.close();
});

async function stillSameDocument() {
  assert.equal(await page.evaluate(() => window.hutongNoReload), 'marker', 'the page reloaded');
}

test('the phone setup code holds the endpoint, pin and root key the sandbox printed', async () => {
  const ready = JSON.parse(readFileSync(env.sandboxConfig(), 'utf8'));
  await page.waitForSelector('#setup-out:not([hidden])', WAIT);
  const payload = await page.textContent('#setup-payload');
  assert.equal(payload, ready.setup_code, 'the same code as the ready line');
  const lines = payload.split('\n');
  assert.equal(lines[0], 'HUTONG-SETUP:1');
  assert.ok(lines.includes(`pin=${ready.spki_pin}`), 'the pin as the sandbox prints it');
  assert.ok(lines.includes(`root=${ready.root_key_id}:${ready.root_public_key}`), 'the root key');
  assert.ok(lines.includes(`endpoint=${ready.endpoint}`), 'the loopback endpoint');
  const hosts = await page.$$eval('#setup-host option', (os) => os.map((o) => o.value));
  assert.deepEqual(hosts, ['127.0.0.1', 'localhost']);
  await page.selectOption('#setup-host', 'localhost');
  await page.waitForFunction(() => document.querySelector('#setup-endpoint').textContent.startsWith('https://localhost:'), null, WAIT);
  const img = await page.$eval('#setup-img', (i) => ({ w: i.naturalWidth, h: i.naturalHeight }));
  assert.ok(img.w > 100 && img.w === img.h, `a square QR image, got ${img.w}x${img.h}`);
  await page.selectOption('#setup-host', '127.0.0.1');
});

test('a dynamic merchant code is shown with its payload and identification', async () => {
  const payload = await createMerchantCode(page, {
    template: 'emvco_mpm', amount: '25.00', dynamic: true, name: 'QA BROWSER SHOP', city: 'BEIJING',
  });
  assert.match(payload, /^000201010212/, 'point of initiation 12: dynamic');
  assert.match(payload, /540525\.00/, 'the amount is in the payload');
  const img = await page.$eval('#merchant-img', (i) => ({ w: i.naturalWidth, h: i.naturalHeight }));
  assert.ok(img.w > 100 && img.w === img.h, `a square QR image, got ${img.w}x${img.h}`);
  const ident = await page.textContent('#merchant-ident');
  assert.match(ident, /dynamic/);
  assert.match(ident, /25\.00 CNY/);
  assert.match(ident, /QA BROWSER SHOP/);
  assert.equal(await page.textContent('#merchant-valid'), 'valid');
  await page.screenshot({ path: shot('01-merchant-code.png'), fullPage: true });
});

test('paying it with the CLI turns the row Succeeded without a reload', async () => {
  const payload = await page.textContent('#merchant-payload');
  paid = await pay(payload, '25.00');
  assert.equal(paid.state, 'succeeded', paid.output);
  const row = `tr.payment[data-intent-id="${paid.intentId}"]`;
  await page.waitForSelector(`${row} .state[data-state=succeeded]`, WAIT);
  assert.equal((await page.textContent(`${row} .state`)).trim(), 'Succeeded');
  const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent));
  assert.ok(cells.includes(`${cny(paid.payable)} CNY`), `paid ${cny(paid.payable)} in ${cells}`);
  assert.ok(cells.some((c) => c.includes('QA BROWSER SHOP')), String(cells));
  assert.notEqual((await page.textContent(`${row} td.device`)).trim(), '', 'the paying device is shown');
  await stillSameDocument();
  await page.screenshot({ path: shot('02-paid.png'), fullPage: true });
});

test('refunding half from the CLI shows the refund', async () => {
  const half = Math.floor(paid.payable / 2);
  const r = await refund(paid.intentId, cny(half));
  assert.equal(r.state, 'succeeded', r.output);
  const row = `tr.refund[data-refund-id="${r.refundId}"]`;
  await page.waitForSelector(`${row} .state[data-state=succeeded]`, WAIT);
  assert.equal((await page.$$eval(`${row} td.num`, (tds) => tds[0].textContent)), `${cny(half)} CNY`);
  const refundedCell = `tr.payment[data-intent-id="${paid.intentId}"] td:nth-child(7)`;
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent === want,
    [refundedCell, `${cny(half)} CNY`],
    WAIT,
  );
  await stillSameDocument();

  // The row opens the full history: both requests, their canonical strings and verdicts.
  await page.click(`tr.payment[data-intent-id="${paid.intentId}"]`);
  await page.waitForFunction(() => document.querySelectorAll('#detail .exchange').length >= 2, null, WAIT);
  const detail = await page.textContent('#detail-body');
  assert.match(detail, /Route used/);
  assert.match(detail, /Fee split/);
  assert.match(detail, /Funding source/);
  await page.click('#detail .exchange >> nth=0 >> summary');
  const canonical = await page.$$eval('#detail .exchange pre', (p) => p.map((x) => x.textContent));
  assert.ok(canonical.some((t) => t.startsWith('POST\n/v1/payments')), 'canonical request string shown');
  assert.match(detail, /request signature: valid/);
  await page.screenshot({ path: shot('03-history.png') });
  await page.click('#detail-close');
  await stillSameDocument();
});

test('a scenario forced from the page serves the next payment, and the table says so', async () => {
  await page.selectOption('#scenario-name', 'insufficient_funds');
  await page.selectOption('#scenario-scope', 'next');
  await page.click('#scenario-apply');
  await page.waitForFunction(() => document.getElementById('overrides').textContent.includes('insufficient_funds'), null, WAIT);
  const payload = await createMerchantCode(page, { template: 'emvco_mpm', amount: '9.99', dynamic: true, name: 'FORCED OUTCOME' });
  const p = await pay(payload, '9.99');
  assert.equal(p.state, 'failed', p.output);
  const row = `tr.payment[data-intent-id="${p.intentId}"]`;
  await page.waitForSelector(`${row} .state[data-state=failed]`, WAIT);
  assert.equal((await page.textContent(`${row} td:nth-child(9)`)).trim(), 'insufficient_funds');
  // `next` is used up by that request.
  await page.waitForFunction(() => !document.getElementById('overrides').textContent.includes('insufficient_funds'), null, WAIT);
  await stillSameDocument();
});

test('the reconcile view highlights what a client reported differently', async () => {
  const row = `tr[data-reconcile-intent="${paid.intentId}"]`;
  await page.waitForSelector(`${row}:not(.diff)`, WAIT);
  await page.click('#reconcile details.report summary');
  await page.fill('#report-intent', paid.intentId);
  await page.selectOption('#report-state', 'failed');
  await page.click('#report-form button[type=submit]');
  await page.waitForSelector(`${row}.diff`, WAIT);
  assert.match(await page.textContent(`${row} td.diffs`), /state: client failed \/ ledger succeeded/);
  await page.locator('#reconcile').screenshot({ path: shot('04-reconcile.png') });
});

test('the payer code refreshes every 60 s and collects through the sandbox', async () => {
  // A page of its own with a fake clock, so a minute passes in no time.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
  const wallet = await context.newPage();
  await wallet.clock.install();
  await wallet.goto(env.consoleUrl());
  await wallet.waitForSelector('body[data-ready=true]');
  await wallet.selectOption('#payer-network', 'alipay');
  await wallet.click('#payer-start');
  await wallet.waitForSelector('#payer-out:not([hidden])');
  const digits = () => wallet.getAttribute('#payer-digits', 'data-digits');
  const first = await digits();
  assert.match(first, /^(2[5-9]|30)\d{14,22}$/, 'an Alipay pay code per the registry');
  await wallet.clock.fastForward(58_000);
  assert.equal(await digits(), first, 'still the same code before the minute is up');
  await wallet.clock.fastForward(3_000);
  await wallet.waitForFunction((old) => document.getElementById('payer-digits').dataset.digits !== old, first, WAIT);
  const second = await digits();
  assert.notEqual(second, first);
  await wallet.locator('#payer').screenshot({ path: shot('05-payer-code.png') });
  await context.close();

  // A merchant scans the code on screen: the collection shows up live on the main page.
  const out = await qa('collect', '--payer-code', second, '--amount', '5.00');
  const m = /^intent (\S+) ended succeeded/m.exec(out);
  assert.ok(m, out);
  const row = `tr.payment[data-intent-id="${m[1]}"]`;
  await page.waitForSelector(`${row} .state[data-state=succeeded]`, WAIT);
  assert.match(await page.textContent(row), /collection/);
  const masked = await page.evaluate(async (id) => {
    const r = await fetch(`/sandbox/intents/${encodeURIComponent(id)}`);
    return (await r.json()).payment.payer_code_masked;
  }, m[1]);
  assert.ok(masked.endsWith(second.slice(-4)) && !masked.includes(second), `masked payer code ${masked}`);
  await stillSameDocument();
});

test('a corpus photo scans and shows its text with corners drawn', async () => {
  const photo = path.join(env.corpus(), 'qrcode-1/13.webp');
  const expected = readFileSync(path.join(env.corpus(), 'qrcode-1/13.txt'), 'utf8');
  await page.setInputFiles('#scan-file', photo);
  await page.waitForSelector('#scan-codes li .scan-text', WAIT);
  assert.equal(await page.textContent('#scan-codes li .scan-text'), expected);
  const canvas = await page.$eval('#scan-canvas', (c) => [c.width, c.height]);
  assert.ok(canvas[0] > 100 && canvas[1] > 100, `canvas ${canvas}`);
  // The corner markers are drawn in green: some pixels of that colour must exist.
  const green = await page.$eval('#scan-canvas', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 40 && d[i + 1] > 180 && d[i + 2] > 60 && d[i + 2] < 120) n++;
    return n;
  });
  assert.ok(green > 50, `corner outline drawn (${green} green pixels)`);
  await page.locator('#scan').screenshot({ path: shot('06-scan.png') });
});

test('HTML in a merchant name renders as text everywhere', async () => {
  const evil = '<script>alert(1)</script>';
  const payload = await createMerchantCode(page, { template: 'emvco_mpm', amount: '8.80', dynamic: true, name: evil });
  assert.ok(payload.includes(evil), 'the payload shown as text');
  const ident = await page.$$eval('#merchant-ident dd', (dds) => dds.map((d) => d.textContent));
  assert.ok(ident.includes(evil), `merchant name shown as text: ${ident}`);

  const upiName = '<img src=x onerror=alert(2)>';
  const upi = await createMerchantCode(page, { template: 'upi', amount: '10', name: upiName });
  assert.match(upi, /^upi:\/\/pay\?/);
  const upiIdent = await page.$$eval('#merchant-ident dd', (dds) => dds.map((d) => d.textContent));
  assert.ok(upiIdent.includes(upiName), `UPI payee name as text: ${upiIdent}`);

  // Through the sandbox too: the ledger's merchant name reaches the table and the history.
  const p = await pay(payload, '8.80');
  const row = `tr.payment[data-intent-id="${p.intentId}"]`;
  await page.waitForSelector(`${row} .state[data-state=succeeded]`, WAIT);
  assert.ok((await page.textContent(`${row} td:nth-child(3)`)).includes(evil));
  await page.click(row);
  await page.waitForFunction(() => document.querySelectorAll('#detail .exchange').length >= 1, null, WAIT);
  assert.ok((await page.textContent('#detail-body')).includes(evil));
  await page.click('#detail-close');

  const injected = await page.evaluate(() => ({
    scripts: document.querySelectorAll('main script, dialog script').length,
    images: document.querySelectorAll('img[src="x"]').length,
  }));
  assert.deepEqual(injected, { scripts: 0, images: 0 }, 'no element was created from data');
  await stillSameDocument();
  assert.deepEqual(problems, [], 'no page errors, CSP violations or dialogs');
  await page.screenshot({ path: shot('07-html-as-text.png'), fullPage: true });
});

test('on a phone screen the page fits its width', async () => {
  const phone = await openConsole(browser, { width: 390, height: 844 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await phone.page.waitForSelector(`tr.payment[data-intent-id="${paid.intentId}"]`, WAIT);
  await createMerchantCode(phone.page, { template: 'wechat_personal' });
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone screen`);
  await phone.page.screenshot({ path: shot('08-phone.png'), fullPage: true });
  assert.deepEqual(phone.problems, []);
  await phone.context.close();
});
