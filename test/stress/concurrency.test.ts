import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { buildOrder, buildProduct, buildUser } from '../builders.js';
import { makeDb } from '../helpers.js';
import { invariantViolations } from '../invariants.js';
import { json, type OrderJson } from '../json.js';
import { tempDir } from '../temp.js';
import { apiClient, killAllChildren, seededRandom, startServer, stressSeconds, type ApiClient, type ApiReply, type Random } from './harness.js';

/**
 * Two real server processes on one SQLite file, answering random API traffic at the same time:
 * pack runs, new orders, payments, line edits, cancels and reopens, parcels (some IDs sent to both
 * servers at once), partial quantities and Report in. The invariants are checked on a snapshot
 * every second while the traffic runs and once more when it has stopped.
 */

/** Refusals a request may meet in this traffic: the rules saying no, or the other process having moved first. */
const EXPECTED_REFUSALS = new Set([
  'pack_run_in_progress',
  'already_paid',
  'illegal_status_move',
  'order_not_editable',
  'insufficient_stock',
  'line_partly_shipped',
  'last_line',
  'line_not_found',
  'order_not_packing',
  'too_many_parcels',
  'parcel_in_use',
  'parcel_not_found',
  'validation_failed',
  // SQLITE_BUSY after the busy timeout: "the database is busy, try again" (docs/api.md § Errors).
  'conflict',
]);

const SKUS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

interface Tally {
  operations: number;
  byOperation: Record<string, number>;
  refusals: Record<string, number>;
  serverErrors: { op: string; status: number; body: unknown }[];
  unexpected: { op: string; status: number; body: unknown }[];
}

describe('two server processes on one database under random traffic', () => {
  const dir = tempDir('stress-conc');
  let db: Db | undefined;
  afterAll(async () => {
    await killAllChildren();
    db?.$client.close();
  });

  it(
    'keeps every invariant and answers no request with a 5xx',
    async () => {
      const seconds = stressSeconds(12);
      const random = seededRandom();
      const path = join(dir, 'warehouse.db');
      db = makeDb(path);
      // An admin exists, so neither server makes the first one while the other does.
      await buildUser(db, 'admin');
      for (const sku of SKUS) buildProduct(db, { sku, onHand: 25 });
      const codes: string[] = [];
      for (let i = 0; i < 40; i++) codes.push(buildOrder(db, { lines: randomLines(random), paid: random.chance(0.8) }).code);

      const servers = await Promise.all([startServer(path), startServer(path)]);
      const clients = servers.map((s) => apiClient(s.url));
      const tally: Tally = { operations: 0, byOperation: {}, refusals: {}, serverErrors: [], unexpected: [] };
      const parcels: string[] = [];
      const checks: Record<string, unknown[]>[] = [];
      let checksRun = 0;

      const deadline = Date.now() + seconds * 1000;
      const checker = (async () => {
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 1000));
          checksRun++;
          const broken = invariantViolations(db);
          if (Object.keys(broken).length) checks.push(broken);
        }
      })();
      const workers = Array.from({ length: 6 }, (_, w) =>
        (async () => {
          let n = 0;
          while (Date.now() < deadline) {
            // Each worker alternates between the two processes, so neighbouring requests race across them.
            const api = clients[(w + n++) % clients.length]!;
            await step(api, random, codes, parcels, w, n, tally);
          }
        })(),
      );
      await Promise.all([...workers, checker]);

      // Traffic has stopped and every answer is in: the file is at rest.
      const final = invariantViolations(db);
      const summary = `concurrency (seed ${random.seed}, ${seconds} s, 2 servers): ${tally.operations} operations ${JSON.stringify(tally.byOperation)}; refusals ${JSON.stringify(tally.refusals)}; 5xx ${tally.serverErrors.length}; invariant checks ${checksRun + 1}, failed ${checks.length + (Object.keys(final).length ? 1 : 0)}`;
      console.log(summary);
      expect(tally.serverErrors, '5xx answers').toEqual([]);
      expect(tally.unexpected, 'refusals no rule explains').toEqual([]);
      expect(checks, 'invariants while the servers ran').toEqual([]);
      expect(final, 'invariants at rest').toEqual({});
      const statuses = db.$client.prepare('SELECT status, count(*) AS n FROM orders GROUP BY status').all() as { status: string; n: number }[];
      const reached = new Set(statuses.map((s) => s.status));
      // The traffic did reach every corner it is meant to exercise.
      expect([...reached].sort()).toEqual(expect.arrayContaining(['cancelled', 'packing', 'shipped']));
      expect(tally.byOperation.report ?? 0).toBeGreaterThan(0);
    },
    stressSeconds(12) * 1000 + 90_000,
  );
});

