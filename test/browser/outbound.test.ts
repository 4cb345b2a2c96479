import { describe, expect, it } from 'vitest';
import { buildOrder, buildPackingOrder, buildUser } from '../builders.js';
import { pdfBarcodes, pdfText } from '../pdf.js';
import { browserSuite, logIn } from './browser.js';

describe('Outbound in a real browser', () => {
  const suite = browserSuite();

  it('selects orders by scanning their codes and by ticking, prints a pick slip, and shows it struck through', async () => {
    const { browser, server } = suite;
    const orders = [0, 1, 2].map(() => buildPackingOrder(server.db));
    const packer = await buildUser(server.db, 'packer');
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await logIn(page, server.url, packer.email, '/outbound');

    // A keyboard-wedge scanner types the code and Enter into the focused field.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('outbound-scan-code');
    await page.keyboard.type(orders[0]!.code);
    await page.keyboard.press('Enter');
    await expect(page.locator('.scan-status').textContent()).resolves.toBe(`Selected ${orders[0]!.code}.`);
    await page.keyboard.type('1234567897');
    await page.keyboard.press('Enter');
    await expect(page.locator('.scan-status').textContent()).resolves.toBe('1234567897 is not in this list.');
    await page.check(`input[name=orders][value="${orders[2]!.code}"]`);
    await expect(page.locator('.selected-count').textContent()).resolves.toBe('2 selected');

    // Printing with no function chosen says so and sends nothing.
    await page.click('button:text("Print")');
    await expect(page.locator('.scan-status').textContent()).resolves.toBe('Choose what to print.');

    await page.selectOption('#outbound-kind', 'pick_slip');
    // The PDF opens in a new tab, in Chromium's viewer; the test keeps a copy of the bytes on the way.
    const printed = new Promise<{ headers: Record<string, string>; body: Buffer }>((resolve) => {
      void context.route('**/outbound/print', async (route) => {
        const response = await route.fetch();
        resolve({ headers: response.headers(), body: await response.body() });
        await route.fulfill({ response });
      });
    });
    const [tab] = await Promise.all([context.waitForEvent('page'), page.click('button:text("Print")')]);
    const { headers, body: pdf } = await printed;
    expect(headers['content-type']).toBe('application/pdf');
    expect(headers['content-disposition']).toMatch(/^inline; filename="pick-slip-\d{4}-\d\d-\d\d-2\.pdf"$/);
    await tab.close();
    expect(await pdfBarcodes(pdf)).toEqual([[orders[0]!.code], [orders[2]!.code]]);
    expect(await pdfText(pdf)).toContain('Pick slip');

    // The list fetches its markers again: the two orders show the slip as printed.
    await page.waitForSelector(`tr[data-code="${orders[0]!.code}"] s.printed-pick_slip`);
    await expect(page.locator(`tr[data-code="${orders[2]!.code}"] s.printed-pick_slip`).count()).resolves.toBe(1);
    await expect(page.locator(`tr[data-code="${orders[1]!.code}"] s.printed-pick_slip`).count()).resolves.toBe(0);
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: 'test-results/outbound-phone.png', fullPage: true });
    await context.close();
  });

  it('a new order shows a notice on the open Orders page, which offers to refresh', async () => {
    const { browser, server } = suite;
    const operator = await buildUser(server.db, 'operator');
    const page = await browser.newPage();
    // Listen before the page loads: the stream opens as soon as it does.
    const stream = page.waitForResponse((r) => r.url().endsWith('/events/new-orders'));
    await logIn(page, server.url, operator.email, '/orders');
    await stream;
    const order = buildOrder(server.db);
    await page.waitForSelector('#live-notice:not([hidden])', { timeout: 5000 });
    await expect(page.locator('#live-notice .text').textContent()).resolves.toBe(`New order ${order.code} (Åsa Øvergård).`);
    await page.click('#live-notice .refresh');
    await page.waitForSelector(`text=${order.code}`);
    await page.close();
  });
});
