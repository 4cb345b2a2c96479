import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bwipjs from 'bwip-js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { putVerificationMode } from '../../src/shipping/checks.js';
import { buildPackingOrder, buildProduct, buildUser, productBySku, reload } from '../builders.js';
import { launchChromium, logIn, serveApp } from './browser.js';
import { browserSuite } from './browser.js';
import { tempDir } from '../temp.js';
import { pointerEvents, tones, watchPage } from './watch.js';
import { PASSWORD } from '../helpers.js';

const parcelsOnCard = (page: Page) => page.locator('#current .parcel[data-parcel]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.parcel));
const status = (page: Page) => page.locator('#scan-status').textContent();
const focused = (page: Page) => page.evaluate(() => document.activeElement?.id);

/** A wedge scanner "types" fast and ends with Enter. */
const scanner = (page: Page) => async (value: string) => {
  await page.keyboard.type(value, { delay: 2 });
  await page.keyboard.press('Enter');
};

/** Opens Shipping out in a fresh context and names the station with the keyboard alone. */
async function openStation(suite: ReturnType<typeof browserSuite>, email: string, name: string, viewport = { width: 1280, height: 800 }) {
  const context = await suite.browser.newContext({ viewport, hasTouch: viewport.width < 600 });
  await watchPage(context);
  const page = await context.newPage();
  await logIn(page, suite.server.url, email, '/shipping');
  await expect(focused(page)).resolves.toBe('station-name');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#scan-value');
  await expect(focused(page)).resolves.toBe('scan-value');
  return { context, page, scan: scanner(page) };
}

describe('The packing station in a real browser, with no mouse', () => {
  const suite = browserSuite();

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`ships three orders, one of them partly, by scanner and keys alone (${viewport.name})`, async () => {
      const db = suite.server.db;
      const tent = `TENT-${viewport.name}`;
      const mug = `MUG-${viewport.name}`;
      buildProduct(db, { sku: tent, name: 'Tent for two', onHand: 5 });
      buildProduct(db, { sku: mug, name: 'Enamel mug', onHand: 5 });
      const one = buildPackingOrder(db, { lines: [{ sku: tent, quantity: 1 }] });
      const two = buildPackingOrder(db, { lines: [{ sku: mug, quantity: 1 }] });
      const three = buildPackingOrder(db, {
        lines: [
          { sku: tent, quantity: 1 },
          { sku: mug, quantity: 2 },
        ],
      });
      const packer = await buildUser(db, 'packer', { name: 'Pia' });
      const { context, page, scan } = await openStation(suite, packer.email, `Bench ${viewport.name}`, viewport);
      const p = viewport.name.slice(0, 1).toUpperCase();

      // One: scan it, two parcels, F9.
      await scan(one.code);
      await expect.poll(() => page.locator('#current').getAttribute('data-code')).toBe(one.code);
      await expect(page.locator('#current .name').first().textContent()).resolves.toBe('Tent for two');
      expect(await tones(page)).toEqual([1200]);
      await scan(`${p}JJD0001`);
      await scan(`${p}JJD0002`);
      await expect.poll(() => parcelsOnCard(page)).toEqual([`${p}JJD0001`, `${p}JJD0002`]);
      // The same parcel again: a duplicate, said and sounded as one; the field keeps focus.
      await scan(`${p}JJD0001`);
      await expect.poll(() => status(page)).toBe(`Parcel ID ${p}JJD0001 is already on this order.`);
      await expect(page.locator('#scan-status').getAttribute('class')).resolves.toContain('duplicate');
      expect(await tones(page)).toEqual([1200, 1200, 700, 700]);
      await expect(focused(page)).resolves.toBe('scan-value');
      // An error: a code longer than any parcel ID. The error sound; focus stays for the next scan.
      await scan('X'.repeat(36));
      await expect.poll(() => page.locator('#scan-status').getAttribute('class')).toContain('error');
      expect(await tones(page)).toEqual([180]);
      await expect(focused(page)).resolves.toBe('scan-value');
      // A refusal stays until acknowledged (Ctrl+Enter, the OK barcode or its OK button).
      await page.keyboard.press('Control+Enter');
      await expect.poll(() => page.locator('#refused').isHidden()).toBe(true);
      await page.keyboard.press('F9');
      await expect.poll(() => reload(db, one.code).status).toBe('shipped');
      await expect.poll(() => status(page)).toBe('Reported 1 delivery: 1 order shipped, 0 partly.');

      // Two: a second parcel slot (F3), parcel IDs fetched from the shop's own series (F2), then the command barcode REPORT IN.
      await scan(two.code);
      await expect.poll(() => page.locator('#current').getAttribute('data-code')).toBe(two.code);
      await page.keyboard.press('F3');
      await expect.poll(() => page.locator('#current .empty-slot').count()).toBe(2);
      await page.keyboard.press('F2');
      await expect.poll(async () => (await parcelsOnCard(page)).length).toBe(2);
      await scan('REPORT IN');
      await expect.poll(() => reload(db, two.code).status).toBe('shipped');

      // Three, partly: a parcel, F4 opens the quantities, Tab to the mug, 0, Enter; F8 prints the label; F9.
      await scan(three.code);
      await expect.poll(() => page.locator('#current').getAttribute('data-code')).toBe(three.code);
      await scan(`${p}JJD0003`);
      await expect.poll(() => parcelsOnCard(page)).toEqual([`${p}JJD0003`]);
      await page.keyboard.press('F4');
      await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe(`qty.${tent}`);
      await page.keyboard.press('Tab');
      await page.keyboard.type('0');
      await page.keyboard.press('Enter');
      await expect.poll(() => status(page)).toBe(`Partial delivery saved for order ${three.code}.`);
      await expect(focused(page)).resolves.toBe('scan-value');
      const label = context.waitForEvent('page');
      await page.keyboard.press('F8');
      expect((await label).url()).toContain(`/shipping/orders/${three.code}/label.pdf?parcel=${p}JJD0003`);
      await page.bringToFront();
      await page.keyboard.press('F9');
      await expect.poll(() => status(page)).toBe('Reported 1 delivery: 0 orders shipped, 1 partly.');
      expect(reload(db, three.code).status).toBe('packing');
      expect(productBySku(db, mug)).toMatchObject({ onHand: 4, allocated: 2 });
      expect(productBySku(db, tent)).toMatchObject({ onHand: 3, allocated: 0 });

      // Not one pointer or mouse event from start to finish.
      expect(await pointerEvents(page)).toBe(0);

      // Every button and link of the station is a finger's size; on a phone, the scan field, the
      // order being packed and Report in are on screen without scrolling.
      await scan(three.code);
      await expect.poll(() => page.locator('#current').getAttribute('data-code')).toBe(three.code);
      const small = await page.evaluate(() =>
        [...document.querySelectorAll('.station button, .station a.button-link, .station input, .station summary')]
          .filter((el) => (el as HTMLElement).offsetParent !== null && !(el as HTMLInputElement).type?.match(/^hidden$/))
          .map((el) => {
            const box = el.getBoundingClientRect();
            return { el: el.outerHTML.slice(0, 80), width: box.width, height: box.height };
          })
          .filter((r) => r.width < 44 || r.height < 44)
          .filter((r) => !r.el.includes('type="checkbox"') || r.width < 28),
      );
      expect(small.map((r) => `${r.el} ${Math.round(r.width)}×${Math.round(r.height)}`)).toEqual([]);
      if (viewport.name === 'phone') {
        for (const selector of ['#scan-value', '#current h2', '.report-in']) {
          const box = (await page.locator(selector).boundingBox())!;
          expect(box.y + box.height, selector).toBeLessThanOrEqual(viewport.height);
        }
      }
      await page.screenshot({ path: `test-results/station-${viewport.name}.png` });
      await context.close();
    });
  }

  it('two stations side by side: Report in at one leaves the other’s deliveries alone; a taken order can be taken over by scanning it twice', async () => {
    const db = suite.server.db;
    const a = buildPackingOrder(db);
    const b = buildPackingOrder(db);
    const pia = await buildUser(db, 'packer', { name: 'Pia' });
    const ola = await buildUser(db, 'packer', { name: 'Ola' });
    const bench1 = await openStation(suite, pia.email, 'Bench 1');
    const bench2 = await openStation(suite, ola.email, 'Bench 2');
    await bench1.scan(a.code);
    await bench1.scan('TWO-A1');
    await expect.poll(() => parcelsOnCard(bench1.page)).toEqual(['TWO-A1']);
    await bench2.scan(b.code);
    await bench2.scan('TWO-B1');
    await expect.poll(() => parcelsOnCard(bench2.page)).toEqual(['TWO-B1']);

    await bench2.page.keyboard.press('F9');
    await expect.poll(() => reload(db, b.code).status).toBe('shipped');
    expect(reload(db, a.code).status).toBe('packing');
    await bench1.page.reload();
    await expect.poll(() => parcelsOnCard(bench1.page)).toEqual(['TWO-A1']);

    // Bench 2 scans Bench 1's order: taken, said with who has it; scanning it again takes it over.
    await bench2.scan(a.code);
    await expect.poll(() => status(bench2.page)).toBe(`Order ${a.code} is open at Bench 1 — Pia. Take it over to pack it here.`);
    await expect(bench2.page.locator('#takeover').isVisible()).resolves.toBe(true);
    await expect(focused(bench2.page)).resolves.toBe('scan-value');
    await bench2.scan(a.code);
    await expect.poll(() => status(bench2.page)).toBe(`Order ${a.code} taken over from Bench 1 — Pia.`);
    await expect.poll(() => parcelsOnCard(bench2.page)).toEqual(['TWO-A1']);
    expect(db.$client.prepare("SELECT count(*) FROM order_events WHERE order_id = ? AND type = 'station_takeover'").pluck().get(a.id)).toBe(1);
    // Bench 1's Report in now has nothing of it.
    await bench1.page.keyboard.press('F9');
    await expect.poll(() => status(bench1.page)).toContain('Nothing to report');
    expect(reload(db, a.code).status).toBe('packing');
    await bench1.context.close();
    await bench2.context.close();
  });

  it('scans made offline wait on the device, survive closing the page, and are sent once when the connection returns', async () => {
    const db = suite.server.db;
    const order = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer');
    const { context, page, scan } = await openStation(suite, packer.email, 'Offline bench');
    await scan(order.code);
    await expect.poll(() => page.locator('#current').getAttribute('data-code')).toBe(order.code);

    await context.setOffline(true);
    await scan('OFF-1');
    await scan('OFF-2');
    await expect.poll(() => page.locator('#pending li').allTextContents()).toEqual(['OFF-1', 'OFF-2']);
    await expect.poll(() => status(page)).toContain('Offline: scans kept on this device until the connection returns: 2');
    expect(db.$client.prepare("SELECT count(*) FROM delivery_parcels WHERE parcel_id LIKE 'OFF-%'").pluck().get()).toBe(0);
    await page.close();

    // A new page, online again: the kept scans go first, in order, once each.
    await context.setOffline(false);
    const again = await context.newPage();
    await again.goto(`${suite.server.url}/shipping`);
    await expect.poll(() => parcelsOnCard(again)).toEqual(['OFF-1', 'OFF-2']);
    await expect.poll(() => again.locator('#pending li').count()).toBe(0);
    expect(db.$client.prepare("SELECT count(*) FROM delivery_parcels WHERE parcel_id LIKE 'OFF-%'").pluck().get()).toBe(2);
    await context.close();
  });
});

