import { describe, expect, it } from 'vitest';
import { findOrderByCode, listLines } from '../../src/orders/repo/orders.js';
import { buildProduct, buildUser } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('a manual order in a real browser', () => {
  const suite = browserSuite();

  it('is taken by keyboard and scanner: Enter after each scan adds a line, never creates the order', async () => {
    const { browser, server } = suite;
    const { db } = server;
    const op = await buildUser(db, 'operator');
    buildProduct(db, { sku: 'TENT', name: 'Tent', onHand: 10, barcode: '7350000000016' });
    buildProduct(db, { sku: 'MUG', name: 'Mug', onHand: 10, barcode: '96385074' });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, server.url, op.email, '/orders');
    await page.click('a:text("New order")');
    await page.waitForURL(`${server.url}/orders/new`);

    // The cursor starts in Find; a new customer is typed in.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('find');
    await page.fill('#customer\\.email', 'counter@example.com');
    await page.fill('#customer\\.name', 'Disk Kund');
    await page.fill('#customer\\.address\\.line1', 'Storgatan 1');
    await page.fill('#customer\\.address\\.postalCode', '111 22');
    await page.fill('#customer\\.address\\.city', 'Stockholm');

    // A wedge scanner types into the scan field and presses Enter, three times.
    await page.focus('#scan');
    for (const code of ['7350000000016', '96385074', '7350000000016']) {
      await page.keyboard.type(code);
      // The form posts to its own address: wait for the new page, not for a URL.
      await Promise.all([page.waitForEvent('framenavigated'), page.keyboard.press('Enter')]);
      await page.waitForLoadState('load');
      // After each scan the cursor is back in the scan field, which is empty.
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('scan');
    }
    await expect(page.locator('input[name=lineQty]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).resolves.toEqual(['2', '1']);
    expect(db.$client.prepare('SELECT count(*) FROM orders').pluck().get()).toBe(0);
    await expect(page.locator('#customer\\.name').inputValue()).resolves.toBe('Disk Kund');

    await page.selectOption('#paymentMethod', 'cash_on_delivery');
    await page.click('button:text("Create order")');
    await page.waitForURL(/\/orders\/\d+$/);
    const code = new URL(page.url()).pathname.split('/').pop()!;
    const order = findOrderByCode(db, code)!;
    expect(order.paymentMethod).toBe('cash_on_delivery');
    expect(listLines(db, order.id).map((l) => `${l.sku}×${l.quantity}`)).toEqual(['TENT×2', 'MUG×1']);
    await expect(page.locator('.flash-success').textContent()).resolves.toContain(`Order ${code} created.`);
  });
});
