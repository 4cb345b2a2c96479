import { eq, lt, sql } from 'drizzle-orm';
import session from 'express-session';
import { preparedQuery, type Db } from '../db/client.js';
import { sessions } from '../db/schema/index.js';

type Callback = (err?: unknown) => void;

// Read on every request, renewed once a minute: prepared once per connection.
const sessionBySid = preparedQuery((conn) => conn.select().from(sessions).where(eq(sessions.sid, sql.placeholder('sid'))).prepare());
// drizzle's types take no placeholder in set(), but it binds one there (as a Param of the column, so
// the Date is encoded as the column encodes it).
const renewSession = preparedQuery((conn) =>
  conn.update(sessions).set({ expiresAt: sql.placeholder('expiresAt') as unknown as Date }).where(eq(sessions.sid, sql.placeholder('sid'))).prepare(),
);
const DEFAULT_TTL_MS = 12 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60 * 1000;

/**
 * express-session store on the `sessions` table: logins survive a restart, and a user's sessions
 * can be dropped by user id (disable, password reset).
 */
export class SqliteSessionStore extends session.Store {
  private readonly lastTouch = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
  ) {
    super();
  }

  override get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void {
    try {
      const row = sessionBySid(this.db).get({ sid });
      if (!row || row.expiresAt <= this.clock()) return cb(null, null);
      cb(null, JSON.parse(row.data) as session.SessionData);
    } catch (err) {
      cb(err);
    }
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    try {
      const expiresAt = this.expiry(sess);
      const values = { data: JSON.stringify(sess), userId: sess.userId ?? null, expiresAt };
      this.db
        .insert(sessions)
        .values({ sid, ...values })
        .onConflictDoUpdate({ target: sessions.sid, set: values })
        .run();
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    try {
      // Renewing a 12-hour session on every page view would be a write per request; once a minute is as good.
      const now = this.clock().getTime();
      if (now - (this.lastTouch.get(sid) ?? 0) >= TOUCH_EVERY_MS) {
        renewSession(this.db).run({ sid, expiresAt: this.expiry(sess) });
        this.lastTouch.set(sid, now);
      }
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override destroy(sid: string, cb?: Callback): void {
    try {
      this.db.delete(sessions).where(eq(sessions.sid, sid)).run();
      this.lastTouch.delete(sid);
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  /** Removes expired rows; the server calls it hourly. */
  prune(): number {
    this.lastTouch.clear();
    return this.db.delete(sessions).where(lt(sessions.expiresAt, this.clock())).run().changes;
  }

  private expiry(sess: session.SessionData): Date {
    const expires = sess.cookie?.expires;
    return expires ? new Date(expires) : new Date(this.clock().getTime() + DEFAULT_TTL_MS);
  }
}
