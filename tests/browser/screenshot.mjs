// `cargo xtask screenshots`: drives a short pay-and-refund round through the console and the CLI
// and saves the README's picture of it (target/browser/console.png -> docs/img/console.png).
import { launch, openConsole, shot, pay, refund, createMerchantCode, cny } from './lib.mjs';

const browser = await launch();
try {
  const { page, problems } = await openConsole(browser, { width: 1400, height: 1000 });
  // A few payments with different outcomes, as a QA session would leave them.
  const tea = await createMerchantCode(page, {
    template: 'unionpay_emv', amount: '25.00', dynamic: true, name: 'TEA HOUSE 1', city: 'SHANGHAI',
  });
  const first = await pay(tea, '25.00', '--route', 'unionpay:direct');
  await refund(first.intentId, cny(Math.floor(first.payable / 2)));
  const noodles = await createMerchantCode(page, {
    template: 'emvco_mpm', amount: '38.00', dynamic: true, name: 'NOODLE BAR', city: 'BEIJING',
  });
  await pay(noodles, '38.00', '--scenario', 'user_paying; polls=2');
  await pay(noodles, '38.00', '--scenario', 'insufficient_funds');
  await createMerchantCode(page, {
    template: 'emvco_mpm', amount: '23.72', dynamic: true, name: 'QA TEST SHOP', city: 'BEIJING',
  });
  await page.selectOption('#payer-network', 'wechat_pay');
  await page.click('#payer-start');
  await page.waitForSelector('#payer-out:not([hidden])');
  await page.waitForFunction(() => document.querySelectorAll('#payments-body tr').length >= 4);
  // Let the new-row highlight fade before the picture.
  await page.waitForTimeout(1500);
  // From the top (the header is sticky: scrolled, it would sit in the middle of the picture).
  await page.evaluate(() => window.scrollTo(0, 0));
  // Codes at the top, the live table below them: down to the end of the payments card.
  const box = await page.locator('#payments').boundingBox();
  await page.screenshot({ path: shot('console.png'), fullPage: true, clip: { x: 0, y: 0, width: 1400, height: Math.ceil(box.y + box.height + 16) } });
  if (problems.length) throw new Error(problems.join('\n'));
} finally {
  await browser.close();
}
