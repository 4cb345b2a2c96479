import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { orders, orderEvents } from '../../src/db/schema/index.js';
import { dammCheckDigit } from '../../src/domain/order-code.js';
import {
  aCustomer,
  buildCancelledOrder,
  buildOrder,
  buildPackingOrder,
  buildPreorder,
  buildProduct,
  buildShippedOrder,
  expectCountersInSync,
  productBySku,
} from '../builders.js';
import { getEmailSettings, putEmailSettings } from '../../src/email/settings.js';
import { bookParcels } from '../carrier-parcels.js';
import { api, makeApp } from '../helpers.js';
import { apiError, json, type OrderJson, type OrderListJson } from '../json.js';

const orderCount = (db: ReturnType<typeof makeApp>['db']) => db.select({ n: count() }).from(orders).get()!.n;

describe('POST /api/v1/orders', () => {
  it('creates an order with customer, lines, totals and a created event', async () => {
    const { app, db } = makeApp();
    const a = buildProduct(db, { sku: 'A', price: 1000 });
    buildProduct(db, { sku: 'B', price: null });
    const res = await api(app)
      .post('/api/v1/orders')
      .send({
        lines: [
          { sku: 'A', quantity: 2 },
          { sku: 'B', quantity: 1, unitPrice: 2550 },
        ],
        customer: aCustomer('Zoë Lefèvre'),
        paymentMethod: 'invoice',
        priority: 7,
        comment: 'Ring the bell',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'order',
      paid: false,
      waiting: false,
      reviewed: false,
      priority: 7,
      customStatus: null,
      paymentMethod: 'invoice',
      currency: 'SEK',
      subtotal: 4550,
      total: 4550,
      customer: { name: 'Zoë Lefèvre', type: 'guest', address: { city: 'Stockholm', country: 'SE' } },
      deliveries: [],
    });
    const created = json<OrderJson>(res);
    expect(created.code).toMatch(/^\d{10}$/);
    expect(dammCheckDigit(created.code.slice(0, 9))).toBe(created.code[9]);
    expect(created.lines).toEqual([
      expect.objectContaining({ sku: 'A', name: a.name, quantity: 2, shippedQuantity: 0, unitPrice: 1000 }),
      expect.objectContaining({ sku: 'B', quantity: 1, unitPrice: 2550 }),
    ]);
    expect(created.events).toEqual([
      expect.objectContaining({ type: 'created', actor: { type: 'api', name: 'API_TOKEN' } }),
      // The customer's order confirmation, written with the order (src/email).
      expect.objectContaining({ type: 'email_queued', data: expect.objectContaining({ template: 'order_confirmation', to: expect.any(String) }) }),
    ]);
    expect(created.placedAt).not.toBeNull();
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 2, allocated: 0 });
  });

  it('answers with the order exactly as GET /api/v1/orders/:code reads it afterwards (lines in the order sent)', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'Z-1', price: 500 });
    buildProduct(db, { sku: 'A-2', price: 700 });
    buildProduct(db, { sku: 'M-3', price: null });
    const bodies = [
      {
        lines: [
          { sku: 'Z-1', quantity: 2 },
          { sku: 'M-3', quantity: 1, unitPrice: 90 },
          { sku: 'A-2', quantity: 3 },
        ],
        customer: aCustomer('Zoë Lefèvre'),
        paymentMethod: 'card',
        paid: true,
      },
      {
        status: 'preorder',
        lines: [
          { sku: 'A-2', quantity: 1 },
          { sku: 'Z-1', quantity: 1 },
        ],
      },
    ];
    for (const body of bodies) {
      const res = await api(app).post('/api/v1/orders').send(body);
      expect(res.status).toBe(201);
      const created = json<OrderJson>(res);
      expect(created.lines.map((l) => l.sku)).toEqual(body.lines.map((l) => l.sku));
      const read = await api(app).get(`/api/v1/orders/${created.code}`);
      expect(read.status).toBe(200);
      expect(created).toEqual(json<OrderJson>(read));
    }
  });

  it('creates a preorder cart without customer and without reserving stock', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A' });
    const res = await api(app)
      .post('/api/v1/orders')
      .send({ status: 'preorder', lines: [{ sku: 'A', quantity: 3 }] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'preorder', customer: null, placedAt: null });
    expect(productBySku(db, 'A').reserved).toBe(0);
  });

  it('records the payment of an order created as paid', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A', price: 500 });
    const res = await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'A', quantity: 1 }], customer: aCustomer(), paymentMethod: 'card', paid: true });
    expect(res.body).toMatchObject({ paid: true, paidAmount: 500 });
    expect(json<OrderJson>(res).events.map((e) => e.type)).toEqual(['created', 'payment_recorded', 'email_queued']);
  });

  it('allows overselling: the order waits in order status', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A', onHand: 1 });
    const res = await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'A', quantity: 3 }], customer: aCustomer() });
    expect(res.status).toBe(201);
    expect((await api(app).get('/api/v1/products/A')).body).toMatchObject({ sellable: -2, soldOut: true });
  });

  const line = { sku: 'A', quantity: 1 };
  it.each<[string, unknown, string]>([
    ['unknown sku', { lines: [{ sku: 'NOPE', quantity: 1 }], customer: aCustomer() }, 'lines.0.sku'],
    ['quantity 0', { lines: [{ sku: 'A', quantity: 0 }], customer: aCustomer() }, 'lines.0.quantity'],
    ['negative quantity', { lines: [{ sku: 'A', quantity: -2 }], customer: aCustomer() }, 'lines.0.quantity'],
    ['fractional quantity', { lines: [{ sku: 'A', quantity: 1.5 }], customer: aCustomer() }, 'lines.0.quantity'],
    ['quantity 10^12', { lines: [{ sku: 'A', quantity: 1e12 }], customer: aCustomer() }, 'lines.0.quantity'],
    ['quantity as text', { lines: [{ sku: 'A', quantity: '1' }], customer: aCustomer() }, 'lines.0.quantity'],
    ['duplicate sku', { lines: [line, { sku: 'A', quantity: 2 }], customer: aCustomer() }, 'lines.1.sku'],
    ['no lines', { lines: [], customer: aCustomer() }, 'lines'],
    ['lines not an array', { lines: 'A', customer: aCustomer() }, 'lines'],
    ['order without customer', { lines: [line] }, 'customer'],
    ['preorder with customer', { status: 'preorder', lines: [line], customer: aCustomer() }, 'customer'],
    ['unknown status', { status: 'packing', lines: [line], customer: aCustomer() }, 'status'],
    ['unknown payment method', { lines: [line], customer: aCustomer(), paymentMethod: 'bitcoin' }, 'paymentMethod'],
    ['priority 11', { lines: [line], customer: aCustomer(), priority: 11 }, 'priority'],
    ['bad e-mail', { lines: [line], customer: { ...aCustomer(), email: 'not-an-email' } }, 'customer.email'],
    ['missing city', { lines: [line], customer: { ...aCustomer(), address: { line1: 'x', postalCode: '1', country: 'SE' } } }, 'customer.address.city'],
    ['unknown field', { lines: [line], customer: aCustomer(), rush: true }, 'rush'],
    ['price missing when the product has none', { lines: [{ sku: 'NOPRICE', quantity: 1 }], customer: aCustomer() }, 'lines.0.unitPrice'],
  ])('%s → 422, nothing written', async (_name, body, path) => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A' });
    buildProduct(db, { sku: 'NOPRICE', price: null });
    const res = await api(app)
      .post('/api/v1/orders')
      .send(body as object);
    expect(res.status).toBe(422);
    expect(apiError(res).code).toBe('validation_failed');
    expect(apiError(res).details?.fields).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.any(String) })]));
    expect(orderCount(db)).toBe(0);
    expect(db.select({ n: count() }).from(orderEvents).get()!.n).toBe(0);
    expect(productBySku(db, 'A').reserved).toBe(0);
  });

  it('refuses a 5 MB body (413), broken JSON (400) and a form body (415)', async () => {
    const { app, db } = makeApp();
    const big = await api(app)
      .post('/api/v1/orders')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ comment: 'x'.repeat(5 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(apiError(big).code).toBe('payload_too_large');
    const broken = await api(app).post('/api/v1/orders').set('Content-Type', 'application/json').send('{"lines": [');
    expect(broken.status).toBe(400);
    expect(apiError(broken).code).toBe('bad_request');
    const form = await api(app).post('/api/v1/orders').type('form').send({ lines: 'A' });
    expect(form.status).toBe(415);
    expect(apiError(form).code).toBe('unsupported_media_type');
    expect(orderCount(db)).toBe(0);
  });

  it('replays the first reply for a retried Idempotency-Key and refuses the key with another body', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A' });
    const body = { lines: [{ sku: 'A', quantity: 1 }], customer: aCustomer() };
    const first = await api(app).post('/api/v1/orders').set('Idempotency-Key', 'shop-order-77').send(body);
    const retry = await api(app).post('/api/v1/orders').set('Idempotency-Key', 'shop-order-77').send(body);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(json<OrderJson>(retry).code).toBe(json<OrderJson>(first).code);
    expect(orderCount(db)).toBe(1);
    const other = await api(app)
      .post('/api/v1/orders')
      .set('Idempotency-Key', 'shop-order-77')
      .send({ ...body, comment: 'changed' });
    expect(other.status).toBe(409);
    expect(apiError(other).code).toBe('idempotency_key_reused');
    expect(orderCount(db)).toBe(1);
  });
});

