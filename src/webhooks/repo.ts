import { and, desc, eq, gt, lte, ne, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx, asStored } from '../db/client.js';
import { orderEvents, orders, packRuns, webhookAttempts, webhookDeliveries, webhooks } from '../db/schema/index.js';

/**
 * The webhook tables: endpoints, their deliveries (the outbox, one per endpoint and event) and each
 * HTTP attempt; and what the dispatcher reads of the order log and the pack runs. Prepared once per
 * connection: the loop runs every second.
 */
export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;

// --- endpoints ---

const insertHook = preparedQuery((conn) =>
  conn
    .insert(webhooks)
    .values({
      url: sql.placeholder('url'),
      secret: sql.placeholder('secret'),
      events: sql.placeholder('events'),
      createdAt: sql.placeholder('createdAt'),
      createdByType: sql.placeholder('createdByType'),
      createdById: sql.placeholder('createdById'),
      createdByName: sql.placeholder('createdByName'),
    })
    .returning()
    .prepare(),
);
const hookById = preparedQuery((conn) =>
  conn
    .select()
    .from(webhooks)
    .where(eq(webhooks.id, sql.placeholder('id')))
    .prepare(),
);
const allHooks = preparedQuery((conn) => conn.select().from(webhooks).orderBy(webhooks.id).prepare());
const activeHooks = preparedQuery((conn) => conn.select().from(webhooks).where(eq(webhooks.active, true)).prepare());
const deleteHook = preparedQuery((conn) =>
  conn
    .delete(webhooks)
    .where(eq(webhooks.id, sql.placeholder('id')))
    .prepare(),
);

/** Stores a new endpoint; returns its row. */
export function insertWebhook(
  tx: Tx,
  hook: {
    url: string;
    secret: string;
    events: string[];
    createdAt: Date;
    createdByType: 'api' | 'user' | null;
    createdById: number | null;
    createdByName: string | null;
  },
): WebhookRow {
  return insertHook(tx).get(hook);
}

/** One endpoint by id, or undefined. */
export function webhookById(conn: Conn, id: number): WebhookRow | undefined {
  return hookById(conn).get({ id });
}

/** Every endpoint, oldest first. */
export function allWebhooks(conn: Conn): WebhookRow[] {
  return allHooks(conn).all();
}

/** The endpoints that are sent to. */
export function activeWebhooks(conn: Conn): WebhookRow[] {
  return activeHooks(conn).all();
}

/** Deletes an endpoint (its deliveries and attempts go with it: ON DELETE CASCADE). */
export function deleteWebhookRow(tx: Tx, id: number): void {
  deleteHook(tx).run({ id });
}

// --- deliveries and attempts, as the log shows them ---

const deliveriesOf = preparedQuery((conn) =>
  conn
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, sql.placeholder('webhookId')))
    .orderBy(desc(webhookDeliveries.id))
    .limit(sql.placeholder('limit'))
    .prepare(),
);
const attemptsOf = preparedQuery((conn) =>
  conn
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, sql.placeholder('deliveryId')))
    .orderBy(webhookAttempts.id)
    .prepare(),
);
const requeue = preparedQuery((conn) =>
  conn
    .update(webhookDeliveries)
    .set({ status: 'queued', nextAttemptAt: asStored('at'), createdAt: asStored('at') })
    .where(and(eq(webhookDeliveries.id, sql.placeholder('deliveryId')), eq(webhookDeliveries.webhookId, sql.placeholder('webhookId'))))
    .prepare(),
);

/** An endpoint's newest deliveries, newest first, at most `limit`. */
export function deliveriesOfWebhook(conn: Conn, webhookId: number, limit: number): WebhookDeliveryRow[] {
  return deliveriesOf(conn).all({ webhookId, limit });
}

/** A delivery's attempts, oldest first. */
export function attemptsOfDelivery(conn: Conn, deliveryId: number): WebhookAttemptRow[] {
  return attemptsOf(conn).all({ deliveryId });
}

