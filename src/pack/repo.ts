import { and, desc, eq, gte, lt, ne, sql } from 'drizzle-orm';
import { preparedFor, preparedQuery, type Conn, type Db, type Tx, asStored } from '../db/client.js';
import { availableSql } from '../db/rules.js';
import { leases, packRunBatches, packRuns, products } from '../db/schema/index.js';
import type { Candidate, ProductStock } from '../domain/allocation.js';
import type { PaymentMethod } from '../domain/order-status.js';
import { decodeStep, stepIs, type OrderStep, type StepJson } from './steps.js';

export type PackRunRow = typeof packRuns.$inferSelect;

export type LeaseRow = typeof leases.$inferSelect;

export interface LoadedCandidate extends Candidate {
  linesVersion: number;
  /** The shop's shipping method code: a pickup order gets the "ready for pickup" e-mail when promoted. */
  shippingMethod: string | null;
}

/**
 * One JSON array per candidate, its lines nested: a run reads hundreds of thousands of lines, and
 * one string per order costs far less to hand from SQLite to JavaScript than a row per line.
 */
const CANDIDATES_SQL = `SELECT json_array(o.id, o.code, o.priority, coalesce(o.placed_at, o.created_at), o.paid, o.approved, o.payment_method, o.lines_version,
         CASE WHEN o.waiting THEN json('[]') ELSE (SELECT json_group_array(json_array(l.sku, l.product_id, l.quantity - l.shipped_quantity) ORDER BY l.id) FROM order_lines l WHERE l.order_id = o.id) END,
         o.waiting, o.shipping_method)
    FROM orders o
   WHERE o.status = 'order'`;

/**
 * The candidate read stays a better-sqlite3 statement with `.pluck()` (one string per row): the same
 * SELECT as a drizzle prepared query (`.all()`, or `.values()` without its mapping) cost the read of
 * 100,000 candidates 11–29 % more CPU (measured against this one, interleaved, five rounds each).
 */
const candidateReads = preparedFor((sqlite) => ({
  byId: sqlite.prepare<[id: number], string>(`${CANDIDATES_SQL} AND o.id = ?`).pluck(),
  // The id that ends a slice of `skip + 1` candidates after `after`.
  sliceEnd: sqlite
    .prepare<[after: number, skip: number], number>("SELECT id FROM orders WHERE status = 'order' AND id > ? ORDER BY id LIMIT 1 OFFSET ?")
    .pluck(),
  slice: sqlite.prepare<[after: number, upTo: number], string>(`${CANDIDATES_SQL} AND o.id > ? AND o.id <= ? ORDER BY o.id`).pluck(),
  rest: sqlite.prepare<[after: number], string>(`${CANDIDATES_SQL} AND o.id > ? ORDER BY o.id`).pluck(),
}));

/** A waiting order's lines are not read: the rule holds it (on hold) before it looks at stock. */
type CandidateJson = [number, string, number, number, number, number, PaymentMethod | null, number, [string, number | null, number][], number, string | null];

/** The JSON text CANDIDATES_SQL builds, as the array it is (SQLite made it: its shape is the SELECT's). */
const parseCandidate = (text: string): CandidateJson => JSON.parse(text) as CandidateJson;

function toCandidates(rows: readonly string[], out: LoadedCandidate[]): void {
  for (const json of rows) {
    const r = parseCandidate(json);
    const lines = r[8].map((l) => ({ sku: l[0], productId: l[1], remaining: l[2] }));
    out.push({
      id: r[0],
      code: r[1],
      priority: r[2],
      placedAt: r[3],
      paid: r[4] === 1,
      approved: r[5] === 1,
      paymentMethod: r[6],
      linesVersion: r[7],
      lines,
      waiting: r[9] === 1,
      shippingMethod: r[10],
    });
  }
}

/** One order, if it is a candidate (status order; a waiting one is held on hold): none or one candidate. */
export function loadCandidate(db: Db, orderId: number): LoadedCandidate[] {
  const out: LoadedCandidate[] = [];
  toCandidates(candidateReads(db).byId.all(orderId), out);
  return out;
}

/**
 * Every order the rule looks at (every order in status order, the waiting ones too: the run names
 * them as held on hold), with its lines, read in slices of `slice` orders by id with a
 * pause between slices, so that a large read does not hold up the server's other requests. The
 * slices need not be one snapshot: every promotion is checked again when it is written.
 */
