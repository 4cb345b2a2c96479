import { and, asc, count, desc, eq, inArray } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { deliveries, deliveryLines, deliveryParcels, emailOutbox, orderLines, orders } from '../db/schema/index.js';
import { getSeller } from '../documents/settings.js';
import type { Actor } from '../domain/actor.js';
import { appendOrderEvent } from '../events/repo.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { AppError } from '../web/errors.js';
import { formatters } from '../web/format.js';
import { getEmailSettings, getShopDefaults, shopRecipients, templateText } from './settings.js';
import { renderMail, templateForStatus, TEMPLATE_INFO, textToHtml, type LineView, type MailView, type RenderedMail, type TemplateKey } from './templates.js';

/**
 * Whether a change sends its e-mail: `auto` follows the template's mode (sent when it is `auto`);
 * true sends unless the mode is `never` (the "notify the customer" tick); false sends nothing; a
 * text is sent instead of the template (edited for this one order before sending).
 */
export type Notify = 'auto' | boolean | { subject: string; body: string };

export type EmailRow = typeof emailOutbox.$inferSelect;

/** The language of an order's customer e-mails. */
function customerLanguage(conn: Conn, order: { language: string | null }): Language {
  return isLanguage(order.language) ? order.language : getShopDefaults(conn).language;
}

/**
 * The placeholders of an order's e-mails, in a language. `status` overrides the order's (an e-mail
 * previewed before the change); `deliveryId` adds that delivery's parcels and lines (shipped).
 */
export function mailView(conn: Conn, orderId: number, language: Language, opts: { status?: string; deliveryId?: number } = {}): MailView {
  const order = conn.select().from(orders).where(eq(orders.id, orderId)).get();
  if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code: String(orderId) });
  const t = translator(language);
  const fmt = formatters(language, getShopDefaults(conn).timezone);
  const lines = conn.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.id)).all();
  const lineView = (l: (typeof lines)[number], quantity: number): LineView => ({ quantity, name: l.name, sku: l.sku, amount: fmt.money(l.unitPrice * quantity, order.currency) });
  const view: MailView = {
    shop_name: getSeller(conn).name || t('app.name'),
    order_code: order.code,
    customer_name: order.customerName ?? '',
    customer_email: order.customerEmail ?? '',
    status: t(`status.${opts.status ?? order.status}`),
    total: fmt.money(order.total, order.currency),
    payment_method: order.paymentMethod ? t(`payment.${order.paymentMethod}`) : '',
    lines: lines.map((l) => lineView(l, l.quantity)),
    ship_to: [order.customerName, order.shipLine1, order.shipLine2, [order.shipPostalCode, order.shipCity].filter(Boolean).join(' '), order.shipCountry].filter(Boolean).join('\n'),
  };
  if (opts.deliveryId !== undefined) {
    const { trackingUrl } = getEmailSettings(conn);
    const parcels = conn.select({ parcelId: deliveryParcels.parcelId }).from(deliveryParcels).where(eq(deliveryParcels.deliveryId, opts.deliveryId)).orderBy(asc(deliveryParcels.id)).all();
    const shipped = new Map(
      conn
        .select({ lineId: deliveryLines.orderLineId, quantity: deliveryLines.quantity })
        .from(deliveryLines)
        .where(eq(deliveryLines.deliveryId, opts.deliveryId))
        .all()
        .map((d) => [d.lineId, d.quantity]),
    );
    view.parcels = parcels.map((p) => ({ parcel_id: p.parcelId, tracking_url: trackingUrl ? trackingUrl.replaceAll('{parcel}', encodeURIComponent(p.parcelId)) : '' }));
    view.shipped_lines = lines.filter((l) => shipped.has(l.id)).map((l) => lineView(l, shipped.get(l.id)!));
    view.pending_lines = lines.filter((l) => l.quantity > l.shippedQuantity).map((l) => lineView(l, l.quantity - l.shippedQuantity));
    view.partial = view.pending_lines.length > 0;
  }
  return view;
}

/** The newest reported delivery of an order, for an e-mail about its shipping. */
function lastDeliveryId(conn: Conn, orderId: number): number | undefined {
  return conn
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.orderId, orderId), eq(deliveries.status, 'reported')))
    .orderBy(desc(deliveries.id))
    .limit(1)
    .get()?.id;
}

/** A template rendered for an order as it would be sent now (the compose page, the Settings preview). */
export function composeOrderMail(conn: Conn, orderId: number, template: TemplateKey, opts: { status?: string; deliveryId?: number; language?: Language } = {}): RenderedMail & { language: Language } {
  const order = conn.select({ language: orders.language }).from(orders).where(eq(orders.id, orderId)).get();
  const language = opts.language ?? (TEMPLATE_INFO[template].to === 'shop' ? getShopDefaults(conn).language : customerLanguage(conn, order ?? { language: null }));
  const deliveryId = opts.deliveryId ?? (template === 'shipped' ? lastDeliveryId(conn, orderId) : undefined);
  const text = templateText(conn, template, language);
  return { ...renderMail(text.subject, text.body, mailView(conn, orderId, language, { ...opts, ...(deliveryId !== undefined && { deliveryId }) })), language };
}

export interface QueueContext {
  actor: Actor;
  now: Date;
}