function randomLines(random: Random) {
  const skus = [...SKUS].sort(() => random.next() - 0.5).slice(0, random.int(1, 3));
  return skus.map((sku) => ({ sku, quantity: random.int(1, 3) }));
}

function record(tally: Tally, op: string, reply: ApiReply, ok: number[]) {
  tally.operations++;
  tally.byOperation[op] = (tally.byOperation[op] ?? 0) + 1;
  if (ok.includes(reply.status)) return;
  if (reply.status >= 500) {
    tally.serverErrors.push({ op, status: reply.status, body: reply.body });
    return;
  }
  const code = (reply.body as { error?: { code?: string } } | null)?.error?.code ?? `http_${reply.status}`;
  tally.refusals[code] = (tally.refusals[code] ?? 0) + 1;
  if (!EXPECTED_REFUSALS.has(code)) tally.unexpected.push({ op, status: reply.status, body: reply.body });
}

/** One random operation against one server, as a shop, an operator or a packer would send it. */
async function step(api: ApiClient, random: Random, codes: string[], parcels: string[], worker: number, n: number, tally: Tally) {
  const code = random.pick(codes);
  const roll = random.next();
  if (roll < 0.07) {
    record(tally, 'packRun', await api.post('/pack-runs', {}), [201]);
  } else if (roll < 0.15) {
    const reply = await api.post('/orders', {
      lines: randomLines(random),
      customer: {
        name: 'Stina Stress',
        email: `stress${worker}-${n}@example.com`,
        address: { line1: 'Gatan 1', postalCode: '111 22', city: 'Stockholm', country: 'SE' },
      },
      paymentMethod: 'card',
      paid: random.chance(0.7),
    });
    record(tally, 'createOrder', reply, [201]);
    if (reply.status === 201) codes.push(json<OrderJson>(reply).code);
  } else if (roll < 0.22) {
    record(tally, 'payment', await api.post(`/orders/${code}/payments`, {}), [200]);
  } else if (roll < 0.42) {
    const order = await api.get(`/orders/${code}`);
    record(tally, 'getOrder', order, [200]);
    if (order.status !== 200) return;
    const line = random.pick(json<OrderJson>(order).lines);
    const edit = random.int(0, 2);
    if (edit === 0) record(tally, 'lineIncrease', await api.post(`/orders/${code}/lines`, { sku: random.pick(SKUS), quantity: random.int(1, 2) }), [201]);
    else if (edit === 1)
      record(tally, 'lineDecrease', await api.patch(`/orders/${code}/lines/${line.id}`, { quantity: Math.max(1, line.quantity - 1) }), [200]);
    else record(tally, 'lineRemove', await api.delete(`/orders/${code}/lines/${line.id}`), [200]);
  } else if (roll < 0.5) {
    const to = random.pick(['cancelled', 'order', 'order']);
    record(tally, to === 'cancelled' ? 'cancel' : 'reopenOrUnpack', await api.post(`/orders/${code}/status`, { status: to, notifyCustomer: false }), [200]);
  } else if (roll < 0.75) {
    // Some IDs are ones already used (maybe this very moment on the other server): they must be refused.
    const reuse = parcels.length > 0 && random.chance(0.25);
    const parcelId = reuse ? random.pick(parcels) : `ST${worker}X${n}X${random.int(0, 1e6)}`;
    const reply = await api.post(`/orders/${code}/parcels`, { parcelId, source: 'scanner' });
    record(tally, 'addParcel', reply, [201]);
    if (!reuse) parcels.push(parcelId);
  } else if (roll < 0.8) {
    const order = await api.get(`/orders/${code}`);
    record(tally, 'getOrder', order, [200]);
    if (order.status !== 200) return;
    const lines = json<OrderJson>(order).lines.map((l) => ({ sku: l.sku, quantity: Math.min(l.remainingQuantity, 1) }));
    record(tally, 'partialQuantities', await api.put(`/orders/${code}/delivery-lines`, { lines }), [200]);
  } else if (roll < 0.93) {
    record(tally, 'report', await api.post('/deliveries/report', { orders: [code] }), [200]);
  } else {
    // Report in of every open delivery, both servers' work together.
    record(tally, 'report', await api.post('/deliveries/report', {}), [200]);
  }
}
