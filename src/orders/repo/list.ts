import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { preparedQuery, type Conn } from '../../db/client.js';
import { customStatuses, deliveries, deliveryParcels, orders } from '../../db/schema/index.js';
import type { OrderStatus, PaymentMethod } from '../../domain/order-status.js';

// The order list's SQL (orders/list.ts decides what the filters and the search text mean). The
// list without filters is one statement prepared once; a list with filters or a search has a WHERE
// whose shape is the filters the user picked, so it is built per call.

/** The list's filters as orders/list.ts read them from the query; each set one is ANDed. */
export interface OrderFilter {
  /** Nothing can match: an unknown custom status, a search with nothing to look in, a day range outside every order. */
  nothing?: boolean;
  /** The search text named this order (its code, a parcel ID). */
  orderId?: number;
  /** The search text was an e-mail address (lower case, as stored). */
  email?: string;
  status?: OrderStatus;
  customStatusId?: number;
  paid?: boolean;
  waiting?: boolean;
  reviewed?: boolean;
  paymentMethod?: PaymentMethod;
  /** Ids of orders created in the day range (created_at follows id: orders/repo.ts nextCreatedAt). */
  fromId?: number;
  toId?: number;
  minTotal?: number;
  maxTotal?: number;
  /** Orders with a line of this SKU. */
  sku?: string;
}

/**
 * One kind of match for the search text, a source of order ids (orders/list.ts searchSources):
 * words of the customer's name or e-mail (an FTS query), the beginning of an order code, a phone
 * key, an exact SKU.
 */
export type SearchSource =
  { kind: 'words'; fts: string } | { kind: 'codePrefix'; digits: string } | { kind: 'phone'; key: string } | { kind: 'sku'; sku: string };

/** Matches are read from the search's indexes newest first, this many at a time. */
const SEARCH_CHUNK = 500;

function pageSelect(conn: Conn) {
  return conn
    .select({
      order: orders,
      customStatus: { code: customStatuses.code, label: customStatuses.label, color: customStatuses.color },
      lineCount: sql<number>`(SELECT count(*) FROM order_lines l WHERE l.order_id = "orders"."id")`,
      returned: sql<number>`EXISTS (SELECT 1 FROM returns r WHERE r.order_id = "orders"."id")`,
    })
    .from(orders)
    .leftJoin(customStatuses, eq(customStatuses.id, orders.customStatusId));
}

/** One row of the order list: the order, its custom status, how many lines, whether a return was registered (1/0). */
export type OrderListRow = ReturnType<ReturnType<typeof pageSelect>['all']>[number];

