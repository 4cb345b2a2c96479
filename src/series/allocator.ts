import { preparedFor, type Db, type Tx } from '../db/client.js';

/**
 * The number series the shop gives out: invoice numbers, SSCC serials, and the return and
 * credit-note numbers to come. One name per series in the `sequences` table.
 */
export type SeriesName = 'invoice' | 'sscc' | 'return' | 'credit_note';

const stmts = preparedFor((sqlite) => ({
  last: sqlite.prepare('SELECT value FROM sequences WHERE name = ?').pluck(),
  take: sqlite.prepare('INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
}));

/** The last number taken in the series, or undefined before the first. */
export function lastNumber(db: Db, name: SeriesName): number | undefined {
  return stmts(db).last.get(name) as number | undefined;
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
  stmts(tx).take.run(name, lastTaken);
  return firstTaken;
}
