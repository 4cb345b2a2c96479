import { describe, expect, it } from 'vitest';
import { writeTransaction, type Db } from '../../src/db/client.js';
import { reportDelivery } from '../../src/shipping/service.js';
import { buildOrder, buildPackingOrder, buildProduct } from '../builders.js';
import { api, makeApp } from '../helpers.js';
import { apiError, json, type OrderJson } from '../json.js';

const ACTOR = { type: 'system' as const, id: null, name: 'test' };
const count = (db: Db, sql: string, ...params: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...params);

/** A shipped card order of three units: something to return. */
function shippedOrder(db: Db) {
  const product = buildProduct(db, { onHand: 10, price: 12_500 });
  const packing = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 3 }] });
  writeTransaction(db, (tx) => reportDelivery(tx, packing, { parcels: ['IDEM-PARCEL-1'] }, { actor: ACTOR, now: new Date('2026-11-20T09:00:00Z') }));
  return { product, code: packing.code };
}

describe('Idempotency-Key on every write of the API', () => {
  it('a payment retried with one key is recorded once and answered the same', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const first = await api(app).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'pay-1').send({ amount: 100 }).expect(200);
    const retry = await api(app).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'pay-1').send({ amount: 100 }).expect(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(json<OrderJson>(retry).paidAmount).toBe(100);
    expect(count(db, "SELECT count(*) FROM order_events WHERE type = 'payment_recorded' AND order_id = ?", order.id)).toBe(1);
    // Without a key, a second payment is a second payment.
    await api(app).post(`/api/v1/orders/${order.code}/payments`).send({ amount: 100 }).expect(200);
    expect(count(db, "SELECT count(*) FROM order_events WHERE type = 'payment_recorded' AND order_id = ?", order.id)).toBe(2);
  });

  it('three spellings of one order path with one key make one return', async () => {
    const { app, db } = makeApp();
    const { product, code } = shippedOrder(db);
    const body = { lines: [{ sku: product.sku, quantity: 1, disposition: 'restock' }] };
    const spellings = [`/api/v1/orders/${code}/returns`, `/api/v1/orders/${code.slice(0, 4)}-${code.slice(4)}/returns`, `/api/v1/ORDERS/${code}/returns/`];
    const replies = [];
    for (const path of spellings) replies.push(await api(app).post(path).set('Idempotency-Key', 'rma-1').send(body).expect(201));
    expect(replies[1]!.body).toEqual(replies[0]!.body);
    expect(replies[2]!.body).toEqual(replies[0]!.body);
    expect(count(db, 'SELECT count(*) FROM returns')).toBe(1);
  });

  it('the same body with its fields in another order is the same request; another body is refused with 409', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const first = await api(app).patch(`/api/v1/orders/${order.code}`).set('Idempotency-Key', 'patch-1').send({ comment: 'a', priority: 7 }).expect(200);
    const reordered = await api(app).patch(`/api/v1/orders/${order.code}`).set('Idempotency-Key', 'patch-1').send({ priority: 7, comment: 'a' }).expect(200);
    expect(reordered.body).toEqual(first.body);
    const other = await api(app).patch(`/api/v1/orders/${order.code}`).set('Idempotency-Key', 'patch-1').send({ priority: 8, comment: 'a' });
    expect(other.status).toBe(409);
    expect(apiError(other).code).toBe('idempotency_key_reused');
    expect(count(db, "SELECT count(*) FROM order_events WHERE type = 'details_changed' AND order_id = ?", order.id)).toBeLessThanOrEqual(1);
  });

  it('reordered keys of a body that keeps its key in the route (returns) replay too', async () => {
    const { app, db } = makeApp();
    const { product, code } = shippedOrder(db);
    const a = await api(app)
      .post(`/api/v1/orders/${code}/returns`)
      .send({ idempotencyKey: 'rma-2', lines: [{ sku: product.sku, quantity: 1, disposition: 'restock' }] })
      .expect(201);
    const b = await api(app)
      .post(`/api/v1/orders/${code}/returns`)
      .send({ lines: [{ disposition: 'restock', quantity: 1, sku: product.sku }], idempotencyKey: 'rma-2' })
      .expect(201);
    expect(b.body).toEqual(a.body);
    expect(count(db, 'SELECT count(*) FROM returns')).toBe(1);
  });

  it('keeps a key per token, method and resource: another order, another method or a SKU spelt in another case is another request', async () => {
    const { app, db } = makeApp();
    const one = buildOrder(db);
    const two = buildOrder(db);
    await api(app).post(`/api/v1/orders/${one.code}/payments`).set('Idempotency-Key', 'k').send({ amount: 50 }).expect(200);
    const other = await api(app).post(`/api/v1/orders/${two.code}/payments`).set('Idempotency-Key', 'k').send({ amount: 50 }).expect(200);
    expect(json<OrderJson>(other).code).toBe(two.code);
    await api(app).put('/api/v1/products/SKU-A').set('Idempotency-Key', 'p').send({ name: 'A', onHand: 1 }).expect(201);
    await api(app).put('/api/v1/products/sku-a').set('Idempotency-Key', 'p').send({ name: 'A', onHand: 1 }).expect(201);
    expect(count(db, "SELECT count(*) FROM products WHERE sku IN ('SKU-A', 'sku-a')")).toBe(2);
  });

  it('a refused write keeps no key: the retry tries again', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const refused = await api(app).post(`/api/v1/orders/${order.code}/status`).set('Idempotency-Key', 's-1').send({ status: 'shipped' });
    expect(refused.status).toBe(409);
    expect(count(db, "SELECT count(*) FROM idempotency_keys WHERE key = 's-1'")).toBe(0);
    await api(app).post(`/api/v1/orders/${order.code}/status`).set('Idempotency-Key', 's-1').send({ status: 'cancelled' }).expect(200);
    const again = await api(app).post(`/api/v1/orders/${order.code}/status`).set('Idempotency-Key', 's-1').send({ status: 'cancelled' }).expect(200);
    expect(json<OrderJson>(again).status).toBe('cancelled');
    expect(count(db, "SELECT count(*) FROM order_events WHERE type = 'status_changed' AND order_id = ?", order.id)).toBe(1);
  });

  it('a malformed key is refused with 400 on every write', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const res = await api(app).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'a b').send({ amount: 1 });
    expect(res.status).toBe(400);
    expect(count(db, "SELECT count(*) FROM order_events WHERE type = 'payment_recorded' AND order_id = ?", order.id)).toBe(0);
  });
});
