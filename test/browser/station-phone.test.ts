import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { writeTransaction } from '../../src/db/client.js';
import { chooseStationPrinter, savePrinter } from '../../src/printers/service.js';
import { putVerificationMode } from '../../src/shipping/checks.js';
import { ensureStation, openOrderAt } from '../../src/shipping/stations.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { browserSuite, logIn } from './browser.js';
import { scanKeys } from './scanner.js';
import { tones, watchPage } from './watch.js';

/** The phone of the walk-through: a packer's own phone as a station, with a Bluetooth scanner. */
const PHONE = { width: 390, height: 844 };
/** Generous: two cores shared with other suites. Conditions are waited for, never a fixed time. */
const WAIT = { timeout: 20_000 };

const status = (page: Page) => page.locator('#scan-status').textContent();
const codeOnCard = (page: Page) => page.locator('#current').getAttribute('data-code');
const checkCount = (page: Page, sku: string) => page.locator(`#current li[data-sku="${sku}"] .check-count`).textContent();
const refusedItems = (page: Page) => page.locator('#refused li').allTextContents();

/** Shipping out on a phone-sized page, signed in, at the station `name` (its cookie set as the name form sets it). */
async function phoneStation(suite: ReturnType<typeof browserSuite>, email: string, name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await suite.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  await watchPage(context);
  await context.addCookies([{ name: 'station', value: name, url: suite.server.url }]);
  const page = await context.newPage();
  await logIn(page, suite.server.url, email, '/shipping');
  await page.waitForSelector('#scan-value');
  return { context, page };
}

/** Ola holds `order` open at Bench 9, as his station's scan would. */
function heldByOla(db: ReturnType<typeof browserSuite>['server']['db'], olaId: number, order: { id: number; code: string }) {
  writeTransaction(db, (tx) => openOrderAt(tx, ensureStation(tx, olaId, 'Bench 9', new Date()), order));
}
const heldAt = (db: ReturnType<typeof browserSuite>['server']['db'], order: { id: number }) =>
  db.$client.prepare('SELECT name FROM stations WHERE current_order_id = ?').pluck().get(order.id);

