import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx } from '../db/client.js';
import { sessions, users } from '../db/schema/index.js';

export type UserRow = typeof users.$inferSelect;

export function findUserByEmail(conn: Conn, email: string): UserRow | undefined {
  return conn.select().from(users).where(eq(users.email, email.toLowerCase())).get();
}

const userById = preparedQuery((conn) => conn.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare());

export function findUserById(conn: Conn, id: number): UserRow | undefined {
  return userById(conn).get({ id });
}

export function listUsers(conn: Conn): UserRow[] {
  return conn.select().from(users).orderBy(asc(users.name), asc(users.id)).all();
}

export function countActiveAdmins(conn: Conn, exceptId?: number): number {
  const rows = conn
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), exceptId ? ne(users.id, exceptId) : undefined))
    .all();
  return rows.length;
}

/** Logs a user out everywhere, or everywhere but the session `keepSid`. */
export function deleteSessionsOf(tx: Tx, userId: number, keepSid?: string): void {
  tx
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), keepSid ? ne(sessions.sid, keepSid) : undefined))
    .run();
}