describe('Shipping out with the camera, in a real browser', () => {
  it('a parcel ID shown to the (fake) camera is added to the order open at the station', async () => {
    const dir = tempDir('camera');
    const png = await bwipjs.toBuffer({
      bcid: 'code128',
      text: 'CAM123456789',
      scale: 4,
      height: 18,
      backgroundcolor: 'FFFFFF',
      paddingwidth: 20,
      paddingheight: 20,
    });
    writeFileSync(join(dir, 'code.png'), png);
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      '-loop',
      '1',
      '-i',
      join(dir, 'code.png'),
      '-t',
      '3',
      '-r',
      '15',
      '-vf',
      'scale=600:-2,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p',
      join(dir, 'code.y4m'),
    ]);
    const browser = await launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${join(dir, 'code.y4m')}`,
    ]);
    // The camera needs a secure context: the station over HTTPS, as phones and LAN desks open it.
    const server = await serveApp({ https: true });
    try {
      const order = buildPackingOrder(server.db);
      const packer = await buildUser(server.db, 'packer');
      const page = await browser.newPage({ ignoreHTTPSErrors: true });
      await page.context().addCookies([{ name: 'station', value: 'Camera', url: server.url }]);
      await logIn(page, server.url, packer.email, '/shipping');
      await scanner(page)(order.code);
      await expect.poll(() => page.locator('#current').getAttribute('data-code')).toBe(order.code);
      await page.click('#camera-open');
      await expect.poll(() => parcelsOnCard(page), { timeout: 15_000 }).toEqual(['CAM123456789']);
      expect(server.db.$client.prepare("SELECT source FROM delivery_parcels WHERE parcel_id = 'CAM123456789'").pluck().get()).toBe('camera');
      await page.click('#camera-open');
      await page.close();
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe('A phone as the camera of a desk station', () => {
  const suite = browserSuite();

  it('the same packer and station name on a second device: its scans land at the desk station, which shows them', async () => {
    const db = suite.server.db;
    const order = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer', { name: 'Pia' });
    const desk = await openStation(suite, packer.email, 'Bench 7');
    await desk.scan(order.code);
    await expect.poll(() => desk.page.locator('#current').getAttribute('data-code')).toBe(order.code);
    // The phone opens the QR code's address: Shipping out with ?station=Bench 7.
    const phone = await suite.browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
    const phonePage = await phone.newPage();
    // As the QR code's address: not signed in yet, so the login page comes first, then the station.
    await phonePage.goto(`${suite.server.url}/shipping?station=Bench%207`);
    await phonePage.fill('input[name=email]', packer.email);
    await phonePage.fill('input[name=password]', PASSWORD);
    await phonePage.keyboard.press('Enter');
    // The address names the station; the page then drops it from the address.
    await phonePage.waitForURL(`${suite.server.url}/shipping`);
    await expect.poll(() => phonePage.locator('.station-name').textContent()).toBe('Bench 7 — Pia');
    await expect.poll(() => phonePage.locator('#current').getAttribute('data-code')).toBe(order.code);
    await scanner(phonePage)('PHONE-1');
    await expect.poll(() => parcelsOnCard(phonePage)).toEqual(['PHONE-1']);
    // The desk shows it without a reload.
    await expect.poll(() => parcelsOnCard(desk.page), { timeout: 10_000 }).toEqual(['PHONE-1']);
    await desk.page.keyboard.press('F9');
    await expect.poll(() => reload(db, order.code).status).toBe('shipped');
    await phone.close();
    await desk.context.close();
  });
});

describe('Checking items at the packing station, with no mouse', () => {
  const suite = browserSuite((db) => putVerificationMode(db, 'required', new Date(), 'test'));

  it('with checks required: a wrong and an extra item are refused, Report in waits for every unit, undo, and ship what is checked', async () => {
    const db = suite.server.db;
    buildProduct(db, { sku: 'V-TENT', name: 'Tent for two', barcode: '5901234123457', onHand: 9 });
    buildProduct(db, { sku: 'V-MUG', name: 'Enamel mug', onHand: 9 });
    buildProduct(db, { sku: 'V-SOCK', barcode: '96385074', onHand: 9 });
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'V-TENT', quantity: 2 },
        { sku: 'V-MUG', quantity: 1 },
      ],
    });
    const partly = buildPackingOrder(db, { lines: [{ sku: 'V-TENT', quantity: 2 }] });
    const packer = await buildUser(db, 'packer');
    const { context, page, scan } = await openStation(suite, packer.email, 'Check bench');
    const line = (sku: string) => page.locator(`#current li[data-sku="${sku}"] .check-count`).textContent();

    await scan(order.code);
    await expect.poll(() => line('V-TENT')).toBe('0 of 2 checked');
    await scan('96385074');
    await expect.poll(() => status(page)).toBe(`V-SOCK is not on order ${order.code}. Put it back.`);
    expect(await tones(page)).toContain(180);
    // Each refusal stays until acknowledged: here with the OK barcode.
    await scan('OK');
    await scan('5901234123457');
    await expect.poll(() => line('V-TENT')).toBe('1 of 2 checked');
    await scan('5901234123457');
    await expect.poll(() => line('V-TENT')).toBe('2 of 2 checked');
    await scan('5901234123457');
    await expect.poll(() => status(page)).toBe('One too many V-TENT: 2 of 2 checked already.');
    await page.keyboard.press('Control+Enter');
    await scan('PARCEL-VB1');
    await page.keyboard.press('F9');
    await expect.poll(() => status(page)).toContain(`Order ${order.code} cannot be reported: not every unit is checked (V-MUG 0/1).`);
    await page.keyboard.press('Control+Enter');
    // Undo the last check from the keyboard, and check it again.
    await page.keyboard.press('Control+z');
    await expect.poll(() => line('V-TENT')).toBe('1 of 2 checked');
    await scan('5901234123457');
    await scan('V-MUG');
    await expect.poll(() => line('V-MUG')).toBe('1 of 1 checked');
    await page.keyboard.press('F9');
    await expect.poll(() => reload(db, order.code).status).toBe('shipped');

    // Ship what is checked: one of two tents checked, Shift+F4, Report in: the order ships in part.
    await scan(partly.code);
    await expect.poll(() => line('V-TENT')).toBe('0 of 2 checked');
    await scan('5901234123457');
    await scan('PARCEL-VB2');
    await expect.poll(() => parcelsOnCard(page)).toEqual(['PARCEL-VB2']);
    await page.keyboard.press('Shift+F4');
    await expect.poll(() => status(page)).toBe(`Order ${partly.code} ships what is checked; the rest stays for a later delivery.`);
    await page.keyboard.press('F9');
    await expect.poll(() => status(page)).toBe('Reported 1 delivery: 0 orders shipped, 1 partly.');
    expect(db.$client.prepare('SELECT shipped_quantity FROM order_lines WHERE order_id = ?').pluck().get(partly.id)).toBe(1);
    expect(await pointerEvents(page)).toBe(0);
    await context.close();
  });
});
