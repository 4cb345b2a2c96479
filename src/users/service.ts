import type { z } from 'zod';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { AppError, fieldError } from '../errors.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.js';
import {
  countActiveAdmins,
  deleteSessionsOf,
  findUserByEmail,
  findUserById,
  insertUser,
  setDisabledAt,
  setLastLogin,
  setPasswordHash,
  updateAccountRow,
  updateUserRow,
  type UserRow,
} from './repo.js';
import type { accountForm, changePasswordForm, createUserForm, updateUserForm } from './schemas.js';

function loadUser(conn: Conn, id: number): UserRow {
  const user = findUserById(conn, id);
  if (!user) throw new AppError('user_not_found', 'errors.userNotFound');
  return user;
}

/** Refuses a change that would leave the shop without an active admin. */
function keepAnAdmin(conn: Conn, user: UserRow, stillAdmin: boolean): void {
  if (user.role === 'admin' && !user.disabledAt && !stillAdmin && countActiveAdmins(conn, user.id) === 0) {
    throw new AppError('conflict', 'errors.lastAdmin');
  }
}

export async function createUser(db: Db, input: z.infer<typeof createUserForm>, now: Date): Promise<UserRow> {
  const passwordHash = await hashPassword(input.password);
  return writeTransaction(db, (tx) => {
    if (findUserByEmail(tx, input.email)) throw fieldError('email', 'validation.emailInUse');
    return insertUser(tx, { email: input.email, name: input.name, role: input.role, language: input.language, passwordHash }, now);
  });
}

/** Name, role and language; a role change takes effect on the user's next request. */
export function updateUser(db: Db, id: number, input: z.infer<typeof updateUserForm>, now: Date): UserRow {
  return writeTransaction(db, (tx) => {
    const user = loadUser(tx, id);
    keepAnAdmin(tx, user, input.role === 'admin');
    return updateUserRow(tx, id, input, now);
  });
}

/** Disabling logs the user out at once (sessions dropped) and keeps their name on past events. */
export function setUserDisabled(db: Db, id: number, disabled: boolean, now: Date, byUserId: number): UserRow {
  return writeTransaction(db, (tx) => {
    const user = loadUser(tx, id);
    if (disabled && id === byUserId) throw new AppError('conflict', 'errors.cannotDisableSelf');
    if (disabled) keepAnAdmin(tx, user, false);
    const updated = setDisabledAt(tx, id, disabled ? now : null, now);
    if (disabled) deleteSessionsOf(tx, id);
    return updated;
  });
}

/** An admin sets a new password; the user's sessions end. */
export async function resetPassword(db: Db, id: number, password: string, now: Date): Promise<void> {
  loadUser(db, id);
  const passwordHash = await hashPassword(password);
  writeTransaction(db, (tx) => {
    setPasswordHash(tx, id, passwordHash, now);
    deleteSessionsOf(tx, id);
  });
}

/** The user changes their own password; other sessions end, this one stays. */
export async function changeOwnPassword(db: Db, id: number, input: z.infer<typeof changePasswordForm>, sid: string, now: Date): Promise<void> {
  const user = loadUser(db, id);
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) throw fieldError('currentPassword', 'validation.currentPasswordWrong');
  const passwordHash = await hashPassword(input.newPassword);
  writeTransaction(db, (tx) => {
    setPasswordHash(tx, id, passwordHash, now);
    deleteSessionsOf(tx, id, sid);
  });
}

/** The user's own name, language and sounds. */
export function updateAccount(db: Db, id: number, input: z.infer<typeof accountForm>, now: Date): UserRow | undefined {
  return writeTransaction(db, (tx) => updateAccountRow(tx, id, input, now));
}

/**
 * The user for an e-mail and password, or null. An unknown e-mail costs the same time as a wrong
 * password, and a disabled account is refused like a wrong password (nothing to learn by trying).
 */
export async function authenticate(db: Db, email: string, password: string, now: Date): Promise<UserRow | null> {
  const user = findUserByEmail(db, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || user.disabledAt) return null;
  writeTransaction(db, (tx) => setLastLogin(tx, user.id, now));
  return user;
}
