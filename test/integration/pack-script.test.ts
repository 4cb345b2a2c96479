import { execFile, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEEP_RUN_DETAILS, runPackScript, type PackScriptDeps } from '../../src/pack/run.js';
import { tick } from '../../jobs/schedule.js';
import { leases, packRuns } from '../../src/db/schema/index.js';
import { acquireLease, keepLeaseAlive, LEASE_RENEW_MS, LEASE_TTL_MS, leaseHeld } from '../../src/pack/lease.js';
import { lastStep, listSteps } from '../../src/pack/repo.js';
import { putPackSettings } from '../../src/pack/settings.js';
import { consoleLogger } from '../../src/log.js';
import { buildOrder, buildPaidOrder, buildProduct, buildUser, productBySku, reload } from '../builders.js';
import { API_TOKEN, api, loginAs, makeApp, makeClock, makeDb, testConfig } from '../helpers.js';
import { expectInvariants, invariantViolations } from '../invariants.js';
import { apiError, json, type PackRunDetailJson, type PackRunJson } from '../json.js';
import { tempDir } from '../temp.js';
import { until } from '../wait.js';
import request from 'supertest';
import { buildAppDeps, createApp } from '../../src/app.js';
import { applyShopDefaults } from '../../src/email/settings.js';
import { runPackRun, stopPackWorker } from '../../src/pack/in-worker.js';
import { msSinceLastRequest } from '../../src/activity.js';
import { PackRunHub } from '../../src/pack/live.js';
import type { PackProgress } from '../../src/pack/progress.js';
import { fill } from '../../bench/generate.js';

const run = promisify(execFile);
const SYSTEM = { type: 'system' as const, id: null, name: 'test' };

function deps(db: ReturnType<typeof makeDb>, clock = makeClock()): PackScriptDeps {
  return { db, clock, log: consoleLogger({ silent: true }) };
}

const invariants = (db: ReturnType<typeof makeDb>) => expectInvariants(db);

describe('a pack run', () => {
  it('promotes what is paid and in stock, holds the rest with reasons, and records it all', async () => {
    const db = makeDb();
    buildProduct(db, { sku: 'A', onHand: 3 });
    buildProduct(db, { sku: 'B', onHand: 0 });
    const fits = buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 2 }] });
    const noStock = buildPaidOrder(db, { lines: [{ sku: 'B', quantity: 1 }] });
    const unpaid = buildOrder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    const result = await runPackScript(deps(db), { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(result).toMatchObject({ status: 'succeeded', examined: 3, promoted: [fits.code] });
    expect(result.held).toEqual(
      expect.arrayContaining([
        { code: noStock.code, reason: 'insufficient_stock', detail: 'B: needs 1, 0 available', sku: 'B', need: 1, available: 0 },
        { code: unpaid.code, reason: 'not_paid', detail: 'not paid' },
      ]),
    );
    expect(result.summary.held).toEqual({ insufficient_stock: 1, not_paid: 1 });
    expect(result.summary.waitingForStock).toEqual({ B: 1 });
    expect(reload(db, fits.code).status).toBe('packing');
    expect(productBySku(db, 'A')).toMatchObject({ allocated: 2, reserved: 3 });
    const row = db.select().from(packRuns).where(eq(packRuns.id, result.id)).get()!;
    expect(row).toMatchObject({ status: 'succeeded', examined: 3, promoted: 1, held: 2, trigger: 'manual' });
    const steps = listSteps(db, result.id, { limit: 10 });
    expect(steps.map((s) => s.position)).toEqual([1, 2, 3]);
    expect(Object.fromEntries(steps.map((s) => [s.code, s.outcome]))).toEqual({ [fits.code]: 'promoted', [noStock.code]: 'held', [unpaid.code]: 'held' });
    expect(db.select().from(leases).all()).toEqual([]);
    invariants(db);
  });

  it('a dry run decides the same and writes nothing but its own record', async () => {
    const db = makeDb();
    buildProduct(db, { sku: 'A', onHand: 3 });
    const order = buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 2 }] });
    const before = db.$client.prepare('SELECT count(*) FROM order_events').pluck().get();
    const result = await runPackScript(deps(db), { trigger: 'manual', dryRun: true, actor: SYSTEM });
    expect(result).toMatchObject({ dryRun: true, promoted: [order.code] });
    expect(reload(db, order.code).status).toBe('order');
    expect(productBySku(db, 'A').allocated).toBe(0);
    expect(db.$client.prepare('SELECT count(*) FROM order_events').pluck().get()).toBe(before);
  });

  it('never allocates what changed after the rule read it', async () => {
    const db = makeDb();
    buildProduct(db, { sku: 'A', onHand: 2 });
    const order = buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 2 }] });
    const result = await runPackScript(
      {
        ...deps(db),
        // Between the decision and the write, someone counts the shelf and finds one unit.
        onProgress: (e) => {
          if (e.type === 'started') buildProduct(db, { sku: 'A', onHand: 1 });
        },
      },
      { trigger: 'manual', dryRun: false, actor: SYSTEM },
    );
    expect(result.promoted).toEqual([]);
    expect(result.held).toEqual([{ code: order.code, reason: 'changed', detail: expect.stringContaining('changed during the run') }]);
    expect(reload(db, order.code).status).toBe('order');
    invariants(db);
  });

  it("re-checks every promoted order's stock in a batch, however many products the batch names", async () => {
    const db = makeDb();
    const orders = [];
    for (let i = 0; i < 600; i++) {
      buildProduct(db, { sku: `P${i}`, onHand: 1 });
      orders.push(buildPaidOrder(db, { lines: [{ sku: `P${i}`, quantity: 1 }] }));
    }
    const result = await runPackScript(
      {
        ...deps(db),
        // Between the decision and the write, the last product's one unit is counted away.
        onProgress: (e) => {
          if (e.type === 'started') buildProduct(db, { sku: 'P599', onHand: 0 });
        },
      },
      { trigger: 'manual', dryRun: false, actor: SYSTEM },
    );
    expect(result.held).toEqual([{ code: orders[599]!.code, reason: 'changed', detail: expect.stringContaining('changed during the run') }]);
    expect(result.promotedCount).toBe(599);
    invariants(db);
  });

  it('skips an order whose lines were edited after the read', async () => {
    const db = makeDb();
    buildProduct(db, { sku: 'A', onHand: 5 });
    const order = buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 2 }] });
    const result = await runPackScript(
      {
        ...deps(db),
        onProgress: (e) => e.type === 'started' && db.$client.prepare('UPDATE orders SET lines_version = lines_version + 1 WHERE id = ?').run(order.id),
      },
      { trigger: 'manual', dryRun: false, actor: SYSTEM },
    );
    expect(result.held.map((h) => h.reason)).toEqual(['changed']);
  });
});

