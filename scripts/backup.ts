/**
 * npm run backup -- [target file]: a consistent copy of the database while the server runs
 * (SQLite's online backup). Default target: ./backups/warehouse-<timestamp>.db
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config.js';

const config = loadConfig();
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const target = resolve(process.argv[2] ?? `./backups/warehouse-${stamp}.db`);
mkdirSync(dirname(target), { recursive: true });
const db = new Database(config.databasePath, { readonly: true, fileMustExist: true });
await db.backup(target);
db.close();
console.log(`backed up ${config.databasePath} to ${target}`);
