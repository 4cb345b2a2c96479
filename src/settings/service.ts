import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { deleteSettingValue, saveSettingValue, settingValue } from './repo.js';

/**
 * One setting's stored value as JSON, or undefined when never saved. What it holds is the caller's
 * to check (a zod schema, {@link settingsGroup}): a value saved by another version may differ.
 */
export function getSetting(conn: Conn, key: string): unknown {
  return settingValue(conn, key);
}

/**
 * Saves one setting in a write transaction of its own, or as a savepoint of the caller's when
 * called with its `Tx` (a setting that goes with other writes, such as the webhook cursor).
 */
export function putSetting(db: Db, key: string, value: unknown, now: Date, by?: string): void {
  writeTransaction(db, (tx) => saveSettingValue(tx, key, value, now, by ?? null));
}

/** Removes a setting in a write transaction of its own (or a savepoint of the caller's). */
export function removeSetting(db: Db, key: string): void {
  writeTransaction(db, (tx) => deleteSettingValue(tx, key));
}

/** The session cookie secret: from SESSION_SECRET, else made once and kept, so logins survive a restart. */
export function sessionSecret(db: Db, configured: string | undefined, now: Date): string {
  if (configured) return configured;
  // Read and made in one IMMEDIATE transaction: two servers starting on one file keep the same secret.
  return writeTransaction(db, (tx) => {
    const stored = getSetting(tx, 'session_secret');
    if (typeof stored === 'string' && stored) return stored;
    const secret = randomBytes(32).toString('base64url');
    putSetting(tx, 'session_secret', secret, now, 'system');
    return secret;
  });
}

/**
 * A group of settings kept as one JSON value under `key`: read over its defaults (a value saved
 * by an older version, with fewer fields or a field no longer valid, falls back field by field).
 */
export function settingsGroup<S extends z.ZodObject>(key: string, schema: S, defaults: z.infer<S>) {
  const fields = Object.entries(schema.shape) as [string, z.ZodType][];
  return {
    get(conn: Conn): z.infer<S> {
      const stored = getSetting(conn, key);
      const value: Record<string, unknown> = { ...defaults };
      if (stored && typeof stored === 'object') {
        const saved = new Map(Object.entries(stored));
        for (const [name, field] of fields) {
          const parsed = saved.has(name) ? field.safeParse(saved.get(name)) : undefined;
          if (parsed?.success) value[name] = parsed.data;
        }
      }
      return value as z.infer<S>;
    },
    put(db: Db, value: z.infer<S>, now: Date, by: string): void {
      putSetting(db, key, value, now, by);
    },
  };
}
