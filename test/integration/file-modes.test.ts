import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { buildOrder } from '../builders.js';
import { withTempDir } from '../temp.js';

// The database and its backups hold customers, session ids and the session secret: readable by the
// server's user alone, whatever the umask would have made of them.

const mode = (path: string) => statSync(path).mode & 0o777;

describe('Files that hold customers and secrets', () => {
  it('the database, its WAL and shared memory, its folder and a backup are readable by the server’s user alone', async () => {
    await withTempDir('file-modes', async (dir) => {
      const previous = process.umask(0o022);
      try {
        const path = join(dir, 'data', 'warehouse.db');
        const db = openDatabase(path);
        migrateDatabase(db);
        buildOrder(db);
        expect({ db: mode(path), wal: mode(`${path}-wal`), shm: mode(`${path}-shm`), folder: mode(join(dir, 'data')) }).toEqual({
          db: 0o600,
          wal: 0o600,
          shm: 0o600,
          folder: 0o700,
        });
        db.$client.close();

        // A file an older version made world-readable is made private when it is opened again.
        const { chmodSync } = await import('node:fs');
        chmodSync(path, 0o644);
        openDatabase(path).$client.close();
        expect(mode(path)).toBe(0o600);

        const target = join(dir, 'backups', 'copy.db');
        await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', target], { env: { ...process.env, DATABASE_PATH: path } });
        expect({ backup: mode(target), folder: mode(join(dir, 'backups')) }).toEqual({ backup: 0o600, folder: 0o700 });
      } finally {
        process.umask(previous);
      }
    });
  });
});
