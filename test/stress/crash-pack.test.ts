import { afterAll, describe, expect, it } from 'vitest';
import { PACK_LEASE } from '../../src/pack/run.js';
import type { Db } from '../../src/db/client.js';
import { leaseHeld } from '../../src/pack/lease.js';
import { buildPaidOrder, buildProduct } from '../builders.js';
import { API_TOKEN } from '../helpers.js';
import { expectInvariants } from '../invariants.js';
import { kill, killAllChildren, seededRandom, startProcess, stressKills, tempDatabase } from './harness.js';
import { until } from '../wait.js';

/**
 * kill -9 at random points of a pack run (the CLI). After every crash the data is whole (each
 * order promoted with its allocation and event, or untouched), and a new run can take the lease
 * within about 10 s: the lease is renewed every 2 s and expires 10 s after its last renewal.
 */

const random = seededRandom();
/** The lease runs out 10 s after its last renewal; a little for scheduling on a busy machine. */
const LEASE_FREE_WITHIN_MS = 11_000;

afterAll(killAllChildren);

const runStatuses = (db: Db) => db.$client.prepare('SELECT status FROM pack_runs ORDER BY id').pluck().all() as string[];

describe('kill -9 during a pack run', () => {
  it(
    'leaves each order promoted or untouched, and a new run takes the lease within ~10 s',
    async () => {
      const kills = stressKills(1);
      const { path, db } = tempDatabase('stress-crash-pack');
      for (let i = 0; i < 20; i++) buildProduct(db, { sku: `S${i}`, onHand: 30 });
      // More asked for than is on the shelves: every run examines the orders still held, batch by batch.
      for (let i = 0; i < 300; i++) {
        buildPaidOrder(db, {
          lines: [
            { sku: `S${i % 20}`, quantity: 1 + (i % 3) },
            { sku: `S${(i * 7 + 3) % 20}`, quantity: 1 },
          ].filter((l, k, all) => all.findIndex((x) => x.sku === l.sku) === k),
        });
      }
      const cli = () => startProcess('jobs/cli.ts', { DATABASE_PATH: path, API_TOKEN }, ['--batch-size', '5']);
      const timings: number[] = [];
      let killedAt: number | null = null;

      for (let k = 0; k <= kills; k++) {
        if (killedAt !== null) {
          // The dead process's lease runs out by itself: nobody clears it.
          await until('the dead run’s lease to expire', () => !leaseHeld(db, PACK_LEASE, new Date()), LEASE_FREE_WITHIN_MS + 1000, 100);
          timings.push(Date.now() - killedAt);
          expect(Date.now() - killedAt, 'ms from the kill until a new run may start').toBeLessThanOrEqual(LEASE_FREE_WITHIN_MS);
        }
        const run = cli();
        if (k === kills) {
          // The last run goes to the end, and marks the killed ones interrupted.
          const code = await run.exit;
          expect(code, run.output()).toBe(0);
          expect(run.output()).toMatch(/Run \d+ finished/);
          break;
        }
        // Killed at a random point: as the run starts, or after a random number of written batches.
        const afterBatches = random.int(0, 12);
        let batches = 0;
        const started = await new Promise<boolean>((resolve) => {
          run.child.stdout.on('data', (d: Buffer) => {
            const text = String(d);
            batches += (text.match(/examined/g) ?? []).length;
            if (/^run \d+:/im.test(text) && afterBatches === 0) resolve(true);
            if (batches >= afterBatches && afterBatches > 0) resolve(true);
          });
          void run.exit.then(() => resolve(false));
        });
        await kill(run.child, 'SIGKILL');
        killedAt = Date.now();
        expect(started, `the run was refused or ended before the kill:\n${run.output()}`).toBe(true);
        expectInvariants(db);
      }
      const statuses = runStatuses(db);
      console.log(
        `crash/pack (seed ${random.seed}): ${kills} kills; a new run could start ${timings.map((t) => `${(t / 1000).toFixed(1)} s`).join(', ')} after each; runs ${statuses.join(', ')}`,
      );
      // Every killed run shows as interrupted; the last one finished.
      expect(statuses.at(-1)).toBe('succeeded');
      expect(statuses.filter((s) => s !== 'succeeded' && s !== 'interrupted')).toEqual([]);
      expect(statuses.filter((s) => s === 'interrupted').length).toBeGreaterThanOrEqual(1);
      expectInvariants(db);
      expect(db.$client.prepare("SELECT count(*) FROM orders WHERE status = 'packing'").pluck().get()).toBeGreaterThan(0);
    },
    60_000 + stressKills(1) * 30_000,
  );
});
