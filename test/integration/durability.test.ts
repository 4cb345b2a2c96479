import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundCheckpoints } from '../../src/db/checkpoints.js';
import { openDatabase, SYNCHRONOUS_FULL } from '../../src/db/client.js';
import { lastRunConnection, runPackRun, stopPackWorker } from '../../src/pack/in-worker.js';
import { consoleLogger } from '../../src/log.js';
import { fill } from '../../bench/generate.js';
import { makeClock, makeDb } from '../helpers.js';
import { tempDir } from '../temp.js';
import { until } from '../wait.js';

// Issue 24: a write answered with success must survive a power cut or an OS crash, so every
// connection that writes runs synchronous = FULL (docs/operations.md § Database). Each connection is
// opened here as production opens it and asked what it runs: SQLite answers 2 for FULL, 1 for NORMAL.

afterEach(() => stopPackWorker());

describe('every connection that writes runs synchronous = FULL', () => {
  it("the server's and the CLI's connection (openDatabase), on a WAL file", () => {
    const db = openDatabase(join(tempDir('durable'), 'warehouse.db'));
    try {
      expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.$client.pragma('synchronous', { simple: true })).toBe(SYNCHRONOUS_FULL);
    } finally {
      db.$client.close();
    }
  });

  it("the checkpoint thread's connection", async () => {
    const path = join(tempDir('durable'), 'warehouse.db');
    const db = openDatabase(path);
    const checkpoints = startBackgroundCheckpoints(db, path, { intervalMs: 20 });
    try {
      // Opened by itself, on a file already in WAL mode, better-sqlite3 would give it NORMAL (1).
      expect(await until("the thread's connection", () => checkpoints.synchronous ?? undefined, 10_000)).toBe(SYNCHRONOUS_FULL);
    } finally {
      await checkpoints.stop();
      db.$client.close();
    }
  });

  it("the pack run worker's connection", async () => {
    const path = join(tempDir('durable'), 'warehouse.db');
    const db = makeDb(path);
    fill(db, { products: 20, orders: 50, linesPerOrder: 2, statuses: [['order', 1]], onHand: [0, 40], unpaidShare: 0.1 });
    const report = await runPackRun(
      { db, clock: makeClock(), log: consoleLogger({ silent: true }) },
      { trigger: 'manual', dryRun: false, actor: { type: 'system', id: null, name: 'test' } },
    );
    expect(report.status).toBe('succeeded');
    expect(lastRunConnection()).toEqual({ synchronous: SYNCHRONOUS_FULL });
    db.$client.close();
  }, 60_000);

  it('no other connection that writes is opened in the product (src, jobs, scripts)', () => {
    const files = ['src', 'jobs', 'scripts'].flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.(ts|mjs|js)$/.test(f))
        .map((f) => join(dir, f)),
    );
    const opened: string[] = [];
    const synchronous: string[] = [];
    for (const file of files) {
      for (const [i, line] of readFileSync(file, 'utf8').split('\n').entries()) {
        // openDatabase (client.ts) sets the pragmas; the checkpoint thread sets DURABLE itself (tested above); a read-only one writes nothing.
        if (/new Database\(/.test(line) && !/readonly: true/.test(line)) opened.push(`${file}:${i + 1}`);
        if (/synchronous\s*=\s*(off|normal|full|extra|[0-3])\b/i.test(line)) synchronous.push(`${file}:${i + 1}`);
      }
    }
    expect(opened.sort()).toEqual([expect.stringMatching(/^src\/db\/checkpoints\.ts:\d+$/), expect.stringMatching(/^src\/db\/client\.ts:\d+$/)]);
    expect(synchronous).toEqual([expect.stringMatching(/^src\/db\/client\.ts:\d+$/)]);
  });
});
