import { asc, count, desc, eq, inArray } from 'drizzle-orm';
import { preparedFor, type Conn, type Db } from '../db/client.js';
import { emailOutbox, orders } from '../db/schema/index.js';
import { getSeller } from '../documents/settings.js';
import type { Actor } from '../domain/actor.js';
import { logOrderEvent } from '../events/repo.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { AppError } from '../errors.js';
import { formatters } from '../i18n/format.js';
import { builtInText, getEmailSettings, getShopDefaults } from './settings.js';
import { renderMail, templateForStatus, TEMPLATE_INFO, textToHtml, type LineView, type MailView, type Mode, type RenderedMail, type TemplateKey } from './templates.js';

/**
 * Whether a change sends its e-mail: `auto` follows the template's mode (sent when it is `auto`);
 * true sends unless the mode is `never` (the "notify the customer" tick); false sends nothing; a
 * text is sent instead of the template (edited for this one order before sending).
 */
export type Notify = 'auto' | boolean | { subject: string; body: string };

export type EmailRow = typeof emailOutbox.$inferSelect;

/**
 * The statements of writing an e-mail, prepared once per connection: Report in writes one per
 * delivery and the API one per new order, and building SQL per statement would cost more than the
 * rest of the e-mail.
 */
const stmts = preparedFor((sqlite) => ({
  order: sqlite.prepare(
    `SELECT id, code, status, currency, total, payment_method AS paymentMethod, customer_name AS customerName, customer_email AS customerEmail,
            ship_line1 AS line1, ship_line2 AS line2, ship_postal_code AS postalCode, ship_city AS city, ship_country AS country, language
       FROM orders WHERE id = ?`,
  ),
  lines: sqlite.prepare('SELECT id, sku, name, unit_price AS unitPrice, quantity, shipped_quantity AS shipped FROM order_lines WHERE order_id = ? ORDER BY id'),
  parcels: sqlite.prepare('SELECT parcel_id FROM delivery_parcels WHERE delivery_id = ? ORDER BY id').pluck(),
  deliveryLines: sqlite.prepare('SELECT order_line_id AS lineId, quantity FROM delivery_lines WHERE delivery_id = ?'),
  lastDelivery: sqlite.prepare("SELECT id FROM deliveries WHERE order_id = ? AND status = 'reported' ORDER BY id DESC LIMIT 1").pluck(),
  template: sqlite.prepare('SELECT subject, body FROM email_templates WHERE template = ? AND language = ?'),
  insert: sqlite.prepare(
    "INSERT INTO email_outbox (order_id, to_address, subject, text_body, html_body, language, template, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)",
  ),
}));

interface OrderForMail {
  id: number;
  code: string;
  status: string;
  currency: string;
  total: number;
  paymentMethod: string | null;
  customerName: string | null;
  customerEmail: string | null;
  line1: string | null;
  line2: string | null;
  postalCode: string | null;
  city: string | null;
  country: string | null;
  language: string | null;
}

/** What every e-mail of a change needs from settings, read once per change. */
export interface MailEnv {
  settings: ReturnType<typeof getEmailSettings>;
  defaults: ReturnType<typeof getShopDefaults>;
  shopName: string;
}

/** The settings e-mails are written with; read once per change (or per pack-script run). */
export function mailEnv(db: Db): MailEnv {
  return { settings: getEmailSettings(db), defaults: getShopDefaults(db), shopName: getSeller(db).name };
}

function loadOrderForMail(db: Db, orderId: number): OrderForMail {
  const order = stmts(db).order.get(orderId) as OrderForMail | undefined;
  if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code: String(orderId) });
  return order;
}

/** The language of an order's e-mails: the customer's, or the shop's for the shop's own notice. */
function mailLanguage(template: TemplateKey, order: { language: string | null }, env: MailEnv): Language {
  if (TEMPLATE_INFO[template].to === 'customer' && isLanguage(order.language)) return order.language;
  return env.defaults.language;
}

/**
 * The placeholders of an order's e-mails, in a language. `status` overrides the order's (an e-mail
 * previewed before the change); `deliveryId` adds that delivery's parcels and lines (shipped).
 */
