import { and, asc, count, desc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx, asStored, preparedFor } from '../db/client.js';
import { availableSql } from '../db/rules.js';
import { deliveries, deliveryLines, emailOutbox, emailTemplates, orderLines, orders, products, users } from '../db/schema/index.js';
import type { Language } from '../i18n/index.js';
import type { RenderedMail, TemplateKey } from './templates.js';

/**
 * The e-mail tables: the outbox (written by changes through queue.ts, delivered after commit by
 * sender.ts), the shop's own template texts, and what composing an e-mail reads of its order.
 * Every statement is prepared once per connection: Report in writes one e-mail per delivery and
 * the API two per new order, and building SQL per statement would cost more than the e-mail.
 */
export type EmailRow = typeof emailOutbox.$inferSelect;

// --- the outbox ---

/**
 * A queued e-mail, as better-sqlite3 runs it: two for every new order (the customer's and the
 * shop's), at intake's rate, where the drizzle statement measured +18 µs an e-mail in a CPU profile of the intake bench
 * (docs/decisions.md § One way to the database).
 */
const insertMail = preparedFor((sqlite) =>
  sqlite.prepare<
    [{ orderId: number; to: string; subject: string; text: string; html: string | null; language: string; template: string; at: number }],
    { id: number }
  >(
    `INSERT INTO email_outbox (order_id, to_address, subject, text_body, html_body, language, template, status, attempts, next_attempt_at, created_at)
     VALUES (@orderId, @to, @subject, @text, @html, @language, @template, 'queued', 0, @at, @at) RETURNING id`,
  ),
);
const mailsOfOrder = preparedQuery((conn) =>
  conn
    .select()
    .from(emailOutbox)
    .where(eq(emailOutbox.orderId, sql.placeholder('orderId')))
    .orderBy(asc(emailOutbox.id))
    .prepare(),
);
const mailById = preparedQuery((conn) =>
  conn
    .select()
    .from(emailOutbox)
    .where(eq(emailOutbox.id, sql.placeholder('id')))
    .prepare(),
);
const requeueMail = preparedQuery((conn) =>
  conn
    .update(emailOutbox)
    .set({ status: 'queued', attempts: 0, nextAttemptAt: asStored('at'), lastError: null })
    .where(eq(emailOutbox.id, sql.placeholder('id')))
    .returning()
    .prepare(),
);
const countsByStatus = preparedQuery((conn) => conn.select({ status: emailOutbox.status, n: count() }).from(emailOutbox).groupBy(emailOutbox.status).prepare());
const undelivered = preparedQuery((conn) =>
  conn
    .select({ email: emailOutbox, orderCode: orders.code })
    .from(emailOutbox)
    .leftJoin(orders, eq(orders.id, emailOutbox.orderId))
    .where(inArray(emailOutbox.status, ['failed', 'unsent']))
    .orderBy(desc(emailOutbox.id))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

/** Writes one queued e-mail, due at once; returns its id. */
export function insertQueuedMail(tx: Tx, mail: RenderedMail & { orderId: number; to: string; language: Language; template: TemplateKey }, at: Date): number {
  const { id } = insertMail(tx).get({
    orderId: mail.orderId,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    language: mail.language,
    template: mail.template,
    at: at.getTime(),
  })!;
  return id;
}

/** An order's e-mails, oldest first. */
export function emailsOfOrder(conn: Conn, orderId: number): EmailRow[] {
  return mailsOfOrder(conn).all({ orderId });
}

/** One e-mail by id, or undefined. */
export function emailById(conn: Conn, id: number): EmailRow | undefined {
  return mailById(conn).get({ id });
}

/** Queues an e-mail again from `at` with a fresh round of attempts; returns the row as it is now. */
export function requeueEmail(tx: Tx, id: number, at: Date): EmailRow | undefined {
  return requeueMail(tx).get({ id, at: at.getTime() });
}

/** The number of e-mails in each status, as rows. */
export function emailCountsByStatus(conn: Conn): { status: string; n: number }[] {
  return countsByStatus(conn).all();
}

/** The newest failed or unsent e-mails with their order's code (null once the order is gone). */
export function undeliveredEmails(conn: Conn, limit: number): (EmailRow & { orderCode: string | null })[] {
  return undelivered(conn)
    .all({ limit })
    .map((r) => ({ ...r.email, orderCode: r.orderCode }));
}

// --- the sender loop ---

const dueMails = preparedQuery((conn) =>
  conn
    .select({
      id: emailOutbox.id,
      toAddress: emailOutbox.toAddress,
      subject: emailOutbox.subject,
      text: emailOutbox.textBody,
      html: emailOutbox.htmlBody,
      attempts: emailOutbox.attempts,
    })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.status, 'queued'), lte(emailOutbox.nextAttemptAt, asStored('now'))))
    .orderBy(emailOutbox.nextAttemptAt, emailOutbox.id)
    .limit(sql.placeholder('max'))
    .prepare(),
);
const markUnsent = preparedQuery((conn) =>
  conn
    .update(emailOutbox)
    .set({ status: 'unsent', nextAttemptAt: null })
    .where(and(eq(emailOutbox.id, sql.placeholder('id')), eq(emailOutbox.status, 'queued')))
    .prepare(),
);
const claimMail = preparedQuery((conn) =>
  conn
    .update(emailOutbox)
    .set({ nextAttemptAt: asStored('until') })
    .where(and(eq(emailOutbox.id, sql.placeholder('id')), eq(emailOutbox.status, 'queued'), lte(emailOutbox.nextAttemptAt, asStored('at'))))
    .prepare(),
);
const recordAttempt = preparedQuery((conn) =>
  conn
    .update(emailOutbox)
    .set({
      status: asStored('status'),
      attempts: asStored('attempts'),
      nextAttemptAt: asStored('next'),
      lastError: asStored('error'),
      sentAt: asStored('sentAt'),
    })
    .where(eq(emailOutbox.id, sql.placeholder('id')))
    .prepare(),
);

