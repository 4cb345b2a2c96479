import { and, eq, lt, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx } from '../db/client.js';
import { csvUploads } from '../db/schema/index.js';

export type UploadRow = typeof csvUploads.$inferSelect;

const ofUser = and(eq(csvUploads.token, sql.placeholder('token')), eq(csvUploads.userId, sql.placeholder('userId')));
const uploadOfUser = preparedQuery((conn) => conn.select().from(csvUploads).where(ofUser).prepare());
const deleteOfUser = preparedQuery((conn) => conn.delete(csvUploads).where(ofUser).prepare());
// A placeholder in a WHERE is bound as given (not through the column's type): epoch ms.
const deleteBefore = preparedQuery((conn) => conn.delete(csvUploads).where(lt(csvUploads.createdAt, sql.placeholder('before'))).prepare());
const insertStmt = preparedQuery((conn) =>
  conn
    .insert(csvUploads)
    .values({
      token: sql.placeholder('token'),
      userId: sql.placeholder('userId'),
      fileName: sql.placeholder('fileName'),
      content: sql.placeholder('content'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);

/** The user's kept upload `token`, whatever its age; undefined when there is none. */
export function findUploadRow(conn: Conn, userId: number, token: string): UploadRow | undefined {
  return uploadOfUser(conn).get({ token, userId });
}

/** Keeps an uploaded file. Call inside a write transaction. */
export function insertUpload(tx: Tx, upload: { token: string; userId: number; fileName: string; content: Buffer; createdAt: Date }): void {
  insertStmt(tx).run(upload);
}

/** Drops the user's kept upload `token`. Call inside a write transaction. */
export function deleteUpload(tx: Tx, userId: number, token: string): void {
  deleteOfUser(tx).run({ token, userId });
}

/** Drops the uploads kept since before `before`. Call inside a write transaction. */
export function deleteUploadsBefore(tx: Tx, before: Date): void {
  deleteBefore(tx).run({ before: before.getTime() });
}
