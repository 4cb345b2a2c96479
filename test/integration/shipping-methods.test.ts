import { describe, expect, it } from 'vitest';
import { saveMethod } from '../../src/carriers/accounts.js';
import { methodFor } from '../../src/carriers/methods.js';
import { buildOrder, buildPackingOrder, buildProduct, buildShippedOrder, reload } from '../builders.js';
import { api, makeApp } from '../helpers.js';
import { apiError, json, type OrderJson } from '../json.js';

// The order's shipping method: a shop's code on the order (API), mapped in Settings → Shipping →
// Carriers to a carrier, pickup or the station's own parcel IDs, with a default for the rest.

const at = new Date('2026-11-20T07:00:00Z');
const customer = { name: 'Åsa', email: 'asa@example.com', address: { line1: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm', country: 'SE' } };

describe('the shipping method of an order', () => {
  it('is taken at intake and changed by PATCH, each change in the history; a bad code is refused at its field', async () => {
    const { app, db } = makeApp();
    const sku = buildProduct(db).sku;
    const created = await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku, quantity: 1 }], customer, shippingMethod: 'postnord-home' })
      .expect(201);
    const order = json<OrderJson & { shippingMethod: string | null }>(created);
    expect(order.shippingMethod).toBe('postnord-home');

    const patched = await api(app).patch(`/api/v1/orders/${order.code}`).send({ shippingMethod: 'store' }).expect(200);
    expect(json<{ shippingMethod: string }>(patched).shippingMethod).toBe('store');
    const event = db.$client.prepare("SELECT data FROM order_events WHERE order_code = ? AND type = 'flags_changed'").pluck().get(order.code) as string;
    expect(JSON.parse(event)).toEqual({ changes: { shippingMethod: { from: 'postnord-home', to: 'store' } } });

    const bad = await api(app).patch(`/api/v1/orders/${order.code}`).send({ shippingMethod: 'no spaces please' });
    expect(apiError(bad)).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'shippingMethod' }] } });
    const cleared = await api(app).patch(`/api/v1/orders/${order.code}`).send({ shippingMethod: null }).expect(200);
    expect(json<{ shippingMethod: string | null }>(cleared).shippingMethod).toBeNull();
  });

  it('cannot change once the order is packed (the e-mail, the shelf and bookings follow it) or has shipped', async () => {
    const { app, db } = makeApp();
    const packing = buildPackingOrder(db, { body: { shippingMethod: 'post' } });
    const refused = await api(app).patch(`/api/v1/orders/${packing.code}`).send({ shippingMethod: 'store' });
    expect(refused.status).toBe(409);
    expect(apiError(refused)).toMatchObject({
      code: 'order_not_editable',
      message: `Order ${packing.code} is Packing: its shipping method can no longer change.`,
    });
    expect(reload(db, packing.code).shippingMethod).toBe('post');
    // The same value is no change: the rest of the PATCH goes through.
    await api(app).patch(`/api/v1/orders/${packing.code}`).send({ shippingMethod: 'post', priority: 3 }).expect(200);
    const shipped = buildShippedOrder(db);
    const res = await api(app).patch(`/api/v1/orders/${shipped.code}`).send({ shippingMethod: 'store' });
    expect(apiError(res)).toMatchObject({ code: 'order_not_editable', message: `Order ${shipped.code} is Shipped: its shipping method can no longer change.` });
    // Before packing it changes (preorder and order).
    const waiting = buildOrder(db, { body: { shippingMethod: 'post' } });
    await api(app).patch(`/api/v1/orders/${waiting.code}`).send({ shippingMethod: 'store' }).expect(200);
  });

  it('resolves to its own mapping, else the default, else none', () => {
    const { db } = makeApp();
    expect(methodFor(db, 'store')).toBeNull();
    saveMethod(db, null, { code: 'store', name: 'Pickup in store', kind: 'pickup', carrierAccountId: null, service: null, isDefault: false }, at);
    saveMethod(db, null, { code: 'standard', name: 'Standard', kind: 'own', carrierAccountId: null, service: null, isDefault: true }, at);
    expect(methodFor(db, 'store')?.kind).toBe('pickup');
    expect(methodFor(db, 'unmapped-code')?.code).toBe('standard');
    expect(methodFor(db, null)?.code).toBe('standard');
    // A second default takes the mark: one default at a time.
    saveMethod(db, null, { code: 'express', name: 'Express', kind: 'own', carrierAccountId: null, service: null, isDefault: true }, at);
    expect(methodFor(db, null)?.code).toBe('express');
    expect(db.$client.prepare('SELECT count(*) FROM shipping_methods WHERE is_default = 1').pluck().get()).toBe(1);
  });
});