function mailView(db: Db, order: OrderForMail, language: Language, env: MailEnv, opts: { status?: string | undefined; deliveryId?: number | undefined }): MailView {
  const s = stmts(db);
  const t = translator(language);
  const fmt = formatters(language, env.defaults.timezone);
  const lines = s.lines.all(order.id) as { id: number; sku: string; name: string; unitPrice: number; quantity: number; shipped: number }[];
  const lineView = (l: (typeof lines)[number], quantity: number): LineView => ({ quantity, name: l.name, sku: l.sku, amount: fmt.money(l.unitPrice * quantity, order.currency) });
  const view: MailView = {
    shop_name: env.shopName || t('app.name'),
    order_code: order.code,
    customer_name: order.customerName ?? '',
    customer_email: order.customerEmail ?? '',
    status: t(`status.${opts.status ?? order.status}`),
    total: fmt.money(order.total, order.currency),
    payment_method: order.paymentMethod ? t(`payment.${order.paymentMethod}`) : '',
    lines: lines.map((l) => lineView(l, l.quantity)),
    ship_to: [order.customerName, order.line1, order.line2, [order.postalCode, order.city].filter(Boolean).join(' '), order.country].filter(Boolean).join('\n'),
  };
  if (opts.deliveryId !== undefined) {
    const { trackingUrl } = env.settings;
    const shipped = new Map((s.deliveryLines.all(opts.deliveryId) as { lineId: number; quantity: number }[]).map((d) => [d.lineId, d.quantity]));
    view.parcels = (s.parcels.all(opts.deliveryId) as string[]).map((p) => ({ parcel_id: p, tracking_url: trackingUrl ? trackingUrl.replaceAll('{parcel}', encodeURIComponent(p)) : '' }));
    view.shipped_lines = lines.filter((l) => shipped.has(l.id)).map((l) => lineView(l, shipped.get(l.id)!));
    view.pending_lines = lines.filter((l) => l.quantity > l.shipped).map((l) => lineView(l, l.quantity - l.shipped));
    view.partial = view.pending_lines.length > 0;
  }
  return view;
}

function render(db: Db, order: OrderForMail, template: TemplateKey, language: Language, env: MailEnv, opts: { status?: string | undefined; deliveryId?: number | undefined }): RenderedMail {
  const own = stmts(db).template.get(template, language) as { subject: string; body: string } | undefined;
  const text = own ?? builtInText(template, language);
  const deliveryId = opts.deliveryId ?? (template === 'shipped' ? (stmts(db).lastDelivery.get(order.id) as number | undefined) : undefined);
  return renderMail(text.subject, text.body, mailView(db, order, language, env, { status: opts.status, deliveryId }));
}

/** A template rendered for an order as it would be sent now (the compose page). */
export function composeOrderMail(db: Db, orderId: number, template: TemplateKey, opts: { status?: string } = {}): RenderedMail & { language: Language } {
  const env = mailEnv(db);
  const order = loadOrderForMail(db, orderId);
  const language = mailLanguage(template, order, env);
  return { ...render(db, order, template, language, env, opts), language };
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
export function queueOrderMail(db: Db, orderId: number, template: TemplateKey, ctx: QueueContext & { notify?: Notify; deliveryId?: number; env?: MailEnv }): number[] {
  return queueWith(db, ctx.env ?? mailEnv(db), orderId, template, ctx);
}

/** Whether a change's `notify` sends a template in `mode` (given someone to send it to): the one rule, also shown before a change is confirmed. */
export function sendsMail(notify: Notify, mode: Mode): boolean {
  return notify === 'auto' ? mode === 'auto' : notify !== false && mode !== 'never';
}

function queueWith(db: Db, env: MailEnv, orderId: number, template: TemplateKey, ctx: QueueContext & { notify?: Notify; deliveryId?: number }): number[] {
  const notify = ctx.notify ?? 'auto';
  if (!sendsMail(notify, env.settings.modes[template])) return [];
  const order = loadOrderForMail(db, orderId);
  const recipients = TEMPLATE_INFO[template].to === 'shop' ? (env.settings.shopRecipients ?? env.defaults.shopRecipients) : order.customerEmail ? [order.customerEmail] : [];
  if (recipients.length === 0) return [];
  const language = mailLanguage(template, order, env);
  const mail: RenderedMail = typeof notify === 'object' ? { subject: notify.subject, text: notify.body, html: textToHtml(notify.body) } : render(db, order, template, language, env, { deliveryId: ctx.deliveryId });
  const s = stmts(db);
  const at = ctx.now.getTime();
  return recipients.map((to) => {
    const id = Number(s.insert.run(orderId, to, mail.subject, mail.text, mail.html, language, template, at, at).lastInsertRowid);
    const data = JSON.stringify({ emailId: id, template, to, subject: mail.subject, edited: typeof notify === 'object' });
    logOrderEvent(db, order, 'email_queued', ctx.actor, at, data);
    return id;
  });
}

/** The e-mail of a status move, if the new status has one. */
export function queueStatusMail(db: Db, orderId: number, status: string, ctx: QueueContext & { notify?: Notify; deliveryId?: number }): number[] {
  const template = templateForStatus(status);
  return template ? queueOrderMail(db, orderId, template, ctx) : [];
}

/** A new order (created as an order, or checked out): the customer's confirmation and the shop's notice. */
export function queueNewOrderMails(db: Db, orderId: number, ctx: QueueContext): void {
  const env = mailEnv(db);
  queueWith(db, env, orderId, 'order_confirmation', ctx);
  queueWith(db, env, orderId, 'new_order_notice', ctx);
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
