import { describe, expect, it } from 'vitest';
import { buildPackingOrder, buildProduct, buildUser, reload } from '../builders.js';
import { api, csrfOf, loginAs, loginAtStation, makeApp } from '../helpers.js';
import { apiError, json } from '../json.js';
import { localeOf } from '../../src/i18n/index.js';
import { formatMoney } from '../../src/i18n/numbers.js';

/** An amount as the English pages write it ("SEK 200.00", with a no-break space). */
const sek = (minor: number) => formatMoney(localeOf('en'), minor, 'SEK');

// Money before the door (domain/payment-due.ts, orders/payment-due.ts): an order paid by card is
// raised while it is packed; before, it shipped "Unpaid (SEK … received)" with nothing said.
function world(paymentMethod: 'card' | 'invoice' = 'card') {
  const ctx = makeApp();
  buildProduct(ctx.db, { sku: 'TENT', price: 100_00, onHand: 20 });
  const order = buildPackingOrder(ctx.db, { lines: [{ sku: 'TENT', quantity: 1 }], body: { paymentMethod } });
  return { ...ctx, order };
}

const lineIdOf = (html: string) => /action="\/orders\/\d+\/lines\/(\d+)"/.exec(html)![1]!;

describe('a paid order raised while packed', () => {
  it('the edit says it is short with the amount; Outbound and the station mark it; Report in refuses it until an operator lets it go with a reason', async () => {
    const { app, db, order } = world();
    const total = reload(db, order.code).total;
    const operator = await buildUser(db, 'operator');
    const { agent } = await loginAs(app, operator.email);
    const page = await agent.get(`/orders/${order.code}`);
    const raised = await agent
      .post(`/orders/${order.code}/lines/${lineIdOf(page.text)}`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), quantity: '3' });
    expect(raised.status).toBe(302);
    const after = await agent.get(`/orders/${order.code}`);
    const due = reload(db, order.code).total - total;
    expect(due).toBeGreaterThan(0);
    expect(after.text).toContain(`Order ${order.code} is now short ${sek(due)}`);
    expect(after.text).toContain('paid by Card');
    expect(json<{ amountDue: number }>(await api(app).get(`/api/v1/orders/${order.code}`)).amountDue).toBe(due);

    // Outbound and the station show it.
    expect((await agent.get('/outbound')).text).toContain(`Short ${sek(due)}`);
    const packer = await buildUser(db, 'packer');
    const station = await loginAtStation(app, packer.email);
    const opened = await station.scanFragment(order.code);
    expect(opened.text).toContain(`Order ${order.code} is short ${sek(due)}`);
    await station.scanFragment('PARCEL-DUE-1');

    // Report in (the API's and the station's) and the one-call delivery refuse it.
    const report = json<{ reported: unknown[]; failed: { code: string; error: { code: string } }[] }>(
      await api(app).post('/api/v1/deliveries/report').send({}),
    );
    expect(report.failed).toEqual([expect.objectContaining({ code: order.code, error: expect.objectContaining({ code: 'order_unpaid' }) })]);
    const oneCall = await api(app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['PARCEL-DUE-2'] });
    expect(oneCall.status).toBe(409);
    expect(apiError(oneCall)).toMatchObject({ code: 'order_unpaid', details: { due, currency: 'SEK', paymentMethod: 'card' } });
    expect(reload(db, order.code).status).toBe('packing');

    // Let go: a reason is required; then it ships, and the history says who and why.
    const form = await agent.get(`/orders/${order.code}`);
    const noReason = await agent
      .post(`/orders/${order.code}/release-unpaid`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), formKey: 'k1', reason: ' ' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('id="reason-error"');
    const released = await agent
      .post(`/orders/${order.code}/release-unpaid`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), formKey: 'k2', reason: 'Customer pays the rest in the shop' });
    expect(released.status).toBe(302);
    const history = (await agent.get(`/orders/${order.code}`)).text;
    expect(history).toContain(`Let ship short ${sek(due)}: Customer pays the rest in the shop`);
    expect((await agent.get('/outbound')).text).toContain(`Short ${sek(due)}: let go`);
    const shipped = json<{ reported: { code: string }[] }>(await api(app).post('/api/v1/deliveries/report').send({}));
    expect(shipped.reported.map((r) => r.code)).toEqual([order.code]);
    expect(reload(db, order.code).status).toBe('shipped');
  });

  it('a later raise needs another decision; a payment of the rest lets it ship', async () => {
    const { app, db, order } = world();
    const line = json<{ lines: { id: number }[] }>(await api(app).get(`/api/v1/orders/${order.code}`)).lines[0]!;
    await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 2 });
    const due = reload(db, order.code).total - reload(db, order.code).paidAmount;
    const operator = await buildUser(db, 'operator');
    const { agent } = await loginAs(app, operator.email);
    const page = await agent.get(`/orders/${order.code}`);
    await agent
      .post(`/orders/${order.code}/release-unpaid`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), formKey: 'k1', reason: 'Agreed by phone' });
    await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 3 });
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'PARCEL-DUE-3' });
    expect(json<{ failed: { error: { code: string } }[] }>(await api(app).post('/api/v1/deliveries/report').send({})).failed[0]!.error.code).toBe(
      'order_unpaid',
    );

    const owed = reload(db, order.code).total - reload(db, order.code).paidAmount;
    expect(owed).toBeGreaterThan(due);
    const paid = await api(app).post(`/api/v1/orders/${order.code}/payments`).send({ amount: owed, reference: 'rest' });
    expect(paid.status).toBeLessThan(300);
    expect(json<{ reported: { code: string }[] }>(await api(app).post('/api/v1/deliveries/report').send({})).reported.map((r) => r.code)).toEqual([order.code]);
  });

  it('an own-invoice order pays after it ships: a raise is no refusal', async () => {
    const { app, db, order } = world('invoice');
    const line = json<{ lines: { id: number }[] }>(await api(app).get(`/api/v1/orders/${order.code}`)).lines[0]!;
    await api(app).patch(`/api/v1/orders/${order.code}/lines/${line.id}`).send({ quantity: 2 });
    const res = await api(app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['PARCEL-DUE-4'] });
    expect(res.status).toBe(201);
    expect(reload(db, order.code).status).toBe('shipped');
  });
});
