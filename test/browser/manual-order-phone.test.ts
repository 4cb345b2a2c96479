import { describe, expect, it } from 'vitest';
import { formatters } from '../../src/i18n/format.js';
import { buildProduct, buildUser } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('New order on a phone (390×844)', () => {
  const suite = browserSuite();

  it('shows each line’s product, price and total, and the order total, without scrolling sideways', async () => {
    const { browser, server } = suite;
    const { db } = server;
    const op = await buildUser(db, 'operator');
    buildProduct(db, { sku: 'TENT-2P-GREEN', name: 'Tunnel tent, two persons, green', price: 149900 });
    buildProduct(db, { sku: 'MUG', name: 'Enamel mug', price: 9900 });

    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await logIn(page, server.url, op.email, '/orders/new');
    for (const scan of ['TENT-2P-GREEN', '2*MUG']) {
      await page.fill('#scan', scan);
      await Promise.all([page.waitForEvent('framenavigated'), page.press('#scan', 'Enter')]);
      await page.waitForLoadState('load');
    }
    const money = (minor: number) => formatters('en', 'UTC').money(minor, 'SEK');
    await expect(page.locator('table.manual-lines .name').allTextContents()).resolves.toEqual(['Tunnel tent, two persons, green', 'Enamel mug']);
    await expect(page.locator('table.manual-lines .line-total').allTextContents()).resolves.toEqual([money(149900), money(19800)]);
    const total = page.locator('table.manual-lines .order-total');
    await expect(total.textContent()).resolves.toBe(money(169700));

    // The page does not scroll sideways, and the lines' table fits its box: price and total are in view.
    const widths = await page.evaluate(() => {
      const wrap = document.querySelector('table.manual-lines')!.closest('.table-wrap')!;
      return { page: document.documentElement.scrollWidth, view: window.innerWidth, table: wrap.scrollWidth, box: wrap.clientWidth };
    });
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    expect(widths.table).toBeLessThanOrEqual(widths.box);
    const box = await total.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  });
});
