import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { loginAs, makeDb } from '../helpers.js';
import { invariantViolations } from '../invariants.js';
import { json, type ReportJson } from '../json.js';
import { tempDir } from '../temp.js';
import { apiClient, killAllChildren, seededRandom, startServer, stressSeconds } from './harness.js';

/**
 * Stock counts are deltas: a counted line keeps on hand when it was counted, and finishing writes
 * counted − that figure, so that what moved between counting and finishing stays. Two real server
 * processes on one SQLite file take, at the same time: goods in booked through the pages, parcels
 * and Report in over the API (shipments), and counts of the same bins through the pages of both
 * servers (scans, re-scans, finishing). The invariants are checked on a snapshot every round and
 * at rest, and every movement is accounted for, per product, from the answers the clients got:
 * on hand = initial + booked in − shipped + Σ(counted − on hand at count) of the finished counts.
 */
const SKUS = ['BIN-1A', 'BIN-1B', 'BIN-2A', 'BIN-2B'];
const INITIAL = 300;

describe('goods in, shipments and counts of the same bins from two server processes', () => {
  const dir = tempDir('stress-counts');
  let db: Db | undefined;
  afterAll(async () => {
    await killAllChildren();
    db?.$client.close();
  });

  it(
    'loses no movement: final on hand = initial + goods in − shipped + Σ(counted − on hand at count)',
    async () => {
      const seconds = stressSeconds(10);
      const random = seededRandom();
      const path = join(dir, 'warehouse.db');
      db = makeDb(path);
      const users = [await buildUser(db, 'operator'), await buildUser(db, 'operator'), await buildUser(db, 'admin')];
      SKUS.forEach((sku, i) => buildProduct(db!, { sku, onHand: INITIAL, location: `B-0${1 + (i >> 1)}-${i % 2}` }));
      const packing: string[] = [];
      for (let i = 0; i < 240; i++) {
        const lines = [...SKUS]
          .sort(() => random.next() - 0.5)
          .slice(0, random.int(1, 2))
          .map((sku) => ({ sku, quantity: random.int(1, 2) }));
        packing.push(buildPackingOrder(db, { lines }).code);
      }

      const servers = await Promise.all([startServer(path), startServer(path)]);
      const clients = servers.map((s) => apiClient(s.url));
      // Operators on either server; the pages of both book goods in and count.
      const sessions = await Promise.all([
        loginAs(servers[0].url, users[0]!.email),
        loginAs(servers[1].url, users[1]!.email),
        loginAs(servers[1].url, users[2]!.email),
      ]);
      const goodsIns = await Promise.all(
        sessions.slice(0, 2).map(async (s, i) => {
          const res = await s.submit('/tools/stock', '/tools/stock/goods-in', { reference: `DN-COUNT-${i}` });
          expect(res.status).toBe(303);
          return res.headers.location!;
        }),
      );

      const bookedIn = new Map<string, number>(SKUS.map((s) => [s, 0]));
      const shipped = new Map<string, number>(SKUS.map((s) => [s, 0]));
      const statuses: { what: string; status: number }[] = [];
      const reportFailures: unknown[] = [];
      const finishedCounts: number[] = [];
      const broken: Record<string, unknown[]>[] = [];
      const onHandNow = (sku: string) => db!.$client.prepare('SELECT on_hand FROM products WHERE sku = ?').pluck().get(sku) as number;
      const tally = { goodsIn: 0, reported: 0, scans: 0, rescans: 0, counts: 0, discarded: 0 };
      const deadline = Date.now() + seconds * 1000;

      /** Goods in on one server's pages: the units are booked when the answer is a redirect. */
      const goodsInWorker = async (w: number) => {
        const { submit } = sessions[w]!;
        while (Date.now() < deadline) {
          const sku = random.pick(SKUS);
          const quantity = random.int(1, 5);
          const res = await submit(goodsIns[w]!, `${goodsIns[w]}/items`, { code: sku, quantity: String(quantity), source: 'scanner' });
          statuses.push({ what: 'goods in', status: res.status });
          if (res.status === 303) {
            bookedIn.set(sku, bookedIn.get(sku)! + quantity);
            tally.goodsIn++;
          }
        }
      };

      /** A packer adds a parcel to an order on one server and reports it in on either. */
      const shipWorker = async (w: number) => {
        let n = 0;
        while (Date.now() < deadline && packing.length > 0) {
          const code = packing.shift()!;
          const parcel = await clients[(w + n) % 2]!.post(`/orders/${code}/parcels`, { parcelId: `CNT${w}X${++n}X${code}`, source: 'scanner' });
          statuses.push({ what: 'add parcel', status: parcel.status });
          const reply = await clients[(w + n + random.int(0, 1)) % 2]!.post('/deliveries/report', { orders: [code] });
          statuses.push({ what: 'report in', status: reply.status });
          if (reply.status !== 200) continue;
          const report = json<ReportJson>(reply);
          for (const delivery of report.reported) {
            tally.reported++;
            for (const line of delivery.lines) shipped.set(line.sku, shipped.get(line.sku)! + line.quantity);
          }
          reportFailures.push(...report.failed);
        }
      };

      /**
       * A count of a bin on one server's pages: items scanned with a figure near what is on hand
       * (some scanned twice, the later replacing the earlier), goods in and shipments going on all the
       * while, then finished (or now and then discarded).
       */
      const countWorker = async (w: number) => {
        const { submit } = sessions[w]!;
        while (Date.now() < deadline) {
          const bin = random.pick(['B-01', 'B-02', 'B-0', '']);
          const started = await submit('/tools/stock', '/tools/stock/counts', { location: bin });
          statuses.push({ what: 'start count', status: started.status });
          if (started.status !== 303) continue;
          const count = started.headers.location!;
          let last: string | undefined;
          for (let i = random.int(1, 4); i > 0; i--) {
            // Now and then the same item again: the later figure (and on hand then) replaces the earlier.
            const again = last !== undefined && random.chance(0.3);
            const sku = again ? last! : random.pick(SKUS);
            last = sku;
            if (again) tally.rescans++;
            const counted = Math.max(0, onHandNow(sku) + random.int(-4, 4));
            const res = await submit(count, `${count}/items`, { code: sku, counted: String(counted), source: 'scanner' });
            statuses.push({ what: 'count item', status: res.status });
            tally.scans++;
          }
          if (random.chance(0.1)) {
            const res = await submit(count, `${count}/discard`, {});
            statuses.push({ what: 'discard count', status: res.status });
            tally.discarded++;
            continue;
          }
          const res = await submit(count, `${count}/finish`, {});
          statuses.push({ what: 'finish count', status: res.status });
          if (res.status === 303) {
            finishedCounts.push(Number(count.split('/').pop()));
            tally.counts++;
          }
        }
      };

      const checker = (async () => {
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 1000));
          const v = invariantViolations(db, { allocatedWithinOnHand: false });
          if (Object.keys(v).length) broken.push(v);
        }
      })();
      await Promise.all([goodsInWorker(0), goodsInWorker(1), shipWorker(0), shipWorker(1), countWorker(0), countWorker(1), countWorker(2), checker]);

      // Every answer is in: account for every movement, product by product.
      const countDeltas = new Map<string, number>(SKUS.map((s) => [s, 0]));
      if (finishedCounts.length) {
        const rows = db.$client
          .prepare(
            `SELECT p.sku, sum(l.counted - l.on_hand_at_count) AS delta FROM stock_count_lines l JOIN products p ON p.id = l.product_id WHERE l.count_id IN (${finishedCounts.join(',')}) GROUP BY p.sku`,
          )
          .all() as { sku: string; delta: number }[];
        for (const r of rows) countDeltas.set(r.sku, r.delta);
      }
      const summary = `counts stress (seed ${random.seed}, ${seconds} s, 2 servers): ${JSON.stringify(tally)}; booked ${JSON.stringify([...bookedIn])}; shipped ${JSON.stringify([...shipped])}; counted Δ ${JSON.stringify([...countDeltas])}; report failures ${reportFailures.length}`;
      console.log(summary);
      expect(
        statuses.filter((s) => s.status >= 500),
        '5xx answers',
      ).toEqual([]);
      // Pages answer with a redirect; parcels and Report in are accepted (an order is shipped once, by one worker).
      const wanted = (what: string) => (what === 'add parcel' ? 201 : what === 'report in' ? 200 : 303);
      expect(
        statuses.filter((s) => s.status !== wanted(s.what)),
        'refused steps',
      ).toEqual([]);
      expect(reportFailures, 'orders Report in refused').toEqual([]);
      expect(broken, 'invariants while the servers ran').toEqual([]);
      expect(invariantViolations(db, { allocatedWithinOnHand: false }), 'invariants at rest').toEqual({});
      for (const sku of SKUS) {
        const expected = INITIAL + bookedIn.get(sku)! - shipped.get(sku)! + countDeltas.get(sku)!;
        expect({ sku, onHand: onHandNow(sku) }, summary).toEqual({ sku, onHand: expected });
      }
      // The ledger holds each movement once: goods in as booked, shipments as reported, counts as finished.
      const ledger = (reason: string) => db!.$client.prepare('SELECT coalesce(sum(delta), 0) FROM stock_ledger WHERE reason = ?').pluck().get(reason) as number;
      const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      expect(ledger('goods_in')).toBe(total(bookedIn));
      expect(ledger('shipment')).toBe(-total(shipped));
      // Open or discarded counts wrote nothing; the initial on hand came in as each product's first count.
      expect(ledger('stock_count')).toBe(INITIAL * SKUS.length + total(countDeltas));
      expect(tally.counts).toBeGreaterThan(0);
      expect(tally.reported).toBeGreaterThan(0);
      expect(tally.goodsIn).toBeGreaterThan(0);
    },
    stressSeconds(10) * 1000 + 90_000,
  );
});
