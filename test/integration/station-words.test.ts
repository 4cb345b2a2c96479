import { describe, expect, it } from 'vitest';
import { buildPackingOrder, buildUser, reload } from '../builders.js';
import type { Language } from '../../src/i18n/index.js';
import { loginAtStation, makeApp } from '../helpers.js';

/** The station's status line (`#scan-status`) as the page renders it. */
const statusOf = (html: string) => /<output[^>]*id="scan-status"[^>]*>([^<]*)<\/output>/.exec(html)?.[1]?.trim();

describe('the station says what it is ready for', () => {
  it('after a reload with an order open: that order is ready for its parcel IDs, not "scan an order code"', async () => {
    const { app, db } = makeApp();
    const order = buildPackingOrder(db);
    const packer = await buildUser(db, 'packer');
    const { agent, scan } = await loginAtStation(app, packer.email);
    expect(statusOf((await agent.get('/shipping')).text)).toBe('Ready: scan an order code.');
    expect((await scan(order.code)).status).toBe(303);
    // The redirect shows the scan's own answer once; the reload after it is the page with the order open.
    await agent.get('/shipping');
    const reloaded = await agent.get('/shipping');
    expect(statusOf(reloaded.text)).toBe(`Order ${order.code} is open here: scan its parcel IDs.`);
    // "Add a parcel slot" read as if a parcel had to be added before scanning one: the button says what it is for.
    expect(/<button[^>]*aria-describedby="add-slot-help"[^>]*>([^<]*)</.exec(reloaded.text)?.[1]?.trim()).toBe('Another parcel to scan');
    expect(reloaded.text).toContain(
      '<span class="visually-hidden" id="add-slot-help">Shows an empty line for one more parcel ID, to keep count of the parcels still to scan. Not needed to add one: a scan adds its parcel ID.</span>',
    );
    // The page script says the same after a refusal is acknowledged.
    expect(reloaded.text).toContain('data-msg-ready-order="Order {{code}} is open here: scan its parcel IDs."');
  });

  // The Kodmyran help page's "Report in" stays in Swedish; elsewhere the plainest word for sending a delivery off.
  const SHIP: Record<Language, string> = { en: 'Ship', sv: 'Rapportera in', nb: 'Send', fr: 'Expédier' };
  for (const [lang, word] of Object.entries(SHIP) as [Language, string][]) {
    it(`${lang}: the button says "${word}", and the REPORT IN barcode still ships`, async () => {
      const { app, db } = makeApp();
      const order = buildPackingOrder(db);
      const packer = await buildUser(db, 'packer', { language: lang });
      const { agent, scan } = await loginAtStation(app, packer.email);
      const page = (await agent.get('/shipping')).text;
      expect(/<button[^>]*class="primary report-in"[^>]*>([^<]*)</.exec(page)?.[1]?.trim()).toBe(word);
      await scan(order.code);
      await scan('PARCEL-1');
      expect((await scan('REPORT IN')).status).toBe(303);
      expect(reload(db, order.code).status).toBe('shipped');
    });
  }
});
