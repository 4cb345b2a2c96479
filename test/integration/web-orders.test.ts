import { describe, expect, it } from 'vitest';
import { buildOrder, buildPackingOrder, buildPartlyShippedOrder, buildPreorder, buildShippedOrder, buildUser } from '../builders.js';
import { csrfOf, loginAs, makeApp } from '../helpers.js';

async function operator() {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, 'operator');
  const { agent } = await loginAs(ctx.app, user.email);
  return { ...ctx, agent };
}

describe('Orders pages', () => {
  it('lists orders newest first with status and value', async () => {
    const { db, agent } = await operator();
    const older = buildOrder(db);
    const newer = buildPreorder(db);
    const html = (await agent.get('/orders')).text;
    expect(html).toContain(older.code);
    expect(html.indexOf(newer.code)).toBeGreaterThan(-1);
    expect(html.indexOf(newer.code)).toBeLessThan(html.indexOf(older.code));
    expect(html).toContain('status-preorder');
    expect(html).toContain('status-order');
  });

  it('opens an order directly when its code is scanned into the search', async () => {
    const { db, agent } = await operator();
    const order = buildOrder(db);
    const res = await agent.get(`/orders?q=${order.code}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/orders/${order.code}`);
  });

  it('says so when the check digit is wrong or missing', async () => {
    const { db, agent } = await operator();
    const order = buildOrder(db);
    const wrong = order.code.slice(0, 9) + String((Number(order.code[9]) + 1) % 10);
    expect((await agent.get(`/orders?q=${wrong}`)).text).toContain('does not match: a digit is mistyped or misread');
    const missing = await agent.get(`/orders?q=${order.code.slice(0, 9)}`);
    expect(missing.text).toContain(`lacks its check digit; showing order ${order.code}`);
    expect(missing.text).toContain(`/orders/${order.code}`);
    const page = await agent.get(`/orders/${wrong}`);
    expect(page.status).toBe(404);
  });

  it('shows an order with lines, deliveries and its history', async () => {
    const { db, agent } = await operator();
    const order = buildShippedOrder(db);
    const html = (await agent.get(`/orders/${order.code}`)).text;
    expect(html).toContain(`Order ${order.code}`);
    expect(html).toContain('Åsa Øvergård');
    expect(html).toContain('PARCEL-');
    expect(html).toContain('Status Packing → Shipped');
  });

  it('Outbound and Shipping out list packing orders with the partial marker', async () => {
    const { db, agent } = await operator();
    const packing = buildPackingOrder(db);
    const partial = buildPartlyShippedOrder(db);
    const plain = buildOrder(db);
    // The packing station's queue shows them once this device is named a station.
    await agent
      .post('/shipping/station')
      .type('form')
      .send({ _csrf: csrfOf((await agent.get('/shipping')).text), name: 'Bench 1' });
    for (const url of ['/outbound', '/shipping']) {
      const html = (await agent.get(url)).text;
      expect(html).toContain(packing.code);
      expect(html).toContain(partial.code);
      expect(html).not.toContain(plain.code);
      expect(html).toContain('Partial delivery pending');
    }
  });
});
