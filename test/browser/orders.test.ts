import { describe, expect, it } from 'vitest';
import { createOrder } from '../../src/orders/service.js';
import { aCustomer, buildOrder, buildProduct, buildUser, productBySku, reload } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('Orders tab in a real browser', () => {
  const suite = browserSuite();

  it('searches, opens an order, edits a line and cancels it', async () => {
    const { browser, server } = suite;
    const { db } = server;
    const op = await buildUser(db, 'operator');
    buildProduct(db, { sku: 'TENT', name: 'Tent', onHand: 10 });
    buildProduct(db, { sku: 'MUG', name: 'Mug', onHand: 10, barcode: '7350000001006' });
    const order = createOrder(
      db,
      { status: 'order', lines: [{ sku: 'TENT', quantity: 1 }], customer: aCustomer('Ingrid Lindqvist'), paymentMethod: 'card' },
      { actor: { type: 'system', id: null, name: 't' }, now: new Date(), currency: 'SEK' },
    );
    buildOrder(db);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, server.url, op.email, '/orders');

    // The search box has focus: type a name and press Enter.
    await page.keyboard.type('lindq');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=lindq/);
    const rows = page.locator('table.orders tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await page.click(`a:text("${order.code}")`);
    await page.waitForURL(`${server.url}/orders/${order.code}`);

    // A scanner types the barcode and Enter into the add-product field.
    await page.fill('input[name=product]', '');
    await page.focus('input[name=product]');
    await page.keyboard.type('7350000001006');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#lines$/);
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('Added MUG × 1.');

    const tentQty = page.locator('tr', { hasText: 'TENT' }).locator('input[name=quantity]');
    await tentQty.fill('3');
    await tentQty.press('Enter');
    await page.waitForLoadState('load');
    await expect(page.locator('#history').textContent()).resolves.toContain('Line TENT: 1 → 3');
    expect(productBySku(db, 'TENT').reserved).toBe(3);

    await page.selectOption('select[name=status]', 'cancelled');
    await page.click('#status button[type=submit]');
    await page.waitForLoadState('load');
    await expect(page.locator('.titlebar .badge').first().textContent()).resolves.toBe('Cancelled');
    expect(reload(db, order.code).status).toBe('cancelled');
    expect(productBySku(db, 'TENT').reserved).toBe(0);
    await page.screenshot({ path: 'test-results/order-cancelled.png', fullPage: true });
    await page.close();
  });

  it('selects all orders on the page and marks them reviewed', async () => {
    const { browser, server } = suite;
    const { db } = server;
    const op = await buildUser(db, 'operator');
    const made = [buildOrder(db), buildOrder(db)];
    const page = await browser.newPage();
    await logIn(page, server.url, op.email, '/orders?status=order');
    await page.check('[data-select-all]');
    await page.selectOption('select[name=action]', 'reviewed');
    await page.click('#bulk .bulkbar button[type=submit]');
    await page.waitForURL(/\/orders\?status=order/);
    await expect(page.locator('.flash-success').textContent()).resolves.toMatch(/Done for \d+ order/);
    for (const o of made) expect(reload(db, o.code).reviewed).toBe(true);
    await page.close();
  });
});
