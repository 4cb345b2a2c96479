import { eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx } from '../db/client.js';
import { settings } from '../db/schema/index.js';

// Settings are read on hot paths (e-mails, the pack script): prepared once per connection.
const valueOf = preparedQuery((conn) =>
  conn
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, sql.placeholder('key')))
    .prepare(),
);
const upsert = preparedQuery((conn) =>
  conn
    .insert(settings)
    .values({ key: sql.placeholder('key'), value: sql.placeholder('value'), updatedAt: sql.placeholder('at'), updatedBy: sql.placeholder('by') })
    .onConflictDoUpdate({ target: settings.key, set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at`, updatedBy: sql`excluded.updated_by` } })
    .prepare(),
);

/** The stored JSON value of a setting (parsed), or undefined when it was never saved. */
export function settingValue(conn: Conn, key: string): unknown {
  return valueOf(conn).get({ key })?.value;
}

/** Saves a setting's JSON value with when and by whom. */
export function saveSettingValue(tx: Tx, key: string, value: unknown, at: Date, by: string | null): void {
  upsert(tx).run({ key, value, at, by });
}

const remove = preparedQuery((conn) =>
  conn
    .delete(settings)
    .where(eq(settings.key, sql.placeholder('key')))
    .prepare(),
);

/** Removes a setting (read as never saved from then on). */
export function deleteSettingValue(tx: Tx, key: string): void {
  remove(tx).run({ key });
}
