import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customers, emailOutbox, orderEvents, orderLines, orders, payments } from '../../src/db/schema/index.js';
import { createOrder } from '../../src/orders/service.js';
import { aCustomer, buildProduct, productBySku } from '../builders.js';
import { api, makeApp } from '../helpers.js';
import { apiError, json, type OrderJson, type OrderListJson } from '../json.js';

// Order intake writes with statements prepared once (orders/repo.ts, customers/repo.ts) instead of
// drizzle's query builder: these compare what it writes and returns with what drizzle reads back.
describe('order intake', () => {
  it('returns the order exactly as it is stored, every column', () => {
    const { db } = makeApp();
    buildProduct(db, { sku: 'A', price: 1000 });
    const ctx = { actor: { type: 'api' as const, id: null, name: 'test' }, now: new Date('2026-11-20T08:00:00Z'), currency: 'SEK', source: 'api:test' };
    const customer = {
      ...aCustomer('Zoë Lefèvre'),
      phone: '+46 70-123 45 67',
      language: 'sv' as const,
      address: { line1: 'Storgatan 1', line2: 'c/o Berg', postalCode: '111 22', city: 'Stockholm', country: 'SE' },
    };
    const created = createOrder(
      db,
      { status: 'order', lines: [{ sku: 'A', quantity: 2 }], customer, paymentMethod: 'card', paid: true, comment: 'Ring', priority: 3 },
      ctx,
    );
    expect(created).toEqual(db.select().from(orders).where(eq(orders.id, created.id)).get());
    expect(created).toMatchObject({
      paid: true,
      paidAmount: 2000,
      paidAt: ctx.now,
      placedAt: ctx.now,
      customerPhoneKey: '01234567',
      language: 'sv',
      linesVersion: 1,
    });

    const cart = createOrder(db, { status: 'preorder', lines: [{ sku: 'A', quantity: 1 }] }, ctx);
    expect(cart).toEqual(db.select().from(orders).where(eq(orders.id, cart.id)).get());
    expect(cart).toMatchObject({ customerId: null, customerName: null, customerSearch: null, placedAt: null, paid: false, paidAt: null });
  });

  it('answers POST with the order as GET shows it, and writes lines, payment, events, e-mails and counters', async () => {
    const { app, db } = makeApp();
    const a = buildProduct(db, { sku: 'A', price: 1000, onHand: 10 });
    const res = await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'A', quantity: 2 }], customer: aCustomer('Åsa Øvergård'), paymentMethod: 'card', paid: true });
    expect(res.status).toBe(201);
    const { code } = json<OrderJson>(res);
    const again = await api(app).get(`/api/v1/orders/${code}`);
    expect(res.body).toEqual(again.body);

    const id = db.select({ id: orders.id }).from(orders).where(eq(orders.code, code)).get()!.id;
    expect(db.select().from(orderLines).where(eq(orderLines.orderId, id)).all()).toEqual([
      expect.objectContaining({ productId: a.id, sku: 'A', name: a.name, unitPrice: 1000, vatRate: a.vatRate, quantity: 2, shippedQuantity: 0 }),
    ]);
    expect(db.select().from(payments).where(eq(payments.orderId, id)).all()).toEqual([
      expect.objectContaining({ amount: 2000, reference: null, actor: 'API_TOKEN' }),
    ]);
    const events = db.select().from(orderEvents).where(eq(orderEvents.orderId, id)).all();
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['created', { status: 'order', lines: 1, total: 2000, source: 'api:API_TOKEN' }],
      ['payment_recorded', { amount: 2000, reference: null, paid: true }],
      ['email_queued', expect.objectContaining({ template: 'order_confirmation', edited: false })],
    ]);
    expect(db.select().from(emailOutbox).where(eq(emailOutbox.orderId, id)).all()).toEqual([
      expect.objectContaining({ template: 'order_confirmation', status: 'queued' }),
    ]);
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 2, allocated: 0 });
  });

  it('writes the customer row: a guest each time, an account found by e-mail and brought up to date', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A', price: 1000 });
    const guest = { ...aCustomer('Karin Lindqvist'), phone: '070 123 45 67' };
    await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'A', quantity: 1 }], customer: guest })
      .expect(201);
    await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'A', quantity: 1 }], customer: guest })
      .expect(201);
    const account = { ...aCustomer('Erik Berg'), type: 'account' as const };
    await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'A', quantity: 1 }], customer: account })
      .expect(201);
    await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'A', quantity: 1 }], customer: { ...account, name: 'Erik Berg Jr', address: { ...account.address, city: 'Uppsala' } } })
      .expect(201);

    const rows = db.select().from(customers).all();
    expect(rows.map((c) => [c.kind, c.email, c.name, c.phone, c.city])).toEqual([
      ['guest', guest.email, 'Karin Lindqvist', '070 123 45 67', 'Stockholm'],
      ['guest', guest.email, 'Karin Lindqvist', '070 123 45 67', 'Stockholm'],
      ['account', account.email, 'Erik Berg Jr', null, 'Uppsala'],
    ]);
    expect(rows[2]!.createdAt.getTime()).toBeLessThanOrEqual(rows[2]!.updatedAt.getTime());
    const byCustomer = db.select({ customerId: orders.customerId, city: orders.shipCity }).from(orders).orderBy(orders.id).all();
    expect(byCustomer).toEqual([
      { customerId: rows[0]!.id, city: 'Stockholm' },
      { customerId: rows[1]!.id, city: 'Stockholm' },
      { customerId: rows[2]!.id, city: 'Stockholm' },
      { customerId: rows[2]!.id, city: 'Uppsala' },
    ]);
  });

  it('indexes the new order for customer search (the FTS row) and finds it by a folded prefix', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A', price: 1000 });
    const res = await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'A', quantity: 1 }], customer: { ...aCustomer('Łukasz Øvergård'), email: 'lukasz@example.com' } })
      .expect(201);
    const { code } = json<OrderJson>(res);
    const id = db.select({ id: orders.id }).from(orders).where(eq(orders.code, code)).get()!.id;
    expect(db.all(sql`SELECT rowid AS id, customer_search AS text FROM orders_fts WHERE orders_fts MATCH 'overg*'`)).toEqual([
      { id, text: 'lukasz overgard lukasz@example.com' },
    ]);
    const found = await api(app).get('/api/v1/orders?q=overg').expect(200);
    expect(json<OrderListJson>(found).orders.map((o) => o.code)).toEqual([code]);
    // A cart has no customer, so no index row.
    await api(app)
      .post('/api/v1/orders')
      .send({ status: 'preorder', lines: [{ sku: 'A', quantity: 1 }] })
      .expect(201);
    expect(db.all(sql`SELECT count(*) AS n FROM orders_fts_docsize`)).toEqual([{ n: 1 }]);
  });

  it('commits orders sent together one by one: a refused order among them changes nothing, the others are kept', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A', price: 1000, onHand: 100 });
    const send = (i: number) =>
      api(app)
        .post('/api/v1/orders')
        .send({ lines: [{ sku: i === 5 ? 'NOPE' : 'A', quantity: 1 }], customer: aCustomer() });
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => send(i)));
    expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 12 }, (_, i) => (i === 5 ? 422 : 201)));
    expect(apiError(replies[5]!).details?.fields).toEqual([expect.objectContaining({ path: 'lines.0.sku' })]);
    expect(
      db
        .select({ n: sql<number>`count(*)` })
        .from(orders)
        .get()!.n,
    ).toBe(11);
    expect(
      db
        .select({ n: sql<number>`count(*)` })
        .from(customers)
        .get()!.n,
    ).toBe(11);
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 11 });
    const codes = new Set(replies.filter((r) => r.status === 201).map((r) => json<OrderJson>(r).code));
    expect(codes.size).toBe(11);
  });
});
