import { describe, expect, it } from 'vitest';
import { IN_FLIGHT, once, requestHashOf } from '../../src/api/idempotency.js';
import type { Db } from '../../src/db/client.js';
import { AppError } from '../../src/errors.js';
import { buildOrder, buildPackingOrder, buildProduct } from '../builders.js';
import { api, makeApp } from '../helpers.js';
import { apiError, json, type FetchedParcelsJson, type OrderJson } from '../json.js';

/**
 * The idempotency middleware reserves a key (its request's hash, no reply) in a commit of its own
 * before the route runs, and replaces the reservation with the reply after. What a crash between
 * the two leaves is a reservation: a retry must not do the work again. A crash is simulated where
 * it would happen, in the database: a trigger that fails the reply's write, then a new app (a
 * restarted server) on the same database.
 */
const count = (db: Db, sql: string, ...params: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...params);
const payments = (db: Db, orderId: number) => count(db, "SELECT count(*) FROM order_events WHERE type = 'payment_recorded' AND order_id = ?", orderId);

/** Every status_code written to idempotency_keys, in order: 0 is a reservation. */
function watchKeys(db: Db): () => number[] {
  db.$client.exec(`
    CREATE TABLE key_log (id INTEGER PRIMARY KEY, status INTEGER);
    CREATE TRIGGER key_log_insert AFTER INSERT ON idempotency_keys BEGIN INSERT INTO key_log (status) VALUES (NEW.status_code); END;
    CREATE TRIGGER key_log_update AFTER UPDATE ON idempotency_keys BEGIN INSERT INTO key_log (status) VALUES (NEW.status_code); END;
  `);
  return () => db.$client.prepare('SELECT status FROM key_log ORDER BY id').pluck().all() as number[];
}

