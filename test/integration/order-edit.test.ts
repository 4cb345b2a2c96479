import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api-tokens/service.js';
import {
  buildCancelledOrder,
  expectCountersInSync,
  buildOrder,
  buildPackingOrder,
  buildPartlyShippedOrder,
  buildPreorder,
  buildProduct,
  buildShippedOrder,
  buildUser,
  productBySku,
  reload,
} from '../builders.js';
import { dispatchEvents } from '../../src/webhooks/service.js';
import { api, loginAs, makeApp } from '../helpers.js';
import { apiError, json, type DraftJson, type OrderJson, type ProductJson, type ReportJson } from '../json.js';
import { expectInvariants } from '../invariants.js';

describe('line editing keeps stock in sync', () => {
  it('on an order: add, increase, decrease, remove — sellable and sold out follow at once', async () => {
    const { app, db } = makeApp();
    const a = buildProduct(db, { sku: 'A', onHand: 5 });
    buildProduct(db, { sku: 'B', onHand: 2, price: 300 });
    const order = buildOrder(db, { lines: [{ sku: a.sku, quantity: 2 }] });
    const stock = async (sku: string) => json<ProductJson>(await api(app).get(`/api/v1/products/${sku}`));

    const added = await api(app).post(`/api/v1/orders/${order.code}/lines`).send({ sku: 'B', quantity: 2 });
    expect(added.status).toBe(201);
    expect(await stock('B')).toMatchObject({ sellable: 0, soldOut: true, allocated: 0 });
    const lineB = json<OrderJson>(added).lines.find((l) => l.sku === 'B')!;
    expect(json<OrderJson>(added).total).toBe(2 * 1000 + 2 * 300);
    expectCountersInSync(db);

    const more = await api(app).patch(`/api/v1/orders/${order.code}/lines/${lineB.id}`).send({ quantity: 3 });
    expect(more.status).toBe(200);
    expect(await stock('B')).toMatchObject({ sellable: -1, soldOut: true });
    expectCountersInSync(db);

    await api(app).patch(`/api/v1/orders/${order.code}/lines/${lineB.id}`).send({ quantity: 1 });
    expect(await stock('B')).toMatchObject({ sellable: 1, soldOut: false });
    expectCountersInSync(db);

    const removed = await api(app).delete(`/api/v1/orders/${order.code}/lines/${lineB.id}`);
    expect(removed.status).toBe(200);
    expect(await stock('B')).toMatchObject({ sellable: 2, soldOut: false });
    expect(json<OrderJson>(removed).lines.map((l) => l.sku)).toEqual(['A']);
    expect(json<OrderJson>(removed).total).toBe(2000);
    expect(json<OrderJson>(removed).events.map((e) => e.type)).toEqual([
      'created',
      'email_queued',
      'line_added',
      'line_changed',
      'line_changed',
      'line_removed',
    ]);
    expectCountersInSync(db);
  });

  it('adding a product already on the order adds to its line', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db, { lines: [{ sku: buildProduct(db, { sku: 'A' }).sku, quantity: 2 }] });
    const res = await api(app).post(`/api/v1/orders/${order.code}/lines`).send({ sku: 'A', quantity: 3 });
    expect(json<OrderJson>(res).lines).toEqual([expect.objectContaining({ sku: 'A', quantity: 5 })]);
    expect(productBySku(db, 'A').reserved).toBe(5);
  });

  it('on a packing order: an increase stock cannot cover is refused with the numbers; a decrease releases the allocation', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A', onHand: 4 });
    const order = buildPackingOrder(db, { lines: [{ sku: 'A', quantity: 3 }] });
    const line = reload(db, order.code) && json<OrderJson>(await api(app).get(`/api/v1/orders/${order.code}`)).lines[0]!;
    const refused = await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 6 });
    expect(refused.status).toBe(409);
    expect(apiError(refused)).toMatchObject({ code: 'insufficient_stock', details: { sku: 'A', requested: 3, available: 1 } });
    expect(apiError(refused).message).toBe('Not enough A in stock for a packing order: 3 more wanted, 1 available.');
    expect(productBySku(db, 'A')).toMatchObject({ allocated: 3, reserved: 3 });

    const ok = await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 4 });
    expect(ok.status).toBe(200);
    expect(productBySku(db, 'A')).toMatchObject({ allocated: 4, reserved: 4 });
    await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 1 });
    expect(productBySku(db, 'A')).toMatchObject({ allocated: 1, reserved: 1 });
    expectCountersInSync(db);
  });

  it('untracked products never block a packing order', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'GIFT', onHand: 0, trackStock: false });
    const order = buildPackingOrder(db);
    const res = await api(app).post(`/api/v1/orders/${order.code}/lines`).send({ sku: 'GIFT', quantity: 3 });
    expect(res.status).toBe(201);
  });

  it('refuses every line change on a preorder, changing nothing', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A' });
    const cart = buildPreorder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    const before = json<OrderJson>(await api(app).get(`/api/v1/orders/${cart.code}`));
    const line = before.lines[0]!;
    for (const res of [
      await api(app).post(`/api/v1/orders/${cart.code}/lines`).send({ sku: 'A', quantity: 4 }),
      await api(app).patch(`/api/v1/orders/${cart.code}/lines/${line.id}`).send({ quantity: 2 }),
      await api(app).delete(`/api/v1/orders/${cart.code}/lines/${line.id}`),
    ]) {
      expect(res.status).toBe(409);
      expect(apiError(res)).toMatchObject({ code: 'order_not_editable', details: { status: 'preorder' } });
    }
    const after = json<OrderJson>(await api(app).get(`/api/v1/orders/${cart.code}`));
    expect(after.lines).toEqual(before.lines);
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 0, allocated: 0 });
  });

  it.each([
    ['shipped', buildShippedOrder],
    ['cancelled', buildCancelledOrder],
  ] as const)('refuses every line change on a %s order', async (status, build) => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'X' });
    const order = build(db);
    const line = json<OrderJson>(await api(app).get(`/api/v1/orders/${order.code}`)).lines[0]!;
    for (const res of [
      await api(app).post(`/api/v1/orders/${order.code}/lines`).send({ sku: 'X', quantity: 1 }),
      await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 1 }),
      await api(app).delete(`/api/v1/orders/${order.code}/lines/${line.id}`),
    ]) {
      expect(res.status).toBe(409);
      expect(apiError(res).code).toBe('order_not_editable');
      expect(apiError(res).details?.status).toBe(status);
    }
    expectCountersInSync(db);
  });

  it('a line cannot go below what was shipped, nor be removed once partly shipped', async () => {
    const { app, db } = makeApp();
    const order = buildPartlyShippedOrder(db);
    const other = buildProduct(db, { sku: 'OTHER', onHand: 10 });
    await api(app).post(`/api/v1/orders/${order.code}/lines`).send({ sku: other.sku, quantity: 1 });
    const line = json<OrderJson>(await api(app).get(`/api/v1/orders/${order.code}`)).lines[0]!;
    expect(line.shippedQuantity).toBe(1);
    const below = await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 1 });
    expect(below.status).toBe(200);
    const zero = await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 0 });
    expect(zero.status).toBe(422);
    const remove = await api(app).delete(`/api/v1/orders/${order.code}/lines/${line.id}`);
    expect(remove.status).toBe(409);
    expect(apiError(remove).code).toBe('line_partly_shipped');
    expectCountersInSync(db);
  });

  it('refuses to remove the last line, unknown lines and bad quantities', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const other = buildOrder(db);
    const line = json<OrderJson>(await api(app).get(`/api/v1/orders/${order.code}`)).lines[0]!;
    const otherLine = json<OrderJson>(await api(app).get(`/api/v1/orders/${other.code}`)).lines[0]!;
    expect(apiError(await api(app).delete(`/api/v1/orders/${order.code}/lines/${line.id}`)).code).toBe('last_line');
    expect((await api(app).patch(`/api/v1/orders/${order.code}/lines/${otherLine.id}`).send({ quantity: 1 })).status).toBe(404);
    expect((await api(app).patch(`/api/v1/orders/${order.code}/lines/abc`).send({ quantity: 1 })).status).toBe(422);
    for (const quantity of [0.5, -1, 1e12, '2']) {
      expect((await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity })).status).toBe(422);
    }
    expect((await api(app).post(`/api/v1/orders/${order.code}/lines`).send({ sku: 'NOPE', quantity: 1 })).status).toBe(422);
  });

  it('a paid order that grows is no longer fully paid; its pick slips go stale', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A', price: 1000 });
    buildProduct(db, { sku: 'B', price: 500 });
    const paid = json<OrderJson>(
      await api(app)
        .post('/api/v1/orders')
        .send({
          lines: [{ sku: 'A', quantity: 1 }],
          customer: { name: 'X', email: 'x@example.com', address: { line1: 'a', postalCode: '1', city: 'c', country: 'SE' } },
          paid: true,
        }),
    );
    expect(paid.paid).toBe(true);
    const version = reload(db, paid.code).linesVersion;
    const grown = await api(app).post(`/api/v1/orders/${paid.code}/lines`).send({ sku: 'B', quantity: 1 });
    expect(grown.body).toMatchObject({ paid: false, paidAmount: 1000, total: 1500 });
    expect(reload(db, paid.code).linesVersion).toBe(version + 1);
  });
});

