// Shared by the browser test and the screenshot script: the Debian Chromium driven by
// playwright-core, and the QA CLI pointed at the sandbox that `cargo xtask` started.
import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through \`cargo xtask browser-test\``);
  return v;
}

export const env = {
  consoleUrl: () => need('HUTONG_CONSOLE_URL'),
  qaBin: () => need('HUTONG_QA_BIN'),
  sandboxConfig: () => need('HUTONG_SANDBOX_CONFIG'),
  outDir: () => need('HUTONG_BROWSER_OUT'),
  corpus: () => need('HUTONG_CORPUS'),
};

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // Root in CI containers: Chromium's own sandbox needs user namespaces it may not have.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** A page on the console; the sandbox's certificate is self-signed, so trust it here only. */
export async function openConsole(browser, viewport = { width: 1400, height: 900 }, extra = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport, ...extra });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog opened: ${d.message()}`);
    d.dismiss();
  });
  await page.goto(env.consoleUrl());
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForSelector('#live.on');
  return { page, context, problems };
}

export function shot(name) {
  mkdirSync(env.outDir(), { recursive: true });
  return path.join(env.outDir(), name);
}

/** Runs `hutong-qa <args>` against the sandbox with the harness's journal and device key. */
export async function qa(...args) {
  const out = env.outDir();
  const common = [
    '--sandbox-config', env.sandboxConfig(),
    '--journal', path.join(out, 'journal.sqlite'),
    '--key-file', path.join(out, 'device.p8'),
  ];
  try {
    const { stdout } = await run(env.qaBin(), [...args, ...common], { timeout: 60_000 });
    return stdout;
  } catch (e) {
    throw new Error(`hutong-qa ${args.join(' ')} failed: ${e.message}\n${e.stdout || ''}${e.stderr || ''}`);
  }
}

/** Pays `payload` with the CLI; returns the intent id and the payable amount in minor units. */
export async function pay(payload, amount, ...extra) {
  const out = await qa('pay', '--code', payload, '--amount', amount, ...extra);
  const intent = /^intent (\S+) ended (\S+)/m.exec(out);
  const quote = /payable (\d+)/.exec(out);
  if (!intent || !quote) throw new Error(`unexpected pay output:\n${out}`);
  return { intentId: intent[1], state: intent[2], payable: Number(quote[1]), output: out };
}

export async function refund(intentId, amount) {
  const out = await qa('refund', intentId, '--amount', amount);
  const m = /^refund (\S+) of .* ended (\S+)/m.exec(out);
  if (!m) throw new Error(`unexpected refund output:\n${out}`);
  return { refundId: m[1], state: m[2], output: out };
}

/** CNY minor units to the decimal text the CLI takes (integer arithmetic only). */
export function cny(minor) {
  const s = String(minor).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** Fills and submits the merchant-code form; returns the payload shown. */
export async function createMerchantCode(page, { template, amount, dynamic, name, city }) {
  await page.selectOption('#merchant-template', template);
  if (amount !== undefined) await page.fill('#merchant-amount', amount);
  if (dynamic !== undefined) await page.setChecked('#merchant-dynamic', dynamic);
  if (name !== undefined) await page.fill('#merchant-name', name);
  if (city !== undefined) await page.fill('#merchant-city', city);
  const before = await page.textContent('#merchant-payload');
  await page.click('#merchant-create');
  await page.waitForFunction(
    (old) => !document.getElementById('merchant-out').hidden
      && document.getElementById('merchant-payload').textContent !== old,
    before,
  );
  return page.textContent('#merchant-payload');
}
