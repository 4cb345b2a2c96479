import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fromRoot } from '../paths.js';
import Database from 'better-sqlite3';
import type { RunResult } from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { sql, type SQL } from 'drizzle-orm';
import * as schema from './schema/index.js';
import { handedOver } from './write-handoff.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/**
 * A database or a drizzle transaction: what read-only repos take. A function that writes takes
 * `Tx` (inside a write transaction) or `Db` (opens its own) instead, so its signature shows which.
 */
export type Conn = BaseSQLiteDatabase<'sync', RunResult, typeof schema>;

export const MIGRATIONS_FOLDER = fromRoot('src/db/migrations');

/**
 * The pragma of every connection that writes. With WAL and FULL, COMMIT fsyncs the -wal file before
 * it returns: a write that was answered survives a power cut or an OS crash (as far as the disk
 * keeps what it says it flushed: docs/operations.md § What a power cut … can lose). With NORMAL
 * (the default better-sqlite3 gives a WAL file) the WAL is fsynced only at checkpoints, so the
 * commits since the last one could vanish after they were answered. The price is one fsync per
 * commit (docs/decisions.md § Durability).
 */
export const DURABLE = 'synchronous = FULL';

/** `PRAGMA synchronous` as SQLite reports it: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
export const SYNCHRONOUS_FULL = 2;

/**
 * Opens the SQLite file with the pragmas the product relies on (the only place they are chosen).
 * - WAL: readers never wait for the writer.
 * - foreign_keys: SQLite ignores REFERENCES without it.
 * - busy_timeout: a second process (CLI pack run, second server) waits for the write lock instead of failing.
 * - {@link DURABLE}: a commit is on disk before it returns, so before anything is answered.
 * Every connection that writes is opened here (the server's, the pack run's worker's, the CLI's),
 * except the checkpoint thread's (checkpoints.ts), which sets DURABLE itself; the others are read-only.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const sqlite = new Database(path);
  if (path !== ':memory:') keepPrivate(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma(DURABLE);
  return drizzle(sqlite, { schema });
}

/** Applies the committed migrations (a no-op when the file is current). */
export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

declare const insideWriteTransaction: unique symbol;

/**
 * The transaction boundary in a signature: `fn(tx: Tx, …)` writes and must be called inside a
 * write transaction (it opens none, so its writes commit or roll back with the caller's);
 * `fn(db: Db, …)` opens its own with {@link writeTransaction}. A Tx is the same connection as its
 * Db (better-sqlite3 transactions belong to the connection, so prepared statements and drizzle
 * queries on it are all inside the transaction); the brand only lets the compiler refuse a bare
 * Db where a transaction is required. Only writeTransaction and {@link savepoint} hand one out.
 */
export type Tx = Db & { readonly [insideWriteTransaction]: true };

/**
 * The one way to open a write transaction. IMMEDIATE takes the write lock at BEGIN, so two
 * processes never both read under a shared lock and then fail to upgrade it; the callback must be
 * synchronous (better-sqlite3). Called inside another write transaction it becomes a SAVEPOINT of
 * that one (better-sqlite3 nests that way), so a `Db` function may be called with a `Tx`.
 */
export function writeTransaction<T>(db: Db, fn: (tx: Tx) => T): T {
  // The lock handed over from the pack run's worker without the busy handler's sleeps (write-handoff.ts).
  return handedOver(db.$client, () => db.$client.transaction(() => fn(db as Tx)).immediate());
}

/**
 * Runs `fn` in a SAVEPOINT of the caller's write transaction: a throw undoes `fn`'s writes only and
 * the transaction goes on (Report in reports each order in its own; group commit runs each job in
 * its own). A savepoint outside a transaction would silently be a transaction of its own, so that
 * is refused. After some errors (SQLITE_FULL, SQLITE_IOERR) SQLite rolls back the whole transaction,
 * not just the savepoint: a caller that goes on after a failed savepoint must check
 * `inTransaction` and pass such an error on (group commit does; Report in passes on every non-refusal).
 */
export function savepoint<T>(tx: Tx, fn: (tx: Tx) => T): T {
  if (!tx.$client.inTransaction) throw new Error('savepoint() needs an open write transaction');
  return tx.$client.transaction(() => fn(tx))();
}

/**
 * Statements prepared once per connection, for hot paths (scans, Report in): building SQL text
 * and preparing it on every call would cost more than the work.
 */
export function preparedFor<T>(prepare: (sqlite: Database.Database, db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Database.Database, T>();
  return (db) => {
    let statements = cache.get(db.$client);
    if (!statements) cache.set(db.$client, (statements = prepare(db.$client, db)));
    return statements;
  };
}

/**
 * A drizzle query prepared once per connection (`conn.select()….prepare()` with `sql.placeholder`),
 * for reads every request makes (the session, the user, an order by code): drizzle builds the SQL
 * text and SQLite prepares it on every call of a plain query, which costs more than the read. A
 * transaction's `Tx` is the same object as its `Db`, so one cache entry serves both.
 */
export function preparedQuery<T>(prepare: (conn: Conn) => T): (conn: Conn) => T {
  const cache = new WeakMap<Conn, T>();
  return (conn) => {
    let query = cache.get(conn);
    if (!query) cache.set(conn, (query = prepare(conn)));
    return query;
  };
}

/**
 * The database holds customers, session ids and the session secret: readable by the server's user
 * alone (0600), whatever the umask made of it. SQLite gives its -wal and -shm files the database
 * file's mode when it makes them; those already there are set too. Backups are written the same way
 * (scripts/backup.ts).
 */
export function keepPrivate(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/** Closes the connection (the last one to close folds the WAL into the database file). */
export function closeDatabase(db: Db): void {
  db.$client.close();
}

/**
 * A placeholder bound as it is given, not through its column's mapping: for an UPDATE's `.set()`
 * (drizzle's types take no bare placeholder there), a nullable time in an INSERT (drizzle's
 * timestamp mapper takes no null) and comparisons. Its value is what SQLite stores: a time as
 * epoch ms, a flag as 0/1, JSON as text.
 */
export function asStored(name: string): SQL {
  return sql`${sql.placeholder(name)}`;
}