describe('the record of a run', () => {
  async function runOverFive() {
    const db = makeDb();
    const clock = makeClock(new Date('2026-11-20T09:00:00Z'));
    buildProduct(db, { sku: 'A', onHand: 2 });
    // In order of priority: two take the stock, one is not paid, two find none left.
    const orders = [true, true, false, true, true].map((paid, i) => buildOrder(db, { lines: [{ sku: 'A', quantity: 1 }], paid, body: { priority: 9 - i } }));
    const result = await runPackScript(deps(db, clock), { trigger: 'manual', dryRun: false, actor: SYSTEM, batchSize: 2 });
    return { db, clock, orders, result };
  }

  it("keeps every order's outcome in run order, paged across batches and filtered by outcome", async () => {
    const { db, orders, result } = await runOverFive();
    const all = listSteps(db, result.id, { limit: 100 });
    expect(all.map((s) => [s.position, s.code, s.outcome, s.reason])).toEqual([
      [1, orders[0]!.code, 'promoted', null],
      [2, orders[1]!.code, 'promoted', null],
      [3, orders[2]!.code, 'held', 'not_paid'],
      [4, orders[3]!.code, 'held', 'insufficient_stock'],
      [5, orders[4]!.code, 'held', 'insufficient_stock'],
    ]);
    expect(all[3]!.lines).toEqual([{ sku: 'A', need: 1, available: 0, ok: false }]);
    expect(listSteps(db, result.id, { limit: 2, after: 1 }).map((s) => s.position)).toEqual([2, 3]);
    expect(listSteps(db, result.id, { limit: 2, after: 2, outcome: 'held' }).map((s) => s.position)).toEqual([3, 4]);
    expect(listSteps(db, result.id, { limit: 10, outcome: 'promoted' }).map((s) => s.position)).toEqual([1, 2]);
  });

  it('keeps each outcome compact, its detail made again when read, and still reads outcomes stored in the earlier nested form', async () => {
    const { db, orders, result } = await runOverFive();
    const stored = db.$client.prepare('SELECT steps FROM pack_run_batches WHERE run_id = ? ORDER BY first_index').pluck().all(result.id) as string[];
    expect(JSON.parse(stored[1]!)).toEqual([
      [orders[2]!.code, 3, 0, 'card'],
      [orders[3]!.code, 5, 3, 'card', 'A', 1, 0, 0],
    ]);
    expect(listSteps(db, result.id, { limit: 100 })[3]).toMatchObject({
      reason: 'insufficient_stock',
      detail: 'A: needs 1, 0 available',
      payment: { ok: true, paid: true, paymentMethod: 'card', approved: false },
    });
    // A run recorded before: outcomes as nested arrays with their detail written out.
    const old = db
      .insert(packRuns)
      .values({ trigger: 'cron', dryRun: false, status: 'succeeded', startedBy: 'schedule', startedAt: new Date(), examined: 2, promoted: 1, held: 1 })
      .returning()
      .get();
    const nested = [
      ['1000000001', 'promoted', null, '', [1, 1, 'card', 0], [['A', 1, 2, 1]]],
      ['1000000002', 'held', 'insufficient_stock', 'A: needs 3, 1 available', [1, 1, 'invoice', 1], [['A', 3, 1, 0]]],
    ];
    db.$client
      .prepare('INSERT INTO pack_run_batches (run_id, first_index, count, created_at, codes, steps) VALUES (?, 0, 2, ?, ?, ?)')
      .run(old.id, Date.now(), ' 1000000001 1000000002 ', JSON.stringify(nested));
    expect(listSteps(db, old.id, { limit: 10, outcome: 'held' })).toEqual([
      {
        position: 2,
        code: '1000000002',
        outcome: 'held',
        reason: 'insufficient_stock',
        detail: 'A: needs 3, 1 available',
        payment: { ok: true, paid: true, paymentMethod: 'invoice', approved: true },
        lines: [{ sku: 'A', need: 3, available: 1, ok: false }],
      },
    ]);
  });

  it("finds an order's latest outcome, and only since the order was made", async () => {
    const { db, clock, orders, result } = await runOverFive();
    const held = orders[3]!;
    expect(lastStep(db, held.code, new Date(0))).toMatchObject({ runId: result.id, step: { code: held.code, outcome: 'held', reason: 'insufficient_stock' } });
    clock.advance(60_000);
    const again = await runPackScript(deps(db, clock), { trigger: 'manual', dryRun: false, actor: SYSTEM, batchSize: 2 });
    expect(lastStep(db, held.code, new Date(0))?.runId).toBe(again.id);
    expect(lastStep(db, held.code, new Date(clock().getTime() + 1))).toBeNull();
    // A promoted order is not a candidate of the second run: its outcome is the first run's.
    expect(lastStep(db, orders[0]!.code, new Date(0))).toMatchObject({ runId: result.id, step: { outcome: 'promoted' } });
  });

  it('keeps the details of the newest runs only, and every summary', async () => {
    const { db, clock, result } = await runOverFive();
    for (let i = 0; i < KEEP_RUN_DETAILS; i++) {
      clock.advance(1000);
      await runPackScript(deps(db, clock), { trigger: 'cron', dryRun: true, actor: SYSTEM });
    }
    expect(listSteps(db, result.id, { limit: 10 })).toEqual([]);
    expect(db.select().from(packRuns).where(eq(packRuns.id, result.id)).get()).toMatchObject({ examined: 5, promoted: 2, held: 3 });
    expect(db.$client.prepare('SELECT count(DISTINCT run_id) FROM pack_run_batches').pluck().get()).toBe(KEEP_RUN_DETAILS);
  });

  it('"Check now" runs do not push real runs out of the kept details', async () => {
    const { db, clock, result, orders } = await runOverFive();
    for (let i = 0; i < KEEP_RUN_DETAILS; i++) {
      clock.advance(1000);
      await runPackScript(deps(db, clock), { trigger: 'check', dryRun: false, actor: SYSTEM, orderId: orders[2]!.id });
    }
    expect(listSteps(db, result.id, { limit: 10 })).toHaveLength(5);
  });
});

