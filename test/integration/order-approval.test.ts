import { describe, expect, it } from 'vitest';
import { consoleLogger } from '../../src/log.js';
import { runPackScript } from '../../src/pack/run.js';
import { putPackSettings } from '../../src/pack/settings.js';
import { buildOrder, buildProduct, buildShippedOrder, buildUser, reload } from '../builders.js';
import { api, csrfOf, loginAs, makeApp } from '../helpers.js';
import { apiError, json } from '../json.js';

type Ctx = ReturnType<typeof makeApp>;
const SYSTEM = { type: 'system' as const, id: null, name: 'test' };

/** Settings → Pack script with approval required, one product in stock and an unpaid own-invoice order. */
function setup() {
  const ctx = makeApp();
  putPackSettings(ctx.db, { enabled: true, intervalMinutes: 15, requireApproval: true }, ctx.clock(), 'test');
  buildProduct(ctx.db, { sku: 'TENT', onHand: 10 });
  const order = buildOrder(ctx.db, { lines: [{ sku: 'TENT', quantity: 2 }], body: { paymentMethod: 'invoice' } });
  return { ...ctx, order };
}

const packRun = (ctx: Ctx, dryRun = false) =>
  runPackScript({ db: ctx.db, clock: ctx.clock, log: consoleLogger({ silent: true }) }, { trigger: 'manual', dryRun, actor: SYSTEM });
const approvedEvents = (ctx: Ctx, orderId: number) =>
  ctx.db.$client.prepare("SELECT count(*) FROM order_events WHERE order_id = ? AND type = 'approved'").pluck().get(orderId) as number;

async function operator(ctx: Ctx) {
  const user = await buildUser(ctx.db, 'operator');
  return loginAs(ctx.app, user.email);
}

