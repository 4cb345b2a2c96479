import Mustache from 'mustache';
import type { FieldError } from '../errors.js';

/**
 * The e-mails the back office writes. A template is plain text with {{placeholders}} (Mustache:
 * sections like {{#parcels}}…{{/parcels}} repeat or show a part, {{^partial}}…{{/partial}} shows it
 * when the value is empty or false). The built-in text of each is in the message catalog
 * (email.templates.*), in every language; Settings → E-mails keeps the shop's own versions.
 */
export const TEMPLATES = [
  'order_confirmation',
  'new_order_notice',
  'packing',
  'ready_for_pickup',
  'shipped',
  'cancelled',
  'return_received',
  'pickup_reminder',
] as const;
export type TemplateKey = (typeof TEMPLATES)[number];

export const MODES = ['auto', 'offer', 'never'] as const;
export type Mode = (typeof MODES)[number];

export interface TemplateInfo {
  /** Who receives it: the order's customer or the shop's recipients (Settings → E-mails). */
  to: 'customer' | 'shop';
  /** The order status whose change sends it; null for the new-order e-mails. */
  status: 'packing' | 'shipped' | 'cancelled' | null;
  /** Sent instead of the status's template when the order is collected in store (its shipping method's kind is `pickup`). */
  pickup?: boolean;
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
const LIST_FIELDS: Record<string, readonly string[]> = {
  lines: LINE_FIELDS,
  shipped_lines: LINE_FIELDS,
  pending_lines: LINE_FIELDS,
  parcels: PARCEL_FIELDS,
  returned_lines: LINE_FIELDS,
};

export const TEMPLATE_INFO: Record<TemplateKey, TemplateInfo> = {
  order_confirmation: { to: 'customer', status: null, modes: ['auto', 'never'], defaultMode: 'auto', extra: [] },
  new_order_notice: { to: 'shop', status: null, modes: ['auto', 'never'], defaultMode: 'auto', extra: [] },
  packing: { to: 'customer', status: 'packing', modes: MODES, defaultMode: 'never', extra: [] },
  // A pickup order on the shelf: the customer comes with the code (pickup/service.ts reads it at the counter).
  ready_for_pickup: { to: 'customer', status: 'packing', pickup: true, modes: MODES, defaultMode: 'auto', extra: ['code_spaced'] },
  shipped: {
    to: 'customer',
    status: 'shipped',
    modes: MODES,
    defaultMode: 'auto',
    extra: ['partial', 'awaiting_stock', 'parcels', 'shipped_lines', 'pending_lines'],
  },
  cancelled: { to: 'customer', status: 'cancelled', modes: MODES, defaultMode: 'offer', extra: [] },
  // Sent when a return is registered (returns/service.ts); no status change offers it.
  return_received: {
    to: 'customer',
    status: null,
    modes: ['auto', 'never'],
    defaultMode: 'auto',
    extra: ['return_number', 'returned_lines', 'refund_amount', 'credit_note_number'],
  },
  // Sent by "Send reminder" on the pickup page for an order not collected; no status change offers it.
  pickup_reminder: { to: 'customer', status: null, modes: ['auto', 'never'], defaultMode: 'auto', extra: ['code_spaced', 'days_waiting'] },
};

/**
 * The template sent when an order moves to `status` (by hand, the pack script or Report in): the
 * one choice of it. An order collected in store (`pickup`) gets the pickup variant where there is
 * one (packing → ready_for_pickup), else the status's own template.
 */
export function templateForStatus(status: string, pickup = false): TemplateKey | null {
  const of = (p: boolean) => TEMPLATES.find((t) => TEMPLATE_INFO[t].status === status && (TEMPLATE_INFO[t].pickup ?? false) === p);
  return (pickup ? of(true) : undefined) ?? of(false) ?? null;
}

/** An order code in groups of three or four digits, to read aloud or key at the counter (the plain code is what is scanned). */
export function spacedCode(code: string): string {
  return code.replace(/(\d{3})(?=\d{4,})/g, '$1 ');
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
  code_spaced?: string;
  days_waiting?: number;
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
      problems.push({
        path: field,
        key: 'validation.template.unknownPlaceholder',
        params: { names: [...unknown].map((n) => `{{${n}}}`).join(', '), allowed: [...allowed].map((n) => `{{${n}}}`).join(' ') },
      });
    }
  }
  if (subject.includes('\n')) problems.push({ path: 'subject', key: 'validation.template.subjectOneLine' });
  return problems;
}

const plain = (s: unknown) => String(s);

/**
 * Customer text in a rendered body is kept between these two private-use characters until the
 * parts are made, so the HTML part knows which text the shop wrote (its links are links) and which
 * the customer typed (never a link). Removed from values first, so nobody can type one.
 */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKS = /[\uE000\uE001]/g;

/**
 * Placeholders whose values are the shop's own or the back office's (a status, an amount, the
 * tracking address: the carrier's, kept only when it is an http(s) URL (domain/tracking.ts), or the
 * one made from Settings → E-mails): everything else (names, addresses, e-mail
 * addresses, product names, SKUs, parcel IDs) is treated as typed by a customer or an API client.
 */
const SHOP_VALUES: ReadonlySet<string> = new Set([
  'shop_name',
  'order_code',
  'status',
  'total',
  'payment_method',
  'tracking_url',
  'return_number',
  'refund_amount',
  'credit_note_number',
  'code_spaced',
  'days_waiting',
]);

