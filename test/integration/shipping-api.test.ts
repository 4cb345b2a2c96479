import { describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../src/db/group-commit.js';
import { gs1CheckDigit } from '../../src/domain/gtin.js';
import { addParcel } from '../../src/shipping/drafts.js';
import { buildOrder, buildPackingOrder, buildProduct, expectCountersInSync, productBySku, reload } from '../builders.js';
import { api, makeApp } from '../helpers.js';
import { apiError, json, type DraftJson, type ReportJson } from '../json.js';

const sscc = (serial: number) => {
  const body = `37350000${String(serial).padStart(9, '0')}`;
  return body + gs1CheckDigit(body);
};

function setup() {
  const ctx = makeApp();
  buildProduct(ctx.db, { sku: 'TENT', onHand: 10 });
  buildProduct(ctx.db, { sku: 'MUG', onHand: 10 });
  const order = buildPackingOrder(ctx.db, {
    lines: [
      { sku: 'TENT', quantity: 2 },
      { sku: 'MUG', quantity: 3 },
    ],
  });
  return { ...ctx, order };
}

describe('parcel IDs on the open delivery', () => {
  it('adds a parcel (saved at once as a draft), strips the SSCC prefixes, removes one', async () => {
    const { app, order } = setup();
    const res = await api(app)
      .post(`/api/v1/orders/${order.code}/parcels`)
      .send({ parcelId: `\x1D00${sscc(1)}`, source: 'scanner' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: order.code, parcels: [{ parcelId: sscc(1), source: 'scanner' }], partial: false });
    expect(json<DraftJson>(res).lines).toEqual([
      { sku: 'TENT', name: 'Product TENT', ordered: 2, shipped: 0, remaining: 2, quantity: 2 },
      { sku: 'MUG', name: 'Product MUG', ordered: 3, shipped: 0, remaining: 3, quantity: 3 },
    ]);
    await api(app)
      .post(`/api/v1/orders/${order.code}/parcels`)
      .send({ parcelId: ` (00)${sscc(2)} ` });
    expect(json<DraftJson>(await api(app).get(`/api/v1/orders/${order.code}/delivery`)).parcels.map((p) => p.parcelId)).toEqual([sscc(1), sscc(2)]);
    const removed = await api(app).delete(`/api/v1/orders/${order.code}/parcels/${sscc(1)}`);
    expect(removed.status).toBe(200);
    expect(json<DraftJson>(removed).parcels.map((p) => p.parcelId)).toEqual([sscc(2)]);
    expect(apiError(await api(app).delete(`/api/v1/orders/${order.code}/parcels/${sscc(1)}`)).code).toBe('parcel_not_found');
  });

  it('refuses each bad parcel ID with its own message and changes nothing', async () => {
    const { app, db, order } = setup();
    const bad = async (parcelId: string) => apiError(await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId }));
    expect(await bad('   ')).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'parcelId', message: 'The parcel ID is empty.' }] } });
    expect((await bad('X'.repeat(36))).details?.fields?.[0]?.message).toBe('A parcel ID has at most 35 characters.');
    expect((await bad('AB CD')).details?.fields?.[0]?.message).toBe('A parcel ID has only printable characters, no spaces: AB CD.');
    const wrong = sscc(3).slice(0, 17) + ((Number(sscc(3)[17]) + 1) % 10);
    expect((await bad(wrong)).details?.fields?.[0]?.message).toBe(`The SSCC ${wrong} has a wrong check digit.`);
    expect(db.$client.prepare('SELECT count(*) FROM delivery_parcels').pluck().get()).toBe(0);
  });

  it('at most four; a fifth is refused with 422', async () => {
    const { app, order } = setup();
    for (let i = 1; i <= 4; i++)
      expect(
        (
          await api(app)
            .post(`/api/v1/orders/${order.code}/parcels`)
            .send({ parcelId: `PARCEL-${i}` })
        ).status,
      ).toBe(201);
    const fifth = await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'PARCEL-5' });
    expect(fifth.status).toBe(422);
    expect(apiError(fifth)).toMatchObject({ code: 'too_many_parcels', message: `A delivery has at most 4 parcel IDs: order ${order.code} already has 4.` });
  });

  it('a parcel ID used anywhere is refused with 409 naming the order that has it', async () => {
    const { app, db, order } = setup();
    const other = buildPackingOrder(db);
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'TRACK-1' });
    const again = await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'TRACK-1' });
    expect(again.status).toBe(409);
    expect(apiError(again).message).toBe('Parcel ID TRACK-1 is already on this order.');
    const elsewhere = await api(app).post(`/api/v1/orders/${other.code}/parcels`).send({ parcelId: 'TRACK-1' });
    expect(elsewhere.status).toBe(409);
    expect(apiError(elsewhere)).toMatchObject({
      code: 'parcel_in_use',
      message: `Parcel ID TRACK-1 is already used on order ${order.code}.`,
      details: { orderCode: order.code },
    });
  });

  it('only packing orders take parcels: 409 otherwise, 404 for an unknown order', async () => {
    const { app, db } = setup();
    const open = buildOrder(db);
    const res = await api(app).post(`/api/v1/orders/${open.code}/parcels`).send({ parcelId: 'P-1' });
    expect(res.status).toBe(409);
    expect(apiError(res)).toMatchObject({ code: 'order_not_packing', message: `Order ${open.code} is Order: parcel IDs are added to orders in Packing.` });
    expect((await api(app).post('/api/v1/orders/1234567897/parcels').send({ parcelId: 'P-1' })).status).toBe(404);
  });
});