describe('Idempotency-Key: the key is reserved before the work, the reply kept after', () => {
  it('a crash between the work and the kept reply: the retry is answered 409 idempotency_key_in_progress and pays nothing twice', async () => {
    const { app, db, clock } = makeApp();
    const order = buildOrder(db);
    // The reply's write fails as a crash would leave it: the payment is committed, the reply is not.
    db.$client.exec("CREATE TRIGGER crash BEFORE UPDATE ON idempotency_keys BEGIN SELECT RAISE(ABORT, 'simulated crash'); END");
    await api(app).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'pay-crash').send({ amount: 100 }).expect(200);
    expect(payments(db, order.id)).toBe(1);
    db.$client.exec('DROP TRIGGER crash');
    expect(db.$client.prepare("SELECT status_code FROM idempotency_keys WHERE key = 'pay-crash'").pluck().get()).toBe(IN_FLIGHT);

    // The server restarts: nothing of the first request is left in memory.
    const restarted = makeApp({ db, clock }).app;
    const retry = await api(restarted).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'pay-crash').send({ amount: 100 });
    expect(retry.status).toBe(409);
    expect(apiError(retry)).toMatchObject({ code: 'idempotency_key_in_progress', details: { since: clock().toISOString() } });
    expect(apiError(retry).message).toContain('new key');
    expect(payments(db, order.id)).toBe(1);
    // The same key with another body is still another request.
    expect(apiError(await api(restarted).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'pay-crash').send({ amount: 5 })).code).toBe(
      'idempotency_key_reused',
    );
    // The caller looks at the order, sees the payment, and sends nothing more.
    expect(json<OrderJson>(await api(restarted).get(`/api/v1/orders/${order.code}`).expect(200)).paidAmount).toBe(100);
  });

  it('a crash right after the reservation (no work done) is answered the same: never run on a guess; a new key does it', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    await api(app).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'seen').send({ amount: 100 }).expect(200);
    const scope = db.$client.prepare("SELECT scope FROM idempotency_keys WHERE key = 'seen'").pluck().get() as string;
    const hash = db.$client.prepare("SELECT request_hash FROM idempotency_keys WHERE key = 'seen'").pluck().get() as string;
    // As the middleware's first commit leaves it.
    db.$client
      .prepare('INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(scope, 'reserved', hash, IN_FLIGHT, '', 0);
    const retry = await api(app).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'reserved').send({ amount: 100 });
    expect(apiError(retry).code).toBe('idempotency_key_in_progress');
    expect(payments(db, order.id)).toBe(1);
    await api(app).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'reserved-2').send({ amount: 100 }).expect(200);
    expect(payments(db, order.id)).toBe(2);
  });

  it('the reservation is committed before the route runs and replaced by the reply; a refusal drops it', async () => {
    const { app, db } = makeApp();
    const keys = watchKeys(db);
    const order = buildOrder(db);
    await api(app).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'pay').send({ amount: 100 }).expect(200);
    expect(keys()).toEqual([IN_FLIGHT, 200]);
    await api(app).post(`/api/v1/orders/${order.code}/status`).set('Idempotency-Key', 'refused').send({ status: 'shipped' }).expect(409);
    expect(keys()).toEqual([IN_FLIGHT, 200, IN_FLIGHT]);
    expect(count(db, "SELECT count(*) FROM idempotency_keys WHERE key = 'refused'")).toBe(0);
  });

  it('routes that keep the key in their own transaction take no reservation: work and reply are one commit', async () => {
    const { app, db } = makeApp();
    const product = buildProduct(db, { onHand: 10, price: 1000 });
    const keys = watchKeys(db);
    const created = await api(app)
      .post('/api/v1/orders')
      .set('Idempotency-Key', 'intake')
      .send({
        lines: [{ sku: product.sku, quantity: 1 }],
        customer: { name: 'A', email: 'a@example.com', address: { line1: 'x', postalCode: '1', city: 'y', country: 'SE' } },
        paymentMethod: 'invoice',
      })
      .expect(201);
    expect(keys()).toEqual([201]);
    const packing = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 1 }] });
    await api(app)
      .post(`/api/v1/orders/${packing.code}/deliveries`)
      .set('Idempotency-Key', 'one-call')
      .send({ parcels: ['KEPT-1'] })
      .expect(201);
    const code = json<OrderJson>(created).code;
    expect(code).toMatch(/^\d{10}$/);
    await api(app)
      .post(`/api/v1/orders/${packing.code}/returns`)
      .set('Idempotency-Key', 'rma')
      .send({ lines: [{ sku: product.sku, quantity: 1, disposition: 'restock' }] })
      .expect(201);
    await api(app).post('/api/v1/deliveries/report').set('Idempotency-Key', 'report').send({}).expect(200);
    expect(keys()).toEqual([201, 201, 201, 200]);
    // Kept by the route in the scope the middleware reads: the whole path under /api/v1, canonical.
    const scopes = db.$client.prepare('SELECT key, scope FROM idempotency_keys ORDER BY key').all() as { key: string; scope: string }[];
    expect(scopes.map(({ key, scope }) => [key, scope.slice(scope.indexOf('POST'))])).toEqual([
      ['intake', 'POST /orders'],
      ['one-call', `POST /orders/${packing.code}/deliveries`],
      ['report', 'POST /deliveries/report'],
      ['rma', `POST /orders/${packing.code}/returns`],
    ]);
  });

  it('a route that keeps its key in its work: the retry after a crash, spelt another way, gets the reply and makes no second return', async () => {
    const { app, db, clock } = makeApp();
    const product = buildProduct(db, { onHand: 10, price: 1000 });
    const packing = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 2 }] });
    await api(app)
      .post(`/api/v1/orders/${packing.code}/deliveries`)
      .send({ parcels: ['CRASH-1'] })
      .expect(201);
    // The middleware's own keep fails (as a crash after the route's commit would leave it); the route's row stands.
    db.$client.exec(
      "CREATE TRIGGER crash BEFORE INSERT ON idempotency_keys WHEN EXISTS (SELECT 1 FROM idempotency_keys WHERE key = NEW.key) BEGIN SELECT RAISE(ABORT, 'simulated crash'); END",
    );
    const body = { lines: [{ sku: product.sku, quantity: 1, disposition: 'restock' }] };
    const first = await api(app).post(`/api/v1/orders/${packing.code}/returns`).set('Idempotency-Key', 'rma-crash').send(body).expect(201);
    db.$client.exec('DROP TRIGGER crash');
    const restarted = makeApp({ db, clock }).app;
    const retry = await api(restarted)
      .post(`/api/v1/ORDERS/${packing.code.slice(0, 4)}-${packing.code.slice(4)}/returns/`)
      .set('Idempotency-Key', 'rma-crash')
      .send(body)
      .expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(count(db, 'SELECT count(*) FROM returns')).toBe(1);
  });

  it('the same key twice at once: one payment, one reply', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const send = () => api(app).post(`/api/v1/orders/${order.code}/payments`).set('Idempotency-Key', 'twice').send({ amount: 100 });
    const [a, b] = await Promise.all([send(), send()]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(payments(db, order.id)).toBe(1);
  });

  it('once(): a reservation that is this request’s own gets the work and its reply in one transaction; another’s is in progress', () => {
    const { db } = makeApp();
    const reserve = (key: string) =>
      db.$client
        .prepare('INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run('s', key, requestHashOf(null), IN_FLIGHT, '', 0);
    reserve('mine');
    let runs = 0;
    const work = () => ({ status: 201, body: { run: ++runs } });
    expect(once(db, 's', 'mine', null, new Date(0), work, true)).toEqual({ status: 201, body: { run: 1 } });
    expect(once(db, 's', 'mine', null, new Date(0), work)).toEqual({ status: 201, body: { run: 1 } });
    reserve('theirs');
    expect(() => once(db, 's', 'theirs', null, new Date(0), work)).toThrow(AppError);
    expect(runs).toBe(1);
  });
});

describe('Idempotency-Key: a parcel ID in a path is read as the parcel rule reads it', () => {
  it('one key, the SSCC spelt with (00), 00 and bare: one removal, the same reply', async () => {
    const { app, db } = makeApp();
    const order = buildPackingOrder(db);
    const fetched = json<FetchedParcelsJson>(await api(app).post(`/api/v1/orders/${order.code}/parcels/fetch`).send({ count: 2 }).expect(201));
    const sscc = fetched.parcelIds[0]!;
    const first = await api(app)
      .delete(`/api/v1/orders/${order.code}/parcels/${encodeURIComponent(`(00)${sscc}`)}`)
      .set('Idempotency-Key', 'rm-1')
      .expect(200);
    for (const spelling of [`00${sscc}`, sscc, ` ${sscc}`]) {
      const again = await api(app)
        .delete(`/api/v1/orders/${order.code}/parcels/${encodeURIComponent(spelling)}`)
        .set('Idempotency-Key', 'rm-1');
      expect(again.status, spelling).toBe(200);
      expect(again.headers['idempotent-replayed'], spelling).toBe('true');
      expect(again.body).toEqual(first.body);
    }
    expect(count(db, 'SELECT count(*) FROM idempotency_keys')).toBe(1);
    expect(count(db, 'SELECT count(*) FROM delivery_parcels')).toBe(1);
  });
});
