import { asc, count, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx, asStored } from '../db/client.js';
import { customStatuses, orders } from '../db/schema/index.js';

export type CustomStatusRow = typeof customStatuses.$inferSelect;

const reads = preparedQuery((conn) => ({
  all: conn.select().from(customStatuses).orderBy(asc(customStatuses.label)).prepare(),
  byCode: conn
    .select()
    .from(customStatuses)
    .where(eq(customStatuses.code, sql.placeholder('code')))
    .prepare(),
  byId: conn
    .select()
    .from(customStatuses)
    .where(eq(customStatuses.id, sql.placeholder('id')))
    .prepare(),
  usage: conn
    .select({ orders: count() })
    .from(orders)
    .where(eq(orders.customStatusId, sql.placeholder('id')))
    .prepare(),
  carriers: conn
    .select({ id: orders.id, code: orders.code })
    .from(orders)
    .where(eq(orders.customStatusId, sql.placeholder('id')))
    .prepare(),
}));

const writes = preparedQuery((conn) => ({
  insert: conn
    .insert(customStatuses)
    .values({
      code: sql.placeholder('code'),
      label: sql.placeholder('label'),
      color: sql.placeholder('color'),
      createdAt: sql.placeholder('now'),
      updatedAt: sql.placeholder('now'),
    })
    .prepare(),
  update: conn
    .update(customStatuses)
    .set({ label: asStored('label'), color: asStored('color'), updatedAt: asStored('now') })
    .where(eq(customStatuses.id, sql.placeholder('id')))
    .prepare(),
  clearFromOrders: conn
    .update(orders)
    .set({ customStatusId: null, updatedAt: asStored('now') })
    .where(eq(orders.customStatusId, sql.placeholder('id')))
    .prepare(),
  delete: conn
    .delete(customStatuses)
    .where(eq(customStatuses.id, sql.placeholder('id')))
    .prepare(),
}));

/** Every custom status, by label. */
export function listCustomStatusRows(conn: Conn): CustomStatusRow[] {
  return reads(conn).all.all();
}

/** The status with this code (as stored: canonicalStatusCode), or undefined. */
export function findCustomStatusByCode(conn: Conn, code: string): CustomStatusRow | undefined {
  return reads(conn).byCode.get({ code });
}

/** The status with this id, or null (also for a null id: an order without one). */
export function findCustomStatus(conn: Conn, id: number | null): CustomStatusRow | null {
  if (id === null) return null;
  return reads(conn).byId.get({ id }) ?? null;
}

/** How many orders carry the status (an index range count). */
export function countOrdersWithStatus(conn: Conn, id: number): number {
  return reads(conn).usage.get({ id })?.orders ?? 0;
}

/** The orders that carry the status: id and code. */
export function ordersWithStatus(conn: Conn, id: number): { id: number; code: string }[] {
  return reads(conn).carriers.all({ id });
}

/** Writes a new status. */
export function insertCustomStatus(tx: Tx, status: { code: string; label: string; color: string }, now: Date): void {
  writes(tx).insert.run({ ...status, now });
}

/** Renames or recolours a status. */
export function updateCustomStatus(tx: Tx, id: number, input: { label: string; color: string }, now: Date): void {
  writes(tx).update.run({ id, label: input.label, color: input.color, now: now.getTime() });
}

/** Takes the status off every order that carries it. */
export function clearStatusFromOrders(tx: Tx, id: number, now: Date): void {
  writes(tx).clearFromOrders.run({ id, now: now.getTime() });
}

/** Deletes a status (no order may carry it: the foreign key restricts). */
export function deleteCustomStatusRow(tx: Tx, id: number): void {
  writes(tx).delete.run({ id });
}