describe('The packing station on a phone (390×844), in a real browser', () => {
  const suite = browserSuite((db) => {
    putVerificationMode(db, 'warn', new Date(), 'test');
    buildProduct(db, { sku: 'PH-TENT', name: 'Tent for two, green, with the long name a real catalogue gives it', barcode: '5901234123457', onHand: 90 });
    buildProduct(db, { sku: 'PH-MUG', name: 'Enamel mug', onHand: 90 });
    buildProduct(db, { sku: 'PH-SOCK', name: 'Wool socks', barcode: '96385074', onHand: 90 });
  });
  const lines = [
    { sku: 'PH-TENT', quantity: 2 },
    { sku: 'PH-MUG', quantity: 1 },
  ];

  it('a tapped queue order opens in view; with a label printer chosen nothing scrolls sideways; each “n of m checked” is on its own line; Select and Take over are ≥ 44 px', async () => {
    const { db } = suite.server;
    const orders = Array.from({ length: 12 }, () => buildPackingOrder(db, { lines }));
    const pia = await buildUser(db, 'packer', { name: 'Pia' });
    const ola = await buildUser(db, 'packer', { name: 'Ola' });
    heldByOla(db, ola.id, orders[0]!);
    const printer = savePrinter(db, null, { name: 'Zebra 1', host: '127.0.0.1', port: 9, dpi: 203 }, new Date());
    chooseStationPrinter(db, { userId: pia.id, stationName: 'Phone 1' }, { printerId: printer.id, autoPrint: false }, new Date());
    const { context, page } = await phoneStation(suite, pia.email, 'Phone 1');

    // The last order of the queue, a screen or more below the scan field: tapped, it opens in view,
    // below the scan bar that stays at the top.
    const last = orders[11]!;
    const button = page.locator(`#queue button.code[value="${last.code}"]`);
    await button.scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
    await button.tap();
    await expect.poll(() => codeOnCard(page), WAIT).toBe(last.code);
    await expect
      .poll(async () => {
        const heading = (await page.locator('#current h2').boundingBox())!;
        const bar = (await page.locator('#scan-form').boundingBox())!;
        return heading.y >= bar.y + bar.height - 1 && heading.y + heading.height <= PHONE.height;
      }, WAIT)
      .toBe(true);

    // A long parcel ID (an SSCC) with Label, "Print on Zebra 1" and ×: the row wraps in the card.
    await page.locator('#scan-value').focus();
    await scanKeys(page, '00373500000000000017');
    await expect.poll(() => page.locator('#current .parcel[data-parcel]').count(), WAIT).toBe(1);
    await expect(page.locator('#current .print-parcel button').isVisible()).resolves.toBe(true);
    const widths = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      body: document.body.scrollWidth,
      parcel: document.querySelector('#current .parcel')!.getBoundingClientRect().right,
    }));
    expect(widths.doc).toBeLessThanOrEqual(PHONE.width);
    expect(widths.body).toBeLessThanOrEqual(PHONE.width);
    expect(widths.parcel).toBeLessThanOrEqual(PHONE.width);

    // Each "n of m checked" lies within its own line's box (a float once slid it beside the next line).
    await expect.poll(() => checkCount(page, 'PH-TENT'), WAIT).toBe('0 of 2 checked');
    const boxes = await page.evaluate(() =>
      [...document.querySelectorAll('#current .station-lines li')].map((li) => {
        const line = li.getBoundingClientRect();
        const label = li.querySelector('.check-count')!.getBoundingClientRect();
        return { sku: (li as HTMLElement).dataset.sku, line: [line.top, line.bottom], label: [label.top, label.bottom] };
      }),
    );
    expect(boxes).toHaveLength(2);
    for (const b of boxes) {
      expect(b.label[0], b.sku).toBeGreaterThanOrEqual(b.line[0]! - 0.5);
      expect(b.label[1], b.sku).toBeLessThanOrEqual(b.line[1]! + 0.5);
    }
    expect(boxes[0]!.label[1]).toBeLessThanOrEqual(boxes[1]!.line[0]! + 0.5);

    // Fingers' targets: each queue order's button, the taken order's Take over, each delivery's Select box.
    const targets = await page.evaluate(() =>
      [...document.querySelectorAll('#queue button, #mine input[type=checkbox]')].map((el) => {
        const box = el.getBoundingClientRect();
        return { el: `${el.className || el.getAttribute('aria-label')} ${el.textContent}`.trim(), width: box.width, height: box.height };
      }),
    );
    expect(targets.filter((t) => t.el.startsWith('take-over'))).toHaveLength(1);
    expect(targets.filter((t) => t.el.startsWith('Select'))).toHaveLength(1);
    expect(targets.filter((t) => t.width < 44 || t.height < 44)).toEqual([]);
    await page.screenshot({ path: 'test-results/station-phone.png', fullPage: true });
    await context.close();
  });

  it('a refusal followed quickly by a good scan stays shown, full width, until acknowledged by key, by tap and by the OK barcode; the later answer waits behind it', async () => {
    const { db } = suite.server;
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'PH-TENT', quantity: 3 },
        { sku: 'PH-MUG', quantity: 1 },
      ],
    });
    const pia = await buildUser(db, 'packer', { name: 'Pia' });
    const { context, page } = await phoneStation(suite, pia.email, 'Phone 2');
    await page.locator('#scan-value').focus();
    await scanKeys(page, order.code);
    await expect.poll(() => codeOnCard(page), WAIT).toBe(order.code);
    await tones(page);
    const refusal = `PH-SOCK is not on order ${order.code}. Put it back.`;

    const rounds: { good: string; sku: string; count: string; said: string; acknowledge: () => Promise<void> }[] = [
      {
        good: '5901234123457',
        sku: 'PH-TENT',
        count: '1 of 3 checked',
        said: 'Checked PH-TENT: 1 of 3.',
        acknowledge: () => page.keyboard.press('Control+Enter'),
      },
      {
        good: 'PH-MUG',
        sku: 'PH-MUG',
        count: '1 of 1 checked',
        said: 'Checked PH-MUG: 1 of 1.',
        acknowledge: () => page.locator('#refused .refused-ok').tap(),
      },
      { good: '5901234123457', sku: 'PH-TENT', count: '2 of 3 checked', said: 'Checked PH-TENT: 2 of 3.', acknowledge: () => scanKeys(page, 'OK') },
    ];
    for (const round of rounds) {
      // The wrong item, then at once the next one: both answers arrive close together.
      await scanKeys(page, '96385074');
      await scanKeys(page, round.good);
      // The good scan is done (its line counts it), but its words wait behind the refusal.
      await expect.poll(() => checkCount(page, round.sku), WAIT).toBe(round.count);
      await expect.poll(() => page.locator('#refused .refused-waiting').textContent(), WAIT).toBe('1 later answer waits behind it.');
      await expect(status(page)).resolves.toBe(refusal);
      await expect(page.locator('#scan-status').getAttribute('class')).resolves.toContain('error');
      await expect(refusedItems(page)).resolves.toEqual([`96385074 ${refusal} OK`]);
      expect(await tones(page)).toContain(180);
      // Full width on the phone, on screen wherever the page is scrolled.
      const box = (await page.locator('#refused').boundingBox())!;
      expect(box.x).toBe(0);
      expect(box.width).toBe(PHONE.width);
      expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
      // The next refresh of the station (every 2 s) leaves it as it is: it goes only when acknowledged.
      const polled = page.waitForResponse((r) => r.url().endsWith('/shipping/fragment'), WAIT);
      await polled;
      await expect(status(page)).resolves.toBe(refusal);

      if (round.sku === 'PH-MUG') await page.screenshot({ path: 'test-results/station-phone-refusal.png' });
      await round.acknowledge();
      await expect.poll(() => status(page), WAIT).toBe(round.said);
      await expect(page.locator('#refused').isHidden()).resolves.toBe(true);
    }
    // OK with nothing to acknowledge does nothing but say what the station is ready for: the open order's items.
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => status(page), WAIT).toBe(`Order ${order.code} is open here: scan its items, then its parcel IDs.`);
    expect(db.$client.prepare('SELECT count(*) FROM refused_checks WHERE order_id = ?').pluck().get(order.id)).toBe(3);
    await context.close();
  });

  it('Take over asks first: a tap on Take over offers it, Enter on its button and a scan’s trailing Enter take nothing; OK acknowledges the refusal first, then takes it over', async () => {
    const { db } = suite.server;
    const order = buildPackingOrder(db, { lines });
    const pia = await buildUser(db, 'packer', { name: 'Pia' });
    const ola = await buildUser(db, 'packer', { name: 'Ola' });
    heldByOla(db, ola.id, order);
    const { context, page } = await phoneStation(suite, pia.email, 'Phone 3');

    // One tap on Take over in the queue: the offer, with what it moves; the order stays at Bench 9.
    const offer = page.locator('#takeover');
    await page.locator(`#queue li.taken button.take-over[value="${order.code}"]`).tap();
    await expect.poll(() => offer.isVisible(), WAIT).toBe(true);
    await expect(status(page)).resolves.toBe(`Order ${order.code} is open at Bench 9 — Ola. Take it over to pack it here.`);
    await expect(page.locator('#takeover-text').textContent()).resolves.toContain('moves its parcels, quantities and checks to this station');
    expect(heldAt(db, order)).toBe('Bench 9');
    const confirm = page.locator('#takeover .takeover-confirm');
    const box = (await confirm.boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
    // The page never gives the confirmation the focus.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('scan-value');

    // Even with the button focused, Enter (a scanner's bare suffix, or a key) does not press it.
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
    });
    await confirm.focus();
    await scanKeys(page, '', { suffix: 'Enter' });
    await page.keyboard.press('Enter');
    await expect(offer.isVisible()).resolves.toBe(true);
    // A scanner's code and its suffix: a scan (refused: no order is open here), never the
    // confirmation. It is sent after anything those Enters had sent; its answer ends the offer.
    await scanKeys(page, 'JJD0000000001', { suffix: 'Tab Enter' });
    await expect.poll(() => refusedItems(page), WAIT).toHaveLength(1);
    expect(posts).toEqual(['/shipping/scan']);
    expect(heldAt(db, order)).toBe('Bench 9');
    await expect(offer.count()).resolves.toBe(0);

    // Offered again while the refusal is shown: OK first acknowledges the refusal (the offer's words
    // waited behind it), and only the next OK confirms.
    await page.locator(`#queue li.taken button.take-over[value="${order.code}"]`).tap();
    await expect.poll(() => offer.isVisible(), WAIT).toBe(true);
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => refusedItems(page), WAIT).toEqual([]);
    await expect(status(page)).resolves.toBe(`Order ${order.code} is open at Bench 9 — Ola. Take it over to pack it here.`);
    expect(heldAt(db, order)).toBe('Bench 9');
    await expect(offer.isVisible()).resolves.toBe(true);
    await scanKeys(page, 'OK');
    await expect.poll(() => status(page), WAIT).toBe(`Order ${order.code} taken over from Bench 9 — Ola.`);
    expect(heldAt(db, order)).toBe('Phone 3');
    await expect.poll(() => codeOnCard(page), WAIT).toBe(order.code);
    await expect(offer.count()).resolves.toBe(0);
    expect(db.$client.prepare("SELECT count(*) FROM order_events WHERE order_id = ? AND type = 'station_takeover'").pluck().get(order.id)).toBe(1);
    await context.close();
  });

  it('Take over on a desk with no mouse: Esc leaves the order where it is; Space on the focused button takes it over', async () => {
    const { db } = suite.server;
    const order = buildPackingOrder(db, { lines });
    const pia = await buildUser(db, 'packer', { name: 'Pia' });
    const ola = await buildUser(db, 'packer', { name: 'Ola' });
    heldByOla(db, ola.id, order);
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await watchPage(context);
    await context.addCookies([{ name: 'station', value: 'Desk 4', url: suite.server.url }]);
    const page = await context.newPage();
    await logIn(page, suite.server.url, pia.email, '/shipping');
    await page.locator('#scan-value').focus();
    const offer = page.locator('#takeover');

    await scanKeys(page, order.code);
    await expect.poll(() => offer.isVisible(), WAIT).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => offer.count(), WAIT).toBe(0);
    expect(heldAt(db, order)).toBe('Bench 9');

    await scanKeys(page, order.code);
    await expect.poll(() => offer.isVisible(), WAIT).toBe(true);
    await page.locator('#takeover .takeover-confirm').focus();
    await page.keyboard.press('Space');
    await expect.poll(() => heldAt(db, order), WAIT).toBe('Desk 4');
    await expect.poll(() => status(page), WAIT).toBe(`Order ${order.code} taken over from Bench 9 — Ola.`);
    await context.close();
  });
});
