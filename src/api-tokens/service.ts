import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { preparedFor, type Db } from '../db/client.js';
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

/** The hash of API_TOKEN, made once: it is compared on every API request. */
const envTokenHashes = new Map<string, Buffer>();

/** Whether `token` is `envToken`, compared in constant time (as hashes, so the lengths match too). */
function isEnvToken(tokenHash: string, envToken: string): boolean {
  let expected = envTokenHashes.get(envToken);
  if (!expected) envTokenHashes.set(envToken, (expected = Buffer.from(sha256(envToken))));
  return timingSafeEqual(Buffer.from(tokenHash), expected);
}

// Every API request checks its token: prepared once per connection.
const tokenStmts = preparedFor((sqlite) => ({
  live: sqlite.prepare<[string], { id: number; name: string; role: 'integration' | 'admin'; lastUsedAt: number | null }>(
    'SELECT id, name, role, last_used_at AS lastUsedAt FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL',
  ),
  used: sqlite.prepare<[number, number]>('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
}));

/** Who is calling, from a bearer token; null when the token is unknown or revoked. */
export function authenticateToken(db: Db, token: string, envToken: string | undefined, now: Date): ApiCaller | null {
  const hash = sha256(token);
  if (envToken && isEnvToken(hash, envToken)) {
    return { role: 'integration', actor: { type: 'api', id: null, name: 'API_TOKEN' } };
  }
  const row = tokenStmts(db).live.get(hash);
  if (!row) return null;
  // Last use is kept to the minute: one write a minute per token, not one per request. Checked on
  // the row read above: an UPDATE that matches nothing still waits for the write lock.
  if (row.lastUsedAt === null || row.lastUsedAt < now.getTime() - 60_000) {
    tokenStmts(db).used.run(now.getTime(), row.id);
  }
  return { role: row.role, actor: { type: 'api', id: row.id, name: row.name } };
}
