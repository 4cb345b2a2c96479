import { afterAll, describe, expect, it } from 'vitest';
import { addParcel } from '../../src/shipping/drafts.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { expectInvariants } from '../invariants.js';
import { json, type ReportJson } from '../json.js';
import { apiClient, killAllChildren, seededRandom, startServer, stressKills, tempDatabase } from './harness.js';
import { until } from '../wait.js';

/**
 * kill -9 of a server while a burst of Report in requests is in flight. After every crash each
 * delivery is reported in full (parcels, units off the shelf, events) or still a draft, every
 * answered Report in is on disk, and after a restart Report in reports what was left, once.
 */

const random = seededRandom();
const SYSTEM = { actor: { type: 'system' as const, id: null, name: 'test' }, now: new Date('2026-11-20T08:00:00Z') };

afterAll(killAllChildren);

describe('kill -9 of a server during a burst of Report in', () => {
  it(
    'leaves each delivery reported in full or still a draft, keeps every acknowledged report, and Report in finishes after a restart',
    async () => {
      const kills = stressKills(1);
      const { path, db } = tempDatabase('stress-crash-report');
      await buildUser(db, 'admin');
      for (let i = 0; i < 10; i++) buildProduct(db, { sku: `R${i}`, onHand: 10_000 });
      let parcel = 0;
      const summary: string[] = [];

      for (let k = 0; k < kills; k++) {
        // Packed orders with their parcels scanned: what a shift leaves for Report in.
        const codes: string[] = [];
        for (let i = 0; i < 120; i++) {
          const order = buildPackingOrder(db, {
            lines: [
              { sku: `R${i % 10}`, quantity: 1 + (i % 4) },
              { sku: `R${(i + 3) % 10}`, quantity: 2 },
            ],
          });
          for (let p = 0; p < 1 + (i % 3); p++) await addParcel(db, order.code, `CRASH${++parcel}`, 'scanner', SYSTEM);
          codes.push(order.code);
        }
        const server = await startServer(path);
        const api = apiClient(server.url);
        const acknowledged: string[] = [];
        const refused: unknown[] = [];
        let lost = 0;
        const killAfter = random.int(1, 60);
        let answered = 0;
        const burst = [...codes.map((code) => ({ orders: [code] })), {}, {}].sort(() => random.next() - 0.5);
        const killed = new Promise<void>((resolve) => {
          const requests = burst.map((request) =>
            api.post('/deliveries/report', request).then(
              (reply) => {
                if (reply.status === 200) for (const r of json<ReportJson>(reply).reported) acknowledged.push(r.code);
                else refused.push(reply);
                if (++answered === killAfter) resolve();
              },
              () => lost++,
            ),
          );
          void Promise.all(requests).then(() => resolve());
        });
        await killed;
        await server.stop('SIGKILL');
        await until('every request to end', () => answered + lost === burst.length, 10_000);
        expect(refused, 'Report in answers other than 200').toEqual([]);

        expectInvariants(db);
        // An answered Report in is on disk: the crash cannot take it back.
        const reported = new Set(
          db.$client.prepare("SELECT o.code FROM deliveries d JOIN orders o ON o.id = d.order_id WHERE d.status = 'reported'").pluck().all() as string[],
        );
        expect(acknowledged.filter((c) => !reported.has(c))).toEqual([]);
        const reportedNow = codes.filter((c) => reported.has(c)).length;

        // After a restart, Report in reports what the crash left open, once.
        const again = await startServer(path);
        const rest = await apiClient(again.url).post('/deliveries/report', {});
        expect(rest.status).toBe(200);
        expect(
          json<ReportJson>(rest)
            .reported.map((r) => r.code)
            .sort(),
        ).toEqual(codes.filter((c) => !reported.has(c)).sort());
        await again.stop('SIGTERM');
        expect(db.$client.prepare("SELECT count(*) FROM deliveries WHERE status = 'draft'").pluck().get()).toBe(0);
        expect(db.$client.prepare("SELECT count(*) FROM orders WHERE status = 'shipped'").pluck().get()).toBe(codes.length * (k + 1));
        expectInvariants(db);
        summary.push(`kill ${k + 1}: after ${answered} answers, ${lost} requests cut off, ${reportedNow}/${codes.length} reported before the crash`);
      }
      console.log(`crash/report (seed ${random.seed}): ${summary.join('; ')}`);
    },
    60_000 + stressKills(1) * 30_000,
  );
});
