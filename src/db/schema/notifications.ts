import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { flag, timestamp } from './common.js';

/** Every e-mail, written in the same transaction as the change that caused it; a sender loop delivers it after commit. */
export const emailOutbox = sqliteTable(
  'email_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id'),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    language: text('language').notNull(),
    /** Which template made it: status:shipped, order_confirmation, new_order_notice, ... */
    template: text('template').notNull(),
    /** queued, sent, failed, unsent (no SMTP configured) */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at').notNull(),
    sentAt: timestamp('sent_at'),
  },
  (t) => [index('email_outbox_order_idx').on(t.orderId), index('email_outbox_due_idx').on(t.status, t.nextAttemptAt)],
);

/**
 * The shop's own e-mail texts per template and language; a template without a row uses the built-in
 * text of the message catalog. Whether a template is sent (auto, offer, never) is a setting per
 * template, not per language (src/email/settings.ts).
 */
export const emailTemplates = sqliteTable(
  'email_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    template: text('template').notNull(),
    language: text('language').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [uniqueIndex('email_templates_unique').on(t.template, t.language)],
);

export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  /** JSON array of event types. */
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  active: flag('active').notNull().default(true),
  createdAt: timestamp('created_at').notNull(),
  /**
   * Who registered it, for who may manage it (docs/decisions.md § Webhooks belong to their maker):
   * `api` with the token's id (null for API_TOKEN from the environment), or `user` with the staff
   * user's id (Settings → Webhooks). Null for endpoints made before this was recorded: only admins
   * manage those. No foreign keys: tokens are revoked, not deleted, and ids are never reused
   * (AUTOINCREMENT), so the name stays the label it was.
   */
  createdByType: text('created_by_type', { enum: ['api', 'user'] }),
  createdById: integer('created_by_id'),
  createdByName: text('created_by_name'),
});

/** One event for one endpoint (the webhook outbox); `eventId` is stable across retries so receivers can de-duplicate. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    payload: text('payload').notNull(),
    /** queued, delivered, failed (gave up) */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastDurationMs: integer('last_duration_ms'),
    lastResponseExcerpt: text('last_response_excerpt'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at').notNull(),
    deliveredAt: timestamp('delivered_at'),
  },
  (t) => [uniqueIndex('webhook_deliveries_event_unique').on(t.webhookId, t.eventId), index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt)],
);

/** The delivery log: one row per HTTP attempt. */
export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    statusCode: integer('status_code'),
    durationMs: integer('duration_ms').notNull(),
    responseExcerpt: text('response_excerpt'),
    error: text('error'),
    succeeded: flag('succeeded').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId)],
);
