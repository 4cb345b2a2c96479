import { and, asc, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { canonicalStatusCode } from '../custom-statuses/schemas.js';
import type { Conn } from '../db/client.js';
import { customStatuses, orders } from '../db/schema/index.js';
import { ORDER_CODE_LENGTH, readOrderCode, type OrderCodeReading } from '../domain/order-code.js';
import { ORDER_STATUSES, PAYMENT_METHODS } from '../domain/order-status.js';
import { normalizeParcelId, parcelIdProblem } from '../domain/parcel-id.js';
import { looksLikePhone, phoneKey, prefixQuery } from '../domain/search.js';
import { addDays, dayProblem, startOfDay } from '../domain/time.js';
import { findProductForScan } from '../products/repo.js';
import { MAX_MONEY, skuSchema } from '../products/schemas.js';
import { presentOrderSummary } from './present.js';
import { findOrderByCode } from './repo.js';

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
export const ADVANCED_FILTERS = ['customStatus', 'paid', 'waiting', 'reviewed', 'paymentMethod', 'from', 'to', 'minTotal', 'maxTotal', 'minValue', 'maxValue', 'sku'] as const;

/** Matches are read from the search's indexes newest first, this many at a time. */
const SEARCH_CHUNK = 500;
/** The fewest digits read as the beginning of an order code: 3 would match one order in 900. */
export const MIN_CODE_PREFIX = 4;

type Where = SQL | undefined;

/** The id range of orders created between two instants (created_at follows id: orders/repo.ts nextCreatedAt). */
function idRange(conn: Conn, from: Date | undefined, until: Date | undefined): Where[] {
  const where: Where[] = [];
  if (from) {
    const first = conn.select({ id: orders.id }).from(orders).where(gte(orders.createdAt, from)).orderBy(asc(orders.createdAt), asc(orders.id)).limit(1).get();
    where.push(first ? gte(orders.id, first.id) : sql`0`);
  }
  if (until) {
    const last = conn.select({ id: orders.id }).from(orders).where(lt(orders.createdAt, until)).orderBy(desc(orders.createdAt), desc(orders.id)).limit(1).get();
    where.push(last ? lte(orders.id, last.id) : sql`0`);
  }
  return where;
}

function selectPage(conn: Conn, where: Where[], limit: number) {
  return conn
    .select({
      order: orders,
      customStatus: { code: customStatuses.code, label: customStatuses.label, color: customStatuses.color },
      lineCount: sql<number>`(SELECT count(*) FROM order_lines l WHERE l.order_id = "orders"."id")`,
      returned: sql<number>`EXISTS (SELECT 1 FROM returns r WHERE r.order_id = "orders"."id")`,
    })
    .from(orders)
    .leftJoin(customStatuses, eq(customStatuses.id, orders.customStatusId))
    .where(and(...where))
    .orderBy(desc(orders.id))
    .limit(limit)
    .all();
}
type PageRow = ReturnType<typeof selectPage>[number];

/**
 * One kind of match for the search text: a SELECT of order ids as `id`. Given a page, only ids
 * below `below`, newest first, at most `limit`, read in the order of an index (no sort of every
 * match); without, every match (the CSV export's condition).
 */
type Source = (page: { below: number; limit: number } | null) => SQL;

const paged = (column: SQL, page: { below: number; limit: number } | null) =>
  page ? sql` AND ${column} < ${page.below} ORDER BY ${column} DESC LIMIT ${page.limit}` : sql``;

/** Words of the customer's name or e-mail, each a word beginning: the FTS index, whose rowid is the order id. */
const wordsSource = (fts: string): Source => (page) => sql`SELECT rowid AS id FROM orders_fts WHERE orders_fts MATCH ${fts}${paged(sql`rowid`, page)}`;

/**
 * Order codes that begin with these digits: a range of the code index ('1234' ≤ code < '1234:',
 * ':' following '9'), sorted by id. The range is small (a 4-digit beginning is one code in 9,000).
 */
const codePrefixSource = (digits: string): Source => (page) =>
  sql`SELECT id FROM orders INDEXED BY orders_code_unique WHERE code >= ${digits} AND code < ${`${digits}:`}${paged(sql`id`, page)}`;

/** A phone number, on its last 8 digits; the index keeps each key's orders in id order. */
const phoneSource = (key: string): Source => (page) => sql`SELECT id FROM orders WHERE customer_phone_key = ${key}${paged(sql`id`, page)}`;

/** Orders with a line of this SKU, read from order_lines (sku, order_id) newest first. */
const skuSource = (sku: string): Source => (page) => sql`SELECT order_id AS id FROM order_lines WHERE sku = ${sku}${paged(sql`order_id`, page)}`;

/** The sources' ids merged, newest first: the top `limit` of each source hold the top `limit` of all. */
function union(sources: Source[], page: { below: number; limit: number } | null): SQL {
  const parts = sql.join(
    sources.map((s) => sql`SELECT id FROM (${s(page)})`),
    sql` UNION `,
  );
  return page ? sql`${parts} ORDER BY id DESC LIMIT ${page.limit}` : parts;
}

/**
 * What the search text can be besides an order code or an e-mail, each a source of order ids:
 * - digits only (spaces and dashes aside): the beginning of an order code from MIN_CODE_PREFIX
 *   digits, a phone number from 6; never words;
 * - a phone number with + or brackets: the phone;
 * - anything else: words of the customer's name or e-mail, unless it is a product's SKU or barcode;
 * and in every case an exact SKU and a product's barcode (a GTIN in any length, as the station
 * reads it: its product's SKU). Orders matching any of them are listed.
 */
function searchSources(conn: Conn, q: string): { sources: Source[]; shortNumber: boolean } {
  const sources: Source[] = [];
  const digits = q.replace(/[\s-]/g, '');
  const numeric = /^\d+$/.test(digits);
  if (numeric && digits.length >= MIN_CODE_PREFIX && digits.length <= ORDER_CODE_LENGTH) sources.push(codePrefixSource(digits));
  const phone = looksLikePhone(q);
  if (phone) sources.push(phoneSource(phoneKey(q)!));
  const skus = new Set<string>();
  if (skuSchema.safeParse(q).success) skus.add(q);
  const product = findProductForScan(conn, q);
  if (product) skus.add(product.sku);
  for (const sku of skus) sources.push(skuSource(sku));
  // A product's own SKU or barcode means the product, not words of a name.
  if (!numeric && !phone && !product) {
    const fts = prefixQuery(q);
    if (fts) sources.push(wordsSource(fts));
  }
  return { sources, shortNumber: numeric && digits.length < MIN_CODE_PREFIX };
}

/**
 * The order a parcel ID belongs to (as stored or in upper case; an SSCC also with its "(00)"): the
 * unique index of delivery_parcels, then the delivery. Like an order code it names one order.
 */
function findOrderIdByParcel(conn: Conn, q: string): number | undefined {
  const parcel = normalizeParcelId(q);
  if (parcelIdProblem(parcel) !== null) return undefined;
  const ids = [...new Set([parcel, parcel.toUpperCase()])];
  return conn.get<{ id: number } | undefined>(sql`SELECT d.order_id AS id FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id WHERE p.parcel_id IN ${ids} LIMIT 1`)?.id;
}

/**
 * Orders the search matches, newest first: the sources are read backwards in chunks and each chunk
 * is filtered, until the page is full. A common name or a SKU on many orders costs one chunk; no
 * sort of every match is ever needed.
 */
function searchPage(conn: Conn, sources: Source[], filters: Where[], before: number | undefined, limit: number): PageRow[] {
  const rows: PageRow[] = [];
  let below = before ?? Number.MAX_SAFE_INTEGER;
  for (;;) {
    const page = { below, limit: SEARCH_CHUNK };
    const ids = conn.all<{ id: number }>(sources.length === 1 ? sources[0]!(page) : union(sources, page)).map((r) => r.id);
    if (ids.length === 0) break;
    // Without other filters every id is a row of the page: read only as many as it still needs.
    const batch = filters.every((f) => f === undefined) ? ids.slice(0, limit - rows.length) : ids;
    rows.push(...selectPage(conn, [...filters, inArray(orders.id, batch)], limit - rows.length));
    if (rows.length >= limit || (batch.length === ids.length && ids.length < SEARCH_CHUNK)) break;
    below = batch[batch.length - 1]!;
  }
  return rows;
}

/**
 * A page of orders, newest first, by keyset on id: page 500 costs what page 1 does.
 * `timeZone` turns the from/to days into instants.
 */
export function listOrders(conn: Conn, query: OrderListQuery, timeZone: string) {
  const { filters, sources, reading, codeMatched, parcelMatched, shortNumber } = orderFilters(conn, query, timeZone);
  const rows = sources
    ? searchPage(conn, sources, filters, query.cursor, query.limit + 1)
    : selectPage(conn, [...filters, query.cursor ? lt(orders.id, query.cursor) : undefined], query.limit + 1);
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
export function orderListCondition(conn: Conn, query: OrderFilterQuery, timeZone: string): SQL | undefined {
  const { filters, sources } = orderFilters(conn, query, timeZone);
  if (sources) filters.push(sql`"orders"."id" IN (${union(sources, null)})`);
  return and(...filters);
}

/** The list's filters as conditions on `orders`; `sources` are the search's matches, read apart (searchSources). */
function orderFilters(conn: Conn, query: OrderFilterQuery, timeZone: string) {
  const filters: Where[] = [];
  const q = query.q?.trim();
  const reading: OrderCodeReading | null = q ? readOrderCode(q) : null;
  let codeMatched = false;
  let parcelMatched = false;
  let sources: Source[] | null = null;
  let shortNumber = false;
  if (q) {
    let parcelOrder: number | undefined;
    const code = reading!.kind === 'valid' || reading!.kind === 'missing_check' ? findOrderByCode(conn, reading!.code) : undefined;
    if (code) {
      filters.push(eq(orders.id, code.id));
      codeMatched = true;
    } else if ((parcelOrder = findOrderIdByParcel(conn, q)) !== undefined) {
      filters.push(eq(orders.id, parcelOrder));
      parcelMatched = true;
    } else if (q.includes('@')) filters.push(eq(orders.customerEmail, q.toLowerCase()));
    else {
      ({ sources, shortNumber } = searchSources(conn, q));
      if (sources.length === 0) filters.push(sql`0`);
    }
  }
  if (query.status) filters.push(eq(orders.status, query.status));
  if (query.customStatus) {
    const cs = conn.select({ id: customStatuses.id }).from(customStatuses).where(eq(customStatuses.code, canonicalStatusCode(query.customStatus))).get();
    filters.push(cs ? eq(orders.customStatusId, cs.id) : sql`0`);
  }
  if (query.paid !== undefined) filters.push(eq(orders.paid, query.paid));
  // A literal, not a parameter, so that SQLite can use the partial index of waiting orders.
  if (query.waiting !== undefined) filters.push(query.waiting ? sql`"orders"."waiting" = 1` : eq(orders.waiting, false));
  if (query.reviewed !== undefined) filters.push(eq(orders.reviewed, query.reviewed));
  if (query.paymentMethod) filters.push(eq(orders.paymentMethod, query.paymentMethod));
  filters.push(...idRange(conn, query.from ? startOfDay(query.from, timeZone) : undefined, query.to ? startOfDay(addDays(query.to, 1), timeZone) : undefined));
  const minTotal = query.minTotal ?? query.minValue;
  const maxTotal = query.maxTotal ?? query.maxValue;
  if (minTotal !== undefined) filters.push(gte(orders.total, minTotal));
  if (maxTotal !== undefined) filters.push(lte(orders.total, maxTotal));
  if (query.sku) filters.push(sql`"orders"."id" IN (SELECT order_id FROM order_lines WHERE sku = ${query.sku})`);
  return { filters, sources: sources?.length ? sources : null, reading, codeMatched, parcelMatched, shortNumber };
}
