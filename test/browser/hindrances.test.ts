import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildCancelledOrder, buildPackingOrder, buildProduct, buildUser, productBySku } from '../builders.js';
import { API_TOKEN } from '../helpers.js';
import { browserSuite, logIn } from './browser.js';

const PHONE = { width: 390, height: 844 };
const WAIT = { timeout: 10_000 };
const focusedName = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.id ?? null);

describe('small hindrances, in a real browser', () => {
  const suite = browserSuite();

  for (const kind of ['goods-in', 'count'] as const) {
    it(`${kind}: the scan field is one line (44 px or more), and an unknown code is refused at once, before the quantity, keeping what was typed`, async () => {
      const { browser, server } = suite;
      const op = await buildUser(server.db, 'operator');
      buildProduct(server.db, { sku: `KNOWN-${kind}`, onHand: 4, location: 'H-01' });
      const page = await browser.newPage({ viewport: PHONE });
      await logIn(page, server.url, op.email, '/tools/stock');
      if (kind === 'goods-in') {
        await page.fill('input[name=reference]', 'DN-HIND');
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/tools\/stock\/goods-in\/\d+$/);
      } else {
        await page.click('button:text("Start a count")');
        await page.waitForURL(/\/tools\/stock\/counts\/\d+$/);
      }
      const field = page.locator('input[name=code]');
      const box = (await field.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.height).toBeLessThan(70);

      await expect.poll(() => focusedName(page), WAIT).toBe('code');
      await page.keyboard.type('NO-SUCH-ITEM');
      await page.keyboard.press('Enter');
      const said = page.locator('form.scan-form [data-scanner-status]');
      await expect.poll(() => said.textContent(), WAIT).toBe('No product with this barcode or SKU: NO-SUCH-ITEM.');
      await expect(said.getAttribute('class')).resolves.toContain('error');
      await expect(focusedName(page)).resolves.toBe('code');
      await expect(field.inputValue()).resolves.toBe('NO-SUCH-ITEM');

      // A known code goes on to its quantity as before.
      await field.fill('');
      await page.keyboard.type(`KNOWN-${kind}`);
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedName(page), WAIT).toBe(kind === 'goods-in' ? 'quantity' : 'counted');
      await expect(said.textContent()).resolves.toBe('');
      expect(productBySku(server.db, `KNOWN-${kind}`).onHand).toBe(4);
      await page.close();
    });
  }

  it('Outbound: a printed document is a ticked tag, not struck through like the Cancelled badge', async () => {
    const { browser, server } = suite;
    const packer = await buildUser(server.db, 'admin');
    const order = buildPackingOrder(server.db);
    buildCancelledOrder(server.db);
    const res = await fetch(`${server.localUrl}/api/v1/orders/${order.code}/documents/pick-slip.pdf`, { headers: { Authorization: `Bearer ${API_TOKEN}` } });
    await res.arrayBuffer();
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await logIn(page, server.url, packer.email, '/outbound');
    const printed = await page.locator(`tr[data-code="${order.code}"] .printed-pick_slip`).evaluate((el) => {
      const style = getComputedStyle(el);
      return { tag: el.tagName, line: style.textDecorationLine, tick: getComputedStyle(el, '::before').content, background: style.backgroundColor };
    });
    await page.goto(`${server.url}/orders`);
    const cancelled = await page
      .locator('.status-cancelled')
      .first()
      .evaluate((el) => ({ line: getComputedStyle(el).textDecorationLine, background: getComputedStyle(el).backgroundColor }));
    expect(cancelled.line).toBe('line-through');
    expect(printed.tag).not.toBe('S');
    expect(printed.line).toBe('none');
    expect(printed.tick).toContain('✓');
    expect(printed.background).not.toBe(cancelled.background);
    await page.close();
  });

  it('a phone on plain HTTP: where the camera button would be, the page says why there is no camera', async () => {
    const { browser, server } = suite;
    const packer = await buildUser(server.db, 'packer');
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    await context.addCookies([{ name: 'station', value: 'Phone-1', url: server.url }]);
    const page = await context.newPage();
    await logIn(page, server.url, packer.email, '/shipping');
    await expect(page.locator('#camera-open').isHidden()).resolves.toBe(true);
    const note = page.locator('#camera-https');
    await expect.poll(() => note.isVisible(), WAIT).toBe(true);
    const where = await note.evaluate((el) => ({
      inScanForm: Boolean(el.closest('#scan-form')),
      inClosedDetails: Boolean(el.closest('details:not([open])')),
      box: el.getBoundingClientRect().toJSON() as DOMRect,
      fontSize: parseFloat(getComputedStyle(el).fontSize),
      muted: el.classList.contains('muted'),
      border: getComputedStyle(el).borderTopStyle,
    }));
    expect(where.inScanForm).toBe(true);
    expect(where.inClosedDetails).toBe(false);
    // On the first screen, full width under the scan field, and not small print.
    expect(where.box.bottom).toBeLessThanOrEqual(PHONE.height);
    expect(where.box.width).toBeGreaterThan(PHONE.width * 0.8);
    expect(where.fontSize).toBeGreaterThanOrEqual(15);
    // A notice, not grey small print; why (this page is plain HTTP) and what to do, not only "see the guide".
    expect(where.muted).toBe(false);
    expect(where.border).toBe('solid');
    await expect(note.textContent()).resolves.toBe(
      'The camera works only over HTTPS, and this page is plain HTTP. This server offers no HTTPS yet: the operator sets HTTPS_PORT (for example 3443) and restarts it.',
    );
    await context.close();
  });
});
