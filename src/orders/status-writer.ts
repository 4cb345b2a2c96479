import { and, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Tx, asStored } from '../db/client.js';
import { orderLines, orders } from '../db/schema/index.js';
import type { Actor } from '../domain/actor.js';
import { planMove, type Move, type MoveAction, type OrderStatus } from '../domain/order-status.js';
import { counterDelta } from '../domain/stock.js';
import { logOrderEvent } from '../events/repo.js';
import { AppError } from '../errors.js';
import { addToCounters, CounterChanges } from '../stock/writer.js';
import { findOrderById, type OrderRow } from './repo/orders.js';

/**
 * The status writer: every change of `orders.status` is written here, by one of the two functions
 * below, and nowhere else. Each asks the state table (domain/order-status.ts) first, moves the
 * stock counters of the order's unshipped units from the old status to the new one (through the
 * stock writer) and appends the `status_changed` event in the same call, so a move without its
 * event or its counters cannot be written.
 */
const statements = preparedQuery((conn) => ({
  unshipped: conn
    .select({ productId: orderLines.productId, unshipped: sql<number>`${orderLines.quantity} - ${orderLines.shippedQuantity}` })
    .from(orderLines)
    .where(eq(orderLines.orderId, sql.placeholder('orderId')))
    .prepare(),
  // Guarded by the status the move starts from: a concurrent move makes this change nothing.
  move: conn
    .update(orders)
    .set({
      status: asStored('to'),
      updatedAt: asStored('at'),
      placedAt: sql`coalesce(${sql.placeholder('placedAt')}, ${orders.placedAt})`,
    })
    .where(and(eq(orders.id, sql.placeholder('id')), eq(orders.status, sql.placeholder('from'))))
    .prepare(),
  // The pack script decided on what it read earlier: also refused when the order was put on hold or its lines edited since.
  batchMove: conn
    .update(orders)
    .set({ status: asStored('to'), updatedAt: asStored('at') })
    .where(
      and(
        eq(orders.id, sql.placeholder('id')),
        eq(orders.status, sql.placeholder('from')),
        sql`${orders.waiting} = 0`,
        eq(orders.linesVersion, sql.placeholder('linesVersion')),
      ),
    )
    .prepare(),
}));

export interface MoveCtx {
  actor: Actor;
  now: Date;
  /** Who causes the move; omitted = a manual move (a person or an integration naming the status). */
  action?: MoveAction;
  /** Extra fields for the event (why, whether the customer is told). */
  data?: Record<string, unknown>;
}

/**
 * Moves one order to `to`: the state table's check (IllegalMoveError names the allowed moves), the
 * counters, the status (409 conflict when another writer moved it first) and its event. Returns
 * the move made. Call inside a write transaction.
 */
export function writeMove(tx: Tx, order: { id: number; code: string; status: OrderStatus }, to: OrderStatus, ctx: MoveCtx): Move {
  const move = planMove(order.status, to, ctx.action);
  const s = statements(tx);
  const at = ctx.now.getTime();
  if (s.move.run({ to: move.to, at, placedAt: move.action === 'checkout' ? at : null, id: order.id, from: move.from }).changes === 0) {
    throw new AppError('conflict', 'errors.orderChangedMeanwhile', { code: order.code });
  }
  const changes = new CounterChanges();
  for (const line of s.unshipped.all({ orderId: order.id })) {
    changes.add(line.productId, counterDelta(move.from, move.to, line.unshipped));
  }
  changes.apply(tx, ctx.now);
  logOrderEvent(tx, order, 'status_changed', ctx.actor, at, { from: move.from, to: move.to, action: move.action, ...ctx.data });
  return move;
}

/** {@link writeMove}, returning the order row as it is after. Call inside a write transaction. */
export function moveOrder(tx: Tx, order: OrderRow, to: OrderStatus, ctx: MoveCtx): OrderRow {
  writeMove(tx, order, to, ctx);
  return findOrderById(tx, order.id)!;
}

/** What the set-based variant needs of an order the pack rule decided on. */
export interface DecidedOrder {
  id: number;
  code: string;
  linesVersion: number;
  /** The lines with units left to ship, as the rule read them. */
  lines: readonly { productId: number | null; remaining: number }[];
}

/**
 * The set-based variant for bulk paths (the pack script's batches): the move is planned once, the
 * statements are prepared once per connection, and each order costs one guarded UPDATE, its counter
 * changes and its event. The guard also requires the order not to be waiting and its lines version
 * to be the one the rule read, as the rule decided on a snapshot. Returns the writer of one order:
 * false (nothing written) when the order changed since. Call it inside a write transaction.
 */
export function batchMover(from: OrderStatus, to: OrderStatus, action: MoveAction) {
  const move = planMove(from, to, action);
  const eventData = JSON.stringify({ from: move.from, to: move.to, action: move.action });
  return (tx: Tx, order: DecidedOrder, actor: Actor, at: number): boolean => {
    if (statements(tx).batchMove.run({ to: move.to, at, id: order.id, from: move.from, linesVersion: order.linesVersion }).changes === 0) return false;
    for (const line of order.lines) {
      if (line.productId !== null) addToCounters(tx, line.productId, counterDelta(move.from, move.to, line.remaining), at);
    }
    logOrderEvent(tx, order, 'status_changed', actor, at, eventData);
    return true;
  };
}