describe('PATCH /api/v1/orders/:code', () => {
  it('saves waiting, reviewed, priority, comment and custom status with one event listing the changes', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    await api(app).put('/api/v1/custom-statuses/SUPPLIER').send({ label: 'Awaiting supplier', color: '#b45309' });
    const res = await api(app)
      .patch(`/api/v1/orders/${order.code}`)
      .send({ waiting: true, reviewed: true, priority: 9, comment: 'Gift', customStatus: 'SUPPLIER' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      waiting: true,
      reviewed: true,
      priority: 9,
      comment: 'Gift',
      customStatus: { code: 'SUPPLIER', label: 'Awaiting supplier', color: '#b45309' },
    });
    const event = json<OrderJson>(res).events.at(-1);
    expect(event).toMatchObject({
      type: 'flags_changed',
      data: { changes: { waiting: { from: false, to: true }, priority: { from: 5, to: 9 }, customStatus: { from: null, to: 'SUPPLIER' } } },
    });
    const same = await api(app).patch(`/api/v1/orders/${order.code}`).send({ waiting: true, priority: 9 });
    expect(json<OrderJson>(same).events).toHaveLength(json<OrderJson>(res).events.length);
    const cleared = await api(app).patch(`/api/v1/orders/${order.code}`).send({ customStatus: null, comment: null });
    expect(cleared.body).toMatchObject({ customStatus: null, comment: null });
  });

  it.each([
    [{ priority: 0 }, 'priority'],
    [{ priority: 11 }, 'priority'],
    [{ waiting: 'yes' }, 'waiting'],
    [{ customStatus: 'NOPE' }, 'customStatus'],
    [{ status: 'packing' }, 'status'],
  ])('refuses %j', async (body, path) => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    const res = await api(app).patch(`/api/v1/orders/${order.code}`).send(body);
    expect(res.status).toBe(422);
    expect(apiError(res).details?.fields?.[0]?.path).toBe(path);
    expect(reload(db, order.code)).toMatchObject({ priority: 5, waiting: false });
  });
});

