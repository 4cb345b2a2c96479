import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { gs1CheckDigit } from '../../src/domain/gtin.js';
import { putVerificationMode } from '../../src/shipping/checks.js';
import { buildPackingOrder, buildProduct, buildUser, reload } from '../builders.js';
import { PASSWORD, TEST_PARCEL_FORMS } from '../helpers.js';
import { putParcelPatterns } from '../../src/shipping/parcel-rules.js';
import { browserSuite, logIn } from './browser.js';
import { scanKeys, scanStrokes } from './scanner.js';

// The packing station as a shop's LAN serves it (plain HTTP at warehouse.test: not a secure
// context), driven by a keyboard-wedge scanner typing at scanner speed through CDP (scanner.ts):
// suffixes, AIM identifiers, GS as Ctrl+], a US scanner on AZERTY, QWERTZ and Swedish computers,
// and the device's queue of scans through outages, sign-outs and a change of user. Each test reads
// the database behind the page as well as the page.

const WAIT = { timeout: 20_000 };

// ---- the page ----
const parcelsOnCard = (page: Page) => page.locator('#current .parcel[data-parcel]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.parcel));
const status = (page: Page) => page.locator('#scan-status').textContent();
const currentCode = (page: Page) => page.locator('#current').getAttribute('data-code');
const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName);
const refusedItems = (page: Page) => page.locator('#refused li').allTextContents();
const feedback = (page: Page) => page.evaluate(() => document.getElementById('station-page')!.dataset.feedback);
const statusClass = (page: Page) => page.locator('#scan-status').getAttribute('class');
/** The scans kept in this page's IndexedDB ('station' v2, store 'scans'). */
interface KeptScan {
  key: string;
  value: string;
  source: string;
  user: number;
  station: string;
  order: string;
  at: number;
}
const storedScans = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<KeptScan[]>((resolve, reject) => {
        const req = indexedDB.open('station', 2);
        req.onsuccess = () => {
          const db = req.result;
          const get = db.transaction('scans', 'readonly').objectStore('scans').getAll() as IDBRequest<KeptScan[]>;
          get.onsuccess = () => {
            db.close();
            resolve(get.result.sort((a, b) => a.at - b.at));
          };
          get.onerror = () => reject(new Error(String(get.error)));
        };
        req.onerror = () => reject(new Error(String(req.error)));
      }),
  );

// ---- the database ----
/** The parcel IDs of the order's open (draft) delivery, in the order added. */
const draftParcels = (db: Db, orderId: number) =>
  db.$client
    .prepare("SELECT p.parcel_id FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id WHERE d.order_id = ? AND d.status = 'draft' ORDER BY p.id")
    .pluck()
    .all(orderId) as string[];
/** Every parcel row (any delivery) whose ID contains `text`. */
const parcelsLike = (db: Db, text: string) =>
  db.$client.prepare("SELECT parcel_id FROM delivery_parcels WHERE parcel_id LIKE '%' || ? || '%' ORDER BY id").pluck().all(text) as string[];
const parcelCount = (db: Db) => db.$client.prepare('SELECT count(*) FROM delivery_parcels').pluck().get() as number;
/** The order open at a station (user + name), or null. */
const openAt = (db: Db, userId: number, name: string) =>
  (db.$client
    .prepare('SELECT o.code FROM stations s LEFT JOIN orders o ON o.id = s.current_order_id WHERE s.user_id = ? AND s.name = ?')
    .pluck()
    .get(userId, name) as string | null | undefined) ?? null;
/** Who added each parcel of the order (order_events 'parcel_added'). */
const parcelEvents = (db: Db, orderId: number) =>
  db.$client
    .prepare(
      "SELECT json_extract(data, '$.parcelId') AS parcelId, actor_id AS actorId FROM order_events WHERE order_id = ? AND type = 'parcel_added' ORDER BY id",
    )
    .all(orderId) as {
    parcelId: string;
    actorId: number;
  }[];

/** An SSCC (18 digits) with its GS1 check digit, from a 17-digit body. */
const sscc = (body: string) => body + gs1CheckDigit(body);

interface Station {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page's scripts (e.g. crypto.randomUUID on plain HTTP). */
  errors: string[];
}

