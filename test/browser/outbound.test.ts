import { describe, expect, it } from 'vitest';
import { putVerificationMode } from '../../src/shipping/checks.js';
import { buildOrder, buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { pdfBarcodes, pdfText } from '../pdf.js';
import { browserSuite, fetchFromApp, logIn } from './browser.js';
import { pointerEvents, tones, watchPage } from './watch.js';

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
    await expect(page.locator('.selected-count').textContent()).resolves.toMatch(/\b2\b/);

    // Printing with no function chosen says so and sends nothing.
    await page.click('button:text("Print")');
    await expect(page.locator('.print-bar .print-error').textContent()).resolves.toBe('Choose what to print.');
    await expect(page.locator('#outbound-error').textContent()).resolves.toBe('Choose what to print.');

    await page.selectOption('#outbound-kind', 'pick_slip');
    // The PDF opens in a new tab at its own GET address, in Chromium's viewer; the test keeps a copy of the bytes on the way.
    const loads: { url: string; headers: Record<string, string>; body: Buffer }[] = [];
    await context.route('**/outbound/documents/**', async (route) => {
      const response = await fetchFromApp(route, context, server);
      loads.push({ url: route.request().url(), headers: response.headers(), body: await response.body() });
      await route.fulfill({ response });
    });
    const [tab] = await Promise.all([context.waitForEvent('page'), page.click('button:text("Print")')]);
    const url = `${server.url}/outbound/documents/pick-slip.pdf?orders=${orders[0]!.code},${orders[2]!.code}`;
    await expect.poll(() => loads.length).toBe(1);
    expect(tab.url()).toBe(url);
    const { headers, body: pdf } = loads[0]!;
    expect(loads[0]!.url).toBe(url);
    expect(headers['content-type']).toBe('application/pdf');
    expect(headers['content-disposition']).toMatch(/^inline; filename="pick-slip-\d{4}-\d\d-\d\d-2\.pdf"$/);
    expect(await pdfBarcodes(pdf)).toEqual([[orders[0]!.code], [orders[2]!.code]]);
    expect(await pdfText(pdf)).toContain('Pick slip');
    // Reloading the PDF's tab loads the same address again (a GET, no form sent again): a reprint.
    const prints = () =>
      server.db.$client
        .prepare("SELECT count(*) FROM printed_documents p JOIN orders o ON o.id = p.order_id WHERE o.code = ? AND p.kind = 'pick_slip'")
        .pluck()
        .get(orders[0]!.code);
    await expect.poll(prints).toBe(1);
    await tab.reload({ waitUntil: 'commit' });
    await expect.poll(() => loads.length).toBe(2);
    expect(loads[1]!.url).toBe(url);
    await expect.poll(prints).toBe(2);
    await tab.close();

    // The list fetches its markers again: the two orders show the slip as printed.
    await page.waitForSelector(`tr[data-code="${orders[0]!.code}"] .printed-pick_slip`);
    await expect(page.locator(`tr[data-code="${orders[2]!.code}"] .printed-pick_slip`).count()).resolves.toBe(1);
    await expect(page.locator(`tr[data-code="${orders[1]!.code}"] .printed-pick_slip`).count()).resolves.toBe(0);
    // One load per opening: the viewer did not fetch the address again on its own.
    expect(loads).toHaveLength(2);
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: 'test-results/outbound-phone.png', fullPage: true });
    await context.close();
  });

  it('a refused print shows its error on the page where Print was pressed, with the selection kept, and opens no tab', async () => {
    const { browser, server } = suite;
    const card = buildPackingOrder(server.db);
    const packer = await buildUser(server.db, 'packer');
    const context = await browser.newContext();
    const page = await context.newPage();
    await logIn(page, server.url, packer.email, '/outbound');
    const opened: string[] = [];
    context.on('page', (p) => opened.push(p.url()));
    await page.keyboard.type(card.code);
    await page.keyboard.press('Enter');
    await page.selectOption('#outbound-kind', 'invoice');
    await page.click('button:text("Print")');
    await page.waitForSelector('#outbound-error:not([hidden])');
    await expect(page.locator('#outbound-error').textContent()).resolves.toContain(`Order ${card.code} is not paid by own invoice`);
    // Beside the Print button too, where the packer pressed it.
    await expect(page.locator('.print-bar .print-error').textContent()).resolves.toContain(`Order ${card.code} is not paid by own invoice`);
    await expect(page.locator('.print-bar .print-error').isVisible()).resolves.toBe(true);
    expect(page.url()).toBe(`${server.url}/outbound`);
    await expect(page.isChecked(`input[name=orders][value="${card.code}"]`)).resolves.toBe(true);
    await expect(page.inputValue('#outbound-kind')).resolves.toBe('invoice');
    expect(opened).toEqual([]);
    expect(context.pages()).toHaveLength(1);
    expect(
      server.db.$client.prepare('SELECT count(*) FROM printed_documents p JOIN orders o ON o.id = p.order_id WHERE o.code = ?').pluck().get(card.code),
    ).toBe(0);

    // Corrected on the same page: a pick slip opens in a new tab and the error is gone.
    await page.selectOption('#outbound-kind', 'pick_slip');
    const [tab] = await Promise.all([context.waitForEvent('page'), page.click('button:text("Print")')]);
    expect(tab.url()).toBe(`${server.url}/outbound/documents/pick-slip.pdf?orders=${card.code}`);
    await expect(page.locator('#outbound-error').isHidden()).resolves.toBe(true);
    await expect(page.locator('.print-bar .print-error').isHidden()).resolves.toBe(true);
    await context.close();
  });

  it('verifies an order from its Outbound row by keyboard and scanner alone: counts, refusals with the error sound, a keyed count, undo', async () => {
    const { browser, server } = suite;
    const { db } = server;
    putVerificationMode(db, 'warn', new Date(), 'test');
    buildProduct(db, { sku: 'VTENT', name: 'Tent for two', barcode: '5901234123457' });
    buildProduct(db, { sku: 'VMUG', name: 'Enamel mug' });
    buildProduct(db, { sku: 'VSOCK', barcode: '96385074' });
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'VTENT', quantity: 3 },
        { sku: 'VMUG', quantity: 1 },
      ],
    });
    const packer = await buildUser(db, 'packer');
    const context = await browser.newContext();
    await watchPage(context);
    const page = await context.newPage();
    await logIn(page, server.url, packer.email, '/outbound');
    const status = () => page.locator('#verify-status').textContent();
    const line = (sku: string) => page.locator(`#verify-state tr[data-sku="${sku}"] .check-count`).textContent();
    const scan = async (value: string) => {
      await page.keyboard.type(value, { delay: 2 });
      await page.keyboard.press('Enter');
    };

    // From the order's row: Tab to its Verify link, Enter.
    const link = `tr[data-code="${order.code}"] a.verify-link`;
    for (let i = 0; i < 40 && !(await page.evaluate((sel) => document.activeElement === document.querySelector(sel), link)); i++)
      await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/outbound/orders/${order.code}/verify`);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('verify-barcode');
    await expect(line('VTENT')).resolves.toBe('0 of 3 checked');

    await scan('5901234123457');
    await expect.poll(status).toBe('Checked VTENT: 1 of 3.');
    await expect(line('VTENT')).resolves.toBe('1 of 3 checked');
    await expect.poll(() => tones(page)).toEqual([1200]);
    // A wrong item: refused with its message and the error sound; the field keeps the focus.
    await scan('96385074');
    await expect.poll(status).toBe(`VSOCK is not on order ${order.code}. Put it back.`);
    await expect.poll(() => tones(page)).toEqual([180]);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('verify-barcode');
    // Many of one item: the count keyed before the barcode.
    await scan('2*5901234123457');
    await expect.poll(status).toBe('Checked VTENT: 3 of 3.');
    await expect(line('VTENT')).resolves.toMatch(/^3 of 3 checked/);
    await scan('VMUG');
    await page.waitForSelector('.verify-complete');
    // Ctrl+Z in the empty field undoes the last check.
    await page.keyboard.press('Control+z');
    await expect.poll(status).toBe(`Check undone: 1 × VMUG on order ${order.code}.`);
    await expect(line('VMUG')).resolves.toBe('0 of 1 checked');
    // The station's state: the checks are the same rows.
    const checked = db.$client
      .prepare('SELECT l.sku, sum(c.quantity) AS n FROM delivery_checks c JOIN order_lines l ON l.id = c.order_line_id GROUP BY l.sku')
      .all();
    expect(checked).toEqual([{ sku: 'VTENT', n: 3 }]);
    await expect(pointerEvents(page)).resolves.toBe(0);
    await page.screenshot({ path: 'test-results/outbound-verify.png', fullPage: true });

    // Touch targets: the scan field, the quantity, Check and Undo are at least 44 px high.
    for (const sel of ['#verify-barcode', '#verify-quantity', '#verify-scan button', '#verify-undo button']) {
      const box = await page.locator(sel).boundingBox();
      expect(box!.height, sel).toBeGreaterThanOrEqual(44);
    }
    await context.close();
    // On a phone (a finger: pointer coarse) the row's Verify link is a 44 px target too.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const phonePage = await phone.newPage();
    await logIn(phonePage, server.url, packer.email, '/outbound');
    const target = await phonePage.locator(link).boundingBox();
    expect(Math.min(target!.height, target!.width)).toBeGreaterThanOrEqual(44);
    await phonePage.goto(`${server.url}/outbound/orders/${order.code}/verify`);
    await phonePage.screenshot({ path: 'test-results/outbound-verify-phone.png', fullPage: true });
    await phone.close();
  });

  it('a new order shows a notice on the open Orders page, which offers to refresh', async () => {
    const { browser, server } = suite;
    const operator = await buildUser(server.db, 'operator');
    const page = await browser.newPage();
    // Listen before the page loads: the stream opens as soon as it does.
    const stream = page.waitForResponse((r) => new URL(r.url()).pathname === '/events/new-orders');
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
