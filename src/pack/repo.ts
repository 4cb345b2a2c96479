import { and, desc, eq, lt, ne } from 'drizzle-orm';
import type { Conn, Db } from '../db/client.js';
import { packRunBatches, packRuns } from '../db/schema/index.js';
import type { Candidate, ProductStock } from '../domain/allocation.js';
import type { PaymentMethod } from '../domain/order-status.js';
import { decodeStep, stepIs, type OrderStep, type StepJson } from './steps.js';

export type PackRunRow = typeof packRuns.$inferSelect;

export interface LoadedCandidate extends Candidate {
  linesVersion: number;
}

/**
 * One JSON array per candidate, its lines nested: a run reads hundreds of thousands of lines, and
 * one string per order costs far less to hand from SQLite to JavaScript than a row per line.
 */
const CANDIDATES_SQL = `SELECT json_array(o.id, o.code, o.priority, coalesce(o.placed_at, o.created_at), o.paid, o.approved, o.payment_method, o.lines_version,
         CASE WHEN o.waiting THEN json('[]') ELSE (SELECT json_group_array(json_array(l.sku, l.product_id, l.quantity - l.shipped_quantity) ORDER BY l.id) FROM order_lines l WHERE l.order_id = o.id) END,
         o.waiting)
    FROM orders o
   WHERE o.status = 'order'`;

/** A waiting order's lines are not read: the rule holds it (on hold) before it looks at stock. */
type CandidateJson = [number, string, number, number, number, number, PaymentMethod | null, number, [string, number | null, number][], number];

function toCandidates(rows: string[], out: LoadedCandidate[]): void {
  for (const row of rows) {
    const r = JSON.parse(row) as CandidateJson;
    const lines = r[8].map((l) => ({ sku: l[0], productId: l[1], remaining: l[2] }));
    out.push({ id: r[0], code: r[1], priority: r[2], placedAt: r[3], paid: r[4] === 1, approved: r[5] === 1, paymentMethod: r[6], linesVersion: r[7], lines, waiting: r[9] === 1 });
  }
}

/** One order, if it is a candidate (status order; a waiting one is held on hold). */
export function loadCandidate(db: Db, orderId: number): LoadedCandidate[] {
  const out: LoadedCandidate[] = [];
  toCandidates(db.$client.prepare(`${CANDIDATES_SQL} AND o.id = ?`).pluck().all(orderId) as string[], out);
  return out;
}

/**
 * Every order the rule looks at (every order in status order, the waiting ones too: the run names
 * them as held on hold), with its lines, read in slices of `slice` orders by id with a
 * pause between slices, so that a large read does not hold up the server's other requests. The
 * slices need not be one snapshot: every promotion is checked again when it is written.
 */
export async function loadCandidates(db: Db, pause: () => Promise<void>, slice = 20_000): Promise<LoadedCandidate[]> {
  const bound = db.$client.prepare("SELECT id FROM orders WHERE status = 'order' AND id > ? ORDER BY id LIMIT 1 OFFSET ?").pluck();
  const range = db.$client.prepare(`${CANDIDATES_SQL} AND o.id > ? AND o.id <= ? ORDER BY o.id`).pluck();
  const rest = db.$client.prepare(`${CANDIDATES_SQL} AND o.id > ? ORDER BY o.id`).pluck();
  const out: LoadedCandidate[] = [];
  let after = 0;
  for (;;) {
    const upTo = bound.get(after, slice - 1) as number | undefined;
    if (upTo === undefined) {
      toCandidates(rest.all(after) as string[], out);
      return out;
    }
    toCandidates(range.all(after, upTo) as string[], out);
    after = upTo;
    await pause();
  }
}

/** Stock of every product, by id. */
export function loadStock(db: Db): Map<number, ProductStock> {
  const rows = db.$client.prepare('SELECT id, sku, track_stock AS trackStock, on_hand - allocated AS available FROM products').all() as {
    id: number;
    sku: string;
    trackStock: number;
    available: number;
  }[];
  return new Map(rows.map((r) => [r.id, { sku: r.sku, trackStock: r.trackStock === 1, available: r.available }]));
}