/** Opens the station at the LAN origin in a new context (or `context`), named `name` by its cookie. */
async function openStation(suite: ReturnType<typeof browserSuite>, email: string, name: string, context?: BrowserContext): Promise<Station> {
  context ??= await suite.browser.newContext();
  await context.addCookies([{ name: 'station', value: name, url: suite.server.url }]);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await logIn(page, suite.server.url, email, '/shipping');
  await page.waitForSelector('#scan-value');
  await expect.poll(() => focused(page), WAIT).toBe('scan-value');
  return { context, page, errors };
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** Signs out through the header's button. */
async function signOut(page: Page, baseUrl: string) {
  await page.click('form[action="/logout"] button');
  await page.waitForURL(`${baseUrl}/login`);
}

/**
 * Waits until the station's 2 s refresh (GET /shipping/fragment) has shown the latest state: two
 * refreshes in a row after the last change, the second of which finds nothing new. After that a
 * control of the order card keeps its focus until the state changes again.
 */
async function refreshSettled(page: Page) {
  for (let i = 0; i < 2; i++) await page.waitForResponse((r) => r.url().endsWith('/shipping/fragment'), WAIT);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends key strokes (from scanStrokes) as scanKeys does, 2 ms apart on one CDP session: for keys
 * that must follow a scan within its suffix window (300 ms), which a separate call cannot promise
 * on a loaded machine.
 */
async function sendStrokes(page: Page, strokes: ReturnType<typeof scanStrokes>) {
  const session = await page.context().newCDPSession(page);
  try {
    const sent: Promise<unknown>[] = [];
    for (const stroke of strokes) {
      for (const event of stroke) {
        const delivery = session.send('Input.dispatchKeyEvent', event);
        delivery.catch(() => undefined);
        sent.push(delivery);
      }
      await pause(2);
    }
    await Promise.all(sent);
  } finally {
    await session.detach().catch(() => undefined);
  }
}

describe('Scanners at the packing station, on the LAN’s plain HTTP', () => {
  const suite = browserSuite();

  it('1. not a secure context: an order code and a parcel with Enter, and Report in, all without crypto.randomUUID', async () => {
    const db = suite.server.db;
    const order = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer');
    const { context, page, errors } = await openStation(suite, packer.email, 'Plain-1');
    expect(await page.evaluate(() => ({ secure: window.isSecureContext, randomUUID: typeof crypto.randomUUID, origin: location.origin }))).toEqual({
      secure: false,
      randomUUID: 'undefined',
      origin: suite.server.url,
    });
    expect(suite.server.url).toMatch(/^http:\/\/warehouse\.test:\d+$/);

    await scanKeys(page, order.code);
    await expect.poll(() => currentCode(page), WAIT).toBe(order.code);
    await expect.poll(() => status(page), WAIT).toBe(`Order ${order.code} selected: scan its parcel IDs.`);
    expect(openAt(db, packer.id, 'Plain-1')).toBe(order.code);

    await scanKeys(page, 'HTTP-P1');
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['HTTP-P1']);
    expect(draftParcels(db, order.id)).toEqual(['HTTP-P1']);
    expect(db.$client.prepare("SELECT source FROM delivery_parcels WHERE parcel_id = 'HTTP-P1'").pluck().get()).toBe('scanner');
    await expect(focused(page)).resolves.toBe('scan-value');

    // Report in: its key comes from crypto.getRandomValues.
    await page.click('.report-in');
    await expect.poll(() => reload(db, order.code).status, WAIT).toBe('shipped');
    await expect.poll(() => status(page), WAIT).toBe('Reported 1 delivery: 1 order shipped, 0 partly.');
    expect(db.$client.prepare("SELECT count(*) FROM deliveries WHERE order_id = ? AND status = 'reported'").pluck().get(order.id)).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('2. a Tab suffix ends a scan and keeps the focus; a scan while a × button has the focus goes to the scan field; × removes, Undo restores', async () => {
    const db = suite.server.db;
    const order = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer');
    const { context, page, errors } = await openStation(suite, packer.email, 'Tab-2');

    await scanKeys(page, order.code, { suffix: 'Tab' });
    await expect.poll(() => currentCode(page), WAIT).toBe(order.code);
    await expect(focused(page)).resolves.toBe('scan-value');
    await scanKeys(page, 'TAB-P1', { suffix: 'Tab' });
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['TAB-P1']);
    await expect(focused(page)).resolves.toBe('scan-value');
    expect(openAt(db, packer.id, 'Tab-2')).toBe(order.code);
    expect(draftParcels(db, order.id)).toEqual(['TAB-P1']);

    // A stray Enter and Tab right after a scan (a scanner's CR LF or Tab Enter) do nothing: no scan,
    // the focus stays.
    await sendStrokes(page, [...scanStrokes('TAB-P2', { suffix: 'Tab' }), ...scanStrokes('', { suffix: 'Tab Enter' })]);
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['TAB-P1', 'TAB-P2']);
    await expect(focused(page)).resolves.toBe('scan-value');
    await scanKeys(page, 'TAB-P3', { suffix: 'Tab Enter' });
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['TAB-P1', 'TAB-P2', 'TAB-P3']);
    await expect(focused(page)).resolves.toBe('scan-value');
    await expect.poll(() => status(page), WAIT).toBe(`Parcel ID TAB-P3 added to order ${order.code}.`);
    expect(draftParcels(db, order.id)).toEqual(['TAB-P1', 'TAB-P2', 'TAB-P3']);

    // Focus on TAB-P1's × button, then a scan with Enter: its characters go to the scan field and
    // its Enter ends that scan; it does not press the button.
    await refreshSettled(page);
    const remove = (parcelId: string) => `#current .parcel[data-parcel="${parcelId}"] button.remove`;
    await page.focus(remove('TAB-P1'));
    await page.evaluate(() => {
      const w = window as unknown as { firstKeyOn?: string };
      delete w.firstKeyOn;
      window.addEventListener('keydown', () => (w.firstKeyOn ??= (document.activeElement as HTMLElement | null)?.className ?? ''), { capture: true });
    });
    // Fewer than four parcels: TAB-P4 is the fourth.
    await scanKeys(page, 'TAB-P4');
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['TAB-P1', 'TAB-P2', 'TAB-P3', 'TAB-P4']);
    expect(await page.evaluate(() => (window as unknown as { firstKeyOn?: string }).firstKeyOn)).toBe('remove');
    await expect(focused(page)).resolves.toBe('scan-value');
    await expect(page.locator('#scan-value').inputValue()).resolves.toBe('');
    expect(draftParcels(db, order.id)).toEqual(['TAB-P1', 'TAB-P2', 'TAB-P3', 'TAB-P4']);
    await expect(page.locator('#undo-remove').count()).resolves.toBe(0);

    // Enter on the × button removes that parcel; Undo puts it back.
    await page.focus(remove('TAB-P2'));
    await page.keyboard.press('Enter');
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['TAB-P1', 'TAB-P3', 'TAB-P4']);
    await expect.poll(() => status(page), WAIT).toBe(`Parcel ID TAB-P2 removed from order ${order.code}.`);
    expect(draftParcels(db, order.id)).toEqual(['TAB-P1', 'TAB-P3', 'TAB-P4']);
    await page.click('#undo-remove button');
    await expect.poll(() => status(page), WAIT).toBe(`Parcel ID TAB-P2 is back on order ${order.code}.`);
    await expect.poll(() => parcelsOnCard(page), WAIT).toContain('TAB-P2');
    expect([...draftParcels(db, order.id)].sort()).toEqual(['TAB-P1', 'TAB-P2', 'TAB-P3', 'TAB-P4']);
    await expect(page.locator('#undo-remove').count()).resolves.toBe(0);

    // A click on × removes too.
    await page.click(remove('TAB-P3'));
    await expect.poll(() => draftParcels(db, order.id).includes('TAB-P3'), WAIT).toBe(false);
    await page.click('#undo-remove button');
    await expect.poll(() => draftParcels(db, order.id).includes('TAB-P3'), WAIT).toBe(true);
    expect(parcelsLike(db, 'TAB-P')).toHaveLength(4);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('3. AIM identifiers: ]C0 and an order code opens the order; ]C1 00 and an SSCC is saved as the SSCC', async () => {
    const db = suite.server.db;
    const first = buildPackingOrder(db);
    const other = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer');
    const { context, page, errors } = await openStation(suite, packer.email, 'Aim-3');
    await scanKeys(page, first.code);
    await expect.poll(() => currentCode(page), WAIT).toBe(first.code);

    const before = parcelCount(db);
    await scanKeys(page, `]C0${other.code}`);
    await expect.poll(() => currentCode(page), WAIT).toBe(other.code);
    await expect.poll(() => status(page), WAIT).toBe(`Order ${other.code} selected: scan its parcel IDs.`);
    expect(openAt(db, packer.id, 'Aim-3')).toBe(other.code);
    expect(parcelCount(db)).toBe(before);

    const code = sscc('37350000000003001');
    await scanKeys(page, `]C100${code}`);
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual([code]);
    expect(draftParcels(db, other.id)).toEqual([code]);
    expect(draftParcels(db, first.id)).toEqual([]);

    // A parcel scanned while an order code with its AIM identifier still waits to be sent (here:
    // offline) is meant for that order, is kept so, and lands on it.
    await context.setOffline(true);
    await scanKeys(page, `]C0${first.code}`);
    await scanKeys(page, 'AIM-P2');
    await expect.poll(() => page.locator('#pending li').allTextContents(), WAIT).toEqual([`]C0${first.code}`, 'AIM-P2']);
    expect((await storedScans(page)).map((s) => [s.value, s.order])).toEqual([
      [`]C0${first.code}`, other.code],
      ['AIM-P2', first.code],
    ]);
    await context.setOffline(false);
    await expect.poll(() => status(page), WAIT).toBe(`Parcel ID AIM-P2 added to order ${first.code}.`);
    expect(draftParcels(db, first.id)).toEqual(['AIM-P2']);
    expect(draftParcels(db, other.id)).toEqual([code]);
    expect(openAt(db, packer.id, 'Aim-3')).toBe(first.code);
    await expect(refusedItems(page)).resolves.toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('4. GS as Ctrl+]: a GS1 item scan is checked with its batch and serial apart', async () => {
    const db = suite.server.db;
    putVerificationMode(db, 'required', new Date(), 'test');
    try {
      buildProduct(db, { sku: 'GS-TENT', name: 'Tent for two', barcode: '5901234123457', onHand: 9 });
      const order = buildPackingOrder(db, { lines: [{ sku: 'GS-TENT', quantity: 2 }] });
      const packer = await buildUser(db, 'packer');
      const { context, page, errors } = await openStation(suite, packer.email, 'Gs-4');
      await scanKeys(page, order.code);
      await expect.poll(() => page.locator('#current li[data-sku="GS-TENT"] .check-count').textContent(), WAIT).toBe('0 of 2 checked');

      await scanKeys(page, ']C1' + '0105901234123457' + '10LOT7' + '\x1D' + '21SER1');
      await expect.poll(() => page.locator('#current li[data-sku="GS-TENT"] .check-count').textContent(), WAIT).toBe('1 of 2 checked');
      const checks = db.$client
        .prepare(
          'SELECT c.gtin, c.batch, c.serial, c.expiry, c.quantity, c.barcode, c.checked_by_user_id AS userId FROM delivery_checks c JOIN deliveries d ON d.id = c.delivery_id WHERE d.order_id = ?',
        )
        .all(order.id);
      expect(checks).toEqual([
        {
          gtin: '05901234123457',
          batch: 'LOT7',
          serial: 'SER1',
          expiry: null,
          quantity: 1,
          barcode: '\x1D0105901234123457' + '10LOT7\x1D21SER1',
          userId: packer.id,
        },
      ]);
      expect(draftParcels(db, order.id)).toEqual([]);
      expect(db.$client.prepare('SELECT count(*) FROM refused_checks WHERE order_id = ?').pluck().get(order.id)).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      putVerificationMode(db, 'off', new Date(), 'test');
    }
  });

  for (const { layout, name, orderPrefix, parcelPrefix, refused } of [
    // AZERTY: the digit row types & é " ' ( - è _ ç à, so a plain order code and SSCC come out mangled.
    { layout: 'fr', name: 'French (AZERTY)', orderPrefix: '', parcelPrefix: '', refused: { code: 'JJD13456813', typed: `JJD&"'(-_&"` } },
    // QWERTZ and Swedish type digits as digits; the AIM identifier's ] comes out as + and ¨, - as ß and +.
    { layout: 'de', name: 'German (QWERTZ)', orderPrefix: ']C0', parcelPrefix: ']C100', refused: { code: 'ABC-123', typed: 'ABCß123' } },
    // Swedish, Norwegian and Danish type these keys alike: all three are named.
    { layout: 'se', name: 'Swedish/Finnish or Norwegian or Danish', orderPrefix: ']C0', parcelPrefix: ']C100', refused: { code: 'ABC-123', typed: 'ABC+123' } },
  ] as const) {
    it(`5. a US scanner on a ${layout} keyboard: codes with a check digit are read right and the layout named; others are refused in words`, async () => {
      const db = suite.server.db;
      const order = buildPackingOrder(db);
      const packer = await buildUser(db, 'packer');
      const station = `Layout-${layout}`;
      const { context, page, errors } = await openStation(suite, packer.email, station);

      await scanKeys(page, orderPrefix + order.code, { layout });
      await expect.poll(() => currentCode(page), WAIT).toBe(order.code);
      expect(openAt(db, packer.id, station)).toBe(order.code);
      await expect(page.locator('#layout-notice').isVisible()).resolves.toBe(true);
      await expect(page.locator('#layout-notice').textContent()).resolves.toBe(
        `Read as a scanner set to US on a ${name} keyboard. Scans are read right, but set the scanner to ${name} (Scanner check).`,
      );

      const parcel = sscc(`3735000000000${{ fr: '5001', de: '5002', se: '5003' }[layout]}`);
      await scanKeys(page, parcelPrefix + parcel, { layout });
      await expect.poll(() => parcelsOnCard(page), WAIT).toEqual([parcel]);
      expect(draftParcels(db, order.id)).toEqual([parcel]);

      // The same while Report in has the focus: the scan goes to the scan field (a dead key first
      // too), and its Enter does not press the button.
      const second = sscc(`3735000000000${{ fr: '5011', de: '5012', se: '5013' }[layout]}`);
      await page.focus('.report-in');
      await scanKeys(page, parcelPrefix + second, { layout });
      await expect.poll(() => parcelsOnCard(page), WAIT).toEqual([parcel, second]);
      expect(draftParcels(db, order.id)).toEqual([parcel, second]);
      expect(reload(db, order.code).status).toBe('packing');
      await expect(focused(page)).resolves.toBe('scan-value');

      // A code no check digit proves, typed through the layout: refused, said and listed, not sent.
      await scanKeys(page, refused.code, { layout });
      const message = `Not saved: ${refused.typed} reads as ${refused.code} from a scanner set to US on a ${name} keyboard, but no check digit proves it. Set the scanner to the keyboard’s layout (Scanner check), or type the code.`;
      await expect.poll(() => status(page), WAIT).toBe(message);
      await expect(feedback(page)).resolves.toBe('error');
      await expect(statusClass(page)).resolves.toContain('error');
      await expect.poll(() => refusedItems(page), WAIT).toEqual([`${refused.typed} ${message} OK`]);
      await expect(page.locator('#refused').isVisible()).resolves.toBe(true);
      await expect(page.locator('#refused h2').textContent()).resolves.toBe('Not saved');
      await expect(focused(page)).resolves.toBe('scan-value');
      // Nothing sent, nothing kept, nothing saved.
      await expect(storedScans(page)).resolves.toEqual([]);
      expect(draftParcels(db, order.id)).toEqual([parcel, second]);
      expect(parcelsLike(db, refused.code.slice(0, 3))).toEqual([]);
      expect(parcelsLike(db, refused.typed.slice(0, 3))).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('6. two scans 20 ms apart are both handled, in order; a refusal stays listed after the next answer', async () => {
    const db = suite.server.db;
    const order = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer');
    const { context, page, errors } = await openStation(suite, packer.email, 'Burst-6');
    await scanKeys(page, order.code);
    await expect.poll(() => currentCode(page), WAIT).toBe(order.code);

    await scanKeys(page, 'BURST-1');
    await pause(20);
    await scanKeys(page, 'BURST-2');
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['BURST-1', 'BURST-2']);
    expect(draftParcels(db, order.id)).toEqual(['BURST-1', 'BURST-2']);
    await expect.poll(() => status(page), WAIT).toBe(`Parcel ID BURST-2 added to order ${order.code}.`);

    // A US scanner on AZERTY: JJD13456813 is refused here, the SSCC 20 ms after it is read and saved.
    const parcel = sscc('37350000000006001');
    await scanKeys(page, 'JJD13456813', { layout: 'fr' });
    await pause(20);
    await scanKeys(page, parcel, { layout: 'fr' });
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['BURST-1', 'BURST-2', parcel]);
    // The refusal keeps the status line; the next answer's words wait behind it until it is acknowledged.
    const refused = await refusedItems(page);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('Not saved: JJD&"\'(-_&" reads as JJD13456813 from a scanner set to US on a French (AZERTY) keyboard');
    await expect.poll(() => page.locator('#refused .refused-waiting').textContent(), WAIT).toBe('1 later answer waits behind it.');
    await expect(status(page)).resolves.toContain('reads as JJD13456813');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => status(page), WAIT).toBe(`Parcel ID ${parcel} added to order ${order.code}.`);
    await expect(refusedItems(page)).resolves.toEqual([]);
    expect(draftParcels(db, order.id)).toEqual(['BURST-1', 'BURST-2', parcel]);
    expect(parcelsLike(db, 'JJD')).toEqual([]);
    await expect(storedScans(page)).resolves.toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('7. scans made offline by one packer wait on the device for them: not sent under another packer, sent when they sign in again', async () => {
    const db = suite.server.db;
    const order = buildPackingOrder(db);
    const pia = await buildUser(db, 'packer', { name: 'Pia Packer' });
    const ola = await buildUser(db, 'packer', { name: 'Ola Other' });
    const { context, page, errors } = await openStation(suite, pia.email, 'Shared-7');

    await context.setOffline(true);
    await scanKeys(page, order.code);
    await scanKeys(page, 'SHARED-1');
    await scanKeys(page, 'SHARED-2');
    await expect.poll(() => page.locator('#pending li').allTextContents(), WAIT).toEqual([order.code, 'SHARED-1', 'SHARED-2']);
    await expect.poll(() => status(page), WAIT).toContain('Offline: scans kept on this device until the connection returns: 3');
    const kept = await storedScans(page);
    // Each kept with its user, station and the order it was meant for (none open for the order code).
    expect(kept.map((s) => [s.value, s.user, s.station, s.order])).toEqual([
      [order.code, pia.id, 'Shared-7', ''],
      ['SHARED-1', pia.id, 'Shared-7', order.code],
      ['SHARED-2', pia.id, 'Shared-7', order.code],
    ]);
    await page.close();
    await context.setOffline(false);

    // Pia signs out elsewhere (a page without the station), Ola signs in on the same browser.
    const account = await context.newPage();
    await account.goto(`${suite.server.url}/account`);
    await signOut(account, suite.server.url);
    await account.close();
    const olaStation = await openStation(suite, ola.email, 'Shared-7', context);
    await expect
      .poll(() => olaStation.page.locator('.others-waiting').textContent(), WAIT)
      .toBe('Scans by Pia Packer waiting on this device until they sign in here: 3.');
    await expect(olaStation.page.locator('#pending li').count()).resolves.toBe(0);
    // Nothing of Pia's was sent under Ola: no order opened anywhere, no parcel.
    expect(openAt(db, ola.id, 'Shared-7')).toBeNull();
    expect(openAt(db, pia.id, 'Shared-7')).toBeNull();
    expect(db.$client.prepare('SELECT count(*) FROM stations WHERE current_order_id = ?').pluck().get(order.id)).toBe(0);
    expect(parcelsLike(db, 'SHARED-')).toEqual([]);
    await expect(storedScans(olaStation.page)).resolves.toHaveLength(3);

    // Ola signs out, Pia signs in again: her scans go, as hers, to her order.
    await signOut(olaStation.page, suite.server.url);
    await olaStation.page.close();
    const piaAgain = await context.newPage();
    const piaErrors = watchErrors(piaAgain);
    await logIn(piaAgain, suite.server.url, pia.email, '/shipping');
    await expect.poll(() => parcelsOnCard(piaAgain), WAIT).toEqual(['SHARED-1', 'SHARED-2']);
    await expect.poll(() => piaAgain.locator('#pending li').count(), WAIT).toBe(0);
    expect(openAt(db, pia.id, 'Shared-7')).toBe(order.code);
    expect(draftParcels(db, order.id)).toEqual(['SHARED-1', 'SHARED-2']);
    expect(parcelEvents(db, order.id)).toEqual([
      { parcelId: 'SHARED-1', actorId: pia.id },
      { parcelId: 'SHARED-2', actorId: pia.id },
    ]);
    await expect.poll(() => storedScans(piaAgain), WAIT).toEqual([]);
    await expect(refusedItems(piaAgain)).resolves.toEqual([]);
    await expect(piaAgain.locator('.others-waiting').count()).resolves.toBe(0);
    expect([...errors, ...olaStation.errors, ...piaErrors]).toEqual([]);
    await context.close();
  });

  it('8. a session that ends while scans wait offline: the page says signed out and keeps them; signed in again, each is saved once', async () => {
    const db = suite.server.db;
    const order = buildPackingOrder(db);
    const pia = await buildUser(db, 'packer', { name: 'Pia Expired' });
    const { context, page, errors } = await openStation(suite, pia.email, 'Expiry-8');
    await scanKeys(page, order.code);
    await expect.poll(() => currentCode(page), WAIT).toBe(order.code);

    await context.setOffline(true);
    await scanKeys(page, 'EXP-1');
    await scanKeys(page, 'EXP-2');
    await expect.poll(() => page.locator('#pending li').allTextContents(), WAIT).toEqual(['EXP-1', 'EXP-2']);
    // The session ends on the server meanwhile (expired, or signed out elsewhere).
    const ended = db.$client.prepare('DELETE FROM sessions WHERE user_id = ?').run(pia.id).changes;
    expect(ended).toBeGreaterThan(0);
    await context.setOffline(false);

    await expect
      .poll(() => page.locator('#queue-notice span').textContent(), WAIT)
      .toBe('Signed out. Scans waiting on this device: 2. Sign in again as Pia Expired to send them.');
    await expect(page.locator('#queue-notice').isVisible()).resolves.toBe(true);
    await expect(page.locator('#queue-notice a').isVisible()).resolves.toBe(true);
    await expect(feedback(page)).resolves.toBe('error');
    await expect(page.locator('#pending li').allTextContents()).resolves.toEqual(['EXP-1', 'EXP-2']);
    // A scan made now is kept too, and said: the count goes up, with the error tone.
    await page.evaluate(() => (document.getElementById('station-page')!.dataset.feedback = ''));
    await scanKeys(page, 'EXP-3');
    await expect
      .poll(() => page.locator('#queue-notice span').textContent(), WAIT)
      .toBe('Signed out. Scans waiting on this device: 3. Sign in again as Pia Expired to send them.');
    await expect(feedback(page)).resolves.toBe('error');
    await expect.poll(() => status(page), WAIT).toBe('Signed out. Scans waiting on this device: 3. Sign in again as Pia Expired to send them.');
    await expect(page.locator('#pending li').allTextContents()).resolves.toEqual(['EXP-1', 'EXP-2', 'EXP-3']);
    const kept = await storedScans(page);
    expect(kept.map((s) => s.value)).toEqual(['EXP-1', 'EXP-2', 'EXP-3']);
    expect(draftParcels(db, order.id)).toEqual([]);

    // Sign in again from the notice's link: the station page loads and sends them.
    await page.click('#queue-notice a');
    await page.waitForURL(/\/login/);
    await page.fill('input[name=email]', pia.email);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${suite.server.url}/shipping`);
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['EXP-1', 'EXP-2', 'EXP-3']);
    await expect.poll(() => storedScans(page), WAIT).toEqual([]);
    expect(draftParcels(db, order.id)).toEqual(['EXP-1', 'EXP-2', 'EXP-3']);

    // The page sends them again (an answer lost on the way): each key counts once.
    await page.evaluate(
      (rows) =>
        new Promise<void>((resolve, reject) => {
          const req = indexedDB.open('station', 2);
          req.onsuccess = () => {
            const tx = req.result.transaction('scans', 'readwrite');
            for (const row of rows) tx.objectStore('scans').put(row);
            tx.oncomplete = () => {
              req.result.close();
              resolve();
            };
            tx.onerror = () => reject(new Error(String(tx.error)));
          };
        }),
      kept,
    );
    await page.reload();
    await expect.poll(() => storedScans(page), WAIT).toEqual([]);
    await expect.poll(() => status(page), WAIT).toBe('Already received: EXP-3.');
    expect(draftParcels(db, order.id)).toEqual(['EXP-1', 'EXP-2', 'EXP-3']);
    expect(parcelEvents(db, order.id).map((e) => [e.parcelId, e.actorId])).toEqual([
      ['EXP-1', pia.id],
      ['EXP-2', pia.id],
      ['EXP-3', pia.id],
    ]);
    await expect(refusedItems(page)).resolves.toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('9. a scan queued for order A, sent after the station opened B on another device, is refused in words and not added to B', async () => {
    const db = suite.server.db;
    const a = buildPackingOrder(db);
    const b = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer');
    const desk = await openStation(suite, packer.email, 'Twin-9');
    await scanKeys(desk.page, a.code);
    await expect.poll(() => currentCode(desk.page), WAIT).toBe(a.code);

    await desk.context.setOffline(true);
    await scanKeys(desk.page, 'TWIN-1');
    await expect.poll(() => desk.page.locator('#pending li').allTextContents(), WAIT).toEqual(['TWIN-1']);
    expect((await storedScans(desk.page)).map((s) => s.order)).toEqual([a.code]);

    // The same station on a second device opens B meanwhile.
    const second = await openStation(suite, packer.email, 'Twin-9');
    await scanKeys(second.page, b.code);
    await expect.poll(() => currentCode(second.page), WAIT).toBe(b.code);
    expect(openAt(db, packer.id, 'Twin-9')).toBe(b.code);

    await desk.context.setOffline(false);
    const message = `Not saved: TWIN-1 was scanned for order ${a.code}, but ${b.code} is open here now. Scan it again if it belongs to ${b.code}.`;
    await expect.poll(() => refusedItems(desk.page), WAIT).toEqual([`TWIN-1 ${message} OK`]);
    await expect.poll(() => status(desk.page), WAIT).toBe(message);
    await expect(feedback(desk.page)).resolves.toBe('error');
    await expect.poll(() => desk.page.locator('#pending li').count(), WAIT).toBe(0);
    // Answered: no longer kept; listed instead, so nothing is lost silently.
    await expect.poll(() => storedScans(desk.page), WAIT).toEqual([]);
    expect(parcelsLike(db, 'TWIN-')).toEqual([]);
    expect(draftParcels(db, a.id)).toEqual([]);
    expect(draftParcels(db, b.id)).toEqual([]);
    expect(openAt(db, packer.id, 'Twin-9')).toBe(b.code);
    // The refusal stays listed until acknowledged.
    await desk.page.click('#refused li button');
    await expect.poll(() => refusedItems(desk.page), WAIT).toEqual([]);
    await expect(desk.page.locator('#refused').isVisible()).resolves.toBe(false);
    expect([...desk.errors, ...second.errors]).toEqual([]);
    await desk.context.close();
    await second.context.close();
  });

  it('10. the camera on plain HTTP: no camera button, the page says it needs HTTPS', async () => {
    const packer = await buildUser(suite.server.db, 'packer');
    const { context, page, errors } = await openStation(suite, packer.email, 'Camera-10');
    await expect(page.locator('#camera-open').isHidden()).resolves.toBe(true);
    await expect.poll(() => page.locator('#camera-https').isVisible(), WAIT).toBe(true);
    await expect(page.locator('#camera-https').textContent()).resolves.toMatch(/^The camera works only over HTTPS/);
    expect(errors).toEqual([]);
    await context.close();
  });
  it('11. typing by hand is taken as typed: a + that a scanner on a Swedish keyboard would be refused for', async () => {
    const db = suite.server.db;
    // The shop's own parcel form has a + in it (Settings → Shipping): what is typed by hand is then a parcel ID.
    putParcelPatterns(db, [...TEST_PARCEL_FORMS, 'AB[CD]\\+\\d+'], new Date(), 'test');
    const order = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer');
    const { context, page, errors } = await openStation(suite, packer.email, 'Hand-11');
    await scanKeys(page, order.code);
    await expect.poll(() => currentCode(page), WAIT).toBe(order.code);
    // At a person's pace (150 ms a key) the text is what they meant: saved as typed, as typed by hand.
    await scanKeys(page, 'ABC+123', { msPerKey: 150 });
    await expect.poll(() => parcelsOnCard(page), WAIT).toEqual(['ABC+123']);
    expect(db.$client.prepare("SELECT source FROM delivery_parcels WHERE parcel_id = 'ABC+123'").pluck().get()).toBe('manual');
    // The same characters at a scanner's pace are refused, in words.
    await scanKeys(page, 'ABD+123');
    await expect.poll(() => refusedItems(page), WAIT).toEqual([expect.stringContaining('reads as ABD-123')]);
    expect(draftParcels(db, order.id)).toEqual(['ABC+123']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