describe('DELETE /api/v1/orders/:code', () => {
  it('needs an admin token; returns the stock and leaves a tombstone in the log', async () => {
    const { app, db } = makeApp();
    const p = buildProduct(db, { sku: 'A', onHand: 5 });
    const order = buildPackingOrder(db, { lines: [{ sku: p.sku, quantity: 2 }] });
    expect((await api(app).delete(`/api/v1/orders/${order.code}`)).status).toBe(403);
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 2, allocated: 2 });

    const admin = await buildUser(db, 'admin');
    const { token } = createApiToken(db, { name: 'Admin tool', role: 'admin' }, admin.id, new Date());
    const res = await request(app).delete(`/api/v1/orders/${order.code}`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: order.code });
    expect(productBySku(db, 'A')).toMatchObject({ reserved: 0, allocated: 0, onHand: 5 });
    expect((await api(app).get(`/api/v1/orders/${order.code}`)).status).toBe(404);
    const log = db.$client.prepare('SELECT type, actor_name FROM order_events WHERE order_code = ? ORDER BY id').all(order.code);
    expect(log.at(-1)).toEqual({ type: 'deleted', actor_name: 'Admin tool' });
    expect(log.length).toBeGreaterThan(1);
    expectCountersInSync(db);
  });
});

describe('custom statuses API', () => {
  it('compares codes without regard to case: API change, list filter, order page, delete', async () => {
    const { app, db } = makeApp();
    expect((await api(app).put('/api/v1/custom-statuses/Call').send({ label: 'Call the customer', color: '#dc2626' })).status).toBe(201);
    const order = buildOrder(db);
    const other = buildOrder(db);
    const plain = buildOrder(db);
    const res = await api(app).patch(`/api/v1/orders/${order.code}`).send({ customStatus: 'call' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customStatus: { code: 'CALL', label: 'Call the customer' } });
    expect(json<OrderJson>(res).events.at(-1)).toMatchObject({ data: { changes: { customStatus: { from: null, to: 'CALL' } } } });
    const listed = json<{ orders: { code: string }[] }>(await api(app).get('/api/v1/orders?customStatus=cAll'));
    expect(listed.orders.map((o) => o.code)).toEqual([order.code]);
    const user = await buildUser(db, 'admin');
    const { agent, submit } = await loginAs(app, user.email);
    const saved = await submit(`/orders/${other.code}`, `/orders/${other.code}/details`, { priority: '5', customStatus: 'call', comment: '' });
    expect(saved.status).toBe(302);
    expect(json<OrderJson>(await api(app).get(`/api/v1/orders/${other.code}`)).customStatus).toMatchObject({ code: 'CALL' });
    const page = (await agent.get('/orders?customStatus=call')).text;
    expect(page).toContain(other.code);
    expect(page).not.toContain(plain.code);
    expect((await api(app).put('/api/v1/custom-statuses/call').send({ label: 'Ring', color: '#dc2626' })).status).toBe(200);
    expect((await api(app).delete('/api/v1/custom-statuses/call?clear=true')).body).toEqual({ cleared: 2 });
  });

  it('creates, renames (every order shows the new label), lists with usage, refuses delete in use unless cleared', async () => {
    const { app, db } = makeApp();
    expect((await api(app).put('/api/v1/custom-statuses/gift').send({ label: 'Gift wrap', color: '#7C3AED' })).status).toBe(201);
    const order = buildOrder(db);
    await api(app).patch(`/api/v1/orders/${order.code}`).send({ customStatus: 'GIFT' });
    expect((await api(app).put('/api/v1/custom-statuses/GIFT').send({ label: 'Gift wrapping', color: '#7c3aed' })).status).toBe(200);
    expect(json<OrderJson>(await api(app).get(`/api/v1/orders/${order.code}`)).customStatus).toEqual({
      code: 'GIFT',
      label: 'Gift wrapping',
      color: '#7c3aed',
    });
    expect(json<{ customStatuses: unknown[] }>(await api(app).get('/api/v1/custom-statuses')).customStatuses).toEqual([
      { code: 'GIFT', label: 'Gift wrapping', color: '#7c3aed', orders: 1 },
    ]);

    const refused = await api(app).delete('/api/v1/custom-statuses/GIFT');
    expect(refused.status).toBe(409);
    expect(apiError(refused)).toMatchObject({ code: 'custom_status_in_use', details: { orders: 1 } });
    const cleared = await api(app).delete('/api/v1/custom-statuses/GIFT?clear=true');
    expect(cleared.body).toEqual({ cleared: 1 });
    const after = json<OrderJson>(await api(app).get(`/api/v1/orders/${order.code}`));
    expect(after.customStatus).toBeNull();
    expect(after.events.at(-1)).toMatchObject({ type: 'flags_changed', data: { changes: { customStatus: { from: 'GIFT', to: null } } } });
    expect((await api(app).delete('/api/v1/custom-statuses/GIFT')).status).toBe(404);
  });

  it.each([
    [{ label: '', color: '#000000' }, 'label'],
    [{ label: 'x', color: 'red' }, 'color'],
    [{ label: 'x' }, 'color'],
  ])('refuses %j', async (body, path) => {
    const { app } = makeApp();
    const res = await api(app).put('/api/v1/custom-statuses/X').send(body);
    expect(res.status).toBe(422);
    expect(apiError(res).details?.fields?.[0]?.path).toBe(path);
    expect((await api(app).put('/api/v1/custom-statuses/bad%20code').send({ label: 'x', color: '#000000' })).status).toBe(422);
  });
});

