import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { api, csrfOf, loginAs, loginAtStation, makeApp, makeDb } from '../helpers.js';
import { apiError } from '../json.js';

// A parcel ID has a shape (src/shipping/parcel-rules.ts): a shop with no forms of its own, as a new
// shop starts. Before, each of these was "Parcel ID … added" and went into the shipped e-mail.
const parcels = (db: Db) => db.$client.prepare('SELECT parcel_id FROM delivery_parcels ORDER BY id').pluck().all() as string[];
const message = (html: string) => /<output id="scan-message">([^<]*)<\/output>/.exec(html)?.[1] ?? '';

function world() {
  const ctx = makeApp({ db: makeDb(':memory:', { parcelForms: [] }) });
  buildProduct(ctx.db, { sku: 'TENT-2P', barcode: '5901234123457', onHand: 10 });
  const order = buildPackingOrder(ctx.db, { lines: [{ sku: 'TENT-2P', quantity: 1 }] });
  return { ...ctx, order };
}

describe('parcel IDs have a shape', () => {
  it('the station refuses a product’s EAN or SKU, "12", "x", a key’s name and a made-up text, each saying why; carriers’ numbers are taken', async () => {
    const { app, db, order } = world();
    const packer = await buildUser(db, 'packer');
    const { scanFragment } = await loginAtStation(app, packer.email);
    await scanFragment(order.code);
    const said = async (value: string) => message((await scanFragment(value, { source: 'manual' })).text);
    expect(await said('5901234123457')).toContain('is the barcode or SKU of the product TENT-2P');
    expect(await said('TENT-2P')).toContain('is the barcode or SKU of the product TENT-2P');
    expect(await said('12')).toContain('12 is too short for a parcel ID (at least 8 characters)');
    expect(await said('x')).toContain('too short');
    expect(await said('F2')).toContain('F2 is the key for “FETCH PARCEL ID”');
    expect(await said('PACKAGE-NUMBER-7')).toContain('is not a parcel ID of a known form');
    expect(await said('RR123456784SE')).toContain('has a wrong check digit');
    expect(parcels(db)).toEqual([]);

    for (const id of ['RR123456785SE', '373500000000000017', 'JJD00012345678901']) expect(await said(id)).toContain(`Parcel ID ${id} added`);
    expect(parcels(db)).toEqual(['RR123456785SE', '373500000000000017', 'JJD00012345678901']);
  });

  it('the API refuses the same with a field error, on a parcel and on a one-call delivery, and another order’s code; nothing changes', async () => {
    const { app, db, order } = world();
    const refused = await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: '5901234123457' });
    expect(refused.status).toBe(422);
    expect(apiError(refused)).toMatchObject({
      code: 'validation_failed',
      details: { fields: [{ path: 'parcelId', message: expect.stringContaining('is the barcode or SKU of the product TENT-2P') }] },
    });
    const delivery = await api(app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['RR123456785SE', 'TENT-2P'] });
    expect(delivery.status).toBe(422);
    expect(apiError(delivery).details).toMatchObject({ fields: [{ path: 'parcels.1', message: expect.stringContaining('TENT-2P is the barcode or SKU') }] });
    // Another order's code (a 10-digit number, like some carriers' numbers) is refused only when that order exists.
    const other = buildPackingOrder(db, { lines: [{ sku: 'TENT-2P', quantity: 1 }] });
    expect(apiError(await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: other.code })).details).toMatchObject({
      fields: [{ message: expect.stringContaining('is an order’s code') }],
    });
    expect(parcels(db)).toEqual([]);
  });

  it('an admin adds the shop’s own form in Settings → Shipping; a pattern that takes anything is refused at the field', async () => {
    const { app, db, order } = world();
    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    const page = await agent.get('/settings/shipping');
    const bad = await agent
      .post('/settings/shipping/parcel-forms')
      .type('form')
      .send({ _csrf: csrfOf(page.text), patterns: 'IB[0-9]{10}\n.*' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Line 2: .* also matches “12” or “F2”');
    // What was typed stays in the field.
    expect(bad.text).toMatch(/<textarea name="patterns"[^>]*>IB\[0-9\]\{10\}\n\.\*<\/textarea>/);
    expect((await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'IB1234567890' })).status).toBe(422);

    const saved = await agent
      .post('/settings/shipping/parcel-forms')
      .type('form')
      .send({ _csrf: csrfOf(page.text), patterns: 'IB[0-9]{10}\r\n' });
    expect(saved.status).toBe(302);
    expect((await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'IB1234567890' })).status).toBe(201);
    // The shop's form never takes a product's barcode.
    expect((await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: '5901234123457' })).status).toBe(422);
  });
});
