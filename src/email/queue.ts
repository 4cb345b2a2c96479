import type { Conn, Tx } from '../db/client.js';
import { isPickup } from '../carriers/methods.js';
import type { Actor } from '../domain/actor.js';
import { logOrderEvent } from '../events/repo.js';
import { loadOrderForMail, mailEnv, mailLanguage, orderLinesForMail, renderOrderMail, type LineForMail, type MailEnv, type OrderForMail } from './compose.js';
import { defaultShopRecipients } from './settings.js';
import { insertQueuedMail } from './repo.js';
import type { Language } from '../i18n/index.js';
import {
  linksOf,
  spacedCode,
  templateForStatus,
  TEMPLATE_INFO,
  textToHtml,
  type MailView,
  type Mode,
  type RenderedMail,
  type TemplateKey,
} from './templates.js';

/**
 * Whether a change sends its e-mail: `auto` follows the template's mode (sent when it is `auto`);
 * true sends unless the mode is `never` (the "notify the customer" tick); false sends nothing; a
 * text is sent instead of the template (edited for this one order before sending).
 */
export type Notify = 'auto' | boolean | { subject: string; body: string };

export interface QueueContext {
  actor: Actor;
  now: Date;
}

/** Whether a change's `notify` sends a template in `mode` (given someone to send it to): the one rule, also shown before a change is confirmed. */
export function sendsMail(notify: Notify, mode: Mode): boolean {
  return notify === 'auto' ? mode === 'auto' : notify !== false && mode !== 'never';
}

/**
 * Writes the e-mails of one change to the outbox, in the change's own transaction: they exist exactly when the change does, and the sender loop
 * delivers them after commit. Each gets a line in the order's log. Returns the ids written (none
 * when the mode or `notify` says so, or there is nobody to write to).
 */
export function queueOrderMail(
  tx: Tx,
  orderId: number,
  template: TemplateKey,
  ctx: QueueContext & { notify?: Notify; deliveryId?: number; env?: MailEnv; extra?: MailExtra },
): number[] {
  return queueWith(tx, ctx.env ?? mailEnv(tx), () => ({ order: loadOrderForMail(tx, orderId) }), template, ctx);
}

/** The order of an e-mail, read only when the e-mail is sent; with its lines when they were read already. */
type MailSource = () => { order: OrderForMail; lines?: LineForMail[] };

/** Placeholders a change adds to its e-mail (a return's number and lines), made in the e-mail's language. */
export type MailExtra = (language: Language) => Partial<MailView>;

function queueWith(
  tx: Tx,
  env: MailEnv,
  source: MailSource,
  template: TemplateKey,
  ctx: QueueContext & { notify?: Notify; deliveryId?: number; extra?: MailExtra },
): number[] {
  const notify = ctx.notify ?? 'auto';
  if (!sendsMail(notify, env.settings.modes[template])) return [];
  const { order: o, lines } = source();
  const recipients =
    TEMPLATE_INFO[template].to === 'shop'
      ? (env.settings.shopRecipients ?? defaultShopRecipients(tx, env.defaults).list)
      : o.customerEmail
        ? [o.customerEmail]
        : [];
  if (recipients.length === 0) return [];
  const language = mailLanguage(template, o, env);
  const rendered = () => renderOrderMail(tx, o, template, language, env, { deliveryId: ctx.deliveryId, lines, extra: ctx.extra });
  // An edited e-mail: its HTML links only what the template itself links (the tracking addresses).
  const mail: RenderedMail =
    typeof notify === 'object'
      ? { subject: notify.subject, text: notify.body, html: textToHtml(notify.body, { language, title: notify.subject }, linksOf(rendered().html)) }
      : rendered();
  const at = ctx.now.getTime();
  return recipients.map((to) => {
    const id = insertQueuedMail(tx, { ...mail, orderId: o.id, to, language, template }, ctx.now);
    const data = JSON.stringify({ emailId: id, template, to, subject: mail.subject, edited: typeof notify === 'object' });
    logOrderEvent(tx, o, 'email_queued', ctx.actor, at, data);
    return id;
  });
}

/**
 * The template of an order's move to `status`: the status's own, or its pickup variant for an order
 * collected in store (templates.ts templateForStatus, with the order's shipping method read here).
 */
export function statusTemplateOf(conn: Conn, order: { shippingMethod: string | null }, status: string): TemplateKey | null {
  return templateForStatus(status, isPickup(conn, order.shippingMethod));
}

/**
 * Whether the e-mail of an order's move to `status` would be written with `notify`: a template for
 * the status, its mode (`sendsMail`), and someone to send it to (the customer's address, or the
 * shop's recipients). Asked before the move, so its event can say what was done.
 */
export function statusMailSends(conn: Conn, order: { shippingMethod: string | null; customerEmail: string | null }, status: string, notify: Notify): boolean {
  const template = statusTemplateOf(conn, order, status);
  if (!template) return false;
  const env = mailEnv(conn);
  if (!sendsMail(notify, env.settings.modes[template])) return false;
  if (TEMPLATE_INFO[template].to === 'shop') return (env.settings.shopRecipients ?? defaultShopRecipients(conn, env.defaults).list).length > 0;
  return Boolean(order.customerEmail);
}

/** Placeholders of the pickup e-mails: the code spaced to read aloud (the plain code is `order_code`). */
export const pickupExtra =
  (code: string, daysWaiting?: number): MailExtra =>
  () => ({ code_spaced: spacedCode(code), ...(daysWaiting !== undefined && { days_waiting: daysWaiting }) });

/** The e-mail of a status move, if the new status has one. */
export function queueStatusMail(
  tx: Tx,
  order: { id: number; code: string; shippingMethod: string | null },
  status: string,
  ctx: QueueContext & { notify?: Notify; deliveryId?: number },
): number[] {
  const template = statusTemplateOf(tx, order, status);
  if (!template) return [];
  return queueOrderMail(tx, order.id, template, TEMPLATE_INFO[template].pickup ? { ...ctx, extra: pickupExtra(order.code) } : ctx);
}

/**
 * A new order (created as an order, or checked out): the customer's confirmation and the shop's
 * notice. The order and its lines are read once for both, or not at all when the caller has just
 * written them (`written`, as compose.ts would read them: lines in id order).
 */
export function queueNewOrderMails(tx: Tx, orderId: number, ctx: QueueContext, written?: { order: OrderForMail; lines: LineForMail[] }): void {
  const env = mailEnv(tx);
  let read: { order: OrderForMail; lines: LineForMail[] } | undefined = written;
  const source = () => (read ??= { order: loadOrderForMail(tx, orderId), lines: orderLinesForMail(tx, orderId) });
  queueWith(tx, env, source, 'order_confirmation', ctx);
  queueWith(tx, env, source, 'new_order_notice', ctx);
}
