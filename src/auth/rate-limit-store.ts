import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { preparedFor, type Db } from '../db/client.js';

const stmts = preparedFor((sqlite) => ({
  // One statement: the count and the window are read and written atomically, also across
  // processes, so two servers on one file cannot both let the eleventh attempt through.
  increment: sqlite.prepare(
    `INSERT INTO rate_limits (key, hits, reset_at) VALUES (@key, 1, @resetAt)
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN reset_at <= @now THEN 1 ELSE hits + 1 END,
       reset_at = CASE WHEN reset_at <= @now THEN excluded.reset_at ELSE reset_at END
     RETURNING hits, reset_at AS resetAt`,
  ),
  get: sqlite.prepare('SELECT hits, reset_at AS resetAt FROM rate_limits WHERE key = ? AND reset_at > ?'),
  decrement: sqlite.prepare('UPDATE rate_limits SET hits = max(hits - 1, 0) WHERE key = ? AND reset_at > ?'),
  reset: sqlite.prepare('DELETE FROM rate_limits WHERE key = ?'),
  prune: sqlite.prepare('DELETE FROM rate_limits WHERE reset_at <= ?'),
}));

/**
 * express-rate-limit's counter kept in the SQLite file instead of the process: a second server on
 * the same database (SCHEDULE=0) sees the attempts the first one counted. The methods answer
 * synchronously (better-sqlite3 is synchronous and the Store interface takes a value or a promise).
 */
export class SqliteRateLimitStore implements Store {
  private windowMs = 60_000;
  private prunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const row = stmts(this.db).get.get(this.prefix + key, this.clock().getTime()) as { hits: number; resetAt: number } | undefined;
    return row && { totalHits: row.hits, resetTime: new Date(row.resetAt) };
  }

  increment(key: string): ClientRateLimitInfo {
    const now = this.clock().getTime();
    const s = stmts(this.db);
    // Rows of windows that have passed are dropped now and then, not on every attempt.
    if (now - this.prunedAt > this.windowMs) {
      s.prune.run(now);
      this.prunedAt = now;
    }
    const row = s.increment.get({ key: this.prefix + key, now, resetAt: now + this.windowMs }) as { hits: number; resetAt: number };
    return { totalHits: row.hits, resetTime: new Date(row.resetAt) };
  }

  decrement(key: string): void {
    stmts(this.db).decrement.run(this.prefix + key, this.clock().getTime());
  }

  resetKey(key: string): void {
    stmts(this.db).reset.run(this.prefix + key);
  }
}
