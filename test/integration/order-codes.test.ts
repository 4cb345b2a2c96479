import { describe, expect, it } from 'vitest';
import { dammCheckDigit } from '../../src/domain/order-code.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { api, loginAtStation, makeApp } from '../helpers.js';
import { apiError, json, type ApiErrorJson, type ReportJson } from '../json.js';

/** The ways an order code reaches a route: as the contract allows it typed, and three it refuses. */
function spellings(code: string) {
  const body = code.slice(0, 9);
  const wrongDigit = String((Number(code[9]) + 1) % 10);
  // An unknown order whose code is valid: a body no test order has, with its check digit.
  const unknownBody = body === '111111111' ? '222222222' : '111111111';
  return {
    typed: `${code.slice(0, 3)} ${code.slice(3, 6)}-${code.slice(6)}`,
    badCheck: body + wrongDigit,
    missingCheck: body,
    unknown: unknownBody + dammCheckDigit(unknownBody),
  };
}

type Call = { method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: (code: string) => string; body?: object; ok: number };

/** Every API endpoint that takes an order's :code, with what it answers for a good call. */
const API: Call[] = [
  { method: 'get', path: (c) => `/api/v1/orders/${c}`, ok: 200 },
  { method: 'get', path: (c) => `/api/v1/orders/${c}/emails`, ok: 200 },
  { method: 'patch', path: (c) => `/api/v1/orders/${c}`, body: { comment: 'fragile' }, ok: 200 },
  { method: 'post', path: (c) => `/api/v1/orders/${c}/lines`, body: { sku: 'MUG', quantity: 1 }, ok: 201 },
  { method: 'post', path: (c) => `/api/v1/orders/${c}/payments`, body: { amount: 1 }, ok: 200 },
  {
    method: 'post',
    path: (c) => `/api/v1/orders/${c}/checkout`,
    body: { paymentMethod: 'card', customer: { name: 'A', email: 'a@example.com', address: { line1: 'x', postalCode: '1', city: 'y', country: 'SE' } } },
    ok: 409,
  },
  { method: 'post', path: (c) => `/api/v1/orders/${c}/pack-check`, ok: 200 },
  { method: 'get', path: (c) => `/api/v1/orders/${c}/documents/pick-slip.pdf`, ok: 200 },
  { method: 'get', path: (c) => `/api/v1/orders/${c}/delivery`, ok: 200 },
  { method: 'post', path: (c) => `/api/v1/orders/${c}/parcels`, body: { parcelId: 'PARCEL-1' }, ok: 201 },
  { method: 'put', path: (c) => `/api/v1/orders/${c}/delivery-lines`, body: { lines: [{ sku: 'TENT', quantity: 1 }] }, ok: 200 },
  { method: 'post', path: (c) => `/api/v1/orders/${c}/parcels/fetch`, body: { count: 1 }, ok: 201 },
  { method: 'delete', path: (c) => `/api/v1/orders/${c}/parcels/PARCEL-1`, ok: 200 },
  { method: 'post', path: (c) => `/api/v1/orders/${c}/deliveries`, body: { parcels: ['ONE-CALL-1'], lines: [{ sku: 'TENT', quantity: 1 }] }, ok: 201 },
  { method: 'post', path: (c) => `/api/v1/orders/${c}/status`, body: { status: 'order' }, ok: 200 },
];