describe('the lease', () => {
  it('refuses a second run while one holds it, naming who and since when', async () => {
    const ctx = makeApp();
    acquireLease(ctx.db, 'pack_script', 'Anna (manual)', new Date(Date.now() - 5_000));
    await expect(runPackScript(deps(ctx.db, makeClock(new Date())), { trigger: 'cli', dryRun: false, actor: SYSTEM })).rejects.toMatchObject({
      code: 'pack_run_in_progress',
    });
    const res = await api(ctx.app).post('/api/v1/pack-runs').send({});
    expect(res.status).toBe(409);
    expect(apiError(res).code).toBe('pack_run_in_progress');
    expect(apiError(res).message).toMatch(/^The pack script is already running since \d\d:\d\d, started by Anna \(manual\)\.$/);
  });

  it('a lease left by a dead process expires, and its run shows as interrupted', async () => {
    const db = makeDb();
    const clock = makeClock(new Date('2026-11-20T08:00:00Z'));
    acquireLease(db, 'pack_script', 'dead process', clock());
    db.insert(packRuns).values({ trigger: 'cron', dryRun: false, status: 'running', startedBy: 'dead process', startedAt: clock() }).run();
    await expect(runPackScript(deps(db, clock), { trigger: 'manual', dryRun: false, actor: SYSTEM })).rejects.toMatchObject({ code: 'pack_run_in_progress' });
    // Within 10 s of its last renewal it still holds; after, a new run takes over.
    clock.advance(LEASE_TTL_MS - 1);
    await expect(runPackScript(deps(db, clock), { trigger: 'manual', dryRun: false, actor: SYSTEM })).rejects.toMatchObject({ code: 'pack_run_in_progress' });
    clock.advance(1);
    const result = await runPackScript(deps(db, clock), { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(result.status).toBe('succeeded');
    expect(
      db
        .select({ status: packRuns.status })
        .from(packRuns)
        .all()
        .map((r) => r.status),
    ).toEqual(['interrupted', 'succeeded']);
  });
});

describe('the lease while a run goes on', () => {
  afterEach(() => vi.useRealTimers());

  it('is renewed every 2 s with a 10 s expiry, so a crashed run blocks the next for at most 10 s', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const db = makeDb();
    const clock = makeClock(new Date('2026-11-20T08:00:00Z'));
    const lease = acquireLease(db, 'pack_script', 'Anna (manual)', clock());
    const stop = keepLeaseAlive(db, lease, clock, () => {});
    const expiry = () => db.select().from(leases).get()!.expiresAt.getTime();
    expect(expiry()).toBe(clock().getTime() + 10_000);
    for (let i = 0; i < 10; i++) {
      clock.advance(LEASE_RENEW_MS);
      vi.advanceTimersByTime(LEASE_RENEW_MS);
      expect(expiry()).toBe(clock().getTime() + LEASE_TTL_MS);
    }
    // The holder dies (its timer stops): the lease runs out 10 s after the last renewal.
    stop();
    clock.advance(LEASE_TTL_MS - 1);
    expect(leaseHeld(db, 'pack_script', clock())).toBe(true);
    clock.advance(1);
    expect(leaseHeld(db, 'pack_script', clock())).toBe(false);
    expect(LEASE_RENEW_MS).toBeLessThanOrEqual(2_000);
    expect(LEASE_TTL_MS).toBeLessThanOrEqual(10_000);
  });

  it('Tools → Pack script names the holder, since when, and when the lease runs out', async () => {
    const ctx = makeApp();
    await buildUser(ctx.db, 'operator', { email: 'op@example.com' });
    acquireLease(ctx.db, 'pack_script', 'Anna (manual)', ctx.clock());
    const { agent } = await loginAs(ctx.app, 'op@example.com');
    const page = await agent.get('/tools/pack-script').expect(200);
    const notice = /<p class="marker warn" id="lease">([^<]*)<\/p>/.exec(page.text)?.[1];
    expect(notice).toContain('Anna (by hand), since 09:00:00');
    expect(notice).toContain('runs out at 09:00:10');
  });
});

describe('the schedule', () => {
  afterEach(() => vi.useRealTimers());

  it('runs when the interval has passed, not before, and not when switched off', async () => {
    const db = makeDb();
    const clock = makeClock(new Date('2026-11-20T08:00:00Z'));
    const count = () => db.$client.prepare("SELECT count(*) FROM pack_runs WHERE trigger = 'cron'").pluck().get();
    await tick(deps(db, clock));
    expect(count()).toBe(1);
    clock.advance(5 * 60_000);
    await tick(deps(db, clock));
    expect(count()).toBe(1);
    clock.advance(10 * 60_000);
    await tick(deps(db, clock));
    expect(count()).toBe(2);
    putPackSettings(db, { enabled: false, intervalMinutes: 15, requireApproval: false }, clock(), 'test');
    clock.advance(60 * 60_000);
    await tick(deps(db, clock));
    expect(count()).toBe(2);
    putPackSettings(db, { enabled: true, intervalMinutes: 1, requireApproval: false }, clock(), 'test');
    await tick(deps(db, clock));
    expect(count()).toBe(3);
  });

  it('fires from node-cron under fake timers', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-20T08:00:30Z') });
    const { startPackSchedule } = await import('../../jobs/schedule.js');
    const db = makeDb();
    const task = startPackSchedule({ db, clock: () => new Date(), log: consoleLogger({ silent: true }) });
    await vi.advanceTimersByTimeAsync(61_000);
    await task.stop();
    vi.useRealTimers();
    // The run the schedule started finishes on real time.
    await expect.poll(() => db.$client.prepare("SELECT count(*) FROM pack_runs WHERE trigger = 'cron' AND status <> 'running'").pluck().get()).toBe(1);
    expect(db.$client.prepare("SELECT count(*) FROM pack_runs WHERE trigger = 'cron'").pluck().get()).toBe(1);
  });
});

