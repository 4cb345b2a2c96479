import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { preparedFor, writeTransaction, type Db } from '../db/client.js';
import { AppError } from '../errors.js';

export interface ApiReply {
  status: number;
  body: unknown;
}

/**
 * Runs `work` once per `Idempotency-Key` header and caller: a retry with the same key and body gets
 * the first reply again; the same key with another body is refused. The key is stored in the
 * transaction that does the work, so a crash never leaves one without the other.
 */
export function idempotent(db: Db, req: Request, now: Date, work: () => ApiReply): ApiReply {
  return idempotentWithKey(db, req, req.get('Idempotency-Key'), now, work);
}

/** The same, with the key given (a header, or a field of the body such as `idempotencyKey`). */
export function idempotentWithKey(db: Db, req: Request, key: string | undefined, now: Date, work: () => ApiReply): ApiReply {
  if (key === undefined) return work();
  if (!/^[\x21-\x7E]{1,200}$/.test(key)) throw new AppError('bad_request', 'errors.idempotencyKeyFormat');
  const actor = req.api?.actor ?? { type: 'user', id: req.user?.id ?? null, name: req.user?.name ?? '' };
  // The concrete path, not the route pattern: the same key sent to order A and then to order B is
  // two requests, and B must not get A's reply. The path is in the hash too, so that a key reused
  // for another order is refused rather than answered.
  const path = `${req.baseUrl}${req.path}`;
  return once(db, `${actor.type}:${actor.id ?? actor.name}:${req.method} ${path}`, key, { path, body: (req.body as unknown) ?? null }, now, work);
}

/**
 * Does `work` once per (scope, key): the reply is stored in the same transaction as the work, and a
 * repeat gets it back; the same key with another request is refused.
 */
export function once(db: Db, scope: string, key: string, request: unknown, now: Date, work: () => ApiReply): ApiReply {
  const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  return writeTransaction(db, (tx) => {
    const s = stmts(tx);
    const seen = s.find.get(scope, key);
    if (seen) {
      if (seen.requestHash !== requestHash) throw new AppError('idempotency_key_reused', 'errors.idempotencyKeyReused');
      return { status: seen.statusCode, body: JSON.parse(seen.response) as unknown };
    }
    const reply = work();
    s.insert.run(scope, key, requestHash, reply.status, JSON.stringify(reply.body), now.getTime());
    return reply;
  });
}

// An order arriving with a key reads and writes one row here: prepared once per connection.
const stmts = preparedFor((sqlite) => ({
  find: sqlite.prepare<[string, string], { requestHash: string; statusCode: number; response: string }>(
    'SELECT request_hash AS requestHash, status_code AS statusCode, response FROM idempotency_keys WHERE scope = ? AND key = ?',
  ),
  insert: sqlite.prepare<[string, string, string, number, string, number]>(
    'INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ),
}));
