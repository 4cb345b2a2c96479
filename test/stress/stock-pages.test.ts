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
 * and stock counts are booked through the pages of the same server and, at the same time, an
 * integration ships packing orders, registers returns (restocked and written off) and edits order
 * lines over the API: the stock invariants hold on a snapshot after every round and when it is over.
 */
describe('goods in, stock counts, shipments, returns and line edits during pack runs, in the real server', () => {
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
    let counts = 0;
    const apiStatuses: Record<string, number[]> = { ship: [], return: [], edit: [] };
    let parcel = 0;
    const pickCode = (sql: string) => db!.$client.prepare(sql).pluck().get() as string | undefined;
    const pickLine = () =>
      db!.$client
        .prepare(
          "SELECT o.code, l.id, l.quantity, l.shipped_quantity AS shipped FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status IN ('order', 'packing') ORDER BY random() LIMIT 1",
        )
        .get() as { code: string; id: number; quantity: number; shipped: number } | undefined;

    /**
     * Book units in, then count one more than is on hand and, before finishing, book more of it in:
     * finishing adds the count's difference and keeps what came in (and what shipped) meanwhile.
     */
    const stockWork = async () => {
      for (let i = 0; i < 5; i++) {
        const quantity = 1 + random.int(0, 4);
        const res = await submit(goodsIn, `${goodsIn}/items`, { code: random.pick(skus), quantity: String(quantity) });
        statuses.push(res.status);
        if (res.status === 303) booked += quantity;
      }
      const count = (await submit('/tools/stock', '/tools/stock/counts', {})).headers.location!;
      const sku = random.pick(skus);
      const onHand = db!.$client.prepare('SELECT on_hand FROM products WHERE sku = ?').pluck().get(sku) as number;
      statuses.push((await submit(count, `${count}/items`, { code: sku, counted: String(onHand + 1) })).status);
      const meanwhile = await submit(goodsIn, `${goodsIn}/items`, { code: sku, quantity: '2' });
      statuses.push(meanwhile.status);
      if (meanwhile.status === 303) booked += 2;
      statuses.push((await submit(count, `${count}/finish`, {})).status);
      counts++;
    };
    /** An integration ships packing orders, takes returns back and edits lines, all over the API. */
    const integrationWork = async () => {
      for (let i = 0; i < 3; i++) {
        const packing = pickCode("SELECT code FROM orders WHERE status = 'packing' ORDER BY random() LIMIT 1");
        if (packing) apiStatuses.ship!.push((await client.post(`/orders/${packing}/deliveries`, { parcels: [`STRESS-${++parcel}`] })).status);
        const shipped = db!.$client
          .prepare(
            "SELECT o.code, p.sku FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.id = l.product_id WHERE o.status = 'shipped' ORDER BY random() LIMIT 1",
          )
          .get() as { code: string; sku: string } | undefined;
        if (shipped) {
          const line = random.chance(0.5)
            ? { sku: shipped.sku, quantity: 1, disposition: 'restock' }
            : { sku: shipped.sku, quantity: 1, disposition: 'write_off', reason: 'damaged' };
          apiStatuses.return!.push((await client.post(`/orders/${shipped.code}/returns`, { lines: [line] })).status);
        }
        const line = pickLine();
        if (line) {
          const quantity = Math.max(line.shipped, 1, line.quantity + (random.chance(0.5) ? 1 : -1));
          apiStatuses.edit!.push((await client.patch(`/orders/${line.code}/lines/${line.id}`, { quantity })).status);
        }
      }
    };

    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      const [reply] = await Promise.all([client.post('/pack-runs', {}), stockWork(), integrationWork()]);
      expect([201, 409]).toContain(reply.status);
      const violations = invariantViolations(db);
      if (Object.keys(violations).length) broken.push(violations);
    }
    expect(broken).toEqual([]);
    expect(statuses.every((s) => s === 303)).toBe(true);
    // Shipments and returns succeed or are refused for a reason (the order shipped meanwhile, nothing
    // left to return); an edit is refused only for stock or a line that shipped meanwhile. Never a 5xx.
    expect(
      apiStatuses.ship!.every((s) => s === 201 || s === 409),
      `ship ${apiStatuses.ship!.join(',')}`,
    ).toBe(true);
    expect(
      apiStatuses.return!.every((s) => s === 201 || s === 409 || s === 422),
      `return ${apiStatuses.return!.join(',')}`,
    ).toBe(true);
    expect(
      apiStatuses.edit!.every((s) => s === 200 || s === 404 || s === 409 || s === 422),
      `edit ${apiStatuses.edit!.join(',')}`,
    ).toBe(true);
    expect(apiStatuses.ship!.filter((s) => s === 201).length).toBeGreaterThan(0);
    expect(apiStatuses.return!.filter((s) => s === 201).length).toBeGreaterThan(0);
    expect(apiStatuses.edit!.filter((s) => s === 200).length).toBeGreaterThan(0);
    const ledger = (reason: string) => db!.$client.prepare('SELECT coalesce(sum(delta), 0) FROM stock_ledger WHERE reason = ?').pluck().get(reason) as number;
    expect(ledger('goods_in')).toBe(booked);
    // Each count wrote counted − on hand when counted (the invariants check it line by line), never
    // the goods-in booked between counting and finishing.
    expect(counts).toBeGreaterThan(0);
    const counted = db.$client.prepare('SELECT coalesce(sum(counted - on_hand_at_count), 0) FROM stock_count_lines').pluck().get() as number;
    expect(db.$client.prepare("SELECT coalesce(sum(delta), 0) FROM stock_ledger WHERE reason = 'stock_count' AND note LIKE 'count #%'").pluck().get()).toBe(
      counted,
    );
    // Every restocked unit is back on hand through the ledger; a written-off one never is.
    const restocked = db.$client.prepare("SELECT coalesce(sum(quantity), 0) FROM return_lines WHERE disposition = 'restock'").pluck().get() as number;
    expect(ledger('return')).toBe(restocked);
    expect(db.$client.prepare("SELECT count(*) FROM orders WHERE status = 'packing'").pluck().get()).toBeGreaterThan(0);
    expect(invariantViolations(db)).toEqual({});
  }, 120_000);
});