describe('the lease', () => {
  it("a run that lost its lease writes no further batch: the renewal is part of each batch's transaction", async () => {
    const db = makeDb();
    buildProduct(db, { sku: 'A', onHand: 100 });
    for (let i = 0; i < 3; i++) buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    const result = await runPackScript(
      {
        ...deps(db),
        onProgress: (e) => {
          // Another process took the lease over after the first batch.
          if (e.type === 'batch' && e.done === 1) db.$client.prepare("UPDATE leases SET holder = 'another process'").run();
        },
      },
      { trigger: 'manual', dryRun: false, actor: SYSTEM, batchSize: 1 },
    );
    expect(result).toMatchObject({ status: 'failed', error: expect.stringContaining('lease was lost'), errorStep: 'writing:2-2' });
    expect(db.$client.prepare("SELECT count(*) FROM orders WHERE status = 'packing'").pluck().get()).toBe(1);
    expect(listSteps(db, result.id, { limit: 10 })).toHaveLength(1);
    invariants(db);
  });
});

describe('dry runs beside real runs', () => {
  it('a real run marks dead real runs interrupted, not a dry run going on at the same time', async () => {
    const db = makeDb();
    buildProduct(db, { sku: 'A', onHand: 100 });
    for (let i = 0; i < 5; i++) buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    db.insert(packRuns)
      .values({ trigger: 'cron', dryRun: false, status: 'running', startedBy: 'dead process', startedAt: new Date(0) })
      .run();
    const status = (id: number) => db.select({ status: packRuns.status }).from(packRuns).where(eq(packRuns.id, id)).get()!.status;
    let dryId = 0;
    let dryWhileReal = '';
    const real: Promise<unknown>[] = [];
    const dry = await runPackScript(
      {
        ...deps(db),
        onProgress: (e) => {
          if (e.type === 'created') dryId = e.runId;
          if (e.type !== 'batch' || real.length > 0) return;
          // The dry run has written its first batch; a real run starts now and takes the lease.
          const onProgress = (r: PackProgress) => {
            if (r.type === 'created') dryWhileReal = status(dryId);
          };
          real.push(runPackScript({ ...deps(db), onProgress }, { trigger: 'manual', dryRun: false, actor: SYSTEM }));
        },
      },
      { trigger: 'manual', dryRun: true, actor: SYSTEM, batchSize: 1 },
    );
    await Promise.all(real);
    expect(dryWhileReal).toBe('running');
    expect(dry.status).toBe('succeeded');
    expect(
      db
        .select({ status: packRuns.status })
        .from(packRuns)
        .orderBy(packRuns.id)
        .all()
        .map((r) => r.status),
    ).toEqual(['interrupted', 'succeeded', 'succeeded']);
  });
});

