import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { buildOrder, buildProduct, buildUser } from '../builders.js';
import { loginAs, makeDb } from '../helpers.js';
import { invariantViolations } from '../invariants.js';
import { tempDir } from '../temp.js';
import { apiClient, killAllChildren, seededRandom, startServer, stressSeconds } from './harness.js';

/**
 * The real server, its pack runs in their worker thread with their own connection, while goods in
 * and stock counts are booked through the pages of the same server: the stock invariants hold on a
 * snapshot after every round and when it is over.
 */
describe('goods in and stock counts during pack runs, in the real server', () => {
  const dir = tempDir('stress-stock');
  let db: Db | undefined;
  afterAll(async () => {
    await killAllChildren();
    db?.$client.close();
  });

  it('keeps every stock invariant', async () => {
    const seconds = stressSeconds(8);
    const random = seededRandom();
    const path = join(dir, 'warehouse.db');
    db = makeDb(path);
    const op = await buildUser(db, 'operator');
    const skus = ['S1', 'S2', 'S3', 'S4'];
    for (const sku of skus) buildProduct(db, { sku, onHand: 2 });
    for (let i = 0; i < 600; i++) buildOrder(db, { lines: [{ sku: random.pick(skus), quantity: 1 + random.int(0, 2) }], paid: true });

    const server = await startServer(path);
    const client = apiClient(server.url);
    const { submit } = await loginAs(server.url, op.email);
    const started = await submit('/tools/stock', '/tools/stock/goods-in', { reference: 'DN-STRESS' });
    const goodsIn = started.headers.location!;
    const broken: Record<string, unknown[]>[] = [];
    const statuses: number[] = [];
    let booked = 0;
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      const run = client.post('/pack-runs', {});
      // While the run is on, book units in and finish a count that finds one more than is on hand.
      for (let i = 0; i < 5; i++) {
        const quantity = 1 + random.int(0, 4);
        const res = await submit(goodsIn, `${goodsIn}/items`, { code: random.pick(skus), quantity: String(quantity) });
        statuses.push(res.status);
        if (res.status === 303) booked += quantity;
      }
      const count = (await submit('/tools/stock', '/tools/stock/counts', {})).headers.location!;
      const sku = random.pick(skus);
      const onHand = db.$client.prepare('SELECT on_hand FROM products WHERE sku = ?').pluck().get(sku) as number;
      statuses.push((await submit(count, `${count}/items`, { code: sku, counted: String(onHand + 1) })).status);
      statuses.push((await submit(count, `${count}/finish`, {})).status);
      const reply = await run;
      expect([201, 409]).toContain(reply.status);
      const violations = invariantViolations(db);
      if (Object.keys(violations).length) broken.push(violations);
    }
    expect(broken).toEqual([]);
    expect(statuses.every((s) => s === 303)).toBe(true);
    expect(db.$client.prepare("SELECT sum(delta) FROM stock_ledger WHERE reason = 'goods_in'").pluck().get()).toBe(booked);
    expect(db.$client.prepare("SELECT count(*) FROM orders WHERE status = 'packing'").pluck().get()).toBeGreaterThan(0);
    expect(invariantViolations(db)).toEqual({});
  }, 120_000);
});
