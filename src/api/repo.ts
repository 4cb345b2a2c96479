import { and, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx, asStored } from '../db/client.js';
import { idempotencyKeys } from '../db/schema/index.js';

/**
 * `status_code` of a key reserved before its request's work began (apiIdempotency) and not yet
 * given its reply; its `created_at` is when it was reserved. No reply has status 0.
 */
export const IN_FLIGHT = 0;

const byScopeAndKey = and(eq(idempotencyKeys.scope, sql.placeholder('scope')), eq(idempotencyKeys.key, sql.placeholder('key')));
const reservedByScopeAndKey = and(byScopeAndKey, eq(idempotencyKeys.statusCode, IN_FLIGHT));

// A write arriving with a key reads and writes one row here: prepared once per connection.
const keyRow = preparedQuery((conn) =>
  conn
    .select({
      requestHash: idempotencyKeys.requestHash,
      statusCode: idempotencyKeys.statusCode,
      response: idempotencyKeys.response,
      createdAt: idempotencyKeys.createdAt,
    })
    .from(idempotencyKeys)
    .where(byScopeAndKey)
    .prepare(),
);

const keyValues = {
  scope: sql.placeholder('scope'),
  key: sql.placeholder('key'),
  requestHash: sql.placeholder('requestHash'),
  statusCode: sql.placeholder('statusCode'),
  response: sql.placeholder('response'),
  createdAt: sql.placeholder('createdAt'),
};
const insertKey = preparedQuery((conn) => conn.insert(idempotencyKeys).values(keyValues).prepare());
// The route may have kept the key in its own transaction already (`once`): that row stands.
const insertKeyIfNew = preparedQuery((conn) => conn.insert(idempotencyKeys).values(keyValues).onConflictDoNothing().prepare());
// A reservation given its reply; a reply kept already (the route's `once`) stands.
const completeKey = preparedQuery((conn) =>
  conn
    .update(idempotencyKeys)
    .set({ statusCode: asStored('statusCode'), response: asStored('response'), createdAt: asStored('createdAt') })
    .where(reservedByScopeAndKey)
    .prepare(),
);
const dropKey = preparedQuery((conn) => conn.delete(idempotencyKeys).where(reservedByScopeAndKey).prepare());

export type KeyRow = { requestHash: string; statusCode: number; response: string; createdAt: Date };
export type KeptReply = { scope: string; key: string; requestHash: string; statusCode: number; response: string; createdAt: Date };

/** The key's row in its scope (its request's hash, the reply kept or {@link IN_FLIGHT}), or undefined when unseen. */
export function findKey(conn: Conn, scope: string, key: string): KeyRow | undefined {
  return keyRow(conn).get({ scope, key });
}

/** Keeps a key with its reply (or a reservation: {@link IN_FLIGHT} and no reply). */
export function keepKey(tx: Tx, row: KeptReply): void {
  insertKey(tx).run(row);
}

/** Keeps a key with its reply unless the key is kept already (by the route's own transaction). */
export function keepKeyIfNew(tx: Tx, row: KeptReply): void {
  insertKeyIfNew(tx).run(row);
}

/** Gives a reserved key its reply; a key not reserved (answered already) is left as it is. */
export function completeReservation(tx: Tx, scope: string, key: string, reply: { statusCode: number; response: string; at: Date }): void {
  completeKey(tx).run({ scope, key, statusCode: reply.statusCode, response: reply.response, createdAt: reply.at.getTime() });
}

/** Removes a reservation (its request was refused: a retry tries again); a kept reply stays. */
export function dropReservation(tx: Tx, scope: string, key: string): void {
  dropKey(tx).run({ scope, key });
}
