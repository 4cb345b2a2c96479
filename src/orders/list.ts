import { z } from 'zod';
import { findCustomStatusByCode } from '../custom-statuses/repo.js';
import { canonicalStatusCode } from '../custom-statuses/schemas.js';
import type { Conn } from '../db/client.js';
import { ORDER_CODE_LENGTH, readOrderCode, type OrderCodeReading } from '../domain/order-code.js';
import { ORDER_STATUSES, PAYMENT_METHODS } from '../domain/order-status.js';
import { normalizeParcelId, parcelIdProblem } from '../domain/parcel-id.js';
import { looksLikePhone, phoneKey, prefixQuery } from '../domain/search.js';
import { addDays, dayProblem, startOfDay } from '../domain/time.js';
import { findProductForScan } from '../products/repo.js';
import { MAX_MONEY, skuSchema } from '../products/schemas.js';
import { presentOrderSummary } from './present.js';
import { findOrderByCode } from './repo/orders.js';
import { firstOrderIdFrom, lastOrderIdBefore, orderCondition, orderIdByParcel, ordersPage, searchPage } from './repo/list.js';
import type { OrderFilter, SearchSource } from './repo/list.js';

const yesNo = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => (v === '' ? undefined : ['true', '1', 'yes'].includes(v)))
  .optional();
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const day = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .superRefine((v, ctx) => {
      const problem = dayProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: `validation.${problem}` });
    })
    .optional(),
);
const minor = z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(MAX_MONEY).optional());
/** A value typed by a person in major units: "1 234,50" or "1234.5". */
const major = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.replace(/\s/g, '').replace(',', '.')) : undefined),
  z
    .number({ error: 'validation.amount' })
    .min(0)
    .max(MAX_MONEY / 100)
    .transform((n) => Math.round(n * 100))
    .optional(),
);

/**
 * The order list's filters, as query parameters: the same for the API and the Orders page, so a
 * search is a URL that can be bookmarked and shared. Money is in minor units (`minTotal`) for
 * programs and in major units (`minValue`) as typed on the page.
 */
export const orderListQuery = z.object({
  q: z.string().trim().max(200).optional(),
  status: z.preprocess(emptyToUndefined, z.enum(ORDER_STATUSES).optional()),
  customStatus: z.preprocess(emptyToUndefined, z.string().max(32).optional()),
  paid: yesNo,
  waiting: yesNo,
  reviewed: yesNo,
  paymentMethod: z.preprocess(emptyToUndefined, z.enum(PAYMENT_METHODS).optional()),
  from: day,
  to: day,
  minTotal: minor,
  maxTotal: minor,
  minValue: major,
  maxValue: major,
  sku: z.preprocess(emptyToUndefined, skuSchema.optional()),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, { error: 'validation.cursor' })
    .transform(Number)
    .optional(),
});
export type OrderListQuery = z.infer<typeof orderListQuery>;
/** The same filters without paging: the CSV export of every matching order. */
export const orderFilterQuery = orderListQuery.omit({ limit: true, cursor: true });
export type OrderFilterQuery = z.infer<typeof orderFilterQuery>;

/** The filters of a query that are not the plain search box: the page opens its advanced search for them. */
export const ADVANCED_FILTERS = [
  'customStatus',
  'paid',
  'waiting',
  'reviewed',
  'paymentMethod',
  'from',
  'to',
  'minTotal',
  'maxTotal',
  'minValue',
  'maxValue',
  'sku',
] as const;

/** The fewest digits read as the beginning of an order code: 3 would match one order in 900. */
export const MIN_CODE_PREFIX = 4;

/**
 * What the search text can be besides an order code or an e-mail, each a source of order ids:
 * - digits only (spaces and dashes aside): the beginning of an order code from MIN_CODE_PREFIX
 *   digits, a phone number from 6; never words;
 * - a phone number with + or brackets: the phone;
 * - anything else: words of the customer's name or e-mail, unless it is a product's SKU or barcode;
 * and in every case an exact SKU and a product's barcode (a GTIN in any length, as the station
 * reads it: its product's SKU). Orders matching any of them are listed.
 */
function searchSources(conn: Conn, q: string): { sources: SearchSource[]; shortNumber: boolean } {
  const sources: SearchSource[] = [];
  const digits = q.replace(/[\s-]/g, '');
  const numeric = /^\d+$/.test(digits);
  if (numeric && digits.length >= MIN_CODE_PREFIX && digits.length <= ORDER_CODE_LENGTH) sources.push({ kind: 'codePrefix', digits });
  const phone = looksLikePhone(q);
  if (phone) sources.push({ kind: 'phone', key: phoneKey(q)! });
  const skus = new Set<string>();
  if (skuSchema.safeParse(q).success) skus.add(q);
  const product = findProductForScan(conn, q);
  if (product) skus.add(product.sku);
  for (const sku of skus) sources.push({ kind: 'sku', sku });
  // A product's own SKU or barcode means the product, not words of a name.
  if (!numeric && !phone && !product) {
    const fts = prefixQuery(q);
    if (fts) sources.push({ kind: 'words', fts });
  }
  return { sources, shortNumber: numeric && digits.length < MIN_CODE_PREFIX };
}

