import { preparedFor, type Db } from '../db/client.js';
import { getSeller } from '../documents/settings.js';
import { AppError } from '../errors.js';
import { formatters } from '../i18n/format.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { builtInText, getEmailSettings, getShopDefaults } from './settings.js';
import { renderMail, TEMPLATE_INFO, type LineView, type MailView, type RenderedMail, type TemplateKey } from './templates.js';

/**
 * Composing an e-mail: an order's placeholders rendered into the shop's template (or the built-in
 * one). The reads are prepared once per connection: the API composes two e-mails per new order and
 * Report in one per delivery.
 */
const stmts = preparedFor((sqlite) => ({
  order: sqlite.prepare<[number], OrderForMail>(
    `SELECT id, code, status, currency, total, payment_method AS paymentMethod, customer_name AS customerName, customer_email AS customerEmail,
            ship_line1 AS line1, ship_line2 AS line2, ship_postal_code AS postalCode, ship_city AS city, ship_country AS country, language
       FROM orders WHERE id = ?`,
  ),
  lines: sqlite.prepare<[number], LineForMail>('SELECT id, sku, name, unit_price AS unitPrice, quantity, shipped_quantity AS shipped FROM order_lines WHERE order_id = ? ORDER BY id'),
  parcels: sqlite.prepare<[number], string>('SELECT parcel_id FROM delivery_parcels WHERE delivery_id = ? ORDER BY id').pluck(),
  // Lines whose rest is not in stock: a tracked product whose stock, beside what other orders hold, is short of it
  // (a packing order's own rest is among the allocated units already).
  awaitingStock: sqlite
    .prepare<[number], number>(
      `SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
        WHERE l.order_id = ? AND l.quantity > l.shipped_quantity AND p.track_stock = 1
          AND p.on_hand - p.allocated + CASE WHEN o.status = 'packing' THEN l.quantity - l.shipped_quantity ELSE 0 END < l.quantity - l.shipped_quantity`,
    )
    .pluck(),
  deliveryLines: sqlite.prepare<[number], { lineId: number; quantity: number }>('SELECT order_line_id AS lineId, quantity FROM delivery_lines WHERE delivery_id = ?'),
  lastDelivery: sqlite.prepare<[number], number>("SELECT id FROM deliveries WHERE order_id = ? AND status = 'reported' ORDER BY id DESC LIMIT 1").pluck(),
  template: sqlite.prepare<[TemplateKey, Language], { subject: string; body: string }>('SELECT subject, body FROM email_templates WHERE template = ? AND language = ?'),
}));

/** What an e-mail needs of its order. */
export interface OrderForMail {
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

export interface LineForMail {
  id: number;
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
  shipped: number;
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

/** The order an e-mail is about; a missing order is the caller's mistake, reported as not found. */
export function loadOrderForMail(db: Db, orderId: number): OrderForMail {
  const order = stmts(db).order.get(orderId);
  if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code: String(orderId) });
  return order;
}

/** The language of an order's e-mails: the customer's, or the shop's for the shop's own notice. */
export function mailLanguage(template: TemplateKey, order: { language: string | null }, env: MailEnv): Language {
  if (TEMPLATE_INFO[template].to === 'customer' && isLanguage(order.language)) return order.language;
  return env.defaults.language;
}

const fixed = new Map<Language, (key: string) => string>();

/**
 * Catalog texts without parameters (a status's name, a payment method's), kept once looked up: the
 * catalogs do not change while the process runs, and i18next's lookup is a large share of composing
 * an e-mail, which order intake does twice per order.
 */
function fixedTexts(language: Language): (key: string) => string {
  let lookup = fixed.get(language);
  if (!lookup) {
    const t = translator(language);
    const seen = new Map<string, string>();
    lookup = (key) => {
      let text = seen.get(key);
      if (text === undefined) seen.set(key, (text = t(key)));
      return text;
    };
    fixed.set(language, lookup);
  }
  return lookup;
}

/**
 * The placeholders of an order's e-mails, in a language. `status` overrides the order's (an e-mail
 * previewed before the change); `deliveryId` adds that delivery's parcels and lines (shipped).
 */
function mailView(db: Db, order: OrderForMail, lines: LineForMail[], language: Language, env: MailEnv, opts: { status?: string | undefined; deliveryId?: number | undefined }): MailView {
  const s = stmts(db);
  const t = fixedTexts(language);
  const fmt = formatters(language, env.defaults.timezone);
  const lineView = (l: LineForMail, quantity: number): LineView => ({ quantity, name: l.name, sku: l.sku, amount: fmt.money(l.unitPrice * quantity, order.currency) });
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
    const shipped = new Map(s.deliveryLines.all(opts.deliveryId).map((d) => [d.lineId, d.quantity]));
    view.parcels = s.parcels.all(opts.deliveryId).map((p) => ({ parcel_id: p, tracking_url: trackingUrl ? trackingUrl.replaceAll('{parcel}', encodeURIComponent(p)) : '' }));
    view.shipped_lines = lines.filter((l) => shipped.has(l.id)).map((l) => lineView(l, shipped.get(l.id)!));
    view.pending_lines = lines.filter((l) => l.quantity > l.shipped).map((l) => lineView(l, l.quantity - l.shipped));
    view.partial = view.pending_lines.length > 0;
    view.awaiting_stock = view.partial && s.awaitingStock.get(order.id)! > 0;
  }
  return view;
}

/**
 * Renders `template` for an order: the shop's text of the template in `language`, or the built-in
 * one. A `shipped` e-mail without `deliveryId` shows the order's last reported delivery. The order's
 * lines may be given when the caller renders several e-mails of one order.
 */
export function renderOrderMail(
  db: Db,
  order: OrderForMail,
  template: TemplateKey,
  language: Language,
  env: MailEnv,
  opts: { status?: string | undefined; deliveryId?: number | undefined; lines?: LineForMail[] | undefined; extra?: ((language: Language) => Partial<MailView>) | undefined } = {},
): RenderedMail {
  const s = stmts(db);
  const text = s.template.get(template, language) ?? builtInText(template, language);
  const deliveryId = opts.deliveryId ?? (template === 'shipped' ? s.lastDelivery.get(order.id) : undefined);
  const view = mailView(db, order, opts.lines ?? orderLinesForMail(db, order.id), language, env, { status: opts.status, deliveryId });
  // Placeholders of the change itself (a return's number and lines), in the e-mail's language.
  return renderMail(text.subject, text.body, opts.extra ? { ...view, ...opts.extra(language) } : view, { language });
}

/** The lines an e-mail lists, in order. */
export function orderLinesForMail(db: Db, orderId: number): LineForMail[] {
  return stmts(db).lines.all(orderId);
}

/** A template rendered for an order as it would be sent now (the compose page). */
export function composeOrderMail(db: Db, orderId: number, template: TemplateKey, opts: { status?: string } = {}): RenderedMail & { language: Language } {
  const env = mailEnv(db);
  const order = loadOrderForMail(db, orderId);
  const language = mailLanguage(template, order, env);
  return { ...renderOrderMail(db, order, template, language, env, opts), language };
}
