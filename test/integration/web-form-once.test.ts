import { describe, expect, it } from 'vitest';
import { writeTransaction, type Db } from '../../src/db/client.js';
import { putPackSettings } from '../../src/pack/settings.js';
import { reportDelivery } from '../../src/shipping/service.js';
import { buildOrder, buildPackingOrder, buildProduct, buildUser, productBySku } from '../builders.js';
import { csrfOf, loginAs, makeApp } from '../helpers.js';

// Every form that creates or moves something carries a one-time key: sent twice (a double click,
// the browser's "resend"), it does its work once and the second answer goes where the first went.

const ACTOR = { type: 'system' as const, id: null, name: 'test' };
const count = (db: Db, sql: string, ...params: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...params);
const keyOf = (html: string) => /name="formKey" value="([^"]+)"/.exec(html)![1]!;

async function signedIn(role: 'operator' | 'admin' = 'admin') {
  const ctx = makeApp();
  await buildUser(ctx.db, role, { email: 'staff@example.com' });
  const { agent } = await loginAs(ctx.app, 'staff@example.com');
  return { ...ctx, agent };
}

describe('forms sent twice do their work once', () => {
  it('the return page registers one return; the same key with other quantities is refused', async () => {
    const { app: _app, db, agent } = await signedIn('operator');
    const product = buildProduct(db, { onHand: 10, price: 1000 });
    const packing = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 3 }] });
    writeTransaction(db, (tx) => reportDelivery(tx, packing, { parcels: ['FORM-ONCE-1'] }, { actor: ACTOR, now: new Date('2026-11-20T09:00:00Z') }));
    const page = await agent.get(`/orders/${packing.code}/returns/new`).expect(200);
    const restock = /name="(restock_\d+)"/.exec(page.text)![1]!;
    const form = { _csrf: csrfOf(page.text), formKey: keyOf(page.text), action: 'register', [restock]: '1' };
    const first = await agent.post(`/orders/${packing.code}/returns`).type('form').send(form);
    const second = await agent.post(`/orders/${packing.code}/returns`).type('form').send(form);
    // Spelt another way, the same order: still the same form.
    const third = await agent
      .post(`/orders/${packing.code.slice(0, 5)}-${packing.code.slice(5)}/returns`)
      .type('form')
      .send(form);
    expect(first.status).toBe(302);
    expect(second.status).toBe(302);
    expect(second.headers.location).toBe(first.headers.location);
    expect(third.headers.location).toBe(first.headers.location);
    expect(count(db, 'SELECT count(*) FROM returns')).toBe(1);
    expect(productBySku(db, product.sku).onHand).toBe(8);
    expect((await agent.get(second.headers.location!)).text).toContain('This form was already sent');

    const other = await agent
      .post(`/orders/${packing.code}/returns`)
      .type('form')
      .send({ ...form, [restock]: '2' });
    expect(other.status).toBe(409);
    expect(other.text).toContain('already sent with other values');
    expect(count(db, 'SELECT count(*) FROM returns')).toBe(1);
  });

  it('goods in: one start, one received item', async () => {
    const { db, agent } = await signedIn('operator');
    const product = buildProduct(db, { onHand: 5, barcode: '7350000000016' });
    const index = await agent.get('/tools/stock').expect(200);
    const start = { _csrf: csrfOf(index.text), formKey: keyOf(index.text), reference: 'PO-77' };
    const a = await agent.post('/tools/stock/goods-in').type('form').send(start);
    const b = await agent.post('/tools/stock/goods-in').type('form').send(start);
    expect(a.status).toBe(303);
    expect(b.headers.location).toBe(a.headers.location);
    expect(count(db, 'SELECT count(*) FROM goods_ins')).toBe(1);

    const page = await agent.get(a.headers.location!).expect(200);
    const item = { _csrf: csrfOf(page.text), formKey: keyOf(page.text), code: product.sku, quantity: '3' };
    await agent.post(`${a.headers.location!}/items`).type('form').send(item).expect(303);
    await agent.post(`${a.headers.location!}/items`).type('form').send(item).expect(303);
    expect(productBySku(db, product.sku).onHand).toBe(8);
  });

  it('a status change and an approval are made once', async () => {
    const { db, agent, clock } = await signedIn('admin');
    const order = buildOrder(db);
    const page = await agent.get(`/orders/${order.code}`).expect(200);
    const form = { _csrf: csrfOf(page.text), formKey: keyOf(page.text), status: 'cancelled', confirmed: 'yes', from: 'order' };
    await agent.post(`/orders/${order.code}/status`).type('form').send(form).expect(302);
    const again = await agent.post(`/orders/${order.code}/status`).type('form').send(form);
    expect(again.status).toBe(302);
    expect(count(db, "SELECT count(*) FROM order_events WHERE type = 'status_changed' AND order_id = ?", order.id)).toBe(1);

    putPackSettings(db, { enabled: true, intervalMinutes: 15, requireApproval: true }, clock(), 'test');
    const product = buildProduct(db, { onHand: 5 });
    const unpaid = buildOrder(db, { lines: [{ sku: product.sku, quantity: 1 }], body: { paymentMethod: 'invoice' } });
    const shown = await agent.get(`/orders/${unpaid.code}`).expect(200);
    const approve = { _csrf: csrfOf(shown.text), formKey: keyOf(shown.text) };
    await agent.post(`/orders/${unpaid.code}/approve`).type('form').send(approve).expect(302);
    await agent.post(`/orders/${unpaid.code}/approve`).type('form').send(approve).expect(302);
    expect(count(db, "SELECT count(*) FROM order_events WHERE type = 'approved' AND order_id = ?", unpaid.id)).toBe(1);
  });

  it('a bulk cancel from the list is applied once', async () => {
    const { db, agent } = await signedIn('admin');
    const order = buildOrder(db);
    const list = await agent.get('/orders').expect(200);
    const form = { _csrf: csrfOf(list.text), formKey: keyOf(list.text), action: 'cancel', confirmed: 'yes', codes: order.code, back: '/orders' };
    await agent.post('/orders/bulk').type('form').send(form).expect(302);
    const again = await agent.post('/orders/bulk').type('form').send(form).expect(302);
    // Not tried again (which would have been refused as an illegal move): the first answer's notice.
    expect((await agent.get(again.headers.location!)).text).toContain('This form was already sent');
    expect(count(db, "SELECT count(*) FROM order_events WHERE type = 'status_changed' AND order_id = ?", order.id)).toBe(1);
  });

  it('a manual order is created once', async () => {
    const { db, agent } = await signedIn('operator');
    const product = buildProduct(db, { onHand: 5, price: 1000 });
    const page = await agent.get('/orders/new').expect(200);
    const before = count(db, 'SELECT count(*) FROM orders');
    const fields = {
      _csrf: csrfOf(page.text),
      formKey: keyOf(page.text),
      op: 'create',
      name: 'Åsa',
      email: 'asa@example.com',
      line1: 'Storgata 1',
      postalCode: '0150',
      city: 'Oslo',
      country: 'NO',
      paymentMethod: 'card',
      customerType: 'guest',
      priority: '5',
      lineSku: product.sku,
      lineQty: '1',
    };
    const a = await agent.post('/orders/new').type('form').send(fields);
    const b = await agent.post('/orders/new').type('form').send(fields);
    expect(a.status).toBe(302);
    expect(b.headers.location).toBe(a.headers.location);
    expect(count(db, 'SELECT count(*) FROM orders')).toBe(Number(before) + 1);
  });
});