describe('a line edit keeps the open delivery within what remains', () => {
  /** A packing order whose open delivery (a station's draft) sends TENT × 3 and MUG × 1 in parcel P-A. */
  async function withDraft() {
    const ctx = makeApp();
    buildProduct(ctx.db, { sku: 'TENT', onHand: 10 });
    buildProduct(ctx.db, { sku: 'MUG', onHand: 10 });
    const order = buildPackingOrder(ctx.db, {
      lines: [
        { sku: 'TENT', quantity: 5 },
        { sku: 'MUG', quantity: 2 },
      ],
    });
    const client = api(ctx.app);
    expect(
      (
        await client.put(`/api/v1/orders/${order.code}/delivery-lines`).send({
          lines: [
            { sku: 'TENT', quantity: 3 },
            { sku: 'MUG', quantity: 1 },
          ],
        })
      ).status,
    ).toBe(200);
    expect((await client.post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'P-A' })).status).toBe(201);
    const lines = json<OrderJson>(await client.get(`/api/v1/orders/${order.code}`)).lines;
    const lineId = (sku: string) => lines.find((l) => l.sku === sku)!.id;
    const going = async () => json<DraftJson>(await client.get(`/api/v1/orders/${order.code}/delivery`)).lines.map((l) => `${l.sku}×${l.quantity}`);
    const clamped = () =>
      ctx.db.$client
        .prepare("SELECT data FROM order_events WHERE type = 'delivery_lines_clamped' ORDER BY id")
        .pluck()
        .all()
        .map((d) => JSON.parse(d as string) as unknown);
    return { ...ctx, order, client, lineId, going, clamped };
  }

  it('a reduced line cuts the draft to what remains, logs it, and Report in ships it', async () => {
    const { db, order, client, lineId, going, clamped } = await withDraft();
    const reduced = await client.patch(`/api/v1/orders/${order.code}/lines/${lineId('TENT')}`).send({ quantity: 1 });
    expect(reduced.status).toBe(200);
    expect(await going()).toEqual(['TENT×1', 'MUG×1']);
    expect(clamped()).toEqual([{ deliveryId: expect.any(Number), sku: 'TENT', from: 3, to: 1 }]);
    expect(json<OrderJson>(reduced).events.map((e) => e.type)).toContain('delivery_lines_clamped');
    // A line still above the draft's choice leaves it alone.
    await client.patch(`/api/v1/orders/${order.code}/lines/${lineId('MUG')}`).send({ quantity: 1 });
    expect(clamped()).toHaveLength(1);

    const report = await client.post('/api/v1/deliveries/report').send({});
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      reported: [
        {
          code: order.code,
          status: 'shipped',
          lines: [
            { sku: 'TENT', quantity: 1 },
            { sku: 'MUG', quantity: 1 },
          ],
        },
      ],
      failed: [],
    });
    expect(productBySku(db, 'TENT').onHand).toBe(9);
    expectCountersInSync(db);
  });

  it('a removed line leaves the draft with a logged event; a draft left with nothing is named at Report in, the others still ship', async () => {
    const { db, order, client, lineId, going, clamped } = await withDraft();
    const removed = await client.delete(`/api/v1/orders/${order.code}/lines/${lineId('MUG')}`);
    expect(removed.status).toBe(200);
    expect(await going()).toEqual(['TENT×3']);
    expect(clamped()).toEqual([{ deliveryId: expect.any(Number), sku: 'MUG', from: 1, to: 0 }]);

    // On another order everything the packer chose goes: the draft keeps its parcel and waits for new quantities.
    const other = buildPackingOrder(db, { lines: [{ sku: 'TENT', quantity: 1 }] });
    const third = buildPackingOrder(db, { lines: [{ sku: 'MUG', quantity: 1 }] });
    await client.post(`/api/v1/orders/${third.code}/lines`).send({ sku: 'TENT', quantity: 1 }).expect(201);
    await client
      .put(`/api/v1/orders/${third.code}/delivery-lines`)
      .send({ lines: [{ sku: 'TENT', quantity: 1 }] })
      .expect(200);
    await client.post(`/api/v1/orders/${third.code}/parcels`).send({ parcelId: 'P-C' }).expect(201);
    const thirdTent = json<OrderJson>(await client.get(`/api/v1/orders/${third.code}`)).lines.find((l) => l.sku === 'TENT')!;
    await client.delete(`/api/v1/orders/${third.code}/lines/${thirdTent.id}`).expect(200);
    await client.post(`/api/v1/orders/${other.code}/parcels`).send({ parcelId: 'P-B' }).expect(201);

    const report = await client.post('/api/v1/deliveries/report').send({});
    expect(report.status).toBe(200);
    expect(json<ReportJson>(report).reported.map((r) => r.code)).toEqual([order.code, other.code]);
    expect(json<ReportJson>(report).failed).toEqual([
      {
        code: third.code,
        error: { code: 'validation_failed', message: 'Nothing left to ship.', details: { fields: [{ path: 'lines', message: 'Nothing left to ship.' }] } },
      },
    ]);
    expect(reload(db, other.code).status).toBe('shipped');
    expect(reload(db, third.code).status).toBe('packing');
    expectCountersInSync(db);
  });

  it('the order page edits through the same rule', async () => {
    const { app, db, order, lineId, going, clamped } = await withDraft();
    const user = await buildUser(db, 'admin');
    const { submit } = await loginAs(app, user.email);
    const res = await submit(`/orders/${order.code}`, `/orders/${order.code}/lines/${lineId('TENT')}`, { quantity: '2' });
    expect(res.status).toBe(302);
    expect(await going()).toEqual(['TENT×2', 'MUG×1']);
    expect(clamped()).toEqual([expect.objectContaining({ sku: 'TENT', from: 3, to: 2 })]);
  });

  it('an unpacked order keeps its draft out of Report in; an edit meanwhile still cuts it', async () => {
    const { db, order, client, lineId, going } = await withDraft();
    const other = buildPackingOrder(db, { lines: [{ sku: 'MUG', quantity: 1 }] });
    await client.post(`/api/v1/orders/${other.code}/parcels`).send({ parcelId: 'P-B' }).expect(201);
    await client.post(`/api/v1/orders/${order.code}/status`).send({ status: 'order' }).expect(200);
    await client
      .patch(`/api/v1/orders/${order.code}/lines/${lineId('TENT')}`)
      .send({ quantity: 2 })
      .expect(200);
    expect(await going()).toEqual(['TENT×2', 'MUG×1']);
    const report = await client.post('/api/v1/deliveries/report').send({});
    expect(report.body).toMatchObject({ reported: [{ code: other.code }], failed: [] });
    expect(reload(db, order.code).status).toBe('order');
    expectCountersInSync(db);
  });
});

