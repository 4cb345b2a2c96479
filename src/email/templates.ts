import Mustache from 'mustache';
import type { FieldError } from '../errors.js';

/**
 * The e-mails the back office writes. A template is plain text with {{placeholders}} (Mustache:
 * sections like {{#parcels}}…{{/parcels}} repeat or show a part, {{^partial}}…{{/partial}} shows it
 * when the value is empty or false). The built-in text of each is in the message catalog
 * (email.templates.*), in every language; Settings → E-mails keeps the shop's own versions.
 */
export const TEMPLATES = ['order_confirmation', 'new_order_notice', 'packing', 'shipped', 'cancelled', 'return_received'] as const;
export type TemplateKey = (typeof TEMPLATES)[number];

export const MODES = ['auto', 'offer', 'never'] as const;
export type Mode = (typeof MODES)[number];

export interface TemplateInfo {
  /** Who receives it: the order's customer or the shop's recipients (Settings → E-mails). */
  to: 'customer' | 'shop';
  /** The order status whose change sends it; null for the new-order e-mails. */
  status: 'packing' | 'shipped' | 'cancelled' | null;
  /** The modes that make sense: a new order has no status-change form to offer an e-mail on. */
  modes: readonly Mode[];
  defaultMode: Mode;
  /** Placeholders beyond the common ones. */
  extra: readonly string[];
}

/** Placeholders of every template. */
const COMMON = ['shop_name', 'order_code', 'customer_name', 'customer_email', 'status', 'total', 'payment_method', 'lines', 'ship_to'] as const;
/** Fields of one entry of `lines`, `shipped_lines` and `pending_lines`. */
const LINE_FIELDS = ['quantity', 'name', 'sku', 'amount'] as const;
/** Fields of one entry of `parcels`. */
const PARCEL_FIELDS = ['parcel_id', 'tracking_url'] as const;
/** Sections whose entries have fields of their own. */
const LIST_FIELDS: Record<string, readonly string[]> = { lines: LINE_FIELDS, shipped_lines: LINE_FIELDS, pending_lines: LINE_FIELDS, parcels: PARCEL_FIELDS, returned_lines: LINE_FIELDS };

export const TEMPLATE_INFO: Record<TemplateKey, TemplateInfo> = {
  order_confirmation: { to: 'customer', status: null, modes: ['auto', 'never'], defaultMode: 'auto', extra: [] },
  new_order_notice: { to: 'shop', status: null, modes: ['auto', 'never'], defaultMode: 'auto', extra: [] },
  packing: { to: 'customer', status: 'packing', modes: MODES, defaultMode: 'never', extra: [] },
  shipped: { to: 'customer', status: 'shipped', modes: MODES, defaultMode: 'auto', extra: ['partial', 'awaiting_stock', 'parcels', 'shipped_lines', 'pending_lines'] },
  cancelled: { to: 'customer', status: 'cancelled', modes: MODES, defaultMode: 'offer', extra: [] },
  // Sent when a return is registered (returns/service.ts); no status change offers it.
  return_received: { to: 'customer', status: null, modes: ['auto', 'never'], defaultMode: 'auto', extra: ['return_number', 'returned_lines', 'refund_amount', 'credit_note_number'] },
};

/** The template sent when an order moves to `status` (by hand, the pack script or Report in). */
export function templateForStatus(status: string): TemplateKey | null {
  return TEMPLATES.find((t) => TEMPLATE_INFO[t].status === status) ?? null;
}

export function placeholdersOf(template: TemplateKey): string[] {
  return [...COMMON, ...TEMPLATE_INFO[template].extra];
}

export interface LineView {
  quantity: number;
  name: string;
  sku: string;
  amount: string;
}

/** What a template is rendered with. */
export interface MailView {
  shop_name: string;
  order_code: string;
  customer_name: string;
  customer_email: string;
  status: string;
  total: string;
  payment_method: string;
  lines: LineView[];
  ship_to: string;
  partial?: boolean;
  /** A partial delivery whose rest is not in stock yet. */
  awaiting_stock?: boolean;
  parcels?: { parcel_id: string; tracking_url: string }[];
  shipped_lines?: LineView[];
  pending_lines?: LineView[];
  return_number?: string;
  returned_lines?: LineView[];
  refund_amount?: string;
  credit_note_number?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

type Token = [string, string, number, number, Token[]?];

/**
 * The problems of a template the shop wrote, as field errors of the form: syntax (an unclosed
 * section), partials and delimiter changes (not supported), and placeholders the template does not
 * have. Found when saving, so a customer's e-mail never fails on them.
 */
export function templateProblems(template: TemplateKey, subject: string, body: string): FieldError[] {
  const allowed = new Set(placeholdersOf(template));
  const problems: FieldError[] = [];
  for (const [field, text] of [
    ['subject', subject],
    ['body', body],
  ] as const) {
    let tokens: Token[];
    try {
      tokens = Mustache.parse(text) as unknown as Token[];
    } catch (err) {
      problems.push({ path: field, key: 'validation.template.syntax', params: { detail: err instanceof Error ? err.message : String(err) } });
      continue;
    }
    const unknown = new Set<string>();
    const visit = (list: Token[], scope: ReadonlySet<string>) => {
      for (const [type, name, , , children] of list) {
        if (type === '>' || type === '=') {
          problems.push({ path: field, key: 'validation.template.unsupported', params: { tag: type === '>' ? `{{>${name}}}` : '{{= =}}' } });
          continue;
        }
        if (type === 'text' || type === '!') continue;
        if (name !== '.' && !scope.has(name)) unknown.add(name);
        if (children) visit(children, LIST_FIELDS[name] ? new Set([...scope, ...LIST_FIELDS[name]]) : scope);
      }
    };
    visit(tokens, allowed);
    if (unknown.size) {
      problems.push({ path: field, key: 'validation.template.unknownPlaceholder', params: { names: [...unknown].map((n) => `{{${n}}}`).join(', '), allowed: [...allowed].map((n) => `{{${n}}}`).join(' ') } });
    }
  }
  if (subject.includes('\n')) problems.push({ path: 'subject', key: 'validation.template.subjectOneLine' });
  return problems;
}

const plain = (s: unknown) => String(s);

/** Renders a template to the subject and the text body, then the HTML body from that text. */
export function renderMail(subject: string, body: string, view: MailView): RenderedMail {
  const text = Mustache.render(body, view, {}, { escape: plain });
  return { subject: Mustache.render(subject, view, {}, { escape: plain }).replace(/\s+/g, ' ').trim(), text, html: textToHtml(text) };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The HTML part of an e-mail, made from its text: paragraphs at blank lines, line breaks kept, web
 * addresses made links. Everything is escaped, so neither a template nor a customer's name can
 * inject markup.
 */
export function textToHtml(text: string): string {
  const paragraphs = text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`).replace(/\n/g, '<br>\n')}</p>`);
  return `<!doctype html>\n<html><body style="font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #1a1a1a;">\n${paragraphs.join('\n')}\n</body></html>\n`;
}
