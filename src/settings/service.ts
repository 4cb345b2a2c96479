import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { eq } from 'drizzle-orm';
import { preparedFor, writeTransaction, type Conn, type Db } from '../db/client.js';
import { settings } from '../db/schema/index.js';

/** The read of one setting, prepared once per connection: settings are read on hot paths (e-mails, the pack script). */
const read = preparedFor((sqlite) => sqlite.prepare('SELECT value FROM settings WHERE key = ?').pluck());

export function getSetting<T>(conn: Conn, key: string): T | undefined {
  // A transaction object has no connection of its own to prepare on; it reads through drizzle.
  const value = '$client' in conn ? (read(conn as Db).get(key) as string | undefined) : conn.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value;
  if (value === undefined) return undefined;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/**
 * Saves one setting in a write transaction of its own, or as a savepoint of the caller's when
 * called with its `Tx` (a setting that goes with other writes, such as the webhook cursor).
 */
export function putSetting(db: Db, key: string, value: unknown, now: Date, by?: string): void {
  writeTransaction(db, (tx) => {
    tx.insert(settings)
      .values({ key, value, updatedAt: now, updatedBy: by ?? null })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now, updatedBy: by ?? null } })
      .run();
  });
}

/** The session cookie secret: from SESSION_SECRET, else made once and kept, so logins survive a restart. */
export function sessionSecret(db: Db, configured: string | undefined, now: Date): string {
  if (configured) return configured;
  // Read and made in one IMMEDIATE transaction: two servers starting on one file keep the same secret.
  return writeTransaction(db, (tx) => {
    const stored = getSetting<string>(tx, 'session_secret');
    if (stored) return stored;
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
      const stored = getSetting<Record<string, unknown>>(conn, key);
      const value: Record<string, unknown> = { ...defaults };
      if (stored && typeof stored === 'object') {
        for (const [name, field] of fields) {
          const parsed = name in stored ? field.safeParse(stored[name]) : undefined;
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
