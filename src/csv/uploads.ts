import { randomBytes } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { csvUploads } from '../db/schema/index.js';
import { AppError } from '../errors.js';

/** How long an uploaded file waits for its confirmation. */
const KEEP_MS = 60 * 60 * 1000;

export interface Upload {
  token: string;
  fileName: string;
  content: Buffer;
}

/** Keeps an uploaded file for its confirmation (and drops files left unconfirmed for an hour). */
export function keepUpload(db: Db, userId: number, fileName: string, content: Buffer, now: Date): string {
  const token = randomBytes(18).toString('base64url');
  writeTransaction(db, (tx) => {
    tx.delete(csvUploads).where(lt(csvUploads.createdAt, new Date(now.getTime() - KEEP_MS))).run();
    tx.insert(csvUploads).values({ token, userId, fileName, content, createdAt: now }).run();
  });
  return token;
}

/** The user's kept file, or 404 upload_not_found when it was confirmed, cancelled or has expired. */
export function findUpload(conn: Conn, userId: number, token: string, now: Date): Upload {
  const row = conn
    .select()
    .from(csvUploads)
    .where(and(eq(csvUploads.token, token), eq(csvUploads.userId, userId)))
    .get();
  if (!row || row.createdAt.getTime() < now.getTime() - KEEP_MS) throw new AppError('upload_not_found', 'csv.errors.uploadGone');
  return { token: row.token, fileName: row.fileName, content: row.content };
}

export function dropUpload(db: Db, userId: number, token: string): void {
  writeTransaction(db, (tx) => tx.delete(csvUploads).where(and(eq(csvUploads.token, token), eq(csvUploads.userId, userId))).run());
}
