import { describe, expect, it } from 'vitest';
import { writeTransaction } from '../../src/db/client.js';
import { insertMethod } from '../../src/carriers/repo.js';
import { buildPackingOrder, buildProduct, buildUser, reload } from '../builders.js';
import { browserSuite, logIn } from './browser.js';
import { scanKeys } from './scanner.js';

describe('the pickup counter in a real browser', () => {
  const suite = browserSuite();

  it('hands a pickup order over by scanning its code alone: the page says so and the order is shipped', async () => {
    const { browser, server } = suite;
    const { db } = server;
    writeTransaction(db, (tx) =>
      insertMethod(tx, { code: 'store', name: 'Pickup in store', kind: 'pickup', carrierAccountId: null, service: null, isDefault: false }, new Date()),
    );
    const packer = await buildUser(db, 'packer', { name: 'Pia Packer' });
    const sku = buildProduct(db, { onHand: 4 }).sku;
    const order = buildPackingOrder(db, { lines: [{ sku, quantity: 1 }], body: { shippingMethod: 'store' } });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, server.url, packer.email, '/pickup');
    // Listed (the builders' orders are packed on a fixed day, so it may show as not collected yet).
    await expect(page.locator(`tr[data-code="${order.code}"]`).count()).resolves.toBe(1);
    // The scan field has the focus as the page opens: the counter scans straight away.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('code');

    // A wedge scanner at scanner speed, ending with Enter: nothing else is pressed.
    await Promise.all([page.waitForURL(`${server.url}/pickup?handed=${order.code}`), scanKeys(page, order.code, { suffix: 'Enter' })]);
    await expect(page.locator('#handed-over').textContent()).resolves.toContain(`Order ${order.code} handed over by Pia Packer`);
    await expect(page.locator(`tr[data-code="${order.code}"]`).count()).resolves.toBe(0);
    expect(reload(db, order.code).status).toBe('shipped');
    // Ready for the next customer: the field has the focus again.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('code');
  });
});