describe('approval of pay-later orders', () => {
  it('through the API: PATCH approved true lets the next pack run pack the order; twice is a no-op, false is refused', async () => {
    const ctx = setup();
    const held = await packRun(ctx);
    expect(held.held).toEqual([expect.objectContaining({ code: ctx.order.code, reason: 'awaiting_approval' })]);
    expect(reload(ctx.db, ctx.order.code).status).toBe('order');

    const refused = await api(ctx.app).patch(`/api/v1/orders/${ctx.order.code}`).send({ approved: false });
    expect(refused.status).toBe(422);
    expect(apiError(refused).details).toEqual({
      fields: [expect.objectContaining({ path: 'approved', message: 'An approval cannot be withdrawn: set the order waiting or cancel it instead.' })],
    });
    expect(reload(ctx.db, ctx.order.code).approved).toBe(false);

    const res = await api(ctx.app).patch(`/api/v1/orders/${ctx.order.code}`).send({ approved: true });
    expect(res.status).toBe(200);
    const body = json<{ approved: boolean; events: { type: string; actor: { name: string } }[] }>(res);
    expect(body.approved).toBe(true);
    expect(body.events.filter((e) => e.type === 'approved')).toHaveLength(1);
    const again = await api(ctx.app).patch(`/api/v1/orders/${ctx.order.code}`).send({ approved: true });
    expect(again.status).toBe(200);
    expect(approvedEvents(ctx, ctx.order.id)).toBe(1);

    const result = await packRun(ctx);
    expect(result.promoted).toEqual([ctx.order.code]);
    expect(reload(ctx.db, ctx.order.code).status).toBe('packing');
  });

  it('a shipped order has nothing to approve (409), and nothing is written', async () => {
    const ctx = setup();
    const shipped = buildShippedOrder(ctx.db);
    const res = await api(ctx.app).patch(`/api/v1/orders/${shipped.code}`).send({ approved: true });
    expect(res.status).toBe(409);
    expect(apiError(res).code).toBe('order_not_editable');
    expect(approvedEvents(ctx, shipped.id)).toBe(0);
  });

  it('on the order page: the Approve button shows while the order awaits approval, and the pack script then packs it', async () => {
    const ctx = setup();
    const { agent } = await operator(ctx);
    const page = await agent.get(`/orders/${ctx.order.code}`).expect(200);
    expect(page.text).toContain(`action="/orders/${ctx.order.code}/approve"`);

    // "Check now" says why it stays, and the page offers the approval next to it.
    const check = await agent
      .post(`/orders/${ctx.order.code}/pack-check`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) });
    expect(check.status).toBe(302);
    const after = await agent.get(`/orders/${ctx.order.code}`).expect(200);
    expect(after.text).toContain('awaiting approval of the invoice, cash-on-delivery or pay-at-pickup order');
    expect(after.text).toContain('href="#approve"');

    const approved = await agent
      .post(`/orders/${ctx.order.code}/approve`)
      .type('form')
      .send({ _csrf: csrfOf(after.text) });
    expect(approved.status).toBe(302);
    const shown = await agent.get(`/orders/${ctx.order.code}`).expect(200);
    expect(shown.text).toContain(`Order ${ctx.order.code} approved`);
    expect(shown.text).toContain('Approved for packing');
    expect(shown.text).not.toContain(`action="/orders/${ctx.order.code}/approve"`);

    await packRun(ctx);
    expect(reload(ctx.db, ctx.order.code).status).toBe('packing');
  });

  it('as a bulk action on the list, each order in its own transaction', async () => {
    const ctx = setup();
    const second = buildOrder(ctx.db, { lines: [{ sku: 'TENT', quantity: 1 }], body: { paymentMethod: 'cash_on_delivery' } });
    const shipped = buildShippedOrder(ctx.db);
    const { agent } = await operator(ctx);
    const list = await agent.get('/orders').expect(200);
    expect(list.text).toContain('<option value="approve">');
    const res = await agent
      .post('/orders/bulk')
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfOf(list.text))}&action=approve&codes=${ctx.order.code}&codes=${second.code}&codes=${shipped.code}`);
    expect(res.status).toBe(302);
    expect(reload(ctx.db, ctx.order.code).approved).toBe(true);
    expect(reload(ctx.db, second.code).approved).toBe(true);
    expect(reload(ctx.db, shipped.code).approved).toBe(false);

    const result = await packRun(ctx);
    expect(result.promoted.sort()).toEqual([ctx.order.code, second.code].sort());
  });

  it('the dry run names the held order awaiting approval, with a link to approve it', async () => {
    const ctx = setup();
    const { agent } = await operator(ctx);
    const dry = await packRun(ctx, true);
    const page = await agent.get(`/tools/pack-script/runs/${dry.id}`).expect(200);
    expect(page.text).toContain('awaiting approval');
    expect(page.text).toContain(`href="/orders/${ctx.order.code}#approve"`);
    expect(reload(ctx.db, ctx.order.code).status).toBe('order');
  });

  it('on the page, approving a shipped order is refused next to the Approve button and changes nothing', async () => {
    const ctx = setup();
    const shipped = buildShippedOrder(ctx.db);
    const s = await operator(ctx);
    const res = await s.submit(`/orders/${shipped.code}`, `/orders/${shipped.code}/approve`, {});
    expect(res.status).toBe(409);
    expect(res.text).toContain(`Order ${shipped.code} is Shipped: there is nothing left to approve.`);
    expect(reload(ctx.db, shipped.code).approved).toBe(false);
    expect(approvedEvents(ctx, shipped.id)).toBe(0);
  });

  it('a packer cannot approve', async () => {
    const ctx = setup();
    const packer = await buildUser(ctx.db, 'packer');
    const { agent } = await loginAs(ctx.app, packer.email);
    const page = await agent.get('/shipping');
    const res = await agent
      .post(`/orders/${ctx.order.code}/approve`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) });
    expect(res.status).toBe(403);
    expect(reload(ctx.db, ctx.order.code).approved).toBe(false);
  });
});
