import { preparedFor, type Db } from './client.js';
import { announceWrites } from './write-handoff.js';

// What a connection's owner asks of it beyond queries (the pack run's worker, the health check):
// better-sqlite3's own calls, kept here so that no module outside src/db/ holds the driver.

/** The file the connection is open on; null for an in-memory database (another thread cannot open it). */
export function databaseFile(db: Db): string | null {
  return db.$client.memory ? null : db.$client.name;
}

/** Answers a trivial read: the connection works (the health check). */
const ping = preparedFor((sqlite) => sqlite.prepare('SELECT 1'));

export function pingDatabase(db: Db): void {
  ping(db).get();
}

/** SQLite's automatic checkpoint after this many WAL pages on this connection; 0 turns it off. */
export function setAutoCheckpoint(db: Db, pages: number): void {
  db.$client.pragma(`wal_autocheckpoint = ${Math.trunc(pages)}`);
}

/** A PASSIVE checkpoint: copies what it can from the WAL into the database file, waiting for nobody. */
export function checkpointPassive(db: Db): void {
  db.$client.pragma('wal_checkpoint(PASSIVE)');
}

/** The connection's `PRAGMA synchronous` as SQLite reports it (client.ts SYNCHRONOUS_FULL is FULL). */
export function synchronousLevel(db: Db): number {
  const level: unknown = db.$client.pragma('synchronous', { simple: true });
  if (typeof level !== 'number') throw new Error(`PRAGMA synchronous answered ${String(level)}`);
  return level;
}

/** Marks the pack run worker's connection: its write transactions raise `flag` (write-handoff.ts). */
export function announceWorkerWrites(db: Db, flag: Int32Array): void {
  announceWrites(db.$client, flag);
}
