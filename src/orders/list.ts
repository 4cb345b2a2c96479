import { and, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Conn } from '../db/client.js';
import { customStatuses, orders } from '../db/schema/index.js';
import { readOrderCode, type OrderCodeReading } from '../domain/order-code.js';
import { ORDER_STATUSES, PAYMENT_METHODS } from '../domain/order-status.js';
import { looksLikePhone, phoneKey, prefixQuery } from '../domain/search.js';
import { addDays, startOfDay } from '../domain/time.js';
import { MAX_MONEY, skuSchema } from '../products/schemas.js';
import { presentOrderSummary } from './present.js';

const yesNo = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => (v === '' ? undefined : ['true', '1', 'yes'].includes(v)))
  .optional();
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const day = z.preprocess(emptyToUndefined, z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'validation.date' }).optional());
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
    .regex(/^\d{1,15}\.\d{1,15}$/, { error: 'validation.cursor' })
    .transform((c) => {
      const [createdAt, id] = c.split('.').map(Number) as [number, number];
      return { createdAt, id };
    })
    .optional(),
});
export type OrderListQuery = z.infer<typeof orderListQuery>;

/** The filters of a query that are not the plain search box: the page opens its advanced search for them. */
export const ADVANCED_FILTERS = ['customStatus', 'paid', 'waiting', 'reviewed', 'paymentMethod', 'from', 'to', 'minTotal', 'maxTotal', 'minValue', 'maxValue', 'sku'] as const;

const ID = sql.raw('"orders"."id"');
const CREATED = sql.raw('"orders"."created_at"');

/** How the search box text was read: an order code, an e-mail, a phone number or words of a name. */
function textConditions(conn: Conn, text: string, reading: OrderCodeReading): { where: SQL | undefined; codeMatched: boolean } {
  if (reading.kind === 'valid' || reading.kind === 'missing_check') {
    const hit = conn.select({ id: orders.id }).from(orders).where(eq(orders.code, reading.code)).get();
    if (hit) return { where: eq(orders.id, hit.id), codeMatched: true };
  }
  if (text.includes('@')) return { where: eq(orders.customerEmail, text.toLowerCase()), codeMatched: false };
  if (looksLikePhone(text)) return { where: eq(orders.customerPhoneKey, phoneKey(text)!), codeMatched: false };
  const fts = prefixQuery(text);
  if (!fts) return { where: sql`0`, codeMatched: false };
  // Two plans, chosen by how many orders match. Few: fetch their ids and sort just those. Many (a
  // common name): walk the newest-first index and keep the matches ("+" stops SQLite from driving
  // the query from the match list, which would sort every match before taking a page).
  const ids = conn.all<{ id: number }>(sql`SELECT rowid AS id FROM orders_fts WHERE orders_fts MATCH ${fts} LIMIT ${FEW_MATCHES + 1}`).map((r) => r.id);
  if (ids.length <= FEW_MATCHES) return { where: ids.length ? inArray(orders.id, ids) : sql`0`, codeMatched: false };
  return { where: sql`+${ID} IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ${fts})`, codeMatched: false };
}

/** Up to this many matching orders are fetched and sorted; more are found by walking the list index. */
const FEW_MATCHES = 2000;

/**
 * A page of orders, newest first, by keyset on (created_at, id): page 500 costs what page 1 does.
 * `timeZone` turns the from/to days into instants.
 */
export function listOrders(conn: Conn, query: OrderListQuery, timeZone: string) {
  const where: (SQL | undefined)[] = [];
  const q = query.q?.trim();
  const reading: OrderCodeReading | null = q ? readOrderCode(q) : null;
  let codeMatched = false;
  if (q) {
    const text = textConditions(conn, q, reading!);
    where.push(text.where);
    codeMatched = text.codeMatched;
  }
  if (query.status) where.push(eq(orders.status, query.status));
  if (query.customStatus) {
    const cs = conn.select({ id: customStatuses.id }).from(customStatuses).where(eq(customStatuses.code, query.customStatus)).get();
    where.push(cs ? eq(orders.customStatusId, cs.id) : sql`0`);
  }
  if (query.paid !== undefined) where.push(eq(orders.paid, query.paid));
  // A literal, not a parameter, so that SQLite can use the partial index of waiting orders.
  if (query.waiting !== undefined) where.push(query.waiting ? sql`"orders"."waiting" = 1` : eq(orders.waiting, false));
  if (query.reviewed !== undefined) where.push(eq(orders.reviewed, query.reviewed));
  if (query.paymentMethod) where.push(eq(orders.paymentMethod, query.paymentMethod));
  if (query.from) where.push(gte(orders.createdAt, startOfDay(query.from, timeZone)));
  if (query.to) where.push(lt(orders.createdAt, startOfDay(addDays(query.to, 1), timeZone)));
  const minTotal = query.minTotal ?? query.minValue;
  const maxTotal = query.maxTotal ?? query.maxValue;
  if (minTotal !== undefined) where.push(gte(orders.total, minTotal));
  if (maxTotal !== undefined) where.push(lte(orders.total, maxTotal));
  if (query.sku) where.push(sql`${ID} IN (SELECT order_id FROM order_lines WHERE sku = ${query.sku})`);
  if (query.cursor) where.push(sql`(${CREATED}, ${ID}) < (${query.cursor.createdAt}, ${query.cursor.id})`);

  const rows = conn
    .select({
      order: orders,
      customStatus: { code: customStatuses.code, label: customStatuses.label, color: customStatuses.color },
      lineCount: sql<number>`(SELECT count(*) FROM order_lines l WHERE l.order_id = "orders"."id")`,
    })
    .from(orders)
    .leftJoin(customStatuses, eq(customStatuses.id, orders.customStatusId))
    .where(and(...where))
    .orderBy(sql`${CREATED} DESC, ${ID} DESC`)
    .limit(query.limit + 1)
    .all();
  const hasMore = rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1]?.order;
  return {
    orders: page.map(presentOrderSummary),
    nextCursor: hasMore && last ? `${last.createdAt.getTime()}.${last.id}` : null,
    /** What the search text was read as, so the page can say "check digit missing" or "mistyped". */
    codeReading: reading,
    codeMatched,
  };
}
