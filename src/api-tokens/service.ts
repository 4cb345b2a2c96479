import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiTokens } from '../db/schema/index.js';
import type { ApiCaller } from '../web/types.js';
import { AppError } from '../errors.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new token: shown once to the admin who made it; only its hash is kept. */
export function createApiToken(db: Db, input: { name: string; role: 'integration' | 'admin' }, createdBy: number, now: Date) {
  const token = `wbo_${randomBytes(24).toString('base64url')}`;
  const row = db
    .insert(apiTokens)
    .values({ name: input.name, role: input.role, tokenHash: sha256(token), tokenPrefix: token.slice(0, 10), createdBy, createdAt: now })
    .returning()
    .get();
  return { row, token };
}

export function listApiTokens(db: Db) {
  return db.select().from(apiTokens).orderBy(desc(apiTokens.id)).all();
}

export function revokeApiToken(db: Db, id: number, now: Date): void {
  const done = db.update(apiTokens).set({ revokedAt: now }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt))).run();
  if (done.changes === 0) throw new AppError('not_found', 'errors.tokenNotFound');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a));
  const y = Buffer.from(sha256(b));
  return timingSafeEqual(x, y);
}

/** Who is calling, from a bearer token; null when the token is unknown or revoked. */
export function authenticateToken(db: Db, token: string, envToken: string | undefined, now: Date): ApiCaller | null {
  if (envToken && sameSecret(token, envToken)) {
    return { role: 'integration', actor: { type: 'api', id: null, name: 'API_TOKEN' } };
  }
  const row = db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt)))
    .get();
  if (!row) return null;
  // Last use is kept to the minute: one write a minute per token, not one per request. Checked on
  // the row read above: an UPDATE that matches nothing still waits for the write lock.
  if (!row.lastUsedAt || row.lastUsedAt.getTime() < now.getTime() - 60_000) {
    db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run();
  }
  return { role: row.role, actor: { type: 'api', id: row.id, name: row.name } };
}
