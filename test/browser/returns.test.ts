import { describe, expect, it } from 'vitest';
import { writeTransaction } from '../../src/db/client.js';
import { reportDelivery } from '../../src/shipping/service.js';
import { buildPackingOrder, buildProduct, buildUser, productBySku } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('a return in a real browser', () => {
  const suite = browserSuite();

  it('is registered by scanning: Enter after each scan adds a unit to restock; a write-off needs its reason', async () => {
    const { browser, server } = suite;
    const { db } = server;
    const op = await buildUser(db, 'operator');
    const tent = buildProduct(db, { sku: 'TENT', name: 'Tent', onHand: 10, barcode: '7350000000016' });
    const order = buildPackingOrder(db, { lines: [{ sku: 'TENT', quantity: 3 }], body: { paymentMethod: 'invoice' } });
    writeTransaction(db, (tx) =>
      reportDelivery(tx, order, { parcels: ['BROWSER-RET-1'] }, { actor: { type: 'system', id: null, name: 'test' }, now: new Date() }),
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, server.url, op.email, `/orders/${order.code}`);
    await page.click('a:text("Register a return")');
    await page.waitForURL(`${server.url}/orders/${order.code}/returns/new`);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('scan');

    // A wedge scanner types the barcode and presses Enter, twice: two units to restock.
    for (let i = 0; i < 2; i++) {
      await page.keyboard.type('7350000000016');
      await Promise.all([page.waitForEvent('framenavigated'), page.keyboard.press('Enter')]);
      await page.waitForLoadState('load');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('scan');
    }
    const restock = page.locator('input[name^="restock_"]');
    await expect(restock.inputValue()).resolves.toBe('2');

    // One of them was broken after all: one restocked, one written off, first without a reason.
    await restock.fill('1');
    await page.locator('input[name^="writeOff_"]').fill('1');
    await page.click('button:text("Register return")');
    await page.waitForLoadState('load');
    await expect(page.locator('.field-error').first().textContent()).resolves.toContain('Say why TENT is written off');
    expect(db.$client.prepare('SELECT count(*) FROM returns').pluck().get()).toBe(0);

    await page.selectOption('select[name^="reason_"]', 'damaged');
    await page.click('button:text("Register return")');
    await page.waitForURL(`${server.url}/orders/${order.code}#returns`);
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('Return 1 registered.');
    await expect(page.locator('#returns').textContent()).resolves.toMatch(/TENT × 1 restocked;\s*TENT × 1 written off \(Damaged\)/);
    await expect(page.locator('#returns a:text("Credit note 1 (PDF)")').count()).resolves.toBe(1);
    expect(productBySku(db, tent.sku).onHand).toBe(8);

    await page.goto(`${server.url}/orders`);
    await expect(page.locator(`tr:has(a:text("${order.code}")) abbr[title="Has returns"]`).textContent()).resolves.toBe('R');
  });
});
