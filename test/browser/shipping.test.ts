import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bwipjs from 'bwip-js';
import { describe, expect, it } from 'vitest';
import { buildPackingOrder, buildProduct, buildUser, productBySku, reload } from '../builders.js';
import { launchChromium, logIn, serveApp } from './browser.js';
import { browserSuite } from './browser.js';
import { tempDir } from '../temp.js';

const parcelsOf = (page: import('playwright-core').Page, code: string) => page.locator(`#order-${code} .parcel[data-parcel]`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.parcel));

describe('Shipping out with a keyboard-wedge scanner, in a real browser', () => {
  const suite = browserSuite();

  it('scan the order, two parcels, a partial delivery, Report in; then the rest ships the order — and a reload keeps the drafts', async () => {
    const { browser, server } = suite;
    const db = server.db;
    buildProduct(db, { sku: 'TENT', onHand: 5 });
    buildProduct(db, { sku: 'MUG', onHand: 5 });
    const order = buildPackingOrder(db, { lines: [{ sku: 'TENT', quantity: 1 }, { sku: 'MUG', quantity: 2 }] });
    const other = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer');
    const page = await browser.newPage();
    await logIn(page, server.url, packer.email, '/shipping');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('scan-value');

    // A wedge scanner "types" fast and ends with Enter; the field keeps focus for the next scan.
    const scan = async (value: string) => {
      await page.keyboard.type(value, { delay: 2 });
      await page.keyboard.press('Enter');
    };
    await scan(order.code);
    await page.waitForSelector(`#order-${order.code}.selected`);
    await scan('JJD000111');
    await scan('JJD000222');
    await expect.poll(() => parcelsOf(page, order.code)).toEqual(['JJD000111', 'JJD000222']);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('scan-value');
    // The same parcel twice says where it is.
    await scan('JJD000111');
    await expect.poll(() => page.locator('#scan-status').textContent()).toBe('Parcel ID JJD000111 is already on this order.');

    // Closing the tab loses nothing: the open delivery is on the server.
    await page.reload();
    await expect.poll(() => parcelsOf(page, order.code)).toEqual(['JJD000111', 'JJD000222']);
    expect((await db.$client.prepare("SELECT count(*) FROM order_events WHERE type = 'parcel_added'").pluck().get()) as number).toBe(2);

    // Partial delivery: only the tent goes now.
    await page.click(`#order-${order.code} details.partial summary`);
    await page.fill(`#order-${order.code} input[name="qty.MUG"]`, '0');
    await page.click(`#order-${order.code} .partial-form button[type=submit]`);
    await expect.poll(() => page.locator('#scan-status').textContent()).toBe(`Partial delivery saved for order ${order.code}.`);
    await page.click('.report-in');
    await expect.poll(() => page.locator('#scan-status').textContent()).toBe('Reported 1 deliveries: 0 orders shipped, 1 partly.');
    expect(reload(db, order.code).status).toBe('packing');
    expect(productBySku(db, 'TENT')).toMatchObject({ onHand: 4, allocated: 0 });
    expect(productBySku(db, 'MUG')).toMatchObject({ onHand: 5, allocated: 2 });

    // The rest: select the order again, one parcel, Report in (from the keyboard).
    await page.focus('#scan-value');
    await scan(order.code);
    await page.waitForSelector(`#order-${order.code}.selected`);
    await scan('JJD000333');
    await expect.poll(() => parcelsOf(page, order.code)).toEqual(['JJD000333']);
    await page.focus('.report-in');
    await page.keyboard.press('Enter');
    await expect.poll(() => reload(db, order.code).status).toBe('shipped');
    expect(productBySku(db, 'MUG')).toMatchObject({ onHand: 3, allocated: 0 });
    await expect.poll(() => page.locator(`#order-${order.code}`).count()).toBe(0);
    await expect(page.locator(`#order-${other.code}`).count()).resolves.toBe(1);
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: 'test-results/shipping-phone.png', fullPage: true });
    await page.close();
  });
});

describe('Shipping out with the camera, in a real browser', () => {
  it('a parcel ID shown to the (fake) camera is added to the selected order', async () => {
    const dir = tempDir('camera');
    const png = await bwipjs.toBuffer({ bcid: 'code128', text: 'CAM123456789', scale: 4, height: 18, backgroundcolor: 'FFFFFF', paddingwidth: 20, paddingheight: 20 });
    writeFileSync(join(dir, 'code.png'), png);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-loop', '1', '-i', join(dir, 'code.png'), '-t', '3', '-r', '15', '-vf', 'scale=600:-2,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p', join(dir, 'code.y4m')]);
    const browser = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${join(dir, 'code.y4m')}`]);
    const server = await serveApp();
    try {
      const order = buildPackingOrder(server.db);
      const packer = await buildUser(server.db, 'packer');
      const page = await browser.newPage();
      await logIn(page, server.url, packer.email, `/shipping?selected=${order.code}`);
      await page.click('#camera-open');
      await expect.poll(() => parcelsOf(page, order.code), { timeout: 15_000 }).toEqual(['CAM123456789']);
      expect(server.db.$client.prepare("SELECT source FROM delivery_parcels WHERE parcel_id = 'CAM123456789'").pluck().get()).toBe('camera');
      await page.click('#camera-open');
      await page.close();
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