describe('API', () => {
  it('POST /pack-runs returns the run; GET lists and shows runs; pack-check explains one order', async () => {
    const ctx = makeApp();
    buildProduct(ctx.db, { sku: 'A', onHand: 1 });
    // Higher priority: it gets the single unit.
    const paid = buildOrder(ctx.db, { lines: [{ sku: 'A', quantity: 1 }], paid: true, body: { priority: 8 } });
    const second = buildPaidOrder(ctx.db, { lines: [{ sku: 'A', quantity: 1 }] });
    const dry = await api(ctx.app).post('/api/v1/pack-runs').send({ dryRun: true });
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({
      trigger: 'api',
      dryRun: true,
      status: 'succeeded',
      examined: 2,
      promoted: [paid.code],
      held: [{ code: second.code, reason: 'insufficient_stock', detail: 'A: needs 1, 0 available' }],
    });
    expect(json<PackRunDetailJson>(dry).startedAt).toBeTruthy();
    expect(json<PackRunDetailJson>(dry).finishedAt).toBeTruthy();
    const real = json<PackRunDetailJson>(await api(ctx.app).post('/api/v1/pack-runs').send({}));
    expect(real.promoted).toEqual([paid.code]);
    const list = await api(ctx.app).get('/api/v1/pack-runs');
    expect(json<{ packRuns: PackRunJson[] }>(list).packRuns.map((r) => r.id)).toEqual([real.id, json<PackRunJson>(dry).id]);
    expect(json<PackRunDetailJson>(await api(ctx.app).get(`/api/v1/pack-runs/${real.id}`)).promoted).toEqual([paid.code]);
    expect((await api(ctx.app).get('/api/v1/pack-runs/999')).status).toBe(404);
    expect((await api(ctx.app).post('/api/v1/pack-runs').send({ dryRun: 'yes' })).status).toBe(422);

    const check = await api(ctx.app).post(`/api/v1/orders/${second.code}/pack-check`);
    expect(check.body).toMatchObject({ code: second.code, promoted: false, reason: 'insufficient_stock', detail: 'A: needs 1, 0 available', status: 'order' });
    buildProduct(ctx.db, { sku: 'A', onHand: 5 });
    const again = await api(ctx.app).post(`/api/v1/orders/${second.code}/pack-check`);
    expect(again.body).toMatchObject({ promoted: true, status: 'packing' });
    const packed = await api(ctx.app).post(`/api/v1/orders/${paid.code}/pack-check`);
    expect(packed.body).toMatchObject({ promoted: false, reason: 'status_packing' });
    invariants(ctx.db);
  });
});

