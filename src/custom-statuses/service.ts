import { writeTransaction, type Conn, type Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { appendOrderEvent } from '../events/repo.js';
import { AppError } from '../errors.js';
import {
  clearStatusFromOrders,
  countOrdersWithStatus,
  deleteCustomStatusRow,
  findCustomStatusByCode,
  insertCustomStatus,
  listCustomStatusRows,
  ordersWithStatus,
  updateCustomStatus,
} from './repo.js';
import { canonicalStatusCode, type CustomStatusBody } from './schemas.js';

/** Every custom status, by label: what the pickers on the order pages offer. */
export function listCustomStatuses(conn: Conn) {
  return listCustomStatusRows(conn).map((s) => ({ code: s.code, label: s.label, color: s.color }));
}

/** Every custom status with how many orders carry it (one index range count each). */
export function listCustomStatusesWithUsage(conn: Conn) {
  return listCustomStatusRows(conn).map((s) => ({ code: s.code, label: s.label, color: s.color, orders: countOrdersWithStatus(conn, s.id) }));
}

function load(conn: Conn, code: string) {
  code = canonicalStatusCode(code);
  const row = findCustomStatusByCode(conn, code);
  if (!row) throw new AppError('custom_status_not_found', 'errors.customStatusNotFound', { code });
  return row;
}

/**
 * Creates the status `code` or renames / recolours it. Orders refer to the row, so a new label
 * shows on every order at once, past ones included.
 */
export function putCustomStatus(
  db: Db,
  code: string,
  input: CustomStatusBody,
  now: Date,
): { created: boolean; status: { code: string; label: string; color: string } } {
  code = canonicalStatusCode(code);
  return writeTransaction(db, (tx) => {
    const existing = findCustomStatusByCode(tx, code);
    if (existing) {
      updateCustomStatus(tx, existing.id, input, now);
      return { created: false, status: { code, ...input } };
    }
    insertCustomStatus(tx, { code, ...input }, now);
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
    const carriers = ordersWithStatus(tx, status.id);
    if (carriers.length && !opts.clear) {
      throw new AppError('custom_status_in_use', 'errors.customStatusInUse', { code, count: carriers.length }, { orders: carriers.length });
    }
    for (const order of carriers) {
      appendOrderEvent(tx, order, 'flags_changed', opts.actor, opts.now, { changes: { customStatus: { from: status.code, to: null } } });
    }
    clearStatusFromOrders(tx, status.id, opts.now);
    deleteCustomStatusRow(tx, status.id);
    return { cleared: carriers.length };
  });
}
