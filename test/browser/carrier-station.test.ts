import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { zplBlocks } from '../../src/carriers/labels.js';
import { chooseStationPrinter, savePrinter } from '../../src/printers/service.js';
import { buildPackingOrder, buildProduct, buildUser, reload } from '../builders.js';
import { carrierEnv, carrierMethod } from '../carriers/setup.js';
import { startShipmondoFake } from '../carriers/shipmondo/fake.js';
import { printedBarcodes, printerListener } from '../label-printer.js';
import { launchChromium, logIn, serveApp } from './browser.js';
import { scanKeys } from './scanner.js';
import { watchPage } from './watch.js';

// The station books with the order's carrier (Shipmondo, played by a fake from its published
// description), on a LAN address (not a secure context), by scanner and keys alone.

const status = (page: Page) => page.locator('#scan-status').textContent();
const parcelsOnCard = (page: Page) => page.locator('#current .parcel[data-parcel]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.parcel));

describe('Fetch parcel ID with a carrier, in a real browser', () => {
  vi.setConfig({ testTimeout: 90_000 });
  const suite = {} as { browser: Browser; server: Awaited<ReturnType<typeof serveApp>> };
  beforeAll(async () => {
    suite.browser = await launchChromium();
    suite.server = await serveApp({ env: carrierEnv(5000) });
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });

  it('books two parcels, prints the carrier’s ZPL (zbar reads its parcel numbers), removes one (cancelled at the carrier), and reports in', async () => {
    const { db } = suite.server;
    const fake = await startShipmondoFake();
    carrierMethod(db, { kind: 'shipmondo', baseUrl: fake.baseUrl, service: 'GLSDK_HD', code: 'gls', labelFormat: 'zpl' });
    const printer = await printerListener();
    const zebra = savePrinter(db, null, { name: 'Zebra 1', host: '127.0.0.1', port: printer.port, dpi: 203 }, new Date());
    const packer = await buildUser(db, 'packer', { name: 'Pia' });
    const sku = buildProduct(db, { onHand: 5 }).sku;
    const order = buildPackingOrder(db, { lines: [{ sku, quantity: 2 }], body: { shippingMethod: 'gls' } });

    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await watchPage(context);
    const page = await context.newPage();
    await logIn(page, suite.server.url, packer.email, '/shipping');
    await page.keyboard.type('Bench 1');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#scan-value');
    chooseStationPrinter(db, { userId: packer.id, stationName: 'Bench 1' }, { printerId: zebra.id, autoPrint: false }, new Date());
    await page.reload();
    await page.waitForSelector('#scan-value:focus');

    // The order by its code, one more parcel slot (F3), then Fetch parcel ID (F2): one booking of two parcels.
    await scanKeys(page, order.code, { suffix: 'Enter' });
    await expect.poll(() => page.locator('#current').getAttribute('data-code')).toBe(order.code);
    await page.keyboard.press('F3');
    await expect.poll(() => page.locator('#current .parcel.empty-slot').count()).toBe(2);
    await page.keyboard.press('F2');
    await expect.poll(() => fake.bookings.size).toBe(1);
    const [first] = [...fake.bookings.values()];
    const [keep, remove] = first!.packageNumbers;
    await expect.poll(() => status(page)).toBe(`Booked with Shipmondo for order ${order.code}: ${keep}, ${remove}. Label sent to Zebra 1.`);
    await expect.poll(() => parcelsOnCard(page)).toEqual([keep, remove]);

    // The printer got the carrier's labels as sent; each reads back as its parcel number.
    await expect.poll(() => printer.jobs.length).toBe(1);
    const labels = zplBlocks(printer.jobs[0]!);
    expect(labels).toHaveLength(2);
    expect((await printedBarcodes(labels[0]!, 203)).map((b) => b.data)).toEqual([keep]);
    expect((await printedBarcodes(labels[1]!, 203)).map((b) => b.data)).toEqual([remove]);

    // Remove the second parcel from the keyboard: the booking is cancelled at Shipmondo, the first booked again.
    await page.locator(`#current .parcel[data-parcel="${remove}"] button.remove`).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => fake.cancelled).toEqual([first!.id]);
    await expect.poll(() => fake.bookings.size).toBe(2);
    const [, second] = [...fake.bookings.values()];
    const again = second!.packageNumbers[0]!;
    await expect.poll(() => parcelsOnCard(page)).toEqual([again]);
    await expect.poll(() => status(page)).toContain(`booked again: ${again}`);
    await expect.poll(() => printer.jobs.length).toBe(2);
    expect((await printedBarcodes(printer.jobs[1]!, 203)).map((b) => b.data)).toEqual([again]);

    // Report in (F9): the order ships with the parcel that stands.
    await page.locator('#scan-value').focus();
    await page.keyboard.press('F9');
    await expect.poll(() => reload(db, order.code).status).toBe('shipped');
    expect(
      db.$client.prepare('SELECT parcel_id FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id WHERE d.order_id = ?').pluck().all(order.id),
    ).toEqual([again]);
    expect(fake.violations).toEqual([]);
    await context.close();
  });
});
