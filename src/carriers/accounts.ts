import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { AppError, fieldError } from '../errors.js';
import { carrierDefinition } from './registry.js';
import {
  accountUses,
  deleteAccount,
  deleteMethod,
  findAccount,
  findMethod,
  insertAccount,
  insertMethod,
  listAccounts,
  listMethods,
  methodByCode,
  setAccountCredentials,
  updateAccount,
  updateMethod,
  type AccountRow,
  type MethodRow,
} from './repo.js';
import type { AccountInput, MethodInput } from './schemas.js';
import type { CredentialBox } from './secrets.js';

// Settings → Shipping → Carriers: carrier accounts (credentials sealed, never shown again) and the
// shop's shipping methods mapped to a carrier and service, pickup, or the station's own parcel IDs.

/** An account as Settings shows it: everything but the credentials, which are never read back. */
export type AccountView = Omit<AccountRow, 'credentials'> & { carrierName: string };

function view(a: AccountRow): AccountView {
  const { credentials: _sealed, ...rest } = a;
  return { ...rest, carrierName: carrierDefinition(a.kind).name };
}

export const accountViews = (conn: Conn): AccountView[] => listAccounts(conn).map(view);

export function accountView(conn: Conn, id: number): AccountView {
  const a = findAccount(conn, id);
  if (!a) throw new AppError('not_found', 'errors.notFound');
  return view(a);
}

/**
 * The credentials a form gave: each of the carrier's fields, trimmed. Adding an account needs every
 * one; changing one keeps each field left empty as it was.
 */
function credentialsFrom(input: AccountInput, given: Record<string, unknown>, kept: Record<string, string> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of carrierDefinition(input.kind).credentialFields) {
    const raw = given[`credential.${name}`];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value.length > 500) throw fieldError(`credential.${name}`, 'validation.tooLong', { max: 500 });
    if (value) out[name] = value;
    else if (kept?.[name]) out[name] = kept[name];
    else throw fieldError(`credential.${name}`, 'validation.required');
  }
  return out;
}

function checkLabelFormat(input: AccountInput): void {
  const definition = carrierDefinition(input.kind);
  if (!definition.labelFormats.includes(input.labelFormat))
    throw fieldError('labelFormat', 'validation.labelFormatNotOffered', { carrier: definition.name, format: input.labelFormat.toUpperCase() });
}

/** Adds an account (`id` null) or changes one; the credentials are sealed before they are written. */
export function saveAccount(db: Db, box: CredentialBox, id: number | null, input: AccountInput, given: Record<string, unknown>, now: Date): AccountView {
  checkLabelFormat(input);
  return writeTransaction(db, (tx) => {
    const existing = id === null ? null : findAccount(tx, id);
    if (id !== null && !existing) throw new AppError('not_found', 'errors.notFound');
    if (existing && existing.kind !== input.kind) throw fieldError('kind', 'validation.carrierKindFixed');
    // An account whose box no longer opens (a restored backup without its key) takes new credentials in full.
    let kept: Record<string, string> | null = null;
    if (existing) {
      try {
        kept = box.open(existing.credentials);
      } catch {
        kept = null;
      }
    }
    const sealed = box.seal(credentialsFrom(input, given, kept));
    if (!existing) return view(findAccount(tx, insertAccount(tx, input, sealed, now))!);
    updateAccount(tx, existing.id, input, now);
    setAccountCredentials(tx, existing.id, sealed, now);
    return view(findAccount(tx, existing.id)!);
  });
}

/** Deletes an account no shipping method and no booking names (bookings keep their account for lookups and cancels). */
export function removeAccount(db: Db, id: number): AccountView {
  return writeTransaction(db, (tx) => {
    const a = findAccount(tx, id);
    if (!a) throw new AppError('not_found', 'errors.notFound');
    const uses = accountUses(tx, id);
    if (uses.methods || uses.bookings)
      throw new AppError('conflict', 'errors.carrierAccountInUse', { name: a.name, methods: uses.methods, bookings: uses.bookings });
    deleteAccount(tx, id);
    return view(a);
  });
}

export interface MethodView extends MethodRow {
  account: AccountView | null;
}

export function methodViews(conn: Conn): MethodView[] {
  const accounts = new Map(accountViews(conn).map((a) => [a.id, a]));
  return listMethods(conn).map((m) => ({ ...m, account: m.carrierAccountId === null ? null : (accounts.get(m.carrierAccountId) ?? null) }));
}

export function methodView(conn: Conn, id: number): MethodRow {
  const m = findMethod(conn, id);
  if (!m) throw new AppError('not_found', 'errors.notFound');
  return m;
}

/** Adds a method (`id` null) or changes one; made the default, it takes the mark from the one that had it. */
export function saveMethod(db: Db, id: number | null, input: MethodInput, now: Date): MethodRow {
  return writeTransaction(db, (tx) => {
    if (id !== null && !findMethod(tx, id)) throw new AppError('not_found', 'errors.notFound');
    const same = methodByCode(tx, input.code);
    if (same && same.id !== id) throw fieldError('code', 'validation.methodCodeInUse', { code: input.code, name: same.name });
    if (input.kind === 'carrier' && !findAccount(tx, input.carrierAccountId!)) throw fieldError('carrierAccountId', 'validation.carrierAccountRequired');
    // Only a carrier method names an account and a service.
    const fields = {
      ...input,
      carrierAccountId: input.kind === 'carrier' ? input.carrierAccountId : null,
      service: input.kind === 'carrier' ? input.service : null,
    };
    const saved = id ?? insertMethod(tx, fields, now);
    if (id !== null) updateMethod(tx, id, fields, now);
    return findMethod(tx, saved)!;
  });
}

export function removeMethod(db: Db, id: number): MethodRow {
  return writeTransaction(db, (tx) => {
    const m = findMethod(tx, id);
    if (!m) throw new AppError('not_found', 'errors.notFound');
    deleteMethod(tx, id);
    return m;
  });
}