export async function loadCandidates(db: Db, pause: () => Promise<void>, slice = 20_000): Promise<LoadedCandidate[]> {
  const reads = candidateReads(db);
  const out: LoadedCandidate[] = [];
  let after = 0;
  for (;;) {
    const upTo = reads.sliceEnd.get(after, slice - 1);
    if (upTo === undefined) {
      toCandidates(reads.rest.all(after), out);
      return out;
    }
    toCandidates(reads.slice.all(after, upTo), out);
    after = upTo;
    await pause();
  }
}

const stockOfProducts = preparedQuery((conn) =>
  conn
    // "available" (on hand less allocated) as the pack rule reads it.
    .select({ id: products.id, sku: products.sku, trackStock: products.trackStock, available: availableSql(products) })
    .from(products)
    .prepare(),
);

/** Stock of every product, by id. */
export function loadStock(conn: Conn): Map<number, ProductStock> {
  const stock = new Map<number, ProductStock>();
  // Arrays as SQLite gives them (`.values()`: track_stock is 0/1): drizzle's mapping to objects cost this read 40 % more.
  for (const [id, sku, trackStock, available] of stockOfProducts(conn).values()) {
    if (typeof id !== 'number' || typeof sku !== 'string' || typeof available !== 'number') throw new TypeError('a product row of an unexpected shape');
    stock.set(id, { sku, trackStock: trackStock === 1, available });
  }
  return stock;
}

// ── Runs ──────────────────────────────────────────────────────────────────────────────────────

