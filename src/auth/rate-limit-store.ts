import { preparedFor, writeTransaction, type Db } from '../db/client.js';

const stmts = preparedFor((sqlite) => ({
  // One statement: the count and the window are read and written atomically, also across
  // processes, so two servers on one file cannot both let the eleventh attempt through.
  increment: sqlite.prepare<{ key: string; now: number; resetAt: number }, { hits: number; resetAt: number }>(
    `INSERT INTO rate_limits (key, hits, reset_at) VALUES (@key, 1, @resetAt)
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN reset_at <= @now THEN 1 ELSE hits + 1 END,
       reset_at = CASE WHEN reset_at <= @now THEN excluded.reset_at ELSE reset_at END
     RETURNING hits, reset_at AS resetAt`,
  ),
  // Only in the window the hit was counted in: a window that has started over keeps its count.
  decrement: sqlite.prepare<[string, number]>('UPDATE rate_limits SET hits = max(hits - 1, 0) WHERE key = ? AND reset_at = ?'),
  prune: sqlite.prepare<[number]>('DELETE FROM rate_limits WHERE reset_at <= ?'),
}));

/** A counter to count one attempt under: its key in `rate_limits` and the most it lets through in a window. */
export interface Limit {
  key: string;
  limit: number;
}

/** The hits an allowed attempt counted, to be taken back with {@link RateLimitStore.takeBack}. */
export type Counted = readonly { key: string; resetAt: number }[];

export type HitResult = { allowed: true; counted: Counted } | { allowed: false; retryAt: Date };

/**
 * Hits per key in fixed windows, kept in the SQLite file instead of the process: a second server
 * on the same database (SCHEDULE=0) sees the attempts the first one counted.
 */
export class RateLimitStore {
  private prunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    private readonly windowMs: number,
  ) {}

  /**
   * Counts one attempt under every limit at once (one write transaction, counted before the work
   * it guards, so parallel attempts cannot all slip under a limit). When any limit is exceeded the
   * attempt is refused and taken back from every counter: a refused attempt tried nothing, so it
   * does not count against the others. `retryAt` is when the last refusing window ends.
   */
  hit(limits: readonly Limit[]): HitResult {
    const now = this.clock().getTime();
    return writeTransaction(this.db, (tx) => {
      const s = stmts(tx);
      // Rows of windows that have passed are dropped now and then, not on every attempt.
      if (now - this.prunedAt > this.windowMs) {
        s.prune.run(now);
        this.prunedAt = now;
      }
      const counted = limits.map(({ key, limit }) => ({ key, limit, ...s.increment.get({ key, now, resetAt: now + this.windowMs })! }));
      const over = counted.filter((c) => c.hits > c.limit);
      if (over.length === 0) return { allowed: true, counted: counted.map(({ key, resetAt }) => ({ key, resetAt })) };
      for (const c of counted) s.decrement.run(c.key, c.resetAt);
      return { allowed: false, retryAt: new Date(Math.max(...over.map((c) => c.resetAt))) };
    });
  }

  /** Takes back the hits of an attempt that turned out not to count (a correct password), each in its own window only. */
  takeBack(counted: Counted): void {
    writeTransaction(this.db, (tx) => {
      const s = stmts(tx);
      for (const c of counted) s.decrement.run(c.key, c.resetAt);
    });
  }
}
