import { lte, sql } from 'drizzle-orm';
import { preparedQuery, type Tx } from '../db/client.js';
import { rateLimits } from '../db/schema/index.js';

// The rate-limit store's statements (rate-limit-store.ts decides), prepared once per connection.

// One statement: the count and the window are read and written atomically, also across
// processes, so two servers on one file cannot both let the eleventh attempt through.
const increment = preparedQuery((conn) =>
  conn
    .insert(rateLimits)
    .values({ key: sql.placeholder('key'), hits: 1, resetAt: sql.placeholder('resetAt') })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        hits: sql`CASE WHEN ${rateLimits.resetAt} <= ${sql.placeholder('now')} THEN 1 ELSE ${rateLimits.hits} + 1 END`,
        resetAt: sql`CASE WHEN ${rateLimits.resetAt} <= ${sql.placeholder('now')} THEN excluded.reset_at ELSE ${rateLimits.resetAt} END`,
      },
    })
    .returning({ hits: rateLimits.hits, resetAt: rateLimits.resetAt })
    .prepare(),
);
// Only in the window the hit was counted in: a window that has started over keeps its count.
const decrement = preparedQuery((conn) =>
  conn
    .update(rateLimits)
    .set({ hits: sql`max(${rateLimits.hits} - 1, 0)` })
    .where(sql`${rateLimits.key} = ${sql.placeholder('key')} AND ${rateLimits.resetAt} = ${sql.placeholder('resetAt')}`)
    .prepare(),
);
const prune = preparedQuery((conn) =>
  conn
    .delete(rateLimits)
    .where(lte(rateLimits.resetAt, sql`${sql.placeholder('now')}`))
    .prepare(),
);

/**
 * Counts one hit under `key` at `now` (epoch ms): a new window ending at `now + windowMs` when the
 * key has none or its window has passed. Returns the hits in the window and when it ends (epoch ms).
 */
export function countHit(tx: Tx, key: string, now: number, windowMs: number): { hits: number; resetAt: number } {
  const row = increment(tx).get({ key, now, resetAt: new Date(now + windowMs) });
  return { hits: row.hits, resetAt: row.resetAt.getTime() };
}

/** Takes one hit back from `key`, if its window is still the one ending at `resetAt` (epoch ms). */
export function uncountHit(tx: Tx, key: string, resetAt: number): void {
  decrement(tx).run({ key, resetAt });
}

/** Drops the rows of windows that ended by `now` (epoch ms). */
export function pruneHits(tx: Tx, now: number): void {
  prune(tx).run({ now });
}
