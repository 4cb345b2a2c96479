import { eq, lt, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx, asStored } from '../db/client.js';
import { sessions } from '../db/schema/index.js';

// The session store's statements (session-store.ts): read on every request, renewed once a minute,
// so prepared once per connection.

const sessionBySid = preparedQuery((conn) =>
  conn
    .select()
    .from(sessions)
    .where(eq(sessions.sid, sql.placeholder('sid')))
    .prepare(),
);
const upsertSession = preparedQuery((conn) =>
  conn
    .insert(sessions)
    .values({ sid: sql.placeholder('sid'), data: sql.placeholder('data'), userId: sql.placeholder('userId'), expiresAt: sql.placeholder('expiresAt') })
    .onConflictDoUpdate({ target: sessions.sid, set: { data: sql`excluded.data`, userId: sql`excluded.user_id`, expiresAt: sql`excluded.expires_at` } })
    .prepare(),
);
const renewSession = preparedQuery((conn) =>
  conn
    .update(sessions)
    .set({ expiresAt: asStored('expiresAt') })
    .where(eq(sessions.sid, sql.placeholder('sid')))
    .prepare(),
);
const deleteSession = preparedQuery((conn) =>
  conn
    .delete(sessions)
    .where(eq(sessions.sid, sql.placeholder('sid')))
    .prepare(),
);
const deleteExpired = preparedQuery((conn) =>
  conn
    .delete(sessions)
    .where(lt(sessions.expiresAt, asStored('now')))
    .prepare(),
);

export type SessionRow = typeof sessions.$inferSelect;

/** The session row of this id (its data as JSON text, its user, when it expires), or undefined. */
export function findSession(conn: Conn, sid: string): SessionRow | undefined {
  return sessionBySid(conn).get({ sid });
}

/** Saves a session (new or changed). */
export function saveSession(tx: Tx, row: SessionRow): void {
  upsertSession(tx).run(row);
}

/** Moves a session's expiry. */
export function renewSessionExpiry(tx: Tx, sid: string, expiresAt: Date): void {
  renewSession(tx).run({ sid, expiresAt: expiresAt.getTime() });
}

/** Removes a session. */
export function removeSession(tx: Tx, sid: string): void {
  deleteSession(tx).run({ sid });
}

/** Removes the sessions expired before `now`; returns how many. */
export function removeExpiredSessions(tx: Tx, now: Date): number {
  return deleteExpired(tx).run({ now: now.getTime() }).changes;
}