describe('an edit that leaves an order nothing to ship ships it', () => {
  const typesOf = (body: { events: { type: string }[] }) => body.events.map((e) => e.type);

  it('A×3 and B×1 with A×1 shipped: A to 1, then B removed — shipped, logged, pushed, counters right, no new e-mail', async () => {
    const { app, db, clock } = makeApp();
    buildProduct(db, { sku: 'A', onHand: 10 });
    buildProduct(db, { sku: 'B', onHand: 10 });
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
      ],
    });
    const client = api(app);
    await client
      .post('/api/v1/webhooks')
      .send({ url: 'https://pos.example/hooks', secret: 'a-webhook-secret-of-some-length', events: ['order.status_changed'] })
      .expect(201);
    const partial = await client.post(`/api/v1/orders/${order.code}/deliveries`).send({ parcels: ['P-1'], lines: [{ sku: 'A', quantity: 1 }] });
    expect(partial.status).toBe(201);
    expect(json<OrderJson>(partial).status).toBe('packing');
    const emails = () => db.$client.prepare('SELECT template FROM email_outbox WHERE order_id = ? ORDER BY id').pluck().all(order.id);
    const emailsBefore = emails();
    const lines = json<OrderJson>(await client.get(`/api/v1/orders/${order.code}`)).lines;
    const lineId = (sku: string) => lines.find((l) => l.sku === sku)!.id;

    const reduced = await client.patch(`/api/v1/orders/${order.code}/lines/${lineId('A')}`).send({ quantity: 1 });
    expect(reduced.status).toBe(200);
    // B is still to ship: the order stays packing.
    expect(json<OrderJson>(reduced).status).toBe('packing');
    expect(productBySku(db, 'A')).toMatchObject({ onHand: 9, reserved: 0, allocated: 0 });
    expectInvariants(db);

    const removed = await client.delete(`/api/v1/orders/${order.code}/lines/${lineId('B')}`);
    expect(removed.status).toBe(200);
    expect(json<OrderJson>(removed).status).toBe('shipped');
    expect(typesOf(json<OrderJson>(removed)).slice(-3)).toEqual(['line_changed', 'line_removed', 'status_changed']);
    expect(json<OrderJson>(removed).events.at(-1)?.data).toEqual({ from: 'packing', to: 'shipped', action: 'ship', reason: 'nothing_left_to_ship' });
    // The edit released B's unit; the move released nothing more (a second release would go below 0 or break the invariants).
    expect(productBySku(db, 'A')).toMatchObject({ onHand: 9, reserved: 0, allocated: 0 });
    expect(productBySku(db, 'B')).toMatchObject({ onHand: 10, reserved: 0, allocated: 0 });
    expect(emails()).toEqual(emailsBefore);
    expectInvariants(db);

    // The status change goes out like any other.
    expect(dispatchEvents(db, clock())).toBe(1);
    const payload = JSON.parse(db.$client.prepare('SELECT payload FROM webhook_deliveries').pluck().get() as string);
    expect(payload).toMatchObject({
      type: 'order.status_changed',
      data: { order: { code: order.code, status: 'shipped' }, change: { kind: 'status_changed', from: 'packing', to: 'shipped' } },
    });

    // Nothing is waiting for Report in, and the lines are closed now.
    expect((await client.post('/api/v1/deliveries/report').send({ orders: [order.code] })).body).toEqual({ reported: [], failed: [] });
    const again = await client.patch(`/api/v1/orders/${order.code}/lines/${lineId('A')}`).send({ quantity: 2 });
    expect(apiError(again)?.code).toBe('order_not_editable');
    expect(reload(db, order.code).status).toBe('shipped');
  });

  it('an unpacked, partly shipped order edited down to what shipped is shipped too, so the pack script never packs it empty', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A', onHand: 10 });
    buildProduct(db, { sku: 'B', onHand: 10 });
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
      ],
    });
    const client = api(app);
    await client
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['P-1'], lines: [{ sku: 'A', quantity: 1 }] })
      .expect(201);
    await client.post(`/api/v1/orders/${order.code}/status`).send({ status: 'order' }).expect(200);
    const lines = json<OrderJson>(await client.get(`/api/v1/orders/${order.code}`)).lines;
    await client
      .patch(`/api/v1/orders/${order.code}/lines/${lines.find((l) => l.sku === 'A')!.id}`)
      .send({ quantity: 1 })
      .expect(200);
    const removed = await client.delete(`/api/v1/orders/${order.code}/lines/${lines.find((l) => l.sku === 'B')!.id}`);
    expect(removed.status).toBe(200);
    expect(json<OrderJson>(removed).status).toBe('shipped');
    expect(json<OrderJson>(removed).events.at(-1)).toMatchObject({ type: 'status_changed', data: { from: 'order', to: 'shipped', action: 'ship' } });
    expect(productBySku(db, 'B')).toMatchObject({ onHand: 10, reserved: 0, allocated: 0 });
    const run = await client.post('/api/v1/pack-runs').send({});
    expect(run.body).toMatchObject({ examined: 0, promotedCount: 0 });
    expect(reload(db, order.code).status).toBe('shipped');
    expectInvariants(db);
  });

  it('an open delivery left with nothing to ship is removed with its parcels, logged, and its parcel IDs are free again (order page)', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'TENT', onHand: 10 });
    buildProduct(db, { sku: 'MUG', onHand: 10 });
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'TENT', quantity: 2 },
        { sku: 'MUG', quantity: 1 },
      ],
    });
    const client = api(app);
    await client
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['P-1'], lines: [{ sku: 'TENT', quantity: 1 }] })
      .expect(201);
    // The station has started the next delivery: the last tent, in parcel P-X.
    await client
      .put(`/api/v1/orders/${order.code}/delivery-lines`)
      .send({ lines: [{ sku: 'TENT', quantity: 1 }] })
      .expect(200);
    await client.post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'P-X' }).expect(201);
    const lines = json<OrderJson>(await client.get(`/api/v1/orders/${order.code}`)).lines;
    const lineId = (sku: string) => lines.find((l) => l.sku === sku)!.id;
    await client
      .patch(`/api/v1/orders/${order.code}/lines/${lineId('TENT')}`)
      .send({ quantity: 1 })
      .expect(200);
    expect(reload(db, order.code).status).toBe('packing');

    const user = await buildUser(db, 'admin');
    const { agent, submit } = await loginAs(app, user.email);
    const res = await submit(`/orders/${order.code}`, `/orders/${order.code}/lines/${lineId('MUG')}`, { remove: '1' });
    expect(res.status).toBe(302);
    const after = json<OrderJson>(await client.get(`/api/v1/orders/${order.code}`));
    expect(after.status).toBe('shipped');
    expect(typesOf(after).slice(-5)).toEqual(['delivery_lines_clamped', 'line_changed', 'line_removed', 'delivery_discarded', 'status_changed']);
    expect(after.events.at(-2)?.data).toEqual({ deliveryId: expect.any(Number), parcels: ['P-X'] });
    expect(after.deliveries.map((d) => d.parcels)).toEqual([['P-1']]);
    expect((await client.get(`/api/v1/orders/${order.code}/delivery`)).body).toMatchObject({ deliveryId: null, parcels: [] });
    expect((await agent.get(`/orders/${order.code}`)).text).toContain('Open delivery removed, nothing left to ship; parcel IDs freed: P-X');
    expectInvariants(db);

    const other = buildPackingOrder(db, { lines: [{ sku: 'MUG', quantity: 1 }] });
    await client.post(`/api/v1/orders/${other.code}/parcels`).send({ parcelId: 'P-X' }).expect(201);
    expect((await client.post('/api/v1/deliveries/report').send({})).body).toMatchObject({ reported: [{ code: other.code, status: 'shipped' }], failed: [] });
    expectInvariants(db);
  });
});
