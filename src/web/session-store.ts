import session from 'express-session';
import { writeTransaction, type Db } from '../db/client.js';
import { findSession, removeExpiredSessions, removeSession, renewSessionExpiry, saveSession } from './repo.js';

type Callback = (err?: unknown) => void;

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
      const row = findSession(this.db, sid);
      if (!row || row.expiresAt <= this.clock()) return cb(null, null);
      cb(null, JSON.parse(row.data) as session.SessionData);
    } catch (err) {
      cb(err);
    }
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    try {
      const expiresAt = this.expiry(sess);
      writeTransaction(this.db, (tx) => saveSession(tx, { sid, data: JSON.stringify(sess), userId: sess.userId ?? null, expiresAt }));
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
        const expiresAt = this.expiry(sess);
        writeTransaction(this.db, (tx) => renewSessionExpiry(tx, sid, expiresAt));
        this.lastTouch.set(sid, now);
      }
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override destroy(sid: string, cb?: Callback): void {
    try {
      writeTransaction(this.db, (tx) => removeSession(tx, sid));
      this.lastTouch.delete(sid);
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  /** Removes expired rows; the server calls it hourly. */
  prune(): number {
    this.lastTouch.clear();
    return writeTransaction(this.db, (tx) => removeExpiredSessions(tx, this.clock()));
  }

  private expiry(sess: session.SessionData): Date {
    const expires = sess.cookie?.expires;
    return expires ? new Date(expires) : new Date(this.clock().getTime() + DEFAULT_TTL_MS);
  }
}
