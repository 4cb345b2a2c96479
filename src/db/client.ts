import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { RunResult } from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import * as schema from './schema/index.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** A database or a transaction: what repos take, so a service decides where the transaction starts. */
export type Conn = BaseSQLiteDatabase<'sync', RunResult, typeof schema>;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Opens the SQLite file with the pragmas the product relies on. The only place pragmas are set.
 * - WAL: readers never wait for the writer.
 * - foreign_keys: SQLite ignores REFERENCES without it.
 * - busy_timeout: a second process (CLI pack run, second server) waits for the write lock instead of failing.
 * - synchronous NORMAL: safe with WAL; a power cut may lose the last commit, never corrupt.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  return drizzle(sqlite, { schema }) as Db;
}

/** Applies the committed migrations (a no-op when the file is current). */
export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/**
 * Runs `fn` in a write transaction. IMMEDIATE takes the write lock at BEGIN, so two processes
 * never both read under a shared lock and then fail to upgrade it; the callback must be
 * synchronous (better-sqlite3).
 */
export function writeTransaction<T>(db: Db, fn: (tx: Conn) => T): T {
  return db.transaction((tx) => fn(tx), { behavior: 'immediate' });
}

/**
 * Statements prepared once per connection, for hot paths (scans, Report in): building SQL text
 * and preparing it on every call would cost more than the work.
 */
export function preparedFor<T>(prepare: (sqlite: Database.Database) => T): (db: Db) => T {
  const cache = new WeakMap<Database.Database, T>();
  return (db) => {
    let statements = cache.get(db.$client);
    if (!statements) cache.set(db.$client, (statements = prepare(db.$client)));
    return statements;
  };
}