describe('partial delivery, then the rest', () => {
  it('ships part, keeps the rest allocated with the order packing, then ships the rest and the order is shipped', async () => {
    const { app, db, order } = setup();
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'P-1' });
    const tooMany = await api(app)
      .put(`/api/v1/orders/${order.code}/delivery-lines`)
      .send({ lines: [{ sku: 'TENT', quantity: 3 }] });
    expect(tooMany.status).toBe(422);
    expect(apiError(tooMany).details?.fields?.[0]).toMatchObject({ path: 'lines.0.quantity', message: 'Only 2 of TENT left to ship.' });
    const set = await api(app)
      .put(`/api/v1/orders/${order.code}/delivery-lines`)
      .send({
        lines: [
          { sku: 'TENT', quantity: 2 },
          { sku: 'MUG', quantity: 1 },
        ],
      });
    expect(set.body).toMatchObject({
      partial: true,
      lines: [
        { sku: 'TENT', quantity: 2 },
        { sku: 'MUG', quantity: 1 },
      ],
    });

    const first = await api(app).post('/api/v1/deliveries/report').send({ idempotencyKey: 'report-1' });
    expect(first.status).toBe(200);
    expect(json<ReportJson>(first).reported).toEqual([
      {
        code: order.code,
        deliveryId: expect.any(Number),
        status: 'packing',
        parcels: ['P-1'],
        tracking: [{ parcelId: 'P-1', trackingUrl: null, carrier: null, service: null }],
        lines: [
          { sku: 'TENT', quantity: 2 },
          { sku: 'MUG', quantity: 1 },
        ],
      },
    ]);
    expect(reload(db, order.code).status).toBe('packing');
    expect(productBySku(db, 'TENT')).toMatchObject({ onHand: 8, reserved: 0, allocated: 0 });
    expect(productBySku(db, 'MUG')).toMatchObject({ onHand: 9, reserved: 2, allocated: 2 });
    expectCountersInSync(db);

    // A double click sends the same key again: nothing is reported twice.
    const repeat = await api(app).post('/api/v1/deliveries/report').send({ idempotencyKey: 'report-1' });
    expect(repeat.body).toEqual(first.body);
    expect(productBySku(db, 'MUG').onHand).toBe(9);

    // The rest: the new open delivery sends everything remaining by default.
    const rest = await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'P-2' });
    expect(rest.body).toMatchObject({ partial: false, lines: [{ sku: 'MUG', remaining: 2, quantity: 2 }] });
    const second = await api(app)
      .post('/api/v1/deliveries/report')
      .send({ orders: [order.code] });
    expect(json<ReportJson>(second).reported[0]).toMatchObject({ status: 'shipped', parcels: ['P-2'], lines: [{ sku: 'MUG', quantity: 2 }] });
    expect(reload(db, order.code).status).toBe('shipped');
    expect(productBySku(db, 'MUG')).toMatchObject({ onHand: 7, reserved: 0, allocated: 0 });
    expect(db.$client.prepare("SELECT count(*) FROM stock_ledger WHERE reason = 'shipment'").pluck().get()).toBe(3);
    expectCountersInSync(db);
  });

  it('Report in skips open deliveries without a parcel, and reports only the orders asked for', async () => {
    const { app, db, order } = setup();
    const other = buildPackingOrder(db);
    // An open delivery with quantities chosen but no parcel yet.
    const empty = buildPackingOrder(db, { lines: [{ sku: 'MUG', quantity: 2 }] });
    expect(
      (
        await api(app)
          .put(`/api/v1/orders/${empty.code}/delivery-lines`)
          .send({ lines: [{ sku: 'MUG', quantity: 1 }] })
      ).status,
    ).toBe(200);
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'A-1' });
    await api(app).post(`/api/v1/orders/${other.code}/parcels`).send({ parcelId: 'B-1' });
    const res = await api(app)
      .post('/api/v1/deliveries/report')
      .send({ orders: [other.code] });
    expect(json<ReportJson>(res).reported.map((r) => r.code)).toEqual([other.code]);
    const all = await api(app).post('/api/v1/deliveries/report').send({});
    expect(json<ReportJson>(all).reported.map((r) => r.code)).toEqual([order.code]);
    expect(reload(db, empty.code).status).toBe('packing');
  });
});

