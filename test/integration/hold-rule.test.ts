import { describe, expect, it } from 'vitest';
import { putPackSettings, DEFAULT_PACK_SETTINGS } from '../../src/pack/settings.js';
import { buildPackingOrder, buildPaidOrder, buildProduct, buildUser, productBySku, reload } from '../builders.js';
import { api, loginAtStation, makeApp } from '../helpers.js';
import { apiError, json, type ReportJson } from '../json.js';
import { binary } from '../pdf.js';

type Ctx = ReturnType<typeof makeApp>;

const WAITING = (code: string) => `Order ${code} is on hold (waiting): take it off hold on the order page first (untick Waiting).`;
/** The same refusal to a packer, who cannot open the order page (orders/hold.ts holdMessageKey). */
const WAITING_PACKER = (code: string) => `Order ${code} is on hold (waiting): ask an operator to take it off hold.`;

/** Puts the order on hold the way staff and integrations do: the order API's flag. */
async function hold(ctx: Ctx, code: string, waiting = true) {
  const res = await api(ctx.app).patch(`/api/v1/orders/${code}`).send({ waiting });
  expect(res.status).toBe(200);
}

const count = (ctx: Ctx, sql: string, ...params: unknown[]) =>
  ctx.db.$client
    .prepare(sql)
    .pluck()
    .get(...params) as number;
const parcelsOf = (ctx: Ctx, orderId: number) =>
  count(ctx, 'SELECT count(*) FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id WHERE d.order_id = ?', orderId);
const eventsOf = (ctx: Ctx, orderId: number) => count(ctx, 'SELECT count(*) FROM order_events WHERE order_id = ?', orderId);

function setup() {
  const ctx = makeApp();
  buildProduct(ctx.db, { sku: 'TENT', onHand: 10 });
  const held = buildPackingOrder(ctx.db, { lines: [{ sku: 'TENT', quantity: 2 }] });
  const free = buildPackingOrder(ctx.db, { lines: [{ sku: 'TENT', quantity: 1 }] });
  return { ...ctx, held, free };
}

