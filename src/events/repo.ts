import { asc, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx } from '../db/client.js';
import { orderEvents } from '../db/schema/index.js';
import type { Actor } from '../domain/actor.js';

/** Event types of the order log. The history page has a catalog text for each. */
export type OrderEventType =
  | 'created'
  | 'checked_out'
  | 'status_changed'
  | 'payment_recorded'
  | 'line_added'
  | 'line_changed'
  | 'line_removed'
  | 'flags_changed'
  | 'approved'
  | 'unpaid_released'
  | 'delivery_reported'
  | 'parcel_added'
  | 'parcel_removed'
  | 'delivery_lines_set'
  | 'delivery_lines_clamped'
  | 'delivery_discarded'
  | 'document_printed'
  | 'label_print_failed'
  | 'carrier_call'
  | 'email_queued'
  | 'pack_check'
  | 'station_takeover'
  | 'outbound_takeover'
  | 'item_checked'
  | 'check_undone'
  | 'return_received'
  | 'picked_up'
  | 'pickup_reminded'
  | 'deleted';

const writes = preparedQuery((conn) => ({
  insert: conn
    .insert(orderEvents)
    .values({
      orderId: sql.placeholder('orderId'),
      orderCode: sql.placeholder('orderCode'),
      type: sql.placeholder('type'),
      actorType: sql.placeholder('actorType'),
      actorId: sql.placeholder('actorId'),
      actorName: sql.placeholder('actorName'),
      // JSON text as given: logOrderEvent's callers may have made it once for many rows.
      data: sql`${sql.placeholder('data')}`,
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
}));

const reads = preparedQuery((conn) => ({
  ofOrder: conn
    .select()
    .from(orderEvents)
    .where(eq(orderEvents.orderId, sql.placeholder('orderId')))
    .orderBy(asc(orderEvents.id))
    .prepare(),
}));

/** The placeholder values of one log row; `data` as JSON text. */
function eventRow(order: { id: number; code: string }, type: OrderEventType, actor: Actor, at: Date, data: string) {
  return { orderId: order.id, orderCode: order.code, type, actorType: actor.type, actorId: actor.id, actorName: actor.name, data, createdAt: at };
}

/** Appends one row to the order's log, inside the transaction that made the change (a bare Db does not compile). */
export function appendOrderEvent(
  tx: Tx,
  order: { id: number; code: string },
  type: OrderEventType,
  actor: Actor,
  now: Date,
  data: Record<string, unknown> = {},
): void {
  writes(tx).insert.run(eventRow(order, type, actor, now, JSON.stringify(data)));
}

/**
 * appendOrderEvent for paths that log hundreds of changes at a time (the pack script, Report in,
 * scans, prints, e-mails): the time as epoch ms, and `data` may be JSON already.
 */
export function logOrderEvent(
  tx: Tx,
  order: { id: number; code: string },
  type: OrderEventType,
  actor: Actor,
  at: number,
  data: Record<string, unknown> | string = {},
): void {
  writes(tx).insert.run(eventRow(order, type, actor, new Date(at), typeof data === 'string' ? data : JSON.stringify(data)));
}

export type OrderEventRow = typeof orderEvents.$inferSelect;

/** The log of an order, oldest first: every API answer about an order reads it. */
export function eventsOfOrder(conn: Conn, orderId: number): OrderEventRow[] {
  return reads(conn).ofOrder.all({ orderId });
}
