import Database from 'better-sqlite3';

/**
 * Copies the database file at `path` to `target` with SQLite's online backup, a consistent copy
 * while the server writes, through a read-only connection of its own (closed again).
 */
export async function backupDatabase(path: string, target: string): Promise<void> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
}