describe('the hold rule in the API', () => {
  it('a waiting order gets no parcel ID, no broker parcel and no delivery quantities; taken off hold it does', async () => {
    const ctx = setup();
    const { app, held } = ctx;
    await hold(ctx, held.code);
    const events = eventsOf(ctx, held.id);

    const parcel = await api(app).post(`/api/v1/orders/${held.code}/parcels`).send({ parcelId: 'PARCEL-1' });
    expect(parcel.status).toBe(409);
    expect(apiError(parcel)).toEqual({ code: 'order_on_hold', message: WAITING(held.code), details: { reason: 'waiting' } });
    const fetched = await api(app).post(`/api/v1/orders/${held.code}/parcels/fetch`).send({ count: 1 });
    expect(fetched.status).toBe(409);
    expect(apiError(fetched).code).toBe('order_on_hold');
    const lines = await api(app)
      .put(`/api/v1/orders/${held.code}/delivery-lines`)
      .send({ lines: [{ sku: 'TENT', quantity: 1 }] });
    expect(lines.status).toBe(409);
    expect(apiError(lines).details).toEqual({ reason: 'waiting' });

    // Nothing written: no draft, no parcel, no SSCC taken from the series, no event.
    expect(count(ctx, 'SELECT count(*) FROM deliveries WHERE order_id = ?', held.id)).toBe(0);
    expect(count(ctx, "SELECT count(*) FROM sequences WHERE name = 'sscc'")).toBe(0);
    expect(eventsOf(ctx, held.id)).toBe(events);

    await hold(ctx, held.code, false);
    expect((await api(app).post(`/api/v1/orders/${held.code}/parcels`).send({ parcelId: 'PARCEL-1' })).status).toBe(201);
  });

  it('the message is in the reader language', async () => {
    const ctx = setup();
    await hold(ctx, ctx.held.code);
    const res = await api(ctx.app).post(`/api/v1/orders/${ctx.held.code}/parcels`).set('Accept-Language', 'sv').send({ parcelId: 'PARCEL-1' });
    expect(apiError(res).message).toBe(`Order ${ctx.held.code} är pausad (väntande): ta först bort den från väntan på ordersidan (avmarkera Väntande).`);
  });

  it('Report in names the held order in failed and ships the others', async () => {
    const ctx = setup();
    const { app, held, free } = ctx;
    // Parcels scanned before the hold was set: the hold must still stop the report.
    expect((await api(app).post(`/api/v1/orders/${held.code}/parcels`).send({ parcelId: 'H-1' })).status).toBe(201);
    expect((await api(app).post(`/api/v1/orders/${free.code}/parcels`).send({ parcelId: 'F-1' })).status).toBe(201);
    await hold(ctx, held.code);

    const res = await api(app).post('/api/v1/deliveries/report').send({});
    expect(res.status).toBe(200);
    expect(json<ReportJson>(res).reported).toMatchObject([{ code: free.code, status: 'shipped' }]);
    expect(json<ReportJson>(res).failed).toEqual([
      { code: held.code, error: { code: 'order_on_hold', message: WAITING(held.code), details: { reason: 'waiting' } } },
    ]);
    expect(reload(ctx.db, held.code)).toMatchObject({ status: 'packing', waiting: true });
    expect(reload(ctx.db, free.code).status).toBe('shipped');
    // Only the free order's unit left the shelf; the held order's draft is still open.
    expect(productBySku(ctx.db, 'TENT').onHand).toBe(9);
    expect(count(ctx, "SELECT count(*) FROM deliveries WHERE order_id = ? AND status = 'draft'", held.id)).toBe(1);
  });

  it('the one-call delivery refuses a held order and writes nothing', async () => {
    const ctx = setup();
    const { app, held } = ctx;
    await hold(ctx, held.code);
    const res = await api(app)
      .post(`/api/v1/orders/${held.code}/deliveries`)
      .send({ parcels: ['PARCEL-9'] });
    expect(res.status).toBe(409);
    expect(apiError(res)).toEqual({ code: 'order_on_hold', message: WAITING(held.code), details: { reason: 'waiting' } });
    expect(reload(ctx.db, held.code).status).toBe('packing');
    expect(count(ctx, 'SELECT count(*) FROM deliveries WHERE order_id = ?', held.id)).toBe(0);
    expect(productBySku(ctx.db, 'TENT').onHand).toBe(10);
  });

  it('an unapproved own-invoice order is held while Settings requires approval, and released by approval', async () => {
    const ctx = setup();
    const invoice = buildPackingOrder(ctx.db, { lines: [{ sku: 'TENT', quantity: 1 }], body: { paymentMethod: 'invoice', paid: false } });
    putPackSettings(ctx.db, { ...DEFAULT_PACK_SETTINGS, requireApproval: true }, ctx.clock(), 'test');
    const res = await api(ctx.app)
      .post(`/api/v1/orders/${invoice.code}/deliveries`)
      .send({ parcels: ['PARCEL-7'] });
    expect(res.status).toBe(409);
    expect(apiError(res)).toMatchObject({ code: 'order_on_hold', details: { reason: 'approval' } });
    expect(apiError(res).message).toContain(`Order ${invoice.code} is on hold (awaiting approval)`);
    // There is no approval page yet (another issue): the flag is set as that page will set it.
    ctx.db.$client.prepare('UPDATE orders SET approved = 1 WHERE id = ?').run(invoice.id);
    expect(
      (
        await api(ctx.app)
          .post(`/api/v1/orders/${invoice.code}/deliveries`)
          .send({ parcels: ['PARCEL-7'] })
      ).status,
    ).toBe(201);
  });

  it('the pack script promotes no waiting order, and does once the hold is lifted', async () => {
    const ctx = makeApp();
    buildProduct(ctx.db, { sku: 'TENT', onHand: 10 });
    const waiting = buildPaidOrder(ctx.db, { lines: [{ sku: 'TENT', quantity: 1 }] });
    await hold(ctx, waiting.code);
    const first = await api(ctx.app).post('/api/v1/pack-runs').send({});
    expect(first.status).toBe(201);
    expect(reload(ctx.db, waiting.code).status).toBe('order');
    await hold(ctx, waiting.code, false);
    await api(ctx.app).post('/api/v1/pack-runs').send({});
    expect(reload(ctx.db, waiting.code).status).toBe('packing');
  });

  it('pick slips and batch pick lists are not printed for a held order; its receipt still is', async () => {
    const ctx = setup();
    const { app, held, free } = ctx;
    await hold(ctx, held.code);
    const slip = await api(app).get(`/api/v1/orders/${held.code}/documents/pick-slip.pdf`);
    expect(slip.status).toBe(409);
    expect(apiError(slip)).toEqual({ code: 'order_on_hold', message: WAITING(held.code), details: { reason: 'waiting' } });
    const batch = await api(app)
      .post('/api/v1/documents/batch-pick-list')
      .send({ orders: [free.code, held.code] });
    expect(batch.status).toBe(409);
    expect(apiError(batch).message).toBe(WAITING(held.code));
    expect(count(ctx, 'SELECT count(*) FROM printed_documents')).toBe(0);
    const receipt = await api(app).get(`/api/v1/orders/${held.code}/documents/receipt.pdf`).buffer(true).parse(binary);
    expect(receipt.status).toBe(200);
  });
});

describe('the hold rule at the shipping station', () => {
  async function station() {
    const ctx = setup();
    const packer = await buildUser(ctx.db, 'packer');
    return { ...ctx, ...(await loginAtStation(ctx.app, packer.email)) };
  }

  it('a parcel scanned for a held order (selected before the hold) is refused with the same message, in a packer’s words', async () => {
    const ctx = await station();
    const { agent, scan, held } = ctx;
    await scan(held.code);
    await hold(ctx, held.code);
    const parcel = await scan('PARCEL-1');
    expect(parcel.status).toBe(303);
    expect((await agent.get(parcel.headers.location!)).text).toContain(WAITING_PACKER(held.code));
    expect(parcelsOf(ctx, held.id)).toBe(0);

    // Opening it again says the same, and the station's card says why it is held.
    await scan(held.code);
    const page = (await agent.get('/shipping')).text;
    expect(page).toContain(WAITING_PACKER(held.code));
  });

  it('Report in names the held order with why and ships the others', async () => {
    const ctx = await station();
    const { agent, csrf, scan, held, free } = ctx;
    for (const value of [held.code, 'H-1', free.code, 'F-1']) await scan(value);
    expect(parcelsOf(ctx, held.id)).toBe(1);
    await hold(ctx, held.code);
    const key = /name="key" value="([^"]+)"/.exec((await agent.get('/shipping')).text)![1]!;
    await agent.post('/shipping/report').type('form').send({ _csrf: csrf, key });
    const page = (await agent.get('/shipping')).text;
    expect(page).toContain(`1 not reported: ${held.code}: ${WAITING_PACKER(held.code)}`);
    expect(reload(ctx.db, free.code).status).toBe('shipped');
    expect(reload(ctx.db, held.code).status).toBe('packing');
  });
});