/** Queues a delivery of the endpoint again from `at`, as if made then; false when the endpoint has no such delivery. */
export function requeueDelivery(tx: Tx, webhookId: number, deliveryId: number, at: Date): boolean {
  return requeue(tx).run({ webhookId, deliveryId, at: at.getTime() }).changes > 0;
}

// --- what the dispatcher reads ---

const lastOrderEvent = preparedQuery((conn) =>
  conn
    .select({ id: sql<number>`coalesce(max(${orderEvents.id}), 0)` })
    .from(orderEvents)
    .prepare(),
);
const lastFinishedRun = preparedQuery((conn) =>
  conn
    .select({ id: sql<number>`coalesce(max(${packRuns.id}), 0)` })
    .from(packRuns)
    .where(ne(packRuns.status, 'running'))
    .prepare(),
);
const eventsAfter = preparedQuery((conn) =>
  conn
    .select({
      id: orderEvents.id,
      orderId: orderEvents.orderId,
      orderCode: orderEvents.orderCode,
      type: orderEvents.type,
      actorType: orderEvents.actorType,
      actorName: orderEvents.actorName,
      data: orderEvents.data,
      createdAt: orderEvents.createdAt,
    })
    .from(orderEvents)
    .where(gt(orderEvents.id, sql.placeholder('after')))
    .orderBy(orderEvents.id)
    .limit(sql.placeholder('max'))
    .prepare(),
);
const runsAfter = preparedQuery((conn) =>
  conn
    .select({
      id: packRuns.id,
      status: packRuns.status,
      trigger: packRuns.trigger,
      dryRun: packRuns.dryRun,
      examined: packRuns.examined,
      promoted: packRuns.promoted,
      held: packRuns.held,
      startedAt: packRuns.startedAt,
      finishedAt: packRuns.finishedAt,
    })
    .from(packRuns)
    .where(gt(packRuns.id, sql.placeholder('after')))
    .orderBy(packRuns.id)
    .limit(sql.placeholder('max'))
    .prepare(),
);
const statusOfOrder = preparedQuery((conn) =>
  conn
    .select({ status: orders.status })
    .from(orders)
    .where(eq(orders.id, sql.placeholder('orderId')))
    .prepare(),
);
const insertDelivery = preparedQuery((conn) =>
  conn
    .insert(webhookDeliveries)
    .values({
      webhookId: sql.placeholder('webhookId'),
      eventId: sql.placeholder('eventId'),
      type: sql.placeholder('type'),
      payload: sql.placeholder('payload'),
      status: 'queued',
      attempts: 0,
      nextAttemptAt: sql.placeholder('at'),
      createdAt: sql.placeholder('at'),
    })
    .onConflictDoNothing({ target: [webhookDeliveries.webhookId, webhookDeliveries.eventId] })
    .prepare(),
);

/** The id of the newest order event, 0 when there is none. */
export function lastOrderEventId(conn: Conn): number {
  return lastOrderEvent(conn).get()?.id ?? 0;
}

/** The id of the newest pack run that is not running, 0 when there is none. */
export function lastFinishedPackRunId(conn: Conn): number {
  return lastFinishedRun(conn).get()?.id ?? 0;
}

/** Order events after `afterId`, oldest first, at most `max`. */
export function orderEventsAfter(conn: Conn, afterId: number, max: number) {
  return eventsAfter(conn).all({ after: afterId, max });
}

/** Pack runs after `afterId` (running or not), oldest first, at most `max`. */
export function packRunsAfter(conn: Conn, afterId: number, max: number) {
  return runsAfter(conn).all({ after: afterId, max });
}

/** An order's status now, or undefined when it is gone. */
export function currentOrderStatus(conn: Conn, orderId: number): string | undefined {
  return statusOfOrder(conn).get({ orderId })?.status;
}

/** Queues a delivery of an event to an endpoint, due at `at`; false when that endpoint has it already. */
export function queueDelivery(tx: Tx, delivery: { webhookId: number; eventId: string; type: string; payload: string; at: Date }): boolean {
  return insertDelivery(tx).run(delivery).changes > 0;
}