describe('one reader of order codes on every path that takes :code', () => {
  it('the API: spaces and dashes are read; a wrong or missing check digit is order_code_invalid; an unknown valid code is order_not_found', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'TENT', onHand: 20 });
    buildProduct(db, { sku: 'MUG', onHand: 20 });
    // Own invoice: the added line leaves it owing, which an invoice order may ship with (a card order is refused: order_unpaid).
    const order = buildPackingOrder(db, { lines: [{ sku: 'TENT', quantity: 3 }], body: { paymentMethod: 'invoice' } });
    const s = spellings(order.code);
    const call = (c: Call, code: string) =>
      api(app)
        [c.method](c.path(code))
        .send(c.body ?? {});
    // Not apiError: a path that wrongly answers 200 must show up in the table, not throw.
    const errorOf = (res: { body: unknown }) => json<{ error?: ApiErrorJson & { details?: { suggestion?: string } } }>(res).error;
    const seen: string[] = [];
    for (const c of API) {
      const label = `${c.method.toUpperCase()} ${c.path(':code')}`;
      const bad = await call(c, s.badCheck);
      const missing = await call(c, s.missingCheck);
      const unknown = await call(c, s.unknown);
      const good = await call(c, s.typed);
      seen.push(
        [
          label,
          good.status,
          `${bad.status} ${errorOf(bad)?.code}`,
          `${missing.status} ${errorOf(missing)?.code} ${errorOf(missing)?.details?.suggestion}`,
          `${unknown.status} ${errorOf(unknown)?.code}`,
        ].join(' | '),
      );
    }
    expect(seen).toEqual(
      API.map((c) =>
        [`${c.method.toUpperCase()} ${c.path(':code')}`, c.ok, '404 order_code_invalid', `404 order_code_invalid ${order.code}`, '404 order_not_found'].join(
          ' | ',
        ),
      ),
    );
    // The wrong check digit's message says what is wrong rather than "no such order".
    const bad = await api(app).get(`/api/v1/orders/${s.badCheck}/delivery`);
    expect(apiError(bad).message).toBe(`The check digit of ${s.badCheck} does not match: a digit is mistyped or misread. Scan or type the code again.`);
  });

  it('the batch documents and Report in read listed codes the same way', async () => {
    const { app, db } = makeApp();
    const order = buildPackingOrder(db);
    const s = spellings(order.code);
    expect(
      (
        await api(app)
          .post('/api/v1/documents/pick-slips')
          .send({ orders: [s.typed] })
      ).status,
    ).toBe(200);
    const bad = await api(app)
      .post('/api/v1/documents/pick-slips')
      .send({ orders: [s.badCheck] });
    expect([bad.status, apiError(bad).code]).toEqual([404, 'order_code_invalid']);
    await api(app).post(`/api/v1/orders/${s.typed}/parcels`).send({ parcelId: 'R-1' }).expect(201);
    const report = await api(app)
      .post('/api/v1/deliveries/report')
      .send({ orders: [s.typed, s.missingCheck, s.unknown] });
    expect(json<ReportJson>(report).reported.map((r) => r.code)).toEqual([order.code]);
    expect(json<ReportJson>(report).failed).toEqual([
      {
        code: s.missingCheck,
        error: {
          code: 'order_code_invalid',
          message: `${s.missingCheck} lacks its check digit: did you mean ${order.code}?`,
          details: { suggestion: order.code },
        },
      },
    ]);
  });

  it('the pages: the order page, its documents and the shipping station read codes the same way', async () => {
    const { app, db } = makeApp();
    const order = buildPackingOrder(db);
    const s = spellings(order.code);
    const user = await buildUser(db, 'admin');
    const { agent, submit, scan } = await loginAtStation(app, user.email);
    const typed = encodeURIComponent(s.typed);

    for (const path of [(c: string) => `/orders/${c}`, (c: string) => `/outbound/orders/${c}/pick-slip.pdf`]) {
      expect((await agent.get(path(typed))).status).toBe(200);
      for (const wrong of [s.badCheck, s.missingCheck, s.unknown]) expect((await agent.get(path(wrong))).status).toBe(404);
    }

    // The station answers in its message line, with the reason.
    await submit('/shipping', `/shipping/orders/${typed}/slots`, {});
    expect(db.$client.prepare('SELECT parcel_slots FROM deliveries').pluck().get()).toBe(2);
    await submit('/shipping', `/shipping/orders/${s.badCheck}/slots`, {});
    expect((await agent.get('/shipping')).text).toContain(`The check digit of ${s.badCheck} does not match`);
    await submit('/shipping', `/shipping/orders/${s.unknown}/fetch`, {});
    expect((await agent.get('/shipping')).text).toContain(s.unknown);
    await scan(s.typed);
    await scan('LBL-1');
    expect((await agent.get('/shipping')).text).toContain(`Parcel ID LBL-1 added to order ${order.code}.`);
    expect((await agent.get(`/shipping/orders/${typed}/label.pdf?parcel=LBL-1`)).status).toBe(200);
    expect((await agent.get(`/shipping/orders/${s.badCheck}/label.pdf?parcel=LBL-1`)).status).toBe(404);
  });
});
