import { asc, eq } from 'drizzle-orm';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { customStatuses, orders } from '../db/schema/index.js';
import type { Actor } from '../domain/actor.js';
import { appendOrderEvent } from '../events/repo.js';
import { AppError } from '../errors.js';
import { canonicalStatusCode, type CustomStatusBody } from './schemas.js';

/** Every custom status, by label: what the pickers on the order pages offer. */
export function listCustomStatuses(db: Db) {
  return db
    .select({ code: customStatuses.code, label: customStatuses.label, color: customStatuses.color })
    .from(customStatuses)
    .orderBy(asc(customStatuses.label))
    .all();
}

/** Every custom status with how many orders carry it (one index range count each). */
export function listCustomStatusesWithUsage(db: Db) {
  const countOrders = db.$client.prepare('SELECT count(*) FROM orders WHERE custom_status_id = ?').pluck();
  return db
    .select()
    .from(customStatuses)
    .orderBy(asc(customStatuses.label))
    .all()
    .map((s) => ({ code: s.code, label: s.label, color: s.color, orders: countOrders.get(s.id) as number }));
}

function load(conn: Conn, code: string) {
  code = canonicalStatusCode(code);
  const row = conn.select().from(customStatuses).where(eq(customStatuses.code, code)).get();
  if (!row) throw new AppError('custom_status_not_found', 'errors.customStatusNotFound', { code });
  return row;
}

/**
 * Creates the status `code` or renames / recolours it. Orders refer to the row, so a new label
 * shows on every order at once, past ones included.
 */
export function putCustomStatus(db: Db, code: string, input: CustomStatusBody, now: Date): { created: boolean; status: { code: string; label: string; color: string } } {
  code = canonicalStatusCode(code);
  return writeTransaction(db, (tx) => {
    const existing = tx.select().from(customStatuses).where(eq(customStatuses.code, code)).get();
    if (existing) {
      tx.update(customStatuses).set({ label: input.label, color: input.color, updatedAt: now }).where(eq(customStatuses.id, existing.id)).run();
      return { created: false, status: { code, ...input } };
    }
    tx.insert(customStatuses).values({ code, ...input, createdAt: now, updatedAt: now }).run();
    return { created: true, status: { code, ...input } };
  });
}

/**
 * Deletes a status. While orders carry it the delete is refused with their number, unless `clear`
 * is set: then it is taken off those orders first, each with an event.
 */
export function deleteCustomStatus(db: Db, code: string, opts: { clear: boolean; actor: Actor; now: Date }): { cleared: number } {
  return writeTransaction(db, (tx) => {
    const status = load(tx, code);
    const carriers = tx.select({ id: orders.id, code: orders.code }).from(orders).where(eq(orders.customStatusId, status.id)).all();
    if (carriers.length && !opts.clear) {
      throw new AppError('custom_status_in_use', 'errors.customStatusInUse', { code, count: carriers.length }, { orders: carriers.length });
    }
    for (const order of carriers) {
      appendOrderEvent(tx, order, 'flags_changed', opts.actor, opts.now, { changes: { customStatus: { from: status.code, to: null } } });
    }
    tx.update(orders).set({ customStatusId: null, updatedAt: opts.now }).where(eq(orders.customStatusId, status.id)).run();
    tx.delete(customStatuses).where(eq(customStatuses.id, status.id)).run();
    return { cleared: carriers.length };
  });
}
