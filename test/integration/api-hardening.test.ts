import Database from 'better-sqlite3';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { listLines } from '../../src/orders/repo/orders.js';
import { toAppError } from '../../src/errors.js';
import { buildOrder, buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { dbDigest } from '../digest.js';
import { api, loginAs, makeApp } from '../helpers.js';
import { apiError, json, type OrderJson, type OrderListJson } from '../json.js';

/** The holes a hostile probe found in the API, each shut and kept shut. */
describe('a body without Content-Type: application/json', () => {
  it('is refused with 415 and changes nothing, on every endpoint the probe used', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const packing = buildPackingOrder(db);
    await api(app).post(`/api/v1/orders/${packing.code}/parcels`).send({ parcelId: 'JJD000111' }).expect(201);
    const before = dbDigest(db);
    for (const [url, body] of [
      [`/api/v1/orders/${order.code}/payments`, { amount: 100 }],
      ['/api/v1/pack-runs', { dryRun: true }],
      ['/api/v1/deliveries/report', { orders: [order.code] }],
    ] as const) {
      for (const contentType of [null, 'text/plain', 'application/x-www-form-urlencoded']) {
        const req = api(app).post(url).send(JSON.stringify(body));
        const res = await (contentType === null ? req.unset('Content-Type') : req.set('Content-Type', contentType));
        expect(res.status, `${url} with ${contentType}`).toBe(415);
        expect(apiError(res).code).toBe('unsupported_media_type');
      }
    }
    expect(dbDigest(db)).toBe(before);
  });

  it('a body-less POST still works where the endpoint documents an empty body', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db, { paid: true });
    const res = await api(app).post(`/api/v1/orders/${order.code}/pack-check`);
    expect(res.status).toBe(200);
  });
});

describe('an idempotency key', () => {
  it('reused on another order does that order’s work, not a replay of the first reply', async () => {
    const { app, db } = makeApp();
    const a = buildPackingOrder(db);
    const b = buildPackingOrder(db);
    const first = await api(app)
      .post(`/api/v1/orders/${a.code}/deliveries`)
      .send({ parcels: ['XK1'], idempotencyKey: 'k' });
    expect(first.status).toBe(201);
    expect(json<OrderJson>(first).code).toBe(a.code);
    const second = await api(app)
      .post(`/api/v1/orders/${b.code}/deliveries`)
      .send({ parcels: ['XK2'], idempotencyKey: 'k' });
    expect(second.status).toBe(201);
    expect(json<OrderJson>(second).code).toBe(b.code);
    expect(db.$client.prepare('SELECT status FROM orders WHERE code = ?').pluck().get(b.code)).toBe('shipped');
    // A retry on A is still answered with A's first reply; another body on A is refused.
    const retry = await api(app)
      .post(`/api/v1/orders/${a.code}/deliveries`)
      .send({ parcels: ['XK1'], idempotencyKey: 'k' });
    expect(retry.body).toEqual(first.body);
    const other = await api(app)
      .post(`/api/v1/orders/${a.code}/deliveries`)
      .send({ parcels: ['XK3'], idempotencyKey: 'k' });
    expect(other.status).toBe(409);
    expect(apiError(other).code).toBe('idempotency_key_reused');
  });
});

describe('money', () => {
  it('an order total that a float cannot hold exactly is refused with a field error, and nothing is written', async () => {
    const { app, db } = makeApp();
    const sku = buildProduct(db).sku;
    const before = dbDigest(db);
    const res = await api(app)
      .post('/api/v1/orders')
      .send({
        lines: [{ sku, quantity: 99_999, unitPrice: 99_999_999_999 }],
        customer: { name: 'A', email: 'a@example.com', address: { line1: 'x', postalCode: '1', city: 'y', country: 'SE' } },
      });
    expect(res.status).toBe(422);
    expect(apiError(res).details?.fields).toEqual([{ path: 'lines.0.quantity', message: expect.stringContaining('100,000,000,000') }]);
    expect(dbDigest(db)).toBe(before);
  });

  it('a line edit that would take the total over the limit is refused, and the order keeps its lines', async () => {
    const { app, db } = makeApp();
    const sku = buildProduct(db).sku;
    const order = buildOrder(db, { lines: [{ sku, quantity: 1 }], body: { lines: [{ sku, quantity: 1, unitPrice: 99_999_999_999 }] } });
    const line = listLines(db, order.id)[0]!;
    const before = dbDigest(db);
    const res = await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 200 });
    expect(res.status).toBe(422);
    expect(apiError(res).details?.fields?.[0]?.path).toBe('quantity');
    expect(dbDigest(db)).toBe(before);
  });
});

describe('API errors are JSON', () => {
  it.each(['/API/v1/orders', '/Api/v1/orders/1234567897', '/api', '/API?x=1'])('also at %s (paths are case-insensitive)', async (url) => {
    const { app } = makeApp();
    const res = await request(app).get(url);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(apiError(res).code).toMatch(/^(unauthorized|not_found)$/);
  });
});

