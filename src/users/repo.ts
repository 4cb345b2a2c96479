import { and, asc, count, eq, isNull, ne, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx, asStored } from '../db/client.js';
import { sessions, users } from '../db/schema/index.js';
import type { Language } from '../i18n/index.js';

export type UserRow = typeof users.$inferSelect;

const reads = preparedQuery((conn) => ({
  byEmail: conn
    .select()
    .from(users)
    .where(eq(users.email, sql.placeholder('email')))
    .prepare(),
  byId: conn
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare(),
  all: conn.select().from(users).orderBy(asc(users.name), asc(users.id)).prepare(),
  any: conn.select({ id: users.id }).from(users).limit(1).prepare(),
  activeAdminsBut: conn
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, sql.placeholder('exceptId'))))
    .prepare(),
  activeAdmins: conn
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
    .prepare(),
}));

const writes = preparedQuery((conn) => {
  const byId = eq(users.id, sql.placeholder('id'));
  const ofUser = eq(sessions.userId, sql.placeholder('userId'));
  return {
    insert: conn
      .insert(users)
      .values({
        email: sql.placeholder('email'),
        name: sql.placeholder('name'),
        role: sql.placeholder('role'),
        language: sql.placeholder('language'),
        passwordHash: sql.placeholder('passwordHash'),
        createdAt: sql.placeholder('now'),
        updatedAt: sql.placeholder('now'),
      })
      .returning()
      .prepare(),
    update: conn
      .update(users)
      .set({ name: asStored('name'), role: asStored('role'), language: asStored('language'), updatedAt: asStored('now') })
      .where(byId)
      .returning()
      .prepare(),
    updateAccount: conn
      .update(users)
      .set({ name: asStored('name'), language: asStored('language'), soundsMuted: asStored('soundsMuted'), updatedAt: asStored('now') })
      .where(byId)
      .returning()
      .prepare(),
    setDisabled: conn
      .update(users)
      .set({ disabledAt: asStored('disabledAt'), updatedAt: asStored('now') })
      .where(byId)
      .returning()
      .prepare(),
    setPassword: conn
      .update(users)
      .set({ passwordHash: asStored('passwordHash'), updatedAt: asStored('now') })
      .where(byId)
      .prepare(),
    setLastLogin: conn
      .update(users)
      .set({ lastLoginAt: asStored('now') })
      .where(byId)
      .prepare(),
    deleteSessions: conn.delete(sessions).where(ofUser).prepare(),
    deleteSessionsBut: conn
      .delete(sessions)
      .where(and(ofUser, ne(sessions.sid, sql.placeholder('keepSid'))))
      .prepare(),
  };
});

/** The user with this e-mail (any case: stored lower-cased), or undefined. */
export function findUserByEmail(conn: Conn, email: string): UserRow | undefined {
  return reads(conn).byEmail.get({ email: email.toLowerCase() });
}

/** The user with this id, or undefined (every request reads it). */
export function findUserById(conn: Conn, id: number): UserRow | undefined {
  return reads(conn).byId.get({ id });
}

/** Whether anyone has an account yet (the first admin is made when nobody has). */
export function anyUser(conn: Conn): boolean {
  return reads(conn).any.get() !== undefined;
}

/** Every user, by name. */
export function listUsers(conn: Conn): UserRow[] {
  return reads(conn).all.all();
}

/** How many admins are not disabled, `exceptId` not counted. */
export function countActiveAdmins(conn: Conn, exceptId?: number): number {
  const s = reads(conn);
  const row = exceptId ? s.activeAdminsBut.get({ exceptId }) : s.activeAdmins.get();
  return row?.n ?? 0;
}

/** Writes a new user and returns it as stored. */
export function insertUser(tx: Tx, user: { email: string; name: string; role: UserRow['role']; language: Language; passwordHash: string }, now: Date): UserRow {
  return writes(tx).insert.get({ ...user, now });
}

/** Sets a user's name, role and language; returns the user as stored. */
export function updateUserRow(tx: Tx, id: number, input: { name: string; role: UserRow['role']; language: Language }, now: Date): UserRow {
  return writes(tx).update.get({ id, name: input.name, role: input.role, language: input.language, now: now.getTime() });
}

/** Sets what a user changes of their own account; returns the user as stored. */
export function updateAccountRow(tx: Tx, id: number, input: { name: string; language: Language; soundsMuted: boolean }, now: Date): UserRow | undefined {
  return writes(tx).updateAccount.get({ id, name: input.name, language: input.language, soundsMuted: input.soundsMuted ? 1 : 0, now: now.getTime() });
}

/** Disables a user (`disabledAt` = when) or enables them (null); returns the user as stored. */
export function setDisabledAt(tx: Tx, id: number, disabledAt: Date | null, now: Date): UserRow {
  return writes(tx).setDisabled.get({ id, disabledAt: disabledAt?.getTime() ?? null, now: now.getTime() });
}

/** Sets a user's password hash. */
export function setPasswordHash(tx: Tx, id: number, passwordHash: string, now: Date): void {
  writes(tx).setPassword.run({ id, passwordHash, now: now.getTime() });
}

/** Notes when the user last logged in. */
export function setLastLogin(tx: Tx, id: number, now: Date): void {
  writes(tx).setLastLogin.run({ id, now: now.getTime() });
}

/** Logs a user out everywhere, or everywhere but the session `keepSid`. */
export function deleteSessionsOf(tx: Tx, userId: number, keepSid?: string): void {
  const s = writes(tx);
  if (keepSid) s.deleteSessionsBut.run({ userId, keepSid });
  else s.deleteSessions.run({ userId });
}
