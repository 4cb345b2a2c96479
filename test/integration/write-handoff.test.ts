import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openDatabase, writeTransaction } from '../../src/db/client.js';
import { announceWrites, workerWriting } from '../../src/db/write-handoff.js';
import { tempDir } from '../temp.js';

// The pack run's worker raises a flag while it holds the write lock and wakes the server's writer at
// its commit; the server's writer waits on that instead of SQLite's busy handler (db/write-handoff.ts).

/**
 * A thread holding the write lock as the pack worker does (flag raised, a row written), until
 * `release` is set and then for 20,000 rows more; `holding` tells the test it has the lock.
 */
const HOLDER = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const flag = new Int32Array(workerData.flag), holding = new Int32Array(workerData.holding), release = new Int32Array(workerData.release);
const db = new Database(workerData.path);
Atomics.store(flag, 0, 1);
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT INTO writes (who) VALUES ('worker')").run();
Atomics.store(holding, 0, 1);
Atomics.notify(holding, 0);
Atomics.wait(release, 0, 0);
// Told to finish, it still writes a while before its commit: the server asks for the lock meanwhile.
const fill = db.prepare("INSERT INTO writes (who) VALUES ('filler')");
for (let i = 0; i < 20000; i++) fill.run();
db.exec('COMMIT');
Atomics.store(flag, 0, 0);
Atomics.notify(flag, 0);
db.close();
`;

function setup() {
  const path = join(tempDir('handoff'), 'handoff.db');
  const db = openDatabase(path);
  db.$client.exec('CREATE TABLE writes (id INTEGER PRIMARY KEY, who TEXT NOT NULL)');
  return { db, path };
}

describe('the write lock handed over from the pack worker', () => {
  it('a server write waits for the worker’s commit on the flag, not in the busy handler', async () => {
    const { db, path } = setup();
    // Without the handoff this connection would fail at once on the worker's lock (SQLITE_BUSY).
    db.$client.pragma('busy_timeout = 0');
    const holding = new Int32Array(new SharedArrayBuffer(4));
    const release = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(HOLDER, {
      eval: true,
      workerData: {
        path,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        flag: workerWriting.buffer,
        holding: holding.buffer,
        release: release.buffer,
      },
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    Atomics.wait(holding, 0, 0, 10_000);
    expect(Atomics.load(workerWriting, 0)).toBe(1);

    // The worker commits when told; the server's write is asked for while it still holds the lock.
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
    writeTransaction(db, (tx) => tx.$client.prepare("INSERT INTO writes (who) VALUES ('server')").run());

    const order = db.$client.prepare("SELECT who FROM writes WHERE who <> 'filler' ORDER BY id").pluck().all();
    expect(order).toEqual(['worker', 'server']);
    expect(db.$client.prepare("SELECT count(*) FROM writes WHERE who = 'filler'").pluck().get()).toBe(20000);
    expect(Atomics.load(workerWriting, 0)).toBe(0);
    await exited;
    db.$client.close();
  });

  it('the worker’s connection raises the flag for its whole transaction, savepoints included, and lowers it after', () => {
    const { db } = setup();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    announceWrites(db.$client, flag);
    const seen: number[] = [];
    writeTransaction(db, (tx) => {
      seen.push(Atomics.load(flag, 0));
      writeTransaction(tx, () => seen.push(Atomics.load(flag, 0)));
      seen.push(Atomics.load(flag, 0));
    });
    expect(seen).toEqual([1, 1, 1]);
    expect(Atomics.load(flag, 0)).toBe(0);
    expect(() =>
      writeTransaction(db, () => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(Atomics.load(flag, 0)).toBe(0);
    db.$client.close();
  });
});
