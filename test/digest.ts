import { createHash } from 'node:crypto';
import type { Db } from '../src/db/client.js';

/**
 * What a request may change without changing anything a person would call data: the session
 * row of the caller, a token's last use, the failed-login count, an import file kept for its
 * confirmation. Everything else must stay put.
 */
const BOOKKEEPING: Record<string, string[] | '*'> = { sessions: '*', rate_limits: '*', api_tokens: ['last_used_at'], csv_uploads: '*' };

/**
 * A digest of every table's rows, for "a refused request changes nothing":
 * take it before, send the request, compare after.
 */
export function dbDigest(db: Db): string {
  const sqlite = db.$client;
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const hash = createHash('sha256');
  for (const table of tables) {
    const skip = BOOKKEEPING[table];
    if (skip === '*') continue;
    const columns = (sqlite.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter((c) => !skip?.includes(c));
    const list = columns.map((c) => `"${c}"`).join(', ');
    // Ordered by every column: also right for WITHOUT ROWID tables (the FTS index's own).
    const rows = sqlite.prepare(`SELECT ${list} FROM "${table}" ORDER BY ${list}`).raw().all();
    hash.update(table).update(JSON.stringify(rows));
  }
  return hash.digest('hex');
}