describe('API authentication', () => {
  it.each([
    ['no header', undefined],
    ['wrong token', 'Bearer nope-nope-nope-nope'],
    ['not bearer', 'Basic abc'],
  ])('401 with %s', async (_n, header) => {
    const { app } = makeApp();
    const req = (await import('supertest')).default(app).get('/api/v1/orders');
    const res = await (header ? req.set('Authorization', header) : req);
    expect(res.status).toBe(401);
    expect(apiError(res).code).toBe('unauthorized');
  });

  it('404 JSON for an unknown endpoint, never a stack trace', async () => {
    const { app } = makeApp();
    const res = await api(app).get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'No such API endpoint.' } });
  });
});

describe('checkout, payments, status', () => {
  it('checks out a preorder: customer set, stock reserved, placed', async () => {
    const { app, db } = makeApp();
    const cart = buildPreorder(db, { lines: [{ sku: buildProduct(db, { sku: 'A' }).sku, quantity: 2 }] });
    const res = await api(app)
      .post(`/api/v1/orders/${cart.code}/checkout`)
      .send({ customer: aCustomer('Łukasz Żółć'), paymentMethod: 'card' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'order', paymentMethod: 'card', customer: { name: 'Łukasz Żółć' } });
    expect(json<OrderJson>(res).placedAt).not.toBeNull();
    expect(productBySku(db, 'A').reserved).toBe(2);
  });

  it('refuses checkout of an order that is not a preorder (409), writing nothing', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const res = await api(app)
      .post(`/api/v1/orders/${order.code}/checkout`)
      .send({ customer: aCustomer('Someone Else'), paymentMethod: 'card' });
    expect(res.status).toBe(409);
    expect(apiError(res)).toMatchObject({
      code: 'illegal_status_move',
      message: `Order ${order.code} is Order: only a preorder can be checked out.`,
      details: { from: 'order', to: 'order' },
    });
    const after = await api(app).get(`/api/v1/orders/${order.code}`);
    expect(json<OrderJson>(after).customer?.name).not.toBe('Someone Else');
  });

  it('records payments: partial, then the rest; a retried reference counts once', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db, { lines: [{ sku: buildProduct(db, { price: 1000 }).sku, quantity: 2 }] });
    const part = await api(app).post(`/api/v1/orders/${order.code}/payments`).send({ amount: 500, reference: 'PSP-1' });
    expect(part.body).toMatchObject({ paid: false, paidAmount: 500 });
    const again = await api(app).post(`/api/v1/orders/${order.code}/payments`).send({ amount: 500, reference: 'PSP-1' });
    expect(again.body).toMatchObject({ paid: false, paidAmount: 500 });
    const rest = await api(app).post(`/api/v1/orders/${order.code}/payments`).send({ reference: 'PSP-2' });
    expect(rest.body).toMatchObject({ paid: true, paidAmount: 2000 });
    const more = await api(app).post(`/api/v1/orders/${order.code}/payments`).send({});
    expect(more.status).toBe(409);
    expect(apiError(more).code).toBe('already_paid');
    expect(json<OrderJson>(rest).events.filter((e) => e.type === 'payment_recorded')).toHaveLength(2);
  });

  it('cancels, reopens and unpacks with stock in sync; refuses other moves with the allowed ones', async () => {
    const { app, db } = makeApp();
    const p = buildProduct(db, { sku: 'A', onHand: 10 });
    const packing = buildPackingOrder(db, { lines: [{ sku: p.sku, quantity: 3 }] });
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 3, allocated: 3 });
    const unpacked = await api(app).post(`/api/v1/orders/${packing.code}/status`).send({ status: 'order' });
    expect(json<OrderJson>(unpacked).status).toBe('order');
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 3, allocated: 0 });
    const cancelled = await api(app).post(`/api/v1/orders/${packing.code}/status`).send({ status: 'cancelled', notifyCustomer: true });
    expect(json<OrderJson>(cancelled).status).toBe('cancelled');
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 0, allocated: 0 });
    const reopened = await api(app).post(`/api/v1/orders/${packing.code}/status`).send({ status: 'order' });
    expect(json<OrderJson>(reopened).status).toBe('order');
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 3, allocated: 0 });

    const shipped = buildShippedOrder(db);
    const refused = await api(app).post(`/api/v1/orders/${shipped.code}/status`).send({ status: 'cancelled' });
    expect(refused.status).toBe(409);
    expect(apiError(refused).details?.allowed).toEqual([]);
    // Packing is the pack rule's move, never a request's.
    const packingMove = await api(app)
      .post(`/api/v1/orders/${json<OrderJson>(reopened).code}/status`)
      .send({ status: 'packing' });
    expect(packingMove.status).toBe(409);
    expect(apiError(packingMove)).toMatchObject({
      code: 'illegal_status_move',
      message: 'An order in status Order cannot move to Packing. Possible from here: Cancelled.',
      details: { allowed: ['cancelled'] },
    });
  });
});