// The list as most people see it: no filter, newest first, a page after the cursor.
const newestPage = preparedQuery((conn) =>
  pageSelect(conn)
    .where(lt(orders.id, sql.placeholder('before')))
    .orderBy(desc(orders.id))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

/** The filters as conditions on `orders`, in the order the list has always written them. */
function conditions(filter: OrderFilter): (SQL | undefined)[] {
  const where: (SQL | undefined)[] = [];
  if (filter.nothing) where.push(sql`0`);
  if (filter.orderId !== undefined) where.push(eq(orders.id, filter.orderId));
  if (filter.email !== undefined) where.push(eq(orders.customerEmail, filter.email));
  if (filter.status) where.push(eq(orders.status, filter.status));
  if (filter.customStatusId !== undefined) where.push(eq(orders.customStatusId, filter.customStatusId));
  if (filter.paid !== undefined) where.push(eq(orders.paid, filter.paid));
  // A literal, not a parameter, so that SQLite can use the partial index of waiting orders.
  if (filter.waiting !== undefined) where.push(filter.waiting ? sql`"orders"."waiting" = 1` : eq(orders.waiting, false));
  if (filter.reviewed !== undefined) where.push(eq(orders.reviewed, filter.reviewed));
  if (filter.paymentMethod) where.push(eq(orders.paymentMethod, filter.paymentMethod));
  if (filter.fromId !== undefined) where.push(gte(orders.id, filter.fromId));
  if (filter.toId !== undefined) where.push(lte(orders.id, filter.toId));
  if (filter.minTotal !== undefined) where.push(gte(orders.total, filter.minTotal));
  if (filter.maxTotal !== undefined) where.push(lte(orders.total, filter.maxTotal));
  if (filter.sku !== undefined) where.push(sql`"orders"."id" IN (SELECT order_id FROM order_lines WHERE sku = ${filter.sku})`);
  return where;
}

const isEmpty = (filter: OrderFilter) => Object.values(filter).every((v) => v === undefined);

function filteredPage(conn: Conn, where: (SQL | undefined)[], limit: number): OrderListRow[] {
  // eslint-disable-next-line local/prepared-once -- the WHERE is the filters the user picked
  return pageSelect(conn)
    .where(and(...where))
    .orderBy(desc(orders.id))
    .limit(limit)
    .all();
}

/** A page of the list, newest first, ids below `before` (keyset: page 500 costs what page 1 does), at most `limit` rows. */
export function ordersPage(conn: Conn, filter: OrderFilter, before: number | undefined, limit: number): OrderListRow[] {
  if (isEmpty(filter)) return newestPage(conn).all({ before: before ?? Number.MAX_SAFE_INTEGER, limit });
  return filteredPage(conn, [...conditions(filter), before ? lt(orders.id, before) : undefined], limit);
}

type Page = { below: number; limit: number } | null;

const paged = (column: SQL, page: Page) => (page ? sql` AND ${column} < ${page.below} ORDER BY ${column} DESC LIMIT ${page.limit}` : sql``);

/**
 * A source as a SELECT of order ids as `id`. Given a page, only ids below `below`, newest first, at
 * most `limit`, read in the order of an index (no sort of every match); without, every match.
 */
function sourceSql(source: SearchSource, page: Page): SQL {
  switch (source.kind) {
    // Word beginnings of name and e-mail: the FTS index, whose rowid is the order id.
    case 'words':
      return sql`SELECT rowid AS id FROM orders_fts WHERE orders_fts MATCH ${source.fts}${paged(sql`rowid`, page)}`;
    // A range of the code index ('1234' ≤ code < '1234:', ':' following '9'), sorted by id; a 4-digit beginning is one code in 9,000.
    case 'codePrefix':
      return sql`SELECT id FROM orders INDEXED BY orders_code_unique WHERE code >= ${source.digits} AND code < ${`${source.digits}:`}${paged(sql`id`, page)}`;
    // The phone's last 8 digits; the index keeps each key's orders in id order.
    case 'phone':
      return sql`SELECT id FROM orders WHERE customer_phone_key = ${source.key}${paged(sql`id`, page)}`;
    // order_lines (sku, order_id), newest first.
    case 'sku':
      return sql`SELECT order_id AS id FROM order_lines WHERE sku = ${source.sku}${paged(sql`order_id`, page)}`;
  }
}

/** The sources' ids merged, newest first: the top `limit` of each source hold the top `limit` of all. */
function union(sources: SearchSource[], page: Page): SQL {
  const parts = sql.join(
    sources.map((s) => sql`SELECT id FROM (${sourceSql(s, page)})`),
    sql` UNION `,
  );
  return page ? sql`${parts} ORDER BY id DESC LIMIT ${page.limit}` : parts;
}

/** Ids the sources match below `below`, newest first, at most SEARCH_CHUNK. */
function matchingIds(conn: Conn, sources: SearchSource[], below: number): number[] {
  const page = { below, limit: SEARCH_CHUNK };
  const ids = sources.length === 1 ? sourceSql(sources[0]!, page) : union(sources, page);
  // eslint-disable-next-line local/prepared-once -- which sources the search text is read as decides the statement
  const rows = conn
    .select({ id: sql<number>`id` })
    .from(sql`(${ids})`)
    .orderBy(sql`id DESC`)
    .all();
  return rows.map((r) => r.id);
}

/**
 * Orders the search matches, newest first: the sources are read backwards in chunks and each chunk
 * is filtered, until the page is full. A common name or a SKU on many orders costs one chunk; no
 * sort of every match is ever needed.
 */
export function searchPage(conn: Conn, sources: SearchSource[], filter: OrderFilter, before: number | undefined, limit: number): OrderListRow[] {
  const where = conditions(filter);
  const rows: OrderListRow[] = [];
  let below = before ?? Number.MAX_SAFE_INTEGER;
  for (;;) {
    const ids = matchingIds(conn, sources, below);
    if (ids.length === 0) break;
    // Without other filters every id is a row of the page: read only as many as it still needs.
    const batch = where.length === 0 ? ids.slice(0, limit - rows.length) : ids;
    rows.push(...filteredPage(conn, [...where, inArray(orders.id, batch)], limit - rows.length));
    if (rows.length >= limit || (batch.length === ids.length && ids.length < SEARCH_CHUNK)) break;
    below = batch[batch.length - 1]!;
  }
  return rows;
}

/**
 * Every order the filters and the search match, as one condition on `orders` (the search as a
 * subquery of its indexes), paging left out: what the CSV export iterates.
 */
export function orderCondition(filter: OrderFilter, sources: SearchSource[] | null): SQL | undefined {
  const where = conditions(filter);
  if (sources) where.push(sql`"orders"."id" IN (${union(sources, null)})`);
  return and(...where);
}

const dayRange = preparedQuery((conn) => ({
  first: conn
    .select({ id: orders.id })
    .from(orders)
    .where(gte(orders.createdAt, sql.placeholder('from')))
    .orderBy(asc(orders.createdAt), asc(orders.id))
    .limit(1)
    .prepare(),
  last: conn
    .select({ id: orders.id })
    .from(orders)
    .where(lt(orders.createdAt, sql.placeholder('until')))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(1)
    .prepare(),
}));

/** The id of the first order created at or after `from`, or undefined. */
export function firstOrderIdFrom(conn: Conn, from: Date): number | undefined {
  return dayRange(conn).first.get({ from: from.getTime() })?.id;
}

/** The id of the last order created before `until`, or undefined. */
export function lastOrderIdBefore(conn: Conn, until: Date): number | undefined {
  return dayRange(conn).last.get({ until: until.getTime() })?.id;
}

const byParcel = preparedQuery((conn) =>
  conn
    .select({ id: deliveries.orderId })
    .from(deliveryParcels)
    .innerJoin(deliveries, eq(deliveries.id, deliveryParcels.deliveryId))
    .where(or(eq(deliveryParcels.parcelId, sql.placeholder('asTyped')), eq(deliveryParcels.parcelId, sql.placeholder('upper'))))
    .limit(1)
    .prepare(),
);

/** The order a parcel ID belongs to, the ID as given or in upper case (the unique index of delivery_parcels, then the delivery). */
export function orderIdByParcel(conn: Conn, parcelId: string): number | undefined {
  return byParcel(conn).get({ asTyped: parcelId, upper: parcelId.toUpperCase() })?.id;
}
