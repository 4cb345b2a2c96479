import type { Conn } from '../db/client.js';
import { deliveryParcelsWithBooking } from '../shipping/repo/deliveries.js';
import { trackingUrlOf } from '../domain/tracking.js';
import { getSeller } from '../documents/settings.js';
import { AppError } from '../errors.js';
import { formatters } from '../i18n/format.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { deliveryLineQuantities, lastReportedDeliveryId, linesAwaitingStockCount, orderMailFields, orderMailLines, shopTemplateText } from './repo.js';
import { builtInText, getEmailSettings, getShopDefaults } from './settings.js';
import { renderMail, TEMPLATE_INFO, type LineView, type MailView, type RenderedMail, type TemplateKey } from './templates.js';

// Composing an e-mail: an order's placeholders rendered into the shop's template (or the built-in
// one). The reads (repo.ts) are prepared once per connection: the API composes two e-mails per new
// order and Report in one per delivery.

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
export function mailEnv(conn: Conn): MailEnv {
  return { settings: getEmailSettings(conn), defaults: getShopDefaults(conn), shopName: getSeller(conn).name };
}

/** The order an e-mail is about; a missing order is the caller's mistake, reported as not found. */
export function loadOrderForMail(conn: Conn, orderId: number): OrderForMail {
  const order = orderMailFields(conn, orderId);
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
function mailView(
  conn: Conn,
  order: OrderForMail,
  lines: LineForMail[],
  language: Language,
  env: MailEnv,
  opts: { status?: string | undefined; deliveryId?: number | undefined },
): MailView {
  const t = fixedTexts(language);
  const fmt = formatters(language, env.defaults.timezone);
  const lineView = (l: LineForMail, quantity: number): LineView => ({
    quantity,
    name: l.name,
    sku: l.sku,
    amount: fmt.money(l.unitPrice * quantity, order.currency),
  });
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
    const shipped = new Map(deliveryLineQuantities(conn, opts.deliveryId).map((d) => [d.lineId, d.quantity]));
    // Each parcel's own tracking page (its carrier's), else the shop's pattern, else none (domain/tracking.ts).
    view.parcels = deliveryParcelsWithBooking(conn, opts.deliveryId).map((p) => ({
      parcel_id: p.parcelId,
      tracking_url: trackingUrlOf(p.parcelId, p.trackingUrl, env.settings.trackingUrl) ?? '',
    }));
    view.shipped_lines = lines.filter((l) => shipped.has(l.id)).map((l) => lineView(l, shipped.get(l.id)!));
    view.pending_lines = lines.filter((l) => l.quantity > l.shipped).map((l) => lineView(l, l.quantity - l.shipped));
    view.partial = view.pending_lines.length > 0;
    view.awaiting_stock = view.partial && linesAwaitingStockCount(conn, order.id) > 0;
  }
  return view;
}

/**
 * Renders `template` for an order: the shop's text of the template in `language`, or the built-in
 * one. A `shipped` e-mail without `deliveryId` shows the order's last reported delivery. The order's
 * lines may be given when the caller renders several e-mails of one order.
 */
export function renderOrderMail(
  conn: Conn,
  order: OrderForMail,
  template: TemplateKey,
  language: Language,
  env: MailEnv,
  opts: {
    status?: string | undefined;
    deliveryId?: number | undefined;
    lines?: LineForMail[] | undefined;
    extra?: ((language: Language) => Partial<MailView>) | undefined;
  } = {},
): RenderedMail {
  const text = shopTemplateText(conn, template, language) ?? builtInText(template, language);
  const deliveryId = opts.deliveryId ?? (template === 'shipped' ? lastReportedDeliveryId(conn, order.id) : undefined);
  const view = mailView(conn, order, opts.lines ?? orderLinesForMail(conn, order.id), language, env, { status: opts.status, deliveryId });
  // Placeholders of the change itself (a return's number and lines), in the e-mail's language.
  return renderMail(text.subject, text.body, opts.extra ? { ...view, ...opts.extra(language) } : view, { language });
}

/** The lines an e-mail lists, in order. */
export function orderLinesForMail(conn: Conn, orderId: number): LineForMail[] {
  return orderMailLines(conn, orderId);
}

/** A template rendered for an order as it would be sent now (the compose page). */
export function composeOrderMail(conn: Conn, orderId: number, template: TemplateKey, opts: { status?: string } = {}): RenderedMail & { language: Language } {
  const env = mailEnv(conn);
  const order = loadOrderForMail(conn, orderId);
  const language = mailLanguage(template, order, env);
  return { ...renderOrderMail(conn, order, template, language, env, opts), language };
}
