import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { stockLedger } from '../../src/db/schema/index.js';
import { buildOrder, buildPackingOrder, buildProduct } from '../builders.js';
import { api, makeApp } from '../helpers.js';
import { apiError, json, type ProductJson } from '../json.js';

describe('PUT/GET /api/v1/products/:sku', () => {
  it('creates (201), then updates (200) with stock figures', async () => {
    const { app, db } = makeApp();
    const created = await api(app)
      .put('/api/v1/products/TENT-2')
      .send({ name: 'Tält 2 pers', onHand: 5, location: 'B-03-1', barcode: '7350000001006', price: 199900 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      sku: 'TENT-2',
      name: 'Tält 2 pers',
      onHand: 5,
      allocated: 0,
      available: 5,
      sellable: 5,
      soldOut: false,
      location: 'B-03-1',
      barcode: '7350000001006',
      trackStock: true,
    });

    const updated = await api(app).put('/api/v1/products/TENT-2').send({ name: 'Tält 2 personer', onHand: 3 });
    expect(updated.status).toBe(200);
    // Omitted optional fields keep their value.
    expect(updated.body).toMatchObject({ name: 'Tält 2 personer', onHand: 3, location: 'B-03-1', barcode: '7350000001006', price: 199900 });

    const ledger = db.select().from(stockLedger).where(eq(stockLedger.sku, 'TENT-2')).all();
    expect(ledger.map((r) => [r.delta, r.onHandAfter, r.reason, r.actor])).toEqual([
      [5, 5, 'stock_count', 'api:API_TOKEN'],
      [-2, 3, 'stock_count', 'api:API_TOKEN'],
    ]);

    const got = await api(app).get('/api/v1/products/TENT-2');
    expect(got.status).toBe(200);
    expect(json<ProductJson>(got).name).toBe('Tält 2 personer');
  });

  it('shows allocated, available, sellable and sold out from open orders', async () => {
    const { app, db } = makeApp();
    const p = buildProduct(db, { onHand: 5 });
    buildOrder(db, { lines: [{ sku: p.sku, quantity: 2 }] });
    buildPackingOrder(db, { lines: [{ sku: p.sku, quantity: 1 }] });
    const res = await api(app).get(`/api/v1/products/${p.sku}`);
    expect(res.body).toMatchObject({ onHand: 5, allocated: 1, available: 4, sellable: 2, soldOut: false });
    buildOrder(db, { lines: [{ sku: p.sku, quantity: 2 }] });
    const after = await api(app).get(`/api/v1/products/${p.sku}`);
    expect(after.body).toMatchObject({ sellable: 0, soldOut: true });
  });

  it('404 for an unknown sku', async () => {
    const { app } = makeApp();
    const res = await api(app).get('/api/v1/products/NOPE');
    expect(res.status).toBe(404);
    expect(apiError(res)).toMatchObject({ code: 'product_not_found', message: 'No product with SKU NOPE.' });
  });

  it.each([
    [{ onHand: 1 }, 'name'],
    [{ name: 'x', onHand: -1 }, 'onHand'],
    [{ name: 'x', onHand: 1.5 }, 'onHand'],
    [{ name: 'x', onHand: '3' }, 'onHand'],
    [{ name: 'x', onHand: 1e12 }, 'onHand'],
    [{ name: 'x', onHand: 1, barcode: '7350000001001' }, 'barcode'],
    [{ name: 'x', onHand: 1, trackStock: 'yes' }, 'trackStock'],
    [{ name: 'x', onHand: 1, onhand: 2 }, 'onhand'],
  ])('refuses %j with 422 on %s and writes nothing', async (body, field) => {
    const { app } = makeApp();
    const res = await api(app).put('/api/v1/products/P1').send(body);
    expect(res.status).toBe(422);
    expect(apiError(res).code).toBe('validation_failed');
    expect(apiError(res).details?.fields?.map((f) => f.path)).toContain(field);
    expect((await api(app).get('/api/v1/products/P1')).status).toBe(404);
  });

  it('refuses a barcode another product has (409) and a bad SKU (422)', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A', barcode: '7350000001006' });
    const res = await api(app).put('/api/v1/products/B').send({ name: 'B', onHand: 1, barcode: '7350000001006' });
    expect(res.status).toBe(409);
    expect(apiError(res)).toMatchObject({ code: 'barcode_in_use', details: { sku: 'A' } });
    const bad = await api(app)
      .put(`/api/v1/products/${encodeURIComponent(' bad sku ')}`)
      .send({ name: 'x', onHand: 1 });
    expect(bad.status).toBe(422);
    const long = await api(app)
      .put(`/api/v1/products/${'X'.repeat(65)}`)
      .send({ name: 'x', onHand: 1 });
    expect(long.status).toBe(422);
  });
});
