/**
 * npm run backup -- [target file]: a consistent copy of the database while the server runs
 * (SQLite's online backup). Default target: ./backups/warehouse-<timestamp>.db
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../src/config.js';
import { backupDatabase } from '../src/db/backup.js';
import { keepPrivate } from '../src/db/client.js';

const config = loadConfig();
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const target = resolve(process.argv[2] ?? `./backups/warehouse-${stamp}.db`);
mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
// The copy holds what the database holds: made readable by this user alone before a byte is in it.
closeSync(openSync(target, 'w', 0o600));
chmodSync(target, 0o600);
await backupDatabase(config.databasePath, target);
keepPrivate(target);
console.log(`backed up ${config.databasePath} to ${target}`);
