import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBackgroundCheckpoints } from '../../src/db/checkpoints.js';
import { openDatabase, writeTransaction } from '../../src/db/client.js';
import { tempDir } from '../temp.js';
import { until } from '../wait.js';

describe('WAL checkpoints in their own thread', () => {
  it('copies committed pages into the database file while the request thread only commits, and hands checkpoints back when stopped', async () => {
    const path = join(tempDir('checkpoints'), 'wbo.db');
    const db = openDatabase(path);
    db.$client.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const checkpoints = startBackgroundCheckpoints(db, path, { intervalMs: 20 });
    try {
      // The request thread's own checkpoint waits for a WAL twenty times its usual size.
      expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(20_000);
      const insert = db.$client.prepare('INSERT INTO notes (body) VALUES (?)');
      for (let i = 0; i < 50; i++) writeTransaction(db, () => insert.run('x'.repeat(3000)));
      const done = await until(
        'a checkpoint by the thread',
        () => (checkpoints.last && checkpoints.last.checkpointed > 0 ? checkpoints.last : undefined),
        10_000,
        10,
      );
      expect(done.busy).toBe(0);
      // Every page written so far is in the database file: what a second connection reads from it is all there.
      const copied = await until(
        'all frames copied',
        () => (checkpoints.last && checkpoints.last.checkpointed === checkpoints.last.log ? checkpoints.last : undefined),
        10_000,
        10,
      );
      expect(copied.log).toBeGreaterThanOrEqual(50);
      expect(db.$client.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(50);
    } finally {
      await checkpoints.stop();
    }
    await until('the default checkpoint back on the request thread', () => db.$client.pragma('wal_autocheckpoint', { simple: true }) === 1000, 10_000);
    db.$client.close();
    // The thread's connection was closed first, so the request thread's, closing last, folded the WAL into the file.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('reports a thread that cannot open the file, and the request thread checkpoints for itself again', async () => {
    const dir = tempDir('checkpoints');
    const db = openDatabase(join(dir, 'wbo.db'));
    const errors: string[] = [];
    const checkpoints = startBackgroundCheckpoints(db, join(dir, 'missing.db'), { onError: (m) => errors.push(m) });
    await until('the error', () => errors.length > 0, 10_000);
    await until('the default checkpoint back on the request thread', () => db.$client.pragma('wal_autocheckpoint', { simple: true }) === 1000, 10_000);
    await checkpoints.stop();
    db.$client.close();
  });
});