/** The view with each customer-typed text marked (empty texts stay empty, so sections still hide). */
function markCustomerText<T>(value: T, key = ''): T {
  if (typeof value === 'string') return (SHOP_VALUES.has(key) || value === '' ? value.replace(MARKS, '') : `${OPEN}${value.replace(MARKS, '')}${CLOSE}`) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => markCustomerText(v, key)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markCustomerText(v, k)])) as T;
  return value;
}

/** The e-mail's language and title, for `<html lang>` and `<title>`. */
export interface HtmlMeta {
  language: string;
  title: string;
}

/** Renders a template to the subject and the text body, then the HTML body from that text. */
export function renderMail(subject: string, body: string, view: MailView, meta: { language: string }): RenderedMail {
  const marked = Mustache.render(body, markCustomerText(view), {}, { escape: plain });
  const renderedSubject = Mustache.render(subject, view, {}, { escape: plain }).replace(/\s+/g, ' ').trim();
  return { subject: renderedSubject, text: plainPart(marked), html: htmlPart(marked, { language: meta.language, title: renderedSubject }) };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A web address the shop wrote: made a link in the HTML part. */
const URL = /https?:\/\/[^\s<>"\uE000\uE001]+/g;

/**
 * A word a mail client would make a link of: it has a scheme (`https://`, `mailto:`), starts with
 * `www.`, is an e-mail address, or has a dot followed by a letter (`evil.example`, `x.com/y`; not `0.5`).
 */
const LINKABLE = /^(?:[a-z][a-z0-9+.-]*:|www\.)|@|[\p{L}\p{N}-]\.\p{L}/iu;
const WORD_JOINER = '\u2060';

/**
 * Customer text as no mail client makes a link of it: in each word that looks like an address,
 * an invisible word joiner (U+2060) before every `.` and `@` and after every `:` — a formatting
 * character no URL or e-mail address may hold, so linkifiers stop there; the text looks the same.
 * In the HTML part (`html`) the character itself also goes in a `<span>` of its own, because Gmail
 * reads through invisible characters but not through markup (see docs/decisions.md).
 */
function unlinkable(text: string, html: boolean): string {
  return text.replace(/\S+/g, (word) => {
    if (!LINKABLE.test(word)) return html ? escapeHtml(word) : word;
    if (!html) return word.replace(/[.@]/g, `${WORD_JOINER}$&`).replace(/:/g, `:${WORD_JOINER}`);
    return escapeHtml(word).replace(/[.@]/g, '&#8288;<span>$&</span>').replace(/:/g, '<span>:</span>&#8288;').replace(/\/\//g, '<span>/</span>/');
  });
}

/** The plain-text part: the shop's text as written, customer text made unlinkable (`unlinkable`). */
function plainPart(marked: string): string {
  return marked.replace(/\uE000([^\uE001]*)\uE001/g, (_, text: string) => unlinkable(text, false)).replace(MARKS, '');
}

/** One paragraph's HTML: the shop's text escaped with its web addresses as links (when `links` allows them), the customer's never. */
function paragraphHtml(p: string, links: ((url: string) => boolean) | null): string {
  return p
    .split(/(\uE000[^\uE001]*\uE001)/)
    .map((part) => {
      if (part.startsWith(OPEN)) return unlinkable(part.replace(MARKS, ''), true);
      const text = part.replace(MARKS, '');
      let out = '';
      let at = 0;
      for (const m of text.matchAll(URL)) {
        out += shopText(text.slice(at, m.index), links);
        out += links === null || links(m[0]) ? `<a href="${escapeHtml(m[0])}">${escapeHtml(m[0])}</a>` : unlinkable(m[0], true);
        at = m.index + m[0].length;
      }
      return out + shopText(text.slice(at), links);
    })
    .join('')
    .replace(/\n/g, '<br>\n');
}

/** The shop's own text outside its web addresses: escaped; in an edited e-mail (`links` given) made unlinkable too, as it may hold the customer's. */
function shopText(text: string, links: ((url: string) => boolean) | null): string {
  return links === null ? escapeHtml(text) : unlinkable(text, true);
}

function htmlPart(marked: string, meta: HtmlMeta, links: ((url: string) => boolean) | null = null): string {
  const paragraphs = marked
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${paragraphHtml(p, links)}</p>`);
  return (
    `<!doctype html>\n<html lang="${escapeHtml(meta.language)}">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(meta.title)}</title>\n</head>\n` +
    `<body style="font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #1a1a1a;">\n${paragraphs.join('\n')}\n</body>\n</html>\n`
  );
}

/**
 * The HTML part of an e-mail written by hand (an edited e-mail at a status change), from its text:
 * paragraphs at blank lines, line breaks kept, everything escaped. Which text the customer typed is
 * not known any more, so only the web addresses in `links` (those the template itself would link:
 * the tracking addresses) become links; every other address-like word is made unlinkable.
 */
export function textToHtml(text: string, meta: HtmlMeta, links: readonly string[] = []): string {
  const allowed = new Set(links);
  return htmlPart(text.replace(MARKS, ''), meta, (url) => allowed.has(url));
}

/** The web addresses the shop's own text of a rendered e-mail makes links (read back from its HTML part). */
export function linksOf(html: string): string[] {
  return [...html.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))));
}
