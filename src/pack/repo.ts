import { and, desc, eq, gt, lt, notInArray } from 'drizzle-orm';
import type { Conn, Db } from '../db/client.js';
import { packRuns, packRunSteps } from '../db/schema/index.js';
import type { Candidate, ProductStock } from '../domain/allocation.js';
import type { PaymentMethod } from '../domain/order-status.js';

export type PackRunRow = typeof packRuns.$inferSelect;

export interface LoadedCandidate extends Candidate {
  linesVersion: number;
}

type CandidateRow = [number, string, number, number, number, number, PaymentMethod | null, number, string, number | null, number];

const CANDIDATES_SQL = `SELECT o.id, o.code, o.priority, coalesce(o.placed_at, o.created_at), o.paid, o.approved, o.payment_method, o.lines_version,
        l.sku, l.product_id, l.quantity - l.shipped_quantity
   FROM orders o JOIN order_lines l ON l.order_id = o.id
  WHERE o.status = 'order' AND o.waiting = 0`;

function toCandidates(rows: CandidateRow[], out: LoadedCandidate[]): void {
  let c = out[out.length - 1];
  for (const r of rows) {
    if (!c || c.id !== r[0]) {
      c = { id: r[0], code: r[1], priority: r[2], placedAt: r[3], paid: r[4] === 1, approved: r[5] === 1, paymentMethod: r[6], linesVersion: r[7], lines: [] };
      out.push(c);
    }
    c.lines.push({ sku: r[8], productId: r[9], remaining: r[10] });
  }
}

/** One order, if it is a candidate (status order, not waiting). */
export function loadCandidate(db: Db, orderId: number): LoadedCandidate[] {
  const out: LoadedCandidate[] = [];
  toCandidates(db.$client.prepare(`${CANDIDATES_SQL} AND o.id = ?`).raw(true).all(orderId) as CandidateRow[], out);
  return out;
}

/**
 * Every order the rule looks at, with its lines, read in slices of `slice` orders by id with a
 * pause between slices, so that a large read does not hold up the server's other requests. The
 * slices need not be one snapshot: every promotion is checked again when it is written.
 */
export async function loadCandidates(db: Db, pause: () => Promise<void>, slice = 20_000): Promise<LoadedCandidate[]> {
  // Rows as arrays, not objects: a run reads hundreds of thousands of lines.
  const bound = db.$client.prepare("SELECT id FROM orders WHERE status = 'order' AND waiting = 0 AND id > ? ORDER BY id LIMIT 1 OFFSET ?").pluck();
  const range = db.$client.prepare(`${CANDIDATES_SQL} AND o.id > ? AND o.id <= ? ORDER BY o.id`).raw(true);
  const rest = db.$client.prepare(`${CANDIDATES_SQL} AND o.id > ? ORDER BY o.id`).raw(true);
  const out: LoadedCandidate[] = [];
  let after = 0;
  for (;;) {
    const upTo = bound.get(after, slice - 1) as number | undefined;
    if (upTo === undefined) {
      toCandidates(rest.all(after) as CandidateRow[], out);
      return out;
    }
    toCandidates(range.all(after, upTo) as CandidateRow[], out);
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

export function listSteps(conn: Conn, runId: number, opts: { outcome?: string | undefined; limit: number; afterId?: number | undefined }) {
  return conn
    .select()
    .from(packRunSteps)
    .where(and(eq(packRunSteps.runId, runId), opts.outcome ? eq(packRunSteps.outcome, opts.outcome) : undefined, opts.afterId ? gt(packRunSteps.id, opts.afterId) : undefined))
    .orderBy(packRunSteps.id)
    .limit(opts.limit)
    .all();
}

/** Runs still marked running whose process is gone become `interrupted`. */
export function markInterrupted(conn: Conn, now: Date, except: number[] = []): number {
  return conn
    .update(packRuns)
    .set({ status: 'interrupted', finishedAt: now, error: 'The process running it stopped before it finished.' })
    .where(and(eq(packRuns.status, 'running'), except.length ? notInArray(packRuns.id, except) : undefined))
    .run().changes;
}

/** Keeps the step details of the newest `keep` runs; older runs keep their summary only. */
export function pruneSteps(conn: Conn, keep: number): void {
  const newest = conn.select({ id: packRuns.id }).from(packRuns).orderBy(desc(packRuns.id)).limit(keep).all().map((r) => r.id);
  if (newest.length < keep) return;
  conn.delete(packRunSteps).where(lt(packRunSteps.runId, Math.min(...newest))).run();
}