describe('GET /api/v1/orders/:code', () => {
  it('returns lines with shipped quantities, deliveries with parcels, events', async () => {
    const { app, db } = makeApp();
    const shipped = buildShippedOrder(db);
    const res = await api(app).get(`/api/v1/orders/${shipped.code}`);
    expect(res.status).toBe(200);
    const order = json<OrderJson>(res);
    expect(order.status).toBe('shipped');
    expect(order.lines[0]).toMatchObject({ quantity: 2, shippedQuantity: 2, remainingQuantity: 0 });
    expect(order.deliveries).toEqual([expect.objectContaining({ status: 'reported', parcels: [expect.stringMatching(/^PARCEL-/)] })]);
    expect(order.events.map((e) => e.type)).toEqual([
      'created',
      'payment_recorded',
      'email_queued',
      'status_changed',
      'delivery_reported',
      'status_changed',
      'email_queued',
    ]);
  });

  it('each delivery tells where its parcels can be followed (tracking) and the carriers and services they were booked with', async () => {
    const { app, db } = makeApp();
    putEmailSettings(db, { ...getEmailSettings(db), trackingUrl: 'https://track.example/?id={parcel}' }, new Date(), 'test');
    const order = buildPackingOrder(db);
    bookParcels(db, order, {
      kind: 'bring',
      service: '5800',
      parcels: [{ parcelId: 'BRG0000000001', trackingUrl: 'https://tracking.bring.com/t/BRG0000000001' }],
    });
    expect((await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: '12345678901' })).status).toBe(201);
    expect(
      (
        await api(app)
          .post('/api/v1/deliveries/report')
          .send({ orders: [order.code] })
      ).status,
    ).toBe(200);
    const [delivery] = json<OrderJson>(await api(app).get(`/api/v1/orders/${order.code}`)).deliveries;
    // The fields that were there stay as they were; tracking and carriers are added beside them.
    expect(delivery).toMatchObject({ status: 'reported', parcels: ['BRG0000000001', '12345678901'] });
    expect(delivery!.tracking).toEqual([
      { parcelId: 'BRG0000000001', trackingUrl: 'https://tracking.bring.com/t/BRG0000000001', carrier: 'Bring', service: '5800' },
      { parcelId: '12345678901', trackingUrl: 'https://track.example/?id=12345678901', carrier: null, service: null },
    ]);
    expect(delivery!.carriers).toEqual([{ carrier: 'Bring', service: '5800', serviceName: 'PickUp Parcel (Pakke til hentested)' }]);
  });

  it('404 unknown code; a wrong or missing check digit is refused, not matched', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const body = order.code.slice(0, 9);
    const wrong = body + String((Number(order.code[9]) + 1) % 10);
    const r1 = await api(app).get(`/api/v1/orders/${wrong}`);
    expect(r1.status).toBe(404);
    expect(apiError(r1).code).toBe('order_code_invalid');
    const r2 = await api(app).get(`/api/v1/orders/${body}`);
    expect(r2.status).toBe(404);
    expect(apiError(r2)).toMatchObject({ code: 'order_code_invalid', details: { suggestion: order.code } });
    const r3 = await api(app).get(`/api/v1/orders/100000000${dammCheckDigit('100000000')}`);
    expect(r3.status).toBe(404);
    expect(apiError(r3).code).toBe('order_not_found');
  });
});