describe('Report in of several orders', () => {
  it('reports each order on its own: a draft that no longer fits is named with its reason, the others ship', async () => {
    const { app, db, order } = setup();
    const other = buildPackingOrder(db, { lines: [{ sku: 'MUG', quantity: 1 }] });
    await api(app)
      .put(`/api/v1/orders/${order.code}/delivery-lines`)
      .send({ lines: [{ sku: 'TENT', quantity: 2 }] })
      .expect(200);
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'A-1' }).expect(201);
    await api(app).post(`/api/v1/orders/${other.code}/parcels`).send({ parcelId: 'B-1' }).expect(201);
    // A draft asking for more than the line has (as one saved before line edits kept drafts in step).
    db.$client.prepare('UPDATE delivery_lines SET quantity = 5').run();
    const eventsBefore = db.$client.prepare('SELECT count(*) FROM order_events WHERE order_code = ?').pluck().get(order.code);

    const res = await api(app).post('/api/v1/deliveries/report').send({});
    expect(res.status).toBe(200);
    expect(json<ReportJson>(res).reported).toEqual([
      {
        code: other.code,
        deliveryId: expect.any(Number),
        status: 'shipped',
        parcels: ['B-1'],
        tracking: [{ parcelId: 'B-1', trackingUrl: null, carrier: null, service: null }],
        lines: [{ sku: 'MUG', quantity: 1 }],
      },
    ]);
    expect(json<ReportJson>(res).failed).toEqual([
      {
        code: order.code,
        error: {
          code: 'validation_failed',
          message: 'Only 2 of TENT left to ship.',
          details: { fields: [{ path: 'lines.TENT', message: 'Only 2 of TENT left to ship.' }] },
        },
      },
    ]);
    expect(reload(db, other.code).status).toBe('shipped');
    // The refused order is as it was: draft open, stock untouched, nothing on its log.
    expect(reload(db, order.code).status).toBe('packing');
    expect(db.$client.prepare('SELECT d.status FROM deliveries d JOIN orders o ON o.id = d.order_id WHERE o.code = ?').pluck().all(order.code)).toEqual([
      'draft',
    ]);
    expect(productBySku(db, 'TENT')).toMatchObject({ onHand: 10, allocated: 2 });
    expect(db.$client.prepare('SELECT count(*) FROM order_events WHERE order_code = ?').pluck().get(order.code)).toBe(eventsBefore);
    expectCountersInSync(db);

    // Asked for by code: spaces and dashes are read as everywhere; a mistyped code is named too.
    const typo = order.code.slice(0, 9) + ((Number(order.code[9]) + 1) % 10);
    const asked = await api(app)
      .post('/api/v1/deliveries/report')
      .send({ orders: [`${order.code.slice(0, 3)}-${order.code.slice(3)}`, typo] });
    expect(json<ReportJson>(asked).reported).toEqual([]);
    expect(json<ReportJson>(asked).failed.map((f) => `${f.code} ${f.error.code}`)).toEqual([`${typo} order_code_invalid`, `${order.code} validation_failed`]);
  });
});

