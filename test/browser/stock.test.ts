import { describe, expect, it } from 'vitest';
import { buildPaidOrder, buildProduct, buildUser, productBySku } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('goods in by keyboard and scanner, in a real browser', () => {
  const suite = browserSuite();

  it('keeps the focus in the scan field: scan, Enter, quantity, Enter, repeat; then says what it released', async () => {
    const { browser, server } = suite;
    const op = await buildUser(server.db, 'operator');
    buildProduct(server.db, { sku: 'BR-1', onHand: 0, barcode: '7350053850019' });
    buildProduct(server.db, { sku: 'BR-2', onHand: 0 });
    buildPaidOrder(server.db, { lines: [{ sku: 'BR-1', quantity: 3 }] });
    buildPaidOrder(server.db, { lines: [{ sku: 'BR-2', quantity: 1 }] });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(page, server.url, op.email, '/tools/stock');

    await page.keyboard.type('DN-2026-11');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tools\/stock\/goods-in\/\d+$/);
    // A scanner types the code and Enter: the focus moves to the quantity, whose text is selected.
    await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('code');
    await page.keyboard.type('7350053850019');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('quantity');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lines tbody tr');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('code');
    // The keyed count before the code books at once.
    await page.keyboard.type('2*BR-2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lines tbody tr:nth-child(2)');
    await expect(page.locator('#lines tbody tr').count()).resolves.toBe(2);
    expect(productBySku(server.db, 'BR-1').onHand).toBe(3);
    expect(productBySku(server.db, 'BR-2').onHand).toBe(2);

    await page.click('button:text("Finish goods in")');
    await page.waitForSelector('#released');
    await expect(page.locator('#released').textContent()).resolves.toContain('2 orders can now be packed.');
    await expect(page.locator('button:text("Run the pack script now")').count()).resolves.toBe(1);
    await page.screenshot({ path: 'test-results/goods-in.png' });
    await page.close();
  });
});
