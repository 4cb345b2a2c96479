import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Request } from 'express';
import { writeTransaction, type Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema/index.js';
import { AppError } from '../web/errors.js';

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
  const key = req.get('Idempotency-Key');
  if (key === undefined) return work();
  if (!/^[\x21-\x7E]{1,200}$/.test(key)) throw new AppError('bad_request', 'errors.idempotencyKeyFormat');
  const actor = req.api!.actor;
  const scope = `${actor.type}:${actor.id ?? actor.name}:${req.method} ${req.baseUrl}${req.route?.path ?? req.path}`;
  const requestHash = createHash('sha256').update(JSON.stringify(req.body ?? null)).digest('hex');
  return writeTransaction(db, (tx) => {
    const seen = tx
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
      .get();
    if (seen) {
      if (seen.requestHash !== requestHash) throw new AppError('idempotency_key_reused', 'errors.idempotencyKeyReused');
      return { status: seen.statusCode, body: JSON.parse(seen.response) as unknown };
    }
    const reply = work();
    tx.insert(idempotencyKeys)
      .values({ scope, key, requestHash, statusCode: reply.status, response: JSON.stringify(reply.body), createdAt: now })
      .run();
    return reply;
  });
}
