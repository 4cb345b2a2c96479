import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { deleteUpload, deleteUploadsBefore, findUploadRow, insertUpload } from './repo.js';
import { AppError } from '../errors.js';

/** How long an uploaded file waits for its confirmation. */
const KEEP_MS = 60 * 60 * 1000;

export interface Upload {
  token: string;
  fileName: string;
  content: Buffer;
}

const pack = promisify(gzip);
const unpack = promisify(gunzip);
/** gzip's first two bytes; no file kept unpacked starts with them (0x8b cannot follow 0x1f in UTF-8, and the file was read as UTF-8). */
const isPacked = (b: Buffer) => b[0] === 0x1f && b[1] === 0x8b;

/**
 * Keeps an uploaded file for its confirmation (and drops files left unconfirmed for an hour). The
 * file is kept gzipped (level 1, in libuv's thread pool): the write and its fsync run on the
 * server's thread, and a products file packs about 5× (a 1.5 MB file held the event loop 7–27 ms
 * written as it was).
 */
export async function keepUpload(db: Db, userId: number, fileName: string, content: Buffer, now: Date): Promise<string> {
  const token = randomBytes(18).toString('base64url');
  const packed = await pack(content, { level: 1 });
  writeTransaction(db, (tx) => {
    deleteUploadsBefore(tx, new Date(now.getTime() - KEEP_MS));
    insertUpload(tx, { token, userId, fileName, content: packed, createdAt: now });
  });
  return token;
}

/** The user's kept file, or 404 upload_not_found when it was confirmed, cancelled or has expired. */
export async function findUpload(conn: Conn, userId: number, token: string, now: Date): Promise<Upload> {
  const row = findUploadRow(conn, userId, token);
  if (!row || row.createdAt.getTime() < now.getTime() - KEEP_MS) throw new AppError('upload_not_found', 'csv.errors.uploadGone');
  // A file kept before files were packed is as it was uploaded.
  return { token: row.token, fileName: row.fileName, content: isPacked(row.content) ? await unpack(row.content) : row.content };
}

export function dropUpload(db: Db, userId: number, token: string): void {
  writeTransaction(db, (tx) => deleteUpload(tx, userId, token));
}