/** The queued e-mails due at `now` (at most `max`, the longest due first): what the sender sends. */
export function dueEmails(conn: Conn, now: Date, max: number) {
  return dueMails(conn).all({ now: now.getTime(), max });
}

/** A queued e-mail becomes `unsent` (no SMTP configured): not tried again until sent by hand. */
export function markEmailUnsent(tx: Tx, id: number): void {
  markUnsent(tx).run({ id });
}

/** Claims a due e-mail until `until`; false when it was not due (any more) or not queued. */
export function claimEmail(tx: Tx, id: number, at: Date, until: Date): boolean {
  return claimMail(tx).run({ id, at: at.getTime(), until: until.getTime() }).changes > 0;
}

/** Records an attempt's outcome: the status, attempts so far, when to try again, the error, when sent. */
export function recordEmailAttempt(
  tx: Tx,
  id: number,
  outcome: { status: 'sent' | 'queued' | 'failed'; attempts: number; next: Date | null; error: string | null; sentAt: Date | null },
): void {
  recordAttempt(tx).run({
    id,
    status: outcome.status,
    attempts: outcome.attempts,
    next: outcome.next?.getTime() ?? null,
    error: outcome.error,
    sentAt: outcome.sentAt?.getTime() ?? null,
  });
}

// --- the shop's template texts ---

const byTemplateAndLanguage = and(eq(emailTemplates.template, sql.placeholder('template')), eq(emailTemplates.language, sql.placeholder('language')));
const templateRow = preparedQuery((conn) =>
  conn.select({ subject: emailTemplates.subject, body: emailTemplates.body }).from(emailTemplates).where(byTemplateAndLanguage).prepare(),
);
const upsertTemplate = preparedQuery((conn) =>
  conn
    .insert(emailTemplates)
    .values({
      template: sql.placeholder('template'),
      language: sql.placeholder('language'),
      subject: sql.placeholder('subject'),
      body: sql.placeholder('body'),
      updatedAt: sql.placeholder('at'),
    })
    .onConflictDoUpdate({
      target: [emailTemplates.template, emailTemplates.language],
      set: { subject: sql`excluded.subject`, body: sql`excluded.body`, updatedAt: sql`excluded.updated_at` },
    })
    .prepare(),
);
const deleteTemplate = preparedQuery((conn) => conn.delete(emailTemplates).where(byTemplateAndLanguage).prepare());

/** The shop's own subject and body of a template in a language, or undefined (the built-in text applies). */
export function shopTemplateText(conn: Conn, template: TemplateKey, language: Language): { subject: string; body: string } | undefined {
  return templateRow(conn).get({ template, language });
}

/** Saves the shop's text of a template in a language (replacing the one saved before). */
export function saveShopTemplateText(tx: Tx, template: TemplateKey, language: Language, text: { subject: string; body: string }, at: Date): void {
  upsertTemplate(tx).run({ template, language, subject: text.subject, body: text.body, at });
}