describe('across processes', () => {
  function fileDb(orders: number) {
    const path = join(tempDir('pack'), 'warehouse.db');
    const db = makeDb(path);
    for (let i = 0; i < 20; i++) buildProduct(db, { sku: `S${i}`, onHand: 30 });
    for (let i = 0; i < orders; i++) {
      buildPaidOrder(db, {
        lines: [
          { sku: `S${i % 20}`, quantity: 1 + (i % 3) },
          { sku: `S${(i * 7) % 20}`, quantity: 1 },
        ].filter((l, k, all) => all.findIndex((x) => x.sku === l.sku) === k),
      });
    }
    return { path, db };
  }
  // `signal` is the test's: a test that times out kills its processes before its temp folder goes,
  // so none of them starts late and makes the database file again.
  const cli = (signal: AbortSignal, path: string, args: string[] = []) =>
    run(process.execPath, ['--import', 'tsx', 'jobs/cli.ts', ...args], {
      env: { ...process.env, DATABASE_PATH: path, API_TOKEN },
      cwd: process.cwd(),
      signal,
      killSignal: 'SIGKILL',
    });

  it('the CLI prints the summary and exits 1 when another run holds the lease', async ({ signal }) => {
    const { path, db } = fileDb(10);
    const { stdout } = await cli(signal, path, ['--dry-run']);
    expect(stdout).toMatch(/Dry run \d+ finished: 10 examined, \d+ would promote, \d+ held/);
    acquireLease(db, 'pack_script', 'someone (manual)', new Date());
    await expect(cli(signal, path)).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('already running since') });
  });

  it('the CLI names every order it examined; a dry run says "would promote"', async ({ signal }) => {
    const path = join(tempDir('pack'), 'warehouse.db');
    const db = makeDb(path);
    const lines = (sku: string) => [{ sku: buildProduct(db, { sku, onHand: 5 }).sku, quantity: 1 }];
    const card = buildPaidOrder(db, { lines: lines('A') });
    const onHold = buildPaidOrder(db, { lines: lines('B') });
    db.$client.prepare('UPDATE orders SET waiting = 1 WHERE id = ?').run(onHold.id);
    const invoice = buildOrder(db, { lines: lines('C'), body: { paymentMethod: 'invoice' } });
    const unpaid = buildOrder(db, { lines: lines('D') });
    const stepLine = (stdout: string, code: string) =>
      stdout
        .split('\n')
        .find((l) => l.includes(` ${code} `))
        ?.replace(/^\s*\d+\. /, '');

    const dry = (await cli(signal, path, ['--dry-run'])).stdout;
    expect(dry).toMatch(/Dry run \d+ finished: 4 examined, 2 would promote, 2 held/);
    expect(dry).toContain('held, on hold: 1');
    expect(stepLine(dry, card.code)).toBe(`${card.code}  would promote · payment ✓ · A needs 1, 5 available ✓`);
    expect(stepLine(dry, onHold.code)).toBe(`${onHold.code}  held: on hold · payment ✓`);
    expect(stepLine(dry, invoice.code)).toBe(`${invoice.code}  would promote · pay later, no approval needed · C needs 1, 5 available ✓`);
    expect(stepLine(dry, unpaid.code)).toBe(`${unpaid.code}  held: not paid · payment ✗`);
    expect(dry).not.toMatch(/\bpromoted\b/);

    putPackSettings(db, { enabled: false, intervalMinutes: 15, requireApproval: true }, new Date(), 'test');
    const real = (await cli(signal, path, ['--language', 'sv'])).stdout;
    expect(stepLine(real, card.code)).toBe(`${card.code}  flyttad till Packning · betalning ✓ · A behöver 1, 5 tillgängliga ✓`);
    expect(stepLine(real, invoice.code)).toBe(`${invoice.code}  stoppad: väntar på godkännande · betalas senare, kräver godkännande`);
    expect(stepLine(real, onHold.code)).toBe(`${onHold.code}  stoppad: pausad · betalning ✓`);
    expect(reload(db, card.code).status).toBe('packing');
  });

  it('two processes running at once never allocate the same stock twice', async ({ signal }) => {
    const { path, db } = fileDb(300);
    const results = await Promise.allSettled([
      cli(signal, path, ['--batch-size', '10']),
      cli(signal, path, ['--batch-size', '10']),
      cli(signal, path, ['--batch-size', '10']),
    ]);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    // A process that did not run was refused by the lease, not by a crash.
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 1, stdout: expect.stringContaining('already running since') });
    invariants(db);
    expect(db.$client.prepare("SELECT count(*) FROM orders WHERE status = 'packing'").pluck().get()).toBeGreaterThan(0);
  });

  it('a run killed with SIGKILL leaves each order fully promoted or untouched, and shows as interrupted', async ({ signal }) => {
    const { path, db } = fileDb(400);
    const child = spawn(process.execPath, ['--import', 'tsx', 'jobs/cli.ts', '--batch-size', '5'], {
      env: { ...process.env, DATABASE_PATH: path },
      signal,
      killSignal: 'SIGKILL',
    });
    child.on('error', () => {}); // the abort of a timed-out test; the timeout is the failure reported
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        if (/\d+\/\d+ examined/.test(String(d))) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.on('exit', r));
    invariants(db);
    const packing = db.$client.prepare("SELECT count(*) FROM orders WHERE status = 'packing'").pluck().get() as number;
    expect(packing).toBeGreaterThan(0);
    expect(packing).toBeLessThan(400);
    // Every packing order has its promotion event; no order is half promoted.
    expect(
      db.$client
        .prepare(
          "SELECT count(*) FROM orders o WHERE status = 'packing' AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.type = 'status_changed')",
        )
        .pluck()
        .get(),
    ).toBe(0);
    expect(db.select({ status: packRuns.status }).from(packRuns).all()).toEqual([{ status: 'running' }]);
    // The lease of the dead process expires; the next run marks it interrupted.
    db.$client.prepare('UPDATE leases SET expires_at = 0').run();
    await cli(signal, path);
    expect(
      db
        .select({ status: packRuns.status })
        .from(packRuns)
        .all()
        .map((r) => r.status),
    ).toEqual(['interrupted', 'succeeded']);
    invariants(db);
  });

  /**
   * Blocks this thread (on purpose, no event loop) until the run's row leaves `running` or the
   * deadline passes: only a run on another thread can finish meanwhile.
   */
  function blockUntilFinished(db: ReturnType<typeof makeDb>, id: number, ms: number): string {
    const status = db.$client.prepare('SELECT status FROM pack_runs WHERE id = ?').pluck();
    const deadline = Date.now() + ms;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (status.get(id) === 'running' && Date.now() < deadline) Atomics.wait(pause, 0, 0, 10);
    return status.get(id) as string;
  }

  it('a manual run on a file database runs in a worker thread; the page follows it live and shows its result', async () => {
    const { db } = fileDb(400);
    const clock = makeClock();
    const config = testConfig();
    applyShopDefaults(db, config, clock());
    const hub = new PackRunHub();
    const events: PackProgress[] = [];
    const publish = hub.publish;
    let whileBlocked = '';
    hub.publish = (e) => {
      events.push(e);
      // The run has its record; this thread now does nothing until the run is done. It finishes all
      // the same, in the worker (on this thread it could not go on).
      if (e.type === 'created') whileBlocked = blockUntilFinished(db, e.runId, 20_000);
      publish(e);
    };
    const app = createApp(buildAppDeps({ db, config, clock, log: consoleLogger({ silent: true }), packHub: hub }));
    const user = await buildUser(db, 'operator');
    const { agent, submit } = await loginAs(app, user.email);
    const started = await submit('/tools/pack-script', '/tools/pack-script/runs', {});
    expect(started.status).toBe(303);
    const url = started.headers.location!;
    const id = Number(url.split('/').pop());
    expect(whileBlocked).toBe('succeeded');
    await until('the live view to hear the run finish', () => events.some((e) => e.type === 'finished'), 10_000);
    const packing = db.$client.prepare("SELECT code FROM orders WHERE status = 'packing' ORDER BY code").pluck().all() as string[];
    expect(packing.length).toBeGreaterThan(0);
    // Batches as the worker paced them (the login just now makes the server busy), then the result.
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['created', 'started']);
    expect(new Set(types.slice(2, -1))).toEqual(new Set(['batch']));
    expect(types.at(-1)).toBe('finished');
    expect(events[1]).toEqual({ type: 'started', runId: id, total: 400 });
    expect(events.at(-2)).toMatchObject({ type: 'batch', runId: id, done: 400, total: 400, promoted: packing.length, held: 400 - packing.length });
    const finished = events.at(-1) as Extract<PackProgress, { type: 'finished' }>;
    expect(finished.result).toMatchObject({ id, trigger: 'manual', status: 'succeeded', examined: 400 });
    expect(finished.result).toMatchObject({ promotedCount: packing.length, heldCount: 400 - packing.length });
    expect(finished.result).not.toHaveProperty('promoted');
    // The page's live feed: the state the hub kept, then the finished run.
    const cookie = (await agent.get('/tools/pack-script')).request.cookies;
    const feed = await request(app).get(`${url}/events`).set('Cookie', cookie);
    expect(feed.text).toMatch(/event: state\ndata: \{[^\n]*"total":400,"done":400/);
    expect(feed.text).toMatch(/event: finished\ndata: \{[^\n]*"status":"succeeded"/);
    expect((await agent.get(url)).text).toContain(packing[0]);
    expect(db.select().from(leases).all()).toEqual([]);
    invariants(db);
  }, 60_000);

  it('a run in the worker leaves its writes copied into the database file when it ends, not only in the WAL', async () => {
    const { path, db } = fileDb(400);
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
    const result = await runPackRun(deps(db), { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(result.status).toBe('succeeded');
    expect(result.promotedCount).toBeGreaterThan(0);
    // The database file alone (as a copy of it without its -wal holds it) has the run's promotions.
    const copy = join(tempDir('pack-copy'), 'file-only.db');
    copyFileSync(path, copy);
    const fileOnly = makeDb(copy);
    try {
      expect(fileOnly.$client.prepare("SELECT count(*) FROM orders WHERE status = 'packing'").pluck().get()).toBe(result.promotedCount);
      expect(fileOnly.$client.prepare('SELECT status, promoted FROM pack_runs WHERE id = ?').get(result.id)).toEqual({
        status: 'succeeded',
        promoted: result.promotedCount,
      });
    } finally {
      fileOnly.$client.close();
    }
    invariants(db);
  }, 60_000);

  it('a worker that dies marks its run failed at the step it was at, tells the live view, and the next run starts a new one', async () => {
    const path = join(tempDir('pack'), 'warehouse.db');
    const db = makeDb(path);
    fill(db, { products: 500, orders: 20_000, linesPerOrder: 2, statuses: [['order', 1]], onHand: [0, 40], unpaidShare: 0.1 });
    const events: PackProgress[] = [];
    const running = runPackRun(
      {
        ...deps(db),
        onProgress: (e) => {
          events.push(e);
          // The first batch is written; nineteen are to come.
          if (e.type === 'batch' && events.filter((x) => x.type === 'batch').length === 1) void stopPackWorker();
        },
      },
      { trigger: 'manual', dryRun: false, actor: SYSTEM, batchSize: 1000 },
    );
    const result = await running;
    expect(result).toMatchObject({
      status: 'failed',
      error: expect.stringContaining("pack script's worker stopped"),
      errorStep: expect.stringMatching(/^writing:\d+-\d+$/),
    });
    const row = db.select().from(packRuns).where(eq(packRuns.id, result.id)).get()!;
    expect(row).toMatchObject({ status: 'failed', errorStep: result.errorStep, error: result.error });
    expect(events.at(-1)).toEqual({ type: 'failed', runId: result.id, error: result.error, step: result.errorStep });
    // Each order fully promoted or untouched: the counters agree with the orders (the generated data
    // has no ledger or status events of its own to check).
    const counters = () => {
      const all = invariantViolations(db);
      return Object.fromEntries(
        ['reserved = unshipped quantity on order and packing orders', 'allocated = unshipped quantity on packing orders'].flatMap((k) =>
          all[k] ? [[k, all[k]]] : [],
        ),
      );
    };
    expect(counters()).toEqual({});
    const promoted = db.$client.prepare("SELECT count(*) FROM orders WHERE status = 'packing'").pluck();
    expect(promoted.get()).toBeGreaterThan(0);
    expect(
      db.$client
        .prepare(
          "SELECT count(*) FROM orders o WHERE status = 'packing' AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.type = 'status_changed')",
        )
        .pluck()
        .get(),
    ).toBe(0);
    // The dead worker's lease expires (LEASE_TTL_MS); the next run gets a new worker.
    db.$client.prepare('UPDATE leases SET expires_at = 0').run();
    const before = promoted.get() as number;
    const next = await runPackRun(deps(db), { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(next.status).toBe('succeeded');
    expect(promoted.get()).toBe(before + next.promotedCount);
    expect(counters()).toEqual({});
  }, 60_000);

  it('POST /pack-runs on a database file answers with the run as GET /pack-runs/:id shows it (its lists made in the worker)', async () => {
    const { db } = fileDb(300);
    const { app } = makeApp({ db });
    for (const dryRun of [true, false]) {
      const posted = await api(app).post('/api/v1/pack-runs').send({ dryRun });
      expect(posted.status).toBe(201);
      const run = json<PackRunDetailJson>(posted);
      expect(run).toMatchObject({ dryRun, status: 'succeeded', examined: dryRun ? 300 : expect.any(Number), detailsKept: true });
      expect(run.held.some((h) => h.reason === 'insufficient_stock' && h.sku !== undefined)).toBe(true);
      expect(run.promoted.length).toBe(run.promotedCount);
      expect(run).toEqual(json<PackRunDetailJson>(await api(app).get(`/api/v1/pack-runs/${run.id}`)));
    }
    invariants(db);
  }, 60_000);

  it('a run asked for while the worker is being stopped goes to a new worker, not to the one that is ending', async () => {
    const { db } = fileDb(50);
    expect((await runPackRun(deps(db), { trigger: 'manual', dryRun: true, actor: SYSTEM })).status).toBe('succeeded');
    const stopping = stopPackWorker();
    const next = await runPackRun(deps(db), { trigger: 'manual', dryRun: false, actor: SYSTEM });
    await stopping;
    expect(next).toMatchObject({ status: 'succeeded', examined: 50 });
    invariants(db);
  }, 60_000);

  it("a stopped worker's end fails its own run only: a run started meanwhile in the next worker finishes", async () => {
    const path = join(tempDir('pack'), 'warehouse.db');
    const db = makeDb(path);
    fill(db, { products: 500, orders: 20_000, linesPerOrder: 2, statuses: [['order', 1]], onHand: [0, 40], unpaidShare: 0.1 });
    let second: Promise<Awaited<ReturnType<typeof runPackRun>>> | null = null;
    const first = runPackRun(
      {
        ...deps(db),
        onProgress: (e) => {
          if (e.type !== 'batch' || second) return;
          // The first worker is told to stop; a dry run (no lease to wait for) starts at once, in a new one.
          void stopPackWorker();
          second = runPackRun(deps(db), { trigger: 'manual', dryRun: true, actor: SYSTEM });
        },
      },
      { trigger: 'manual', dryRun: false, actor: SYSTEM, batchSize: 1000 },
    );
    expect(await first).toMatchObject({ status: 'failed', error: expect.stringContaining("pack script's worker stopped") });
    await until('the second run to start', () => second !== null, 10_000);
    expect(await second!).toMatchObject({ status: 'succeeded', dryRun: true });
  }, 60_000);

  it('the worker writes in short batches with pauses while the server answers requests, and in full batches when it is idle', async () => {
    const { db } = fileDb(400);
    const { app } = makeApp({ db });
    const batches = (runId: number) =>
      db.$client.prepare('SELECT count FROM pack_run_batches WHERE run_id = ? ORDER BY first_index').pluck().all(runId) as number[];
    let busy = true;
    const traffic = (async () => {
      while (busy) await request(app).get('/healthz');
    })();
    await until('the server to answer', () => msSinceLastRequest() < 100, 10_000);
    const during = await runPackRun(deps(db), { trigger: 'manual', dryRun: false, actor: SYSTEM });
    busy = false;
    await traffic;
    expect(during.status).toBe('succeeded');
    const sizes = batches(during.id);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(400);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(200);
    // Nobody has asked anything for a second: the held orders are looked at again in one batch.
    await until('a second without requests', () => msSinceLastRequest() > 1000, 10_000);
    const idle = await runPackRun(deps(db), { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(batches(idle.id)).toEqual([idle.examined]);
    invariants(db);
  }, 60_000);
});