/**
 * The order a parcel ID belongs to (as stored or in upper case; an SSCC also with its "(00)").
 * Like an order code it names one order.
 */
function findOrderIdByParcel(conn: Conn, q: string): number | undefined {
  const parcel = normalizeParcelId(q);
  if (parcelIdProblem(parcel) !== null) return undefined;
  return orderIdByParcel(conn, parcel);
}

/**
 * A page of orders, newest first, by keyset on id: page 500 costs what page 1 does.
 * `timeZone` turns the from/to days into instants.
 */
export function listOrders(conn: Conn, query: OrderListQuery, timeZone: string) {
  const { filter, sources, reading, codeMatched, parcelMatched, shortNumber } = orderFilters(conn, query, timeZone);
  const rows = sources ? searchPage(conn, sources, filter, query.cursor, query.limit + 1) : ordersPage(conn, filter, query.cursor, query.limit + 1);
  const hasMore = rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  return {
    orders: page.map(presentOrderSummary),
    nextCursor: hasMore ? String(page[page.length - 1]!.order.id) : null,
    /** What the search text was read as, so the page can say "check digit missing" or "mistyped". */
    codeReading: reading,
    codeMatched,
    /** The search text was a parcel ID: the page opens its order as it does for an order code. */
    parcelMatched,
    /** The search text was 1–3 digits: no order-code beginning was searched, only exact SKUs, barcodes and parcel IDs. */
    shortNumber,
  };
}

/**
 * Every order the list's filters match, as one condition on `orders` (the search words as a
 * subquery on the search index), paging left out: what the CSV export iterates.
 */
export function orderListCondition(conn: Conn, query: OrderFilterQuery, timeZone: string): ReturnType<typeof orderCondition> {
  const { filter, sources } = orderFilters(conn, query, timeZone);
  return orderCondition(filter, sources);
}

/** The list's filters as orders/repo/list.ts takes them; `sources` are the search's matches, read apart (searchSources). */
function orderFilters(conn: Conn, query: OrderFilterQuery, timeZone: string) {
  const filter: OrderFilter = {};
  const q = query.q?.trim();
  const reading: OrderCodeReading | null = q ? readOrderCode(q) : null;
  let codeMatched = false;
  let parcelMatched = false;
  let sources: SearchSource[] | null = null;
  let shortNumber = false;
  if (q) {
    let parcelOrder: number | undefined;
    const code = reading!.kind === 'valid' || reading!.kind === 'missing_check' ? findOrderByCode(conn, reading!.code) : undefined;
    if (code) {
      filter.orderId = code.id;
      codeMatched = true;
    } else if ((parcelOrder = findOrderIdByParcel(conn, q)) !== undefined) {
      filter.orderId = parcelOrder;
      parcelMatched = true;
    } else if (q.includes('@')) filter.email = q.toLowerCase();
    else {
      ({ sources, shortNumber } = searchSources(conn, q));
      if (sources.length === 0) filter.nothing = true;
    }
  }
  if (query.status) filter.status = query.status;
  if (query.customStatus) {
    const cs = findCustomStatusByCode(conn, canonicalStatusCode(query.customStatus));
    if (cs) filter.customStatusId = cs.id;
    else filter.nothing = true;
  }
  if (query.paid !== undefined) filter.paid = query.paid;
  if (query.waiting !== undefined) filter.waiting = query.waiting;
  if (query.reviewed !== undefined) filter.reviewed = query.reviewed;
  if (query.paymentMethod) filter.paymentMethod = query.paymentMethod;
  // The day range as an id range (created_at follows id: orders/repo.ts nextCreatedAt).
  if (query.from) {
    const first = firstOrderIdFrom(conn, startOfDay(query.from, timeZone));
    if (first === undefined) filter.nothing = true;
    else filter.fromId = first;
  }
  if (query.to) {
    const last = lastOrderIdBefore(conn, startOfDay(addDays(query.to, 1), timeZone));
    if (last === undefined) filter.nothing = true;
    else filter.toId = last;
  }
  const minTotal = query.minTotal ?? query.minValue;
  const maxTotal = query.maxTotal ?? query.maxValue;
  if (minTotal !== undefined) filter.minTotal = minTotal;
  if (maxTotal !== undefined) filter.maxTotal = maxTotal;
  if (query.sku) filter.sku = query.sku;
  return { filter, sources: sources?.length ? sources : null, reading, codeMatched, parcelMatched, shortNumber };
}
