import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { AppError } from '../errors.js';
import type { ApiCaller } from './caller.js';
import { allApiTokens, insertApiToken, liveApiToken, markApiTokenUsed, revokeApiTokenRow } from './repo.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new token: shown once to the admin who made it; only its hash is kept. */
export function createApiToken(db: Db, input: { name: string; role: 'integration' | 'admin' }, createdBy: number, now: Date) {
  const token = `wbo_${randomBytes(24).toString('base64url')}`;
  const row = writeTransaction(db, (tx) =>
    insertApiToken(tx, { name: input.name, role: input.role, tokenHash: sha256(token), tokenPrefix: token.slice(0, 10), createdBy, createdAt: now }),
  );
  return { row, token };
}

/** Every token, newest first. */
export function listApiTokens(conn: Conn) {
  return allApiTokens(conn);
}

/** Revokes a token: 404 `not_found` when there is none not revoked yet. */
export function revokeApiToken(db: Db, id: number, now: Date): void {
  const done = writeTransaction(db, (tx) => revokeApiTokenRow(tx, id, now));
  if (!done) throw new AppError('not_found', 'errors.tokenNotFound');
}

/** The hash of API_TOKEN, made once: it is compared on every API request. */
const envTokenHashes = new Map<string, Buffer>();

/** Whether `token` is `envToken`, compared in constant time (as hashes, so the lengths match too). */
function isEnvToken(tokenHash: string, envToken: string): boolean {
  let expected = envTokenHashes.get(envToken);
  if (!expected) envTokenHashes.set(envToken, (expected = Buffer.from(sha256(envToken))));
  return timingSafeEqual(Buffer.from(tokenHash), expected);
}

/** Who is calling, from a bearer token; null when the token is unknown or revoked. */
export function authenticateToken(db: Db, token: string, envToken: string | undefined, now: Date): ApiCaller | null {
  const hash = sha256(token);
  if (envToken && isEnvToken(hash, envToken)) {
    return { role: 'integration', actor: { type: 'api', id: null, name: 'API_TOKEN' } };
  }
  const row = liveApiToken(db, hash);
  if (!row) return null;
  // Last use is kept to the minute: one write a minute per token, not one per request. Checked on
  // the row read above: an UPDATE that matches nothing still waits for the write lock.
  if (row.lastUsedAt === null || row.lastUsedAt.getTime() < now.getTime() - 60_000) {
    writeTransaction(db, (tx) => markApiTokenUsed(tx, row.id, now));
  }
  return { role: row.role, actor: { type: 'api', id: row.id, name: row.name } };
}