describe('malformed input is a 4xx, never a 500', () => {
  it.each([
    ['GET', '/api/v1/orders/%E0%A4%A'],
    ['GET', '/api/v1/products/%ff'],
    ['DELETE', '/api/v1/orders/1234567890/parcels/%ff'],
    ['GET', '/api/v1/orders/%'],
  ])('%s %s with broken %%-encoding → 400 bad_request', async (method, url) => {
    const { app } = makeApp();
    const res = await (method === 'GET' ? api(app).get(url) : api(app).delete(url));
    expect(res.status).toBe(400);
    expect(apiError(res).code).toBe('bad_request');
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'a document named %s is no endpoint (404), on the API and the order page',
    async (name) => {
      const { app, db } = makeApp();
      const order = buildPackingOrder(db);
      const res = await api(app).get(`/api/v1/orders/${order.code}/documents/${name}`);
      expect(res.status).toBe(404);
      expect(apiError(res).code).toBe('not_found');
      expect(
        (
          await api(app)
            .post(`/api/v1/documents/${name}`)
            .send({ orders: [order.code] })
        ).status,
      ).toBe(404);
      const admin = await buildUser(db, 'admin');
      const { agent } = await loginAs(app, admin.email);
      expect((await agent.get(`/outbound/orders/${order.code}/${name}`)).status).toBe(404);
    },
  );

  it('a body that claims gzip but is not → 400, nothing changed', async () => {
    const { app, db } = makeApp();
    const sku = buildProduct(db).sku;
    const before = dbDigest(db);
    const res = await api(app)
      .post('/api/v1/orders')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(JSON.stringify({ lines: [{ sku, quantity: 1 }] }));
    expect(res.status).toBe(400);
    expect(apiError(res).code).toBe('bad_request');
    expect(dbDigest(db)).toBe(before);
  });

  it.each([
    ['to=9999-12-31', 'to', 'between the years 2000 and 2100'],
    ['from=1999-12-31', 'from', 'between the years 2000 and 2100'],
    ['from=2026-02-30', 'from', '2026-11-21'],
  ])('GET /orders?%s → 422 naming the field', async (query, path, text) => {
    const { app } = makeApp();
    const res = await api(app).get(`/api/v1/orders?${query}`);
    expect(res.status).toBe(422);
    expect(apiError(res).details?.fields).toEqual([{ path, message: expect.stringContaining(text) }]);
  });

  it('the last sane day still searches', async () => {
    const { app } = makeApp();
    await api(app).get('/api/v1/orders?from=2000-01-01&to=2100-12-31').expect(200);
  });
});

describe('a database that cannot take writes', () => {
  it('a full disk is 503 storage_full, reads go on, and everything acknowledged is kept', async () => {
    const { app, db } = makeApp();
    const sku = buildProduct(db, { onHand: 100 }).sku;
    const body = {
      lines: [{ sku, quantity: 1 }],
      customer: { name: 'A', email: 'a@example.com', address: { line1: 'x', postalCode: '1', city: 'y', country: 'SE' } },
    };
    const kept = await api(app).post('/api/v1/orders').send(body).expect(201);
    // The database may not grow: SQLite answers SQLITE_FULL, as on a full disk.
    const pages = db.$client.pragma('page_count', { simple: true }) as number;
    db.$client.pragma(`max_page_count = ${pages}`);
    let refused;
    for (let i = 0; i < 200 && !refused; i++) {
      const res = await api(app).post('/api/v1/orders').send(body);
      if (res.status !== 201) refused = res;
    }
    if (!refused) throw new Error('200 orders written to a database that may not grow');
    expect(refused.status).toBe(503);
    expect(apiError(refused).code).toBe('storage_full');
    await api(app)
      .get(`/api/v1/orders/${json<OrderJson>(kept).code}`)
      .expect(200);
    const count = json<OrderListJson>(await api(app).get('/api/v1/orders?limit=100').expect(200)).orders.length;
    db.$client.pragma('max_page_count = 4294967294');
    await api(app).post('/api/v1/orders').send(body).expect(201);
    expect(json<OrderListJson>(await api(app).get('/api/v1/orders?limit=100')).orders.length).toBe(count + 1);
  });

  it('a read-only database is 503 storage_read_only; an I/O error is 503 storage_failed', async () => {
    const { app, db } = makeApp();
    const sku = buildProduct(db).sku;
    db.$client.pragma('query_only = 1');
    const res = await api(app).put(`/api/v1/products/${sku}`).send({ name: 'x', onHand: 1 });
    expect(res.status).toBe(503);
    expect(apiError(res).code).toBe('storage_read_only');
    await api(app).get(`/api/v1/products/${sku}`).expect(200);
    expect(toAppError(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'))).toMatchObject({ code: 'storage_failed', status: 503 });
  });
});
