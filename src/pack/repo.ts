import { and, desc, eq, gt, lt, notInArray } from 'drizzle-orm';
import type { Conn, Db } from '../db/client.js';
import { packRuns, packRunSteps } from '../db/schema/index.js';
import type { Candidate, ProductStock } from '../domain/allocation.js';
import type { PaymentMethod } from '../domain/order-status.js';

export type PackRunRow = typeof packRuns.$inferSelect;

export interface LoadedCandidate extends Candidate {
  linesVersion: number;
}

/** Every order the rule looks at, with its lines, in one read. `onlyId` limits it to one order. */
export function loadCandidates(db: Db, onlyId?: number): LoadedCandidate[] {
  // Rows as arrays, not objects: a run reads hundreds of thousands of lines.
  const rows = db.$client
    .prepare(
      `SELECT o.id, o.code, o.priority, coalesce(o.placed_at, o.created_at), o.paid, o.approved, o.payment_method, o.lines_version,
              l.sku, l.product_id, l.quantity - l.shipped_quantity
         FROM orders o JOIN order_lines l ON l.order_id = o.id
        WHERE o.status = 'order' AND o.waiting = 0 ${onlyId === undefined ? '' : 'AND o.id = ?'}
        ORDER BY o.id`,
    )
    .raw(true)
    .all(...(onlyId === undefined ? [] : [onlyId])) as [number, string, number, number, number, number, PaymentMethod | null, number, string, number | null, number][];
  const out: LoadedCandidate[] = [];
  let c: LoadedCandidate | undefined;
  for (const r of rows) {
    if (!c || c.id !== r[0]) {
      c = { id: r[0], code: r[1], priority: r[2], placedAt: r[3], paid: r[4] === 1, approved: r[5] === 1, paymentMethod: r[6], linesVersion: r[7], lines: [] };
      out.push(c);
    }
    c.lines.push({ sku: r[8], productId: r[9], remaining: r[10] });
  }
  return out;
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

