import { describe, expect, it } from 'vitest';
import { DEFAULT_PACK_SETTINGS, putPackSettings } from '../../src/pack/settings.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('Outbound and orders on hold, in a real browser on a phone (390×844)', () => {
  const suite = browserSuite();

  it('a scanned order on hold says so and who releases it: a packer gets no link, an operator the order page', async () => {
    const { browser, server } = suite;
    const { db } = server;
    buildProduct(db, { sku: 'TENT', onHand: 20 });
    const lines = [{ sku: 'TENT', quantity: 1 }];
    const awaiting = buildPackingOrder(db, { lines, body: { paymentMethod: 'invoice', paid: false } });
    const waiting = buildPackingOrder(db, { lines });
    buildPackingOrder(db, { lines });
    db.$client.prepare('UPDATE orders SET waiting = 1 WHERE id = ?').run(waiting.id);
    putPackSettings(db, { ...DEFAULT_PACK_SETTINGS, requireApproval: true }, new Date(), 'test');

    const scanAs = async (role: 'packer' | 'operator') => {
      const user = await buildUser(db, role);
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      await logIn(page, server.url, user.email, '/outbound');
      // The held order is listed and marked, with nothing to tick.
      await expect(page.locator(`tr[data-code="${awaiting.code}"] .marker.hold`).textContent()).resolves.toBe('Awaiting approval');
      await expect(page.locator(`tr[data-code="${awaiting.code}"] input[name=orders]`).count()).resolves.toBe(0);
      await page.focus('#outbound-scan-code');
      await page.keyboard.type(waiting.code);
      await page.keyboard.press('Enter');
      return { page, context };
    };

    const packer = await scanAs('packer');
    const status = packer.page.locator('.scan-status');
    await status.filter({ hasText: `Order ${waiting.code} is on hold (waiting): ask an operator to take it off hold.` }).waitFor();
    await expect(status.locator('a').count()).resolves.toBe(0);
    // Selecting all selects the one ready order and leaves the held one out.
    await packer.page.check('input[data-select-all]');
    await expect(packer.page.locator('.selected-count').textContent()).resolves.toBe('Selected: 1');
    await packer.context.close();

    const operator = await scanAs('operator');
    const link = operator.page.locator('.scan-status a');
    await link.waitFor();
    await expect(link.getAttribute('href')).resolves.toBe(`/orders/${waiting.code}`);
    await expect(operator.page.locator('.scan-status').textContent()).resolves.toContain('take it off hold on the order page first (untick Waiting).');
    await operator.context.close();
  });
});