// --- the sender ---

const dueDeliveries = preparedQuery((conn) =>
  conn
    .select({
      id: webhookDeliveries.id,
      eventId: webhookDeliveries.eventId,
      payload: webhookDeliveries.payload,
      attempts: webhookDeliveries.attempts,
      createdAt: webhookDeliveries.createdAt,
      url: webhooks.url,
      secret: webhooks.secret,
    })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .where(and(eq(webhookDeliveries.status, 'queued'), lte(webhookDeliveries.nextAttemptAt, asStored('now')), eq(webhooks.active, true)))
    .orderBy(webhookDeliveries.nextAttemptAt, webhookDeliveries.id)
    .limit(sql.placeholder('max'))
    .prepare(),
);
const claim = preparedQuery((conn) =>
  conn
    .update(webhookDeliveries)
    .set({ nextAttemptAt: asStored('until') })
    .where(and(eq(webhookDeliveries.id, sql.placeholder('id')), eq(webhookDeliveries.status, 'queued')))
    .prepare(),
);
const insertAttempt = preparedQuery((conn) =>
  conn
    .insert(webhookAttempts)
    .values({
      deliveryId: sql.placeholder('deliveryId'),
      statusCode: sql.placeholder('statusCode'),
      durationMs: sql.placeholder('durationMs'),
      responseExcerpt: sql.placeholder('excerpt'),
      error: sql.placeholder('error'),
      succeeded: sql.placeholder('succeeded'),
      createdAt: sql.placeholder('at'),
    })
    .prepare(),
);
const recordOutcome = preparedQuery((conn) =>
  conn
    .update(webhookDeliveries)
    .set({
      status: asStored('status'),
      attempts: asStored('attempts'),
      nextAttemptAt: asStored('next'),
      lastStatusCode: asStored('statusCode'),
      lastDurationMs: asStored('durationMs'),
      lastResponseExcerpt: asStored('excerpt'),
      lastError: asStored('error'),
      deliveredAt: asStored('deliveredAt'),
    })
    .where(eq(webhookDeliveries.id, sql.placeholder('id')))
    .prepare(),
);

/** The queued deliveries of active endpoints due at `now` (at most `max`, the longest due first), with the endpoint's address and secret. */
export function dueWebhookDeliveries(conn: Conn, now: Date, max: number) {
  return dueDeliveries(conn).all({ now: now.getTime(), max });
}

/** Claims a queued delivery until `until`; false when it is no longer queued. */
export function claimDelivery(tx: Tx, id: number, until: Date): boolean {
  return claim(tx).run({ id, until: until.getTime() }).changes > 0;
}

/** One HTTP attempt of a delivery, for its log. */
export interface AttemptOutcome {
  statusCode: number | null;
  durationMs: number;
  excerpt: string | null;
  error: string | null;
  succeeded: boolean;
  at: Date;
}

/** Logs an attempt and records its outcome on the delivery: delivered, queued again at `next`, or failed. */
export function recordDeliveryAttempt(
  tx: Tx,
  id: number,
  attempt: AttemptOutcome,
  delivery: { status: 'delivered' | 'queued' | 'failed'; attempts: number; next: Date | null; deliveredAt: Date | null },
): void {
  insertAttempt(tx).run({
    deliveryId: id,
    statusCode: attempt.statusCode,
    durationMs: attempt.durationMs,
    excerpt: attempt.excerpt,
    error: attempt.error,
    succeeded: attempt.succeeded,
    at: attempt.at,
  });
  recordOutcome(tx).run({
    id,
    status: delivery.status,
    attempts: delivery.attempts,
    next: delivery.next?.getTime() ?? null,
    statusCode: attempt.statusCode,
    durationMs: attempt.durationMs,
    excerpt: attempt.excerpt,
    error: attempt.error,
    deliveredAt: delivery.deliveredAt?.getTime() ?? null,
  });
}
