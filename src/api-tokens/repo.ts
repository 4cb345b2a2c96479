import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx } from '../db/client.js';
import { apiTokens } from '../db/schema/index.js';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

const insertToken = preparedQuery((conn) =>
  conn
    .insert(apiTokens)
    .values({
      name: sql.placeholder('name'),
      role: sql.placeholder('role'),
      tokenHash: sql.placeholder('tokenHash'),
      tokenPrefix: sql.placeholder('tokenPrefix'),
      createdBy: sql.placeholder('createdBy'),
      createdAt: sql.placeholder('createdAt'),
    })
    .returning()
    .prepare(),
);
const allTokens = preparedQuery((conn) => conn.select().from(apiTokens).orderBy(desc(apiTokens.id)).prepare());
const revokeToken = preparedQuery((conn) =>
  conn
    .update(apiTokens)
    .set({ revokedAt: sql`${sql.placeholder('at')}` })
    .where(and(eq(apiTokens.id, sql.placeholder('id')), isNull(apiTokens.revokedAt)))
    .prepare(),
);
// Every API request checks its token.
const liveToken = preparedQuery((conn) =>
  conn
    .select({ id: apiTokens.id, name: apiTokens.name, role: apiTokens.role, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('hash')), isNull(apiTokens.revokedAt)))
    .prepare(),
);
const tokenUsed = preparedQuery((conn) =>
  conn
    .update(apiTokens)
    .set({ lastUsedAt: sql`${sql.placeholder('at')}` })
    .where(eq(apiTokens.id, sql.placeholder('id')))
    .prepare(),
);

/** Stores a new token (its hash and first characters only) and returns its row. */
export function insertApiToken(
  tx: Tx,
  token: { name: string; role: 'integration' | 'admin'; tokenHash: string; tokenPrefix: string; createdBy: number; createdAt: Date },
): ApiTokenRow {
  return insertToken(tx).get(token);
}

/** Every token, revoked ones too, newest first. */
export function allApiTokens(conn: Conn): ApiTokenRow[] {
  return allTokens(conn).all();
}

/** Revokes a token not revoked yet; returns whether one was. */
export function revokeApiTokenRow(tx: Tx, id: number, at: Date): boolean {
  return revokeToken(tx).run({ id, at: at.getTime() }).changes > 0;
}

/** The token not revoked whose hash this is (id, name, role, last use), or undefined. */
export function liveApiToken(conn: Conn, tokenHash: string) {
  return liveToken(conn).get({ hash: tokenHash });
}

/** Records the token's last use. */
export function markApiTokenUsed(tx: Tx, id: number, at: Date): void {
  tokenUsed(tx).run({ id, at: at.getTime() });
}