/** Removes the shop's text of a template in a language. */
export function deleteShopTemplateText(tx: Tx, template: TemplateKey, language: Language): void {
  deleteTemplate(tx).run({ template, language });
}

// Read for every new order's notice while no list is saved (built by drizzle per call, it cost more than composing the e-mail).
const firstAdmin = preparedQuery((conn) =>
  conn
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
    .orderBy(users.id)
    .limit(1)
    .prepare(),
);

/** The e-mail of the oldest admin account not disabled, or undefined. */
export function firstAdminEmail(conn: Conn): string | undefined {
  return firstAdmin(conn).get()?.email;
}

// --- what an e-mail reads of its order ---

const orderForMail = preparedQuery((conn) =>
  conn
    .select({
      id: orders.id,
      code: orders.code,
      status: orders.status,
      currency: orders.currency,
      total: orders.total,
      paymentMethod: orders.paymentMethod,
      customerName: orders.customerName,
      customerEmail: orders.customerEmail,
      line1: orders.shipLine1,
      line2: orders.shipLine2,
      postalCode: orders.shipPostalCode,
      city: orders.shipCity,
      country: orders.shipCountry,
      language: orders.language,
    })
    .from(orders)
    .where(eq(orders.id, sql.placeholder('orderId')))
    .prepare(),
);
const linesForMail = preparedQuery((conn) =>
  conn
    .select({
      id: orderLines.id,
      sku: orderLines.sku,
      name: orderLines.name,
      unitPrice: orderLines.unitPrice,
      quantity: orderLines.quantity,
      shipped: orderLines.shippedQuantity,
    })
    .from(orderLines)
    .where(eq(orderLines.orderId, sql.placeholder('orderId')))
    .orderBy(orderLines.id)
    .prepare(),
);
// Lines whose rest is not in stock: a tracked product whose stock, beside what other orders hold, is short of it
// (a packing order's own rest is among the allocated units already).
const linesAwaitingStock = preparedQuery((conn) =>
  conn
    .select({ n: count() })
    .from(orderLines)
    .innerJoin(orders, eq(orders.id, orderLines.orderId))
    .innerJoin(products, eq(products.id, orderLines.productId))
    .where(
      and(
        eq(orderLines.orderId, sql.placeholder('orderId')),
        sql`${orderLines.quantity} > ${orderLines.shippedQuantity} AND ${products.trackStock} = 1`,
        sql`${availableSql(products)} + CASE WHEN ${orders.status} = 'packing' THEN ${orderLines.quantity} - ${orderLines.shippedQuantity} ELSE 0 END < ${orderLines.quantity} - ${orderLines.shippedQuantity}`,
      ),
    )
    .prepare(),
);
const linesOfDelivery = preparedQuery((conn) =>
  conn
    .select({ lineId: deliveryLines.orderLineId, quantity: deliveryLines.quantity })
    .from(deliveryLines)
    .where(eq(deliveryLines.deliveryId, sql.placeholder('deliveryId')))
    .prepare(),
);
const lastReported = preparedQuery((conn) =>
  conn
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.orderId, sql.placeholder('orderId')), eq(deliveries.status, 'reported')))
    .orderBy(desc(deliveries.id))
    .limit(1)
    .prepare(),
);

/** What an e-mail needs of its order (code, status, money, customer, address, language), or undefined. */
export function orderMailFields(conn: Conn, orderId: number) {
  return orderForMail(conn).get({ orderId });
}

/** The order's lines as an e-mail lists them (sku, name, price, quantity, shipped), in id order. */
export function orderMailLines(conn: Conn, orderId: number) {
  return linesForMail(conn).all({ orderId });
}

/** How many of the order's lines wait for stock (their rest is not covered). */
export function linesAwaitingStockCount(conn: Conn, orderId: number): number {
  return linesAwaitingStock(conn).get({ orderId })?.n ?? 0;
}

/** A delivery's lines: the order line and how many of it went. */
export function deliveryLineQuantities(conn: Conn, deliveryId: number): { lineId: number; quantity: number }[] {
  return linesOfDelivery(conn).all({ deliveryId });
}

/** The id of the order's last reported delivery, or undefined. */
export function lastReportedDeliveryId(conn: Conn, orderId: number): number | undefined {
  return lastReported(conn).get({ orderId })?.id;
}
