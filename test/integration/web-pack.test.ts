import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { acquireLease } from '../../src/pack/lease.js';
import { putPackSettings } from '../../src/pack/settings.js';
import { buildOrder, buildPaidOrder, buildProduct, buildUser, reload } from '../builders.js';
import type { Db } from '../../src/db/client.js';
import { loginAs, makeApp } from '../helpers.js';
import { until } from '../wait.js';

/** Waits for the run a Tools form started (its page is `url`) to leave `running`. */
const finished = (db: Db, url: string) =>
  until(
    'the pack run to finish',
    () =>
      db.$client
        .prepare("SELECT status FROM pack_runs WHERE id = ? AND status <> 'running'")
        .pluck()
        .get(Number(url.split('/').pop())) as string | undefined,
    5000,
    10,
  );

/** The text of one order's line on a run page: code, verdict and checks. */
function stepOf(page: string, code: string): string | undefined {
  const item = page.split('<li class="step ').find((chunk) => chunk.includes(`>${code}</a>`));
  return item
    ?.slice(0, item.indexOf('</li>'))
    .replace(/^[^>]*>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

async function as(role: 'operator' | 'admin' | 'packer') {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, role);
  return { ...ctx, ...(await loginAs(ctx.app, user.email)) };
}

describe('Tools → Pack script', () => {
  it('runs by hand and shows the run with each order and the reasons', async () => {
    const { db, agent, submit } = await as('operator');
    buildProduct(db, { sku: 'A', onHand: 1 });
    const ok = buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    const short = buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    const started = await submit('/tools/pack-script', '/tools/pack-script/runs', {});
    expect(started.status).toBe(303);
    const url = started.headers.location!;
    expect(url).toMatch(/^\/tools\/pack-script\/runs\/\d+$/);
    await finished(db, url);
    const page = (await agent.get(url)).text;
    expect(page).toContain('Finished');
    expect(page).toContain('waiting for stock');
    expect(page).toContain('A × 1');
    expect(page).toContain(ok.code);
    expect(page).toContain(short.code);
    // Placed at the same moment: the code decides which one gets the single unit.
    expect([reload(db, ok.code).status, reload(db, short.code).status].sort()).toEqual(['order', 'packing']);
    expect((await agent.get('/tools/pack-script')).text).toContain(`/tools/pack-script/runs/`);
  });

  it('names every order the run looked at, with its verdict and the checks behind it', async () => {
    const { db, agent, submit } = await as('operator');
    // One product each, so that what is available does not depend on which order goes first.
    const lines = (sku: string) => [{ sku: buildProduct(db, { sku, onHand: 5 }).sku, quantity: 1 }];
    putPackSettings(db, { enabled: false, intervalMinutes: 15, requireApproval: true }, new Date(), 'test');
    const card = buildPaidOrder(db, { lines: lines('A') });
    const onHold = buildPaidOrder(db, { lines: lines('B') });
    db.$client.prepare('UPDATE orders SET waiting = 1 WHERE id = ?').run(onHold.id);
    const unapproved = buildOrder(db, { lines: lines('C'), body: { paymentMethod: 'invoice' } });
    const approved = buildOrder(db, { lines: lines('D'), body: { paymentMethod: 'invoice' } });
    db.$client.prepare('UPDATE orders SET approved = 1 WHERE id = ?').run(approved.id);
    const unpaidCard = buildOrder(db, { lines: lines('E') });
    const started = await submit('/tools/pack-script', '/tools/pack-script/runs', {});
    await finished(db, started.headers.location!);
    const page = (await agent.get(started.headers.location!)).text;
    expect(stepOf(page, card.code)).toBe(`${card.code} promoted to Packing payment ✓ · A needs 1, 5 available ✓`);
    expect(stepOf(page, onHold.code)).toBe(`${onHold.code} held: on hold payment ✓`);
    expect(stepOf(page, unapproved.code)).toBe(`${unapproved.code} held: awaiting approval pay later, approval needed Approve…`);
    expect(stepOf(page, approved.code)).toBe(`${approved.code} promoted to Packing pay later, approved ✓ · D needs 1, 5 available ✓`);
    expect(stepOf(page, unpaidCard.code)).toBe(`${unpaidCard.code} held: not paid payment ✗`);
    expect(page).toMatch(/<strong>1<\/strong> on hold/);

    // Without the approval setting an unpaid invoice order needs none; a dry run says what it would do.
    putPackSettings(db, { enabled: false, intervalMinutes: 15, requireApproval: false }, new Date(), 'test');
    const dry = await submit('/tools/pack-script', '/tools/pack-script/runs', { dryRun: '1' });
    await finished(db, dry.headers.location!);
    const dryPage = (await agent.get(dry.headers.location!)).text;
    expect(stepOf(dryPage, unapproved.code)).toBe(`${unapproved.code} would promote pay later, no approval needed · C needs 1, 5 available ✓`);
    expect(stepOf(dryPage, onHold.code)).toBe(`${onHold.code} held: on hold payment ✓`);
    expect(dryPage).toContain('Would promote');
    expect(dryPage).not.toContain('promoted to Packing');
    expect(reload(db, unapproved.code).status).toBe('order');
  });

  it('a dry run changes nothing', async () => {
    const { db, submit } = await as('operator');
    const order = buildPaidOrder(db);
    await submit('/tools/pack-script', '/tools/pack-script/runs', { dryRun: '1' });
    expect(reload(db, order.code).status).toBe('order');
  });

  it('says who is running when the lease is taken', async () => {
    const { db, config, submit } = await as('operator');
    const since = new Date();
    acquireLease(db, 'pack_script', 'Erik (manual)', since);
    const res = await submit('/tools/pack-script', '/tools/pack-script/runs', {});
    expect(res.status).toBe(409);
    // The time in the shop's zone (never UTC), as the error page and the API say it.
    const hhmm = new Intl.DateTimeFormat('sv-SE', { timeZone: config.timezone, hour: '2-digit', minute: '2-digit' }).format(since);
    expect(config.timezone).not.toBe('UTC');
    expect(res.text).toContain(`already running since ${hhmm}, started by Erik (by hand)`);
  });

  it('streams a finished run as one event', async () => {
    const { app, db, agent, submit } = await as('operator');
    buildPaidOrder(db);
    const started = await submit('/tools/pack-script', '/tools/pack-script/runs', {});
    await finished(db, started.headers.location!);
    const cookie = (await agent.get('/tools/pack-script')).request.cookies;
    const events = await request(app).get(`${started.headers.location}/events`).set('Cookie', cookie);
    expect(events.headers['content-type']).toContain('text/event-stream');
    expect(events.text).toMatch(/event: finished\ndata: \{.*"status":"succeeded"/);
  });

  it('is for operators: a packer gets 403', async () => {
    const { agent } = await as('packer');
    expect((await agent.get('/tools/pack-script')).status).toBe(403);
  });
});

describe('Check now on the order page', () => {
  it('promotes an order that passes and explains one that does not', async () => {
    const { db, agent, submit } = await as('operator');
    buildProduct(db, { sku: 'A', onHand: 1 });
    const unpaid = buildOrder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    await submit(`/orders/${unpaid.code}`, `/orders/${unpaid.code}/pack-check`, {});
    const page = (await agent.get(`/orders/${unpaid.code}`)).text;
    expect(page).toContain(`Order ${unpaid.code} stays in Order: not paid.`);
    expect(page).toContain('Pack check: stays in Order — not paid');
    const waiting = buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    db.$client.prepare('UPDATE orders SET waiting = 1 WHERE id = ?').run(waiting.id);
    await submit(`/orders/${waiting.code}`, `/orders/${waiting.code}/pack-check`, {});
    expect((await agent.get(`/orders/${waiting.code}`)).text).toContain('stays in Order: the order is on hold (Waiting is ticked).');
    const paid = buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    await submit(`/orders/${paid.code}`, `/orders/${paid.code}/pack-check`, {});
    expect(reload(db, paid.code).status).toBe('packing');
    expect((await agent.get(`/orders/${paid.code}`)).text).toContain('passed the pack rule and is now in Packing');
  });
});

describe('Settings → Pack script', () => {
  it('saves the schedule; bad input is shown next to the field', async () => {
    const { agent, submit } = await as('admin');
    const bad = await submit('/settings/pack-script', '/settings/pack-script', { enabled: 'on', intervalMinutes: '0' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="intervalMinutes-error"');
    expect(bad.text).toContain('value="0"');
    await submit('/settings/pack-script', '/settings/pack-script', { intervalMinutes: '30', requireApproval: 'on' });
    const page = (await agent.get('/tools/pack-script')).text;
    expect(page).toContain('The schedule is switched off');
    expect(page).toContain('invoice, cash-on-delivery and pay-at-pickup orders need approval');
    const form = await agent.get('/settings/pack-script');
    expect(form.text).toContain('value="30"');
  });
});

describe('a large run', () => {
  it('lets other requests through while it runs', async () => {
    const { fill } = await import('../../bench/generate.js');
    const { api } = await import('../helpers.js');
    const ctx = makeApp();
    fill(ctx.db, { products: 2000, orders: 40_000, linesPerOrder: 3, statuses: [['order', 1]], onHand: [0, 40], unpaidShare: 0.1 });
    const finished: string[] = [];
    const run = api(ctx.app)
      .post('/api/v1/pack-runs')
      .send({})
      .then((r) => finished.push(`run ${r.status}`));
    // Asked for once the run has started: answered before the run is done.
    await until('the pack run to start', () => ctx.db.$client.prepare('SELECT count(*) FROM pack_runs').pluck().get() === 1, 10_000, 5);
    const health = request(ctx.app)
      .get('/healthz')
      .then((r) => finished.push(`health ${r.status}`));
    await Promise.all([run, health]);
    expect(finished).toEqual(['health 200', 'run 201']);
    // Filling 40,000 orders takes ~10 s alone on two busy cores.
  }, 60_000);
});