export function findRun(conn: Conn, id: number): PackRunRow | undefined {
  return conn.select().from(packRuns).where(eq(packRuns.id, id)).get();
}

export function listRuns(conn: Conn, opts: { limit: number; beforeId?: number | undefined }): PackRunRow[] {
  return conn
    .select()
    .from(packRuns)
    .where(opts.beforeId ? lt(packRuns.id, opts.beforeId) : undefined)
    .orderBy(desc(packRuns.id))
    .limit(opts.limit)
    .all();
}

/**
 * A run's order outcomes after position `after`, optionally only one outcome, at most `limit`.
 * Reads batch by batch and stops as soon as the page is full.
 */
export function listSteps(db: Db, runId: number, opts: { outcome?: 'promoted' | 'held' | undefined; limit: number; after?: number | undefined }): OrderStep[] {
  const after = opts.after ?? 0;
  const batches = db.$client.prepare('SELECT first_index, steps FROM pack_run_batches WHERE run_id = ? AND first_index + count > ? ORDER BY first_index').raw(true);
  const out: OrderStep[] = [];
  for (const [firstIndex, steps] of batches.iterate(runId, after) as IterableIterator<[number, string]>) {
    const entries = JSON.parse(steps) as StepJson[];
    for (let i = Math.max(after - firstIndex, 0); i < entries.length; i++) {
      const entry = entries[i]!;
      if (opts.outcome && !stepIs(entry, opts.outcome)) continue;
      out.push(decodeStep(entry, firstIndex + i + 1));
      if (out.length === opts.limit) return out;
    }
  }
  return out;
}

/**
 * The latest outcome recorded for an order by any run since `since` (its creation), for its page.
 * instr() over the batches' codes: bounded by the runs whose details are kept.
 */
export function lastStep(db: Db, code: string, since: Date): { runId: number; at: Date; step: OrderStep } | null {
  const row = db.$client
    .prepare('SELECT run_id, first_index, created_at, steps FROM pack_run_batches WHERE created_at >= ? AND instr(codes, ?) > 0 ORDER BY id DESC LIMIT 1')
    .raw(true)
    .get(since.getTime(), ` ${code} `) as [number, number, number, string] | undefined;
  if (!row) return null;
  const entries = JSON.parse(row[3]) as StepJson[];
  const i = entries.findIndex((e) => e[0] === code);
  return i < 0 ? null : { runId: row[0], at: new Date(row[2]), step: decodeStep(entries[i]!, row[1] + i + 1) };
}

/**
 * Runs still marked running whose process is gone become `interrupted`. `which: 'real'` is for the
 * holder of the lease: it knows no other real run is alive, but a dry run takes no lease and may
 * well be going on in another thread or process, so it leaves dry runs alone. `'all'` is for a
 * server starting while nobody holds the lease.
 */
export function markInterrupted(conn: Conn, now: Date, which: 'all' | 'real' = 'all'): number {
  return conn
    .update(packRuns)
    .set({ status: 'interrupted', finishedAt: now, error: 'The process running it stopped before it finished.' })
    .where(and(eq(packRuns.status, 'running'), which === 'real' ? eq(packRuns.dryRun, false) : undefined))
    .run().changes;
}

/**
 * Keeps the step details of the newest `keep` runs; older runs keep their summary only. The
 * one-order runs of "Check now" do not count: fifty clicks must not throw away the last real run.
 */
export function pruneSteps(conn: Conn, keep: number): void {
  const newest = conn.select({ id: packRuns.id }).from(packRuns).where(ne(packRuns.trigger, 'check')).orderBy(desc(packRuns.id)).limit(keep).all().map((r) => r.id);
  if (newest.length < keep) return;
  conn.delete(packRunBatches).where(lt(packRunBatches.runId, Math.min(...newest))).run();
}