describe('GET /api/v1/orders', () => {
  it('pages newest first with a cursor, filters by status and searches', async () => {
    const { app, db } = makeApp();
    const made = Array.from({ length: 7 }, () => buildOrder(db));
    buildCancelledOrder(db);
    const page1 = await api(app).get('/api/v1/orders?limit=3&status=order');
    expect(json<OrderListJson>(page1).orders.map((o) => o.code)).toEqual(
      made
        .slice(-3)
        .reverse()
        .map((o) => o.code),
    );
    const page2 = await api(app).get(`/api/v1/orders?limit=3&status=order&cursor=${json<OrderListJson>(page1).nextCursor}`);
    expect(json<OrderListJson>(page2).orders.map((o) => o.code)).toEqual(
      made
        .slice(1, 4)
        .reverse()
        .map((o) => o.code),
    );
    const page3 = await api(app).get(`/api/v1/orders?limit=3&status=order&cursor=${json<OrderListJson>(page2).nextCursor}`);
    expect(json<OrderListJson>(page3).orders).toHaveLength(1);
    expect(json<OrderListJson>(page1).orders[0]?.lineCount).toBe(1);
    expect(json<OrderListJson>(page3).nextCursor).toBeNull();

    const byCode = await api(app).get(`/api/v1/orders?q=${made[2]!.code}`);
    expect(json<OrderListJson>(byCode).orders.map((o) => o.code)).toEqual([made[2]!.code]);
    const byEmail = await api(app).get(`/api/v1/orders?q=${made[4]!.customerEmail}`);
    expect(json<OrderListJson>(byEmail).orders.map((o) => o.code)).toEqual([made[4]!.code]);
    const bad = await api(app).get('/api/v1/orders?limit=1000');
    expect(bad.status).toBe(422);
    const badCursor = await api(app).get('/api/v1/orders?cursor=abc');
    expect(badCursor.status).toBe(422);
  });
});

describe('stock counters', () => {
  it('always equal what the order lines say, through every kind of change', () => {
    const { db } = makeApp();
    const a = buildProduct(db, { sku: 'A', onHand: 50 });
    const b = buildProduct(db, { sku: 'B', onHand: 50 });
    const lines = [
      { sku: a.sku, quantity: 2 },
      { sku: b.sku, quantity: 3 },
    ];
    buildPreorder(db, { lines });
    buildOrder(db, { lines });
    buildPackingOrder(db, { lines });
    buildShippedOrder(db, { lines });
    buildCancelledOrder(db, { lines });
    expectCountersInSync(db);
    // 2 shipped of each order's A line leave on_hand.
    expect(productBySku(db, 'A').onHand).toBe(48);
  });
});