const runById = preparedQuery((conn) =>
  conn
    .select()
    .from(packRuns)
    .where(eq(packRuns.id, sql.placeholder('id')))
    .prepare(),
);
const runsBefore = preparedQuery((conn) =>
  conn
    .select()
    .from(packRuns)
    .where(lt(packRuns.id, sql.placeholder('before')))
    .orderBy(desc(packRuns.id))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

/** The run `id`, or undefined. */
export function findRun(conn: Conn, id: number): PackRunRow | undefined {
  return runById(conn).get({ id });
}

/** Runs newest first, at most `limit`, keyset-paged: those before `beforeId` when given. */
export function listRuns(conn: Conn, opts: { limit: number; beforeId?: number | undefined }): PackRunRow[] {
  return runsBefore(conn).all({ before: opts.beforeId || Number.MAX_SAFE_INTEGER, limit: opts.limit });
}

const insertRunStmt = preparedQuery((conn) =>
  conn
    .insert(packRuns)
    .values({
      trigger: sql.placeholder('trigger'),
      dryRun: sql.placeholder('dryRun'),
      status: 'running',
      startedBy: sql.placeholder('startedBy'),
      startedAt: sql.placeholder('startedAt'),
    })
    .returning()
    .prepare(),
);

/** Records a run that starts now (status running); the new row. Call inside a write transaction. */
export function insertRun(tx: Tx, run: { trigger: string; dryRun: boolean; startedBy: string; startedAt: Date }): PackRunRow {
  return insertRunStmt(tx).get(run);
}

/** How a run ended, as its row keeps it. */
export interface RunEnd {
  status: 'succeeded' | 'failed';
  finishedAt: Date;
  examined: number;
  promoted: number;
  held: number;
  summary: Record<string, unknown>;
  error: string | null;
  errorStep: string | null;
}

const finishRunStmt = preparedQuery((conn) =>
  conn
    .update(packRuns)
    .set({
      status: asStored('status'),
      finishedAt: asStored('finishedAt'),
      examined: asStored('examined'),
      promoted: asStored('promoted'),
      held: asStored('held'),
      summary: asStored('summary'),
      error: asStored('error'),
      errorStep: asStored('errorStep'),
    })
    .where(eq(packRuns.id, sql.placeholder('id')))
    .prepare(),
);

/** Writes how run `id` ended. Call inside a write transaction. */
export function finishRun(tx: Tx, id: number, end: RunEnd): void {
  finishRunStmt(tx).run({ id, ...end, finishedAt: end.finishedAt.getTime(), summary: JSON.stringify(end.summary) });
}

const failRunningStmt = preparedQuery((conn) =>
  conn
    .update(packRuns)
    .set({ status: 'failed', finishedAt: asStored('finishedAt'), error: asStored('error'), errorStep: asStored('errorStep') })
    .where(and(eq(packRuns.id, sql.placeholder('id')), eq(packRuns.status, 'running')))
    .prepare(),
);

/** Marks run `id` failed at `errorStep` if it is still running (its worker died). Call inside a write transaction. */
export function failRunningRun(tx: Tx, id: number, fail: { finishedAt: Date; error: string; errorStep: string }): void {
  failRunningStmt(tx).run({ id, ...fail, finishedAt: fail.finishedAt.getTime() });
}

// The first batch of a run that holds a position after `after`.
const batchEndingAfter = preparedQuery((conn) =>
  conn
    .select({ firstIndex: packRunBatches.firstIndex, count: packRunBatches.count, steps: packRunBatches.steps })
    .from(packRunBatches)
    .where(and(eq(packRunBatches.runId, sql.placeholder('runId')), sql`${packRunBatches.firstIndex} + ${packRunBatches.count} > ${sql.placeholder('after')}`))
    .orderBy(packRunBatches.firstIndex)
    .limit(1)
    .prepare(),
);

/** A batch's outcomes as the record keeps them (writer.ts writes the JSON array with encodeBatch). */
const parseSteps = (text: string): StepJson[] => JSON.parse(text) as StepJson[];

/**
 * A run's order outcomes after position `after`, optionally only one outcome, at most `limit`.
 * Reads batch by batch (the next batch only when the page needs it) and stops as soon as the page is full.
 */
export function listSteps(
  conn: Conn,
  runId: number,
  opts: { outcome?: 'promoted' | 'held' | undefined; limit: number; after?: number | undefined },
): OrderStep[] {
  const after = opts.after ?? 0;
  const out: OrderStep[] = [];
  for (let end = after; ;) {
    const batch = batchEndingAfter(conn).get({ runId, after: end });
    if (!batch) return out;
    const entries = parseSteps(batch.steps);
    for (let i = Math.max(after - batch.firstIndex, 0); i < entries.length; i++) {
      const entry = entries[i]!;
      if (opts.outcome && !stepIs(entry, opts.outcome)) continue;
      out.push(decodeStep(entry, batch.firstIndex + i + 1));
      if (out.length === opts.limit) return out;
    }
    end = batch.firstIndex + batch.count;
  }
}

const lastBatchWith = preparedQuery((conn) =>
  conn
    .select({ runId: packRunBatches.runId, firstIndex: packRunBatches.firstIndex, createdAt: packRunBatches.createdAt, steps: packRunBatches.steps })
    .from(packRunBatches)
    .where(and(gte(packRunBatches.createdAt, sql.placeholder('since')), sql`instr(${packRunBatches.codes}, ${sql.placeholder('code')}) > 0`))
    .orderBy(desc(packRunBatches.id))
    .limit(1)
    .prepare(),
);

/**
 * The latest outcome recorded for an order by any run since `since` (its creation), for its page;
 * null when none is kept. instr() over the batches' codes: bounded by the runs whose details are kept.
 */
export function lastStep(conn: Conn, code: string, since: Date): { runId: number; at: Date; step: OrderStep } | null {
  // A placeholder in a WHERE is bound as given (not through the column's type): epoch ms.
  const row = lastBatchWith(conn).get({ since: since.getTime(), code: ` ${code} ` });
  if (!row) return null;
  const entries = parseSteps(row.steps);
  const i = entries.findIndex((e) => e[0] === code);
  return i < 0 ? null : { runId: row.runId, at: row.createdAt, step: decodeStep(entries[i]!, row.firstIndex + i + 1) };
}

const INTERRUPTED = { status: 'interrupted', finishedAt: asStored('now'), error: 'The process running it stopped before it finished.' };
const interruptAll = preparedQuery((conn) => conn.update(packRuns).set(INTERRUPTED).where(eq(packRuns.status, 'running')).prepare());
const interruptReal = preparedQuery((conn) =>
  conn
    .update(packRuns)
    .set(INTERRUPTED)
    .where(and(eq(packRuns.status, 'running'), eq(packRuns.dryRun, false)))
    .prepare(),
);

/**
 * Runs still marked running whose process is gone become `interrupted`; returns how many. `which:
 * 'real'` is for the holder of the lease: it knows no other real run is alive, but a dry run takes no
 * lease and may well be going on in another thread or process, so it leaves dry runs alone. `'all'`
 * is for a server starting while nobody holds the lease. Call inside a write transaction.
 */
export function markInterrupted(tx: Tx, now: Date, which: 'all' | 'real' = 'all'): number {
  return (which === 'real' ? interruptReal : interruptAll)(tx).run({ now: now.getTime() }).changes;
}

const newestRealRuns = preparedQuery((conn) =>
  conn.select({ id: packRuns.id }).from(packRuns).where(ne(packRuns.trigger, 'check')).orderBy(desc(packRuns.id)).limit(sql.placeholder('keep')).prepare(),
);
const deleteBatchesBefore = preparedQuery((conn) =>
  conn
    .delete(packRunBatches)
    .where(lt(packRunBatches.runId, sql.placeholder('runId')))
    .prepare(),
);

/**
 * Keeps the step details of the newest `keep` runs; older runs keep their summary only. The
 * one-order runs of "Check now" do not count: fifty clicks must not throw away the last real run.
 * Call inside a write transaction.
 */
export function pruneSteps(tx: Tx, keep: number): void {
  const newest = newestRealRuns(tx)
    .all({ keep })
    .map((r) => r.id);
  if (newest.length < keep) return;
  deleteBatchesBefore(tx).run({ runId: Math.min(...newest) });
}

const lastCronRun = preparedQuery((conn) =>
  conn.select({ startedAt: packRuns.startedAt }).from(packRuns).where(eq(packRuns.trigger, 'cron')).orderBy(desc(packRuns.id)).limit(1).prepare(),
);

/** When the schedule's latest run started; undefined before its first. */
export function lastScheduledRunStart(conn: Conn): Date | undefined {
  return lastCronRun(conn).get()?.startedAt;
}

// ── The lease (lease.ts) ──────────────────────────────────────────────────────────────────────

const leaseByName = preparedQuery((conn) =>
  conn
    .select()
    .from(leases)
    .where(eq(leases.name, sql.placeholder('name')))
    .prepare(),
);

/** The lease row `name`, expired or not; undefined when never taken. */
export function findLease(conn: Conn, name: string): LeaseRow | undefined {
  return leaseByName(conn).get({ name });
}

const takeLeaseStmt = preparedQuery((conn) =>
  conn
    .insert(leases)
    .values({
      name: sql.placeholder('name'),
      holder: sql.placeholder('holder'),
      holderLabel: sql.placeholder('holderLabel'),
      acquiredAt: sql.placeholder('acquiredAt'),
      expiresAt: sql.placeholder('expiresAt'),
    })
    .onConflictDoUpdate({
      target: leases.name,
      set: {
        holder: sql`excluded.holder`,
        holderLabel: sql`excluded.holder_label`,
        acquiredAt: sql`excluded.acquired_at`,
        expiresAt: sql`excluded.expires_at`,
      },
    })
    .prepare(),
);

/** Writes the lease as `lease` holds it, whoever held it before. Call inside a write transaction. */
export function writeLease(tx: Tx, lease: LeaseRow): void {
  takeLeaseStmt(tx).run(lease);
}

const ours = and(eq(leases.name, sql.placeholder('name')), eq(leases.holder, sql.placeholder('holder')));
const extendLeaseStmt = preparedQuery((conn) =>
  conn
    .update(leases)
    .set({ expiresAt: asStored('expiresAt') })
    .where(ours)
    .prepare(),
);
const deleteLeaseStmt = preparedQuery((conn) => conn.delete(leases).where(ours).prepare());

/** Moves the expiry of a lease still held by `holder`; false when it is not (lost). Call inside a write transaction. */
export function extendLease(tx: Tx, lease: { name: string; holder: string }, expiresAt: Date): boolean {
  return extendLeaseStmt(tx).run({ name: lease.name, holder: lease.holder, expiresAt: expiresAt.getTime() }).changes === 1;
}

/** Drops a lease still held by `holder`. Call inside a write transaction. */
export function deleteLease(tx: Tx, lease: { name: string; holder: string }): void {
  deleteLeaseStmt(tx).run({ name: lease.name, holder: lease.holder });
}
