import { eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx } from '../db/client.js';
import { sequences } from '../db/schema/index.js';

/**
 * The number series the shop gives out: invoice numbers, SSCC serials, and the return and
 * credit-note numbers to come. One name per series in the `sequences` table.
 */
export type SeriesName = 'invoice' | 'sscc' | 'return' | 'credit_note';

const lastOfSeries = preparedQuery((conn) =>
  conn
    .select({ value: sequences.value })
    .from(sequences)
    .where(eq(sequences.name, sql.placeholder('name')))
    .prepare(),
);

const setLastOfSeries = preparedQuery((conn) =>
  conn
    .insert(sequences)
    .values({ name: sql.placeholder('name'), value: sql.placeholder('value') })
    .onConflictDoUpdate({ target: sequences.name, set: { value: sql`excluded.value` } })
    .prepare(),
);

/** The last number taken in the series, or undefined before the first. */
export function lastNumber(conn: Conn, name: SeriesName): number | undefined {
  return lastOfSeries(conn).get({ name })?.value;
}

/**
 * The series allocator: takes the next `count` numbers of a series (the first ever is `first`) and
 * returns the first of them, or null — nothing taken — when they would pass `max`. The one writer
 * of the `sequences` table. Called inside the write transaction that uses the number (an invoice
 * row), a rollback gives it back, so the series has no gaps; called in a transaction of its own
 * (SSCC serials, fetched before the parcels are saved) a number once given is never given again.
 * Call inside a write transaction: the IMMEDIATE lock keeps two processes from taking the same one.
 */
export function takeNumbers(tx: Tx, name: SeriesName, opts: { count?: number; first?: number; max?: number } = {}): number | null {
  const count = opts.count ?? 1;
  const last = lastNumber(tx, name);
  const firstTaken = last === undefined ? (opts.first ?? 1) : last + 1;
  const lastTaken = firstTaken + count - 1;
  if (opts.max !== undefined && lastTaken > opts.max) return null;
  setLastOfSeries(tx).run({ name, value: lastTaken });
  return firstTaken;
}
