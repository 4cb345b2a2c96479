import { writeTransaction, type Db } from '../db/client.js';
import { countHit, pruneHits, uncountHit } from './repo.js';

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
      // Rows of windows that have passed are dropped now and then, not on every attempt.
      if (now - this.prunedAt > this.windowMs) {
        pruneHits(tx, now);
        this.prunedAt = now;
      }
      const counted = limits.map(({ key, limit }) => ({ key, limit, ...countHit(tx, key, now, this.windowMs) }));
      const over = counted.filter((c) => c.hits > c.limit);
      if (over.length === 0) return { allowed: true, counted: counted.map(({ key, resetAt }) => ({ key, resetAt })) };
      for (const c of counted) uncountHit(tx, c.key, c.resetAt);
      return { allowed: false, retryAt: new Date(Math.max(...over.map((c) => c.resetAt))) };
    });
  }

  /** Takes back the hits of an attempt that turned out not to count (a correct password), each in its own window only. */
  takeBack(counted: Counted): void {
    writeTransaction(this.db, (tx) => {
      for (const c of counted) uncountHit(tx, c.key, c.resetAt);
    });
  }
}
