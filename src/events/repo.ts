import { asc, eq } from 'drizzle-orm';
import { preparedFor, type Conn, type Db, type Tx } from '../db/client.js';
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
  | 'email_queued'
  | 'pack_check'
  | 'station_takeover'
  | 'outbound_takeover'
  | 'item_checked'
  | 'check_undone'
  | 'return_received'
  | 'deleted';

/** Appends one row to the order's log, inside the transaction that made the change (a bare Db does not compile). */
export function appendOrderEvent(
  tx: Tx,
  order: { id: number; code: string },
  type: OrderEventType,
  actor: Actor,
  now: Date,
  data: Record<string, unknown> = {},
): void {
  tx
    .insert(orderEvents)
    .values({
      orderId: order.id,
      orderCode: order.code,
      type,
      actorType: actor.type,
      actorId: actor.id,
      actorName: actor.name,
      data,
      createdAt: now,
    })
    .run();
}

const insertEvent = preparedFor((sqlite) =>
  sqlite.prepare('INSERT INTO order_events (order_id, order_code, type, actor_type, actor_id, actor_name, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
);

/**
 * appendOrderEvent with a statement prepared once per connection, for paths that log hundreds of
 * changes at a time (the pack script, Report in, scans, prints, e-mails). `data` may be JSON already.
 */
export function logOrderEvent(db: Db, order: { id: number; code: string }, type: OrderEventType, actor: Actor, at: number, data: Record<string, unknown> | string = {}): void {
  insertEvent(db).run(order.id, order.code, type, actor.type, actor.id, actor.name, typeof data === 'string' ? data : JSON.stringify(data), at);
}

export type OrderEventRow = typeof orderEvents.$inferSelect;

/** An order_events row as SQLite gives it back: data as JSON text, time in epoch milliseconds. */
interface OrderEventRecord extends Omit<OrderEventRow, 'data' | 'createdAt'> {
  data: string | null;
  createdAt: number;
}

const eventsOf = preparedFor((sqlite) =>
  sqlite.prepare<[number], OrderEventRecord>(
    'SELECT id, order_id AS orderId, order_code AS orderCode, type, actor_type AS actorType, actor_id AS actorId, actor_name AS actorName, data, created_at AS createdAt FROM order_events WHERE order_id = ? ORDER BY id',
  ),
);

/** The log of an order, oldest first (listOrderEvents with a statement prepared once: every API answer about an order reads it). */
export function eventsOfOrder(db: Db, orderId: number): OrderEventRow[] {
  return eventsOf(db)
    .all(orderId)
    .map((e) => ({ ...e, data: e.data === null ? null : (JSON.parse(e.data) as Record<string, unknown>), createdAt: new Date(e.createdAt) }));
}

export function listOrderEvents(conn: Conn, orderId: number) {
  return conn.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(asc(orderEvents.id)).all();
}