/**
 * Writes the e-mails of one change to the outbox, in the caller's transaction: they exist exactly
 * when the change does, and the sender loop delivers them after commit. Each gets a line in the
 * order's log. Returns the ids written (none when the mode or `notify` says so, or there is nobody
 * to write to).
 */
export function queueOrderMail(conn: Conn, orderId: number, template: TemplateKey, ctx: QueueContext & { notify?: Notify; deliveryId?: number }): number[] {
  const notify = ctx.notify ?? 'auto';
  const mode = getEmailSettings(conn).modes[template];
  const send = notify === 'auto' ? mode === 'auto' : notify !== false && mode !== 'never';
  if (!send) return [];
  const order = conn.select({ id: orders.id, code: orders.code, customerEmail: orders.customerEmail, language: orders.language }).from(orders).where(eq(orders.id, orderId)).get();
  if (!order) return [];
  const toShop = TEMPLATE_INFO[template].to === 'shop';
  const recipients = toShop ? shopRecipients(conn) : order.customerEmail ? [order.customerEmail] : [];
  if (recipients.length === 0) return [];
  const language = toShop ? getShopDefaults(conn).language : customerLanguage(conn, order);
  const mail: RenderedMail =
    typeof notify === 'object' ? { subject: notify.subject, text: notify.body, html: textToHtml(notify.body) } : composeOrderMail(conn, orderId, template, { language, ...(ctx.deliveryId !== undefined && { deliveryId: ctx.deliveryId }) });
  return recipients.map((to) => {
    const row = conn
      .insert(emailOutbox)
      .values({ orderId, toAddress: to, subject: mail.subject, textBody: mail.text, htmlBody: mail.html, language, template, status: 'queued', attempts: 0, nextAttemptAt: ctx.now, createdAt: ctx.now })
      .returning({ id: emailOutbox.id })
      .get();
    appendOrderEvent(conn, order, 'email_queued', ctx.actor, ctx.now, { emailId: row.id, template, to, subject: mail.subject, edited: typeof notify === 'object' });
    return row.id;
  });
}

/** The e-mail of a status move, if the new status has one. */
export function queueStatusMail(conn: Conn, orderId: number, status: string, ctx: QueueContext & { notify?: Notify; deliveryId?: number }): number[] {
  const template = templateForStatus(status);
  return template ? queueOrderMail(conn, orderId, template, ctx) : [];
}

/** A new order (created as an order, or checked out): the customer's confirmation and the shop's notice. */
export function queueNewOrderMails(conn: Conn, orderId: number, ctx: QueueContext): void {
  queueOrderMail(conn, orderId, 'order_confirmation', ctx);
  queueOrderMail(conn, orderId, 'new_order_notice', ctx);
}

export function listOrderEmails(conn: Conn, orderId: number): EmailRow[] {
  return conn.select().from(emailOutbox).where(eq(emailOutbox.orderId, orderId)).orderBy(asc(emailOutbox.id)).all();
}

export function findEmail(conn: Conn, id: number): EmailRow {
  const row = conn.select().from(emailOutbox).where(eq(emailOutbox.id, id)).get();
  if (!row) throw new AppError('not_found', 'errors.emailNotFound', { id });
  return row;
}

/**
 * Sends a failed or unsent e-mail again (by hand): queued from now with a fresh round of attempts.
 * A queued or sent e-mail is left as it is.
 */
export function retryEmail(conn: Conn, id: number, now: Date): EmailRow {
  const row = findEmail(conn, id);
  if (row.status !== 'failed' && row.status !== 'unsent') throw new AppError('conflict', 'errors.emailNotRetryable', { id, status: row.status });
  return conn.update(emailOutbox).set({ status: 'queued', attempts: 0, nextAttemptAt: now, lastError: null }).where(eq(emailOutbox.id, id)).returning().get()!;
}

/** Counts by status, for Settings → E-mails. */
export function outboxCounts(conn: Conn): Record<string, number> {
  const rows = conn.select({ status: emailOutbox.status, n: count() }).from(emailOutbox).groupBy(emailOutbox.status).all();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** The newest e-mails that did not go out (failed, or unsent for want of SMTP), for Settings → E-mails. */
export function listUndelivered(conn: Conn, limit = 50): (EmailRow & { orderCode: string | null })[] {
  return conn
    .select({ email: emailOutbox, orderCode: orders.code })
    .from(emailOutbox)
    .leftJoin(orders, eq(orders.id, emailOutbox.orderId))
    .where(inArray(emailOutbox.status, ['failed', 'unsent']))
    .orderBy(desc(emailOutbox.id))
    .limit(limit)
    .all()
    .map((r) => ({ ...r.email, orderCode: r.orderCode }));
}

/** An e-mail as the API gives it. */
export function presentEmail(e: EmailRow) {
  return {
    id: e.id,
    template: e.template,
    to: e.toAddress,
    subject: e.subject,
    language: e.language,
    status: e.status,
    attempts: e.attempts,
    lastError: e.lastError,
    nextAttemptAt: e.status === 'queued' && e.nextAttemptAt ? e.nextAttemptAt.toISOString() : null,
    createdAt: e.createdAt.toISOString(),
    sentAt: e.sentAt?.toISOString() ?? null,
    text: e.textBody,
  };
}