describe('one delivery in one call', () => {
  it('reports parcels and lines at once, idempotently', async () => {
    const { app, db, order } = setup();
    const body = { parcels: ['ONE-1', 'ONE-2'], lines: [{ sku: 'MUG', quantity: 3 }], idempotencyKey: 'pos-42' };
    const res = await api(app).post(`/api/v1/orders/${order.code}/deliveries`).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: order.code, status: 'packing', parcels: ['ONE-1', 'ONE-2'], lines: [{ sku: 'MUG', quantity: 3 }] });
    const again = await api(app).post(`/api/v1/orders/${order.code}/deliveries`).send(body);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(res.body);
    expect(productBySku(db, 'MUG').onHand).toBe(7);
    const used = await api(app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['ONE-1'] });
    expect(used.status).toBe(409);
    expect(apiError(used).code).toBe('parcel_in_use');
    const rest = await api(app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['ONE-3'] });
    expect(rest.body).toMatchObject({ status: 'shipped', lines: [{ sku: 'TENT', quantity: 2 }] });
    expectCountersInSync(db);
  });
});

describe('scans arriving together', () => {
  it('are committed as a group, each refused or saved on its own', async () => {
    const { db, order } = setup();
    const other = buildPackingOrder(db);
    const ctx = { actor: { type: 'system' as const, id: null, name: 'test' }, now: new Date() };
    const flush = vi.spyOn(GroupCommit.prototype as unknown as { flush: () => void }, 'flush');
    const results = await Promise.allSettled([
      addParcel(db, order.code, 'G-1', 'scanner', ctx),
      addParcel(db, order.code, 'G-2', 'scanner', ctx),
      addParcel(db, other.code, 'G-1', 'scanner', ctx),
      addParcel(db, order.code, 'G-3', 'scanner', ctx),
      addParcel(db, order.code, 'G-4', 'scanner', ctx),
      addParcel(db, order.code, 'G-5', 'scanner', ctx),
      addParcel(db, other.code, 'G-6', 'camera', ctx),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code))).toEqual([
      'ok',
      'ok',
      'parcel_in_use',
      'ok',
      'ok',
      'too_many_parcels',
      'ok',
    ]);
    expect(db.$client.prepare('SELECT parcel_id FROM delivery_parcels ORDER BY id').pluck().all()).toEqual(['G-1', 'G-2', 'G-3', 'G-4', 'G-6']);
    expect(db.$client.prepare("SELECT count(*) FROM order_events WHERE type = 'parcel_added'").pluck().get()).toBe(5);
    // All seven in one transaction.
    expect(flush).toHaveBeenCalledTimes(1);
    flush.mockRestore();
  });
});
