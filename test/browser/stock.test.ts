import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import { receiveItem, startGoodsIn } from '../../src/stock/service.js';
import { buildPaidOrder, buildProduct, buildUser, productBySku } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('goods in and stock counts by keyboard and scanner, in a real browser', () => {
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
    // After the page has asked whether the code is a product (an unknown one stays in the scan field).
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('quantity');
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

  it('a count shows counted, on hand when counted and the difference; a goods-in after counting is kept', async () => {
    const { browser, server } = suite;
    const op = await buildUser(server.db, 'operator');
    buildProduct(server.db, { sku: 'CT-1', onHand: 5, location: 'T-01' });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(page, server.url, op.email, '/tools/stock');
    await page.fill('input[name=location]', 'T-0');
    await page.click('button:text("Start a count")');
    await page.waitForURL(/\/tools\/stock\/counts\/\d+$/);
    await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('code');
    await page.keyboard.type('CT-1');
    await page.keyboard.press('Enter');
    // After the page has asked whether the code is a product (an unknown one stays in the scan field).
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('counted');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.flash-success');

    // Another device books 4 in before the count is finished.
    const actor: Actor = { type: 'user', id: op.id, name: op.name };
    const goodsIn = startGoodsIn(server.db, 'DN-CT', actor, new Date());
    receiveItem(server.db, goodsIn.id, { code: 'CT-1', quantity: 4 }, actor, new Date());
    await page.reload();
    const cells = () => page.locator('#sheet tbody tr td.num').allTextContents();
    // On hand now, counted, on hand when counted, difference to apply.
    await expect(cells()).resolves.toEqual(['9', '3', '5', '-2']);
    await expect(page.locator('#sheet thead').textContent()).resolves.toContain('On hand when counted');
    await expect(page.locator('text=goods in after a line was counted are kept').count()).resolves.toBe(1);

    await page.click('button:text("Finish the count")');
    await page.waitForSelector('.flash-success');
    expect(productBySku(server.db, 'CT-1').onHand).toBe(7);
    await expect(cells()).resolves.toEqual(['7', '3', '5', '-2']);
    await page.close();
  });
});
