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
  const rows = db.$client
    .prepare(
      `SELECT o.id, o.code, o.priority, o.placed_at AS placedAt, o.created_at AS createdAt, o.paid, o.approved,
              o.payment_method AS paymentMethod, o.lines_version AS linesVersion,
              l.sku, l.product_id AS productId, l.quantity - l.shipped_quantity AS remaining
         FROM orders o JOIN order_lines l ON l.order_id = o.id
        WHERE o.status = 'order' AND o.waiting = 0 ${onlyId === undefined ? '' : 'AND o.id = ?'}
        ORDER BY o.id, l.id`,
    )
    .all(...(onlyId === undefined ? [] : [onlyId])) as {
    id: number;
    code: string;
    priority: number;
    placedAt: number | null;
    createdAt: number;
    paid: number;
    approved: number;
    paymentMethod: PaymentMethod | null;
    linesVersion: number;
    sku: string;
    productId: number | null;
    remaining: number;
  }[];
  const out: LoadedCandidate[] = [];
  for (const r of rows) {
    let c = out[out.length - 1];
    if (!c || c.id !== r.id) {
      c = {
        id: r.id,
        code: r.code,
        priority: r.priority,
        placedAt: r.placedAt ?? r.createdAt,
        paid: r.paid === 1,
        approved: r.approved === 1,
        paymentMethod: r.paymentMethod,
        linesVersion: r.linesVersion,
        lines: [],
      };
      out.push(c);
    }
    c.lines.push({ sku: r.sku, productId: r.productId, remaining: r.remaining });
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

