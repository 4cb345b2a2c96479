import { and, asc, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx, asStored } from '../db/client.js';
import { goodsIns, orderLines, orders, products, stockCountLines, stockCounts, stockLedger } from '../db/schema/index.js';
import type { PackingDemand } from '../domain/stock.js';

// Goods in and stock counts: the rows that say which delivery or count a ledger row belongs to, and
// an open count between page loads. on_hand and its ledger are the stock writer's (writer.ts).

export type GoodsInRow = typeof goodsIns.$inferSelect;
export type StockCountRow = typeof stockCounts.$inferSelect;

// ── Goods in ──────────────────────────────────────────────────────────────────────────────────

const insertGoodsInStmt = preparedQuery((conn) =>
  conn
    .insert(goodsIns)
    .values({ reference: sql.placeholder('reference'), startedBy: sql.placeholder('startedBy'), startedAt: sql.placeholder('startedAt') })
    .returning()
    .prepare(),
);
const goodsInById = preparedQuery((conn) =>
  conn
    .select()
    .from(goodsIns)
    .where(eq(goodsIns.id, sql.placeholder('id')))
    .prepare(),
);
const latestGoodsIns = preparedQuery((conn) => conn.select().from(goodsIns).orderBy(desc(goodsIns.id)).limit(sql.placeholder('limit')).prepare());
const goodsInLinesStmt = preparedQuery((conn) =>
  conn
    .select({
      id: stockLedger.id,
      productId: stockLedger.productId,
      sku: stockLedger.sku,
      name: products.name,
      delta: stockLedger.delta,
      onHandAfter: stockLedger.onHandAfter,
      actor: stockLedger.actor,
      createdAt: stockLedger.createdAt,
    })
    .from(stockLedger)
    .leftJoin(products, eq(products.id, stockLedger.productId))
    .where(eq(stockLedger.goodsInId, sql.placeholder('id')))
    .orderBy(desc(stockLedger.id))
    .prepare(),
);
const finishGoodsInStmt = preparedQuery((conn) =>
  conn
    .update(goodsIns)
    .set({ finishedAt: asStored('finishedAt'), released: asStored('released') })
    .where(and(eq(goodsIns.id, sql.placeholder('id')), isNull(goodsIns.finishedAt)))
    .returning()
    .prepare(),
);

/** A new open goods-in; its row. Call inside a write transaction. */
export function insertGoodsIn(tx: Tx, goodsIn: { reference: string; startedBy: string; startedAt: Date }): GoodsInRow {
  return insertGoodsInStmt(tx).get(goodsIn);
}

/** The goods-in `id`, or undefined. */
export function findGoodsIn(conn: Conn, id: number): GoodsInRow | undefined {
  return goodsInById(conn).get({ id });
}

/** The newest goods-ins, at most `limit`. */
export function listGoodsIns(conn: Conn, limit: number): GoodsInRow[] {
  return latestGoodsIns(conn).all({ limit });
}

/** What a goods-in booked, one row per scan (its ledger rows with the product's name), newest first. */
export function goodsInLines(conn: Conn, id: number) {
  return goodsInLinesStmt(conn).all({ id });
}

/** Closes an open goods-in with what it released; its row, or undefined when it was closed already. Call inside a write transaction. */
export function closeGoodsIn(tx: Tx, id: number, released: number, finishedAt: Date): GoodsInRow | undefined {
  return finishGoodsInStmt(tx).get({ id, released, finishedAt: finishedAt.getTime() });
}

// ── Stock counts ──────────────────────────────────────────────────────────────────────────────

const insertCountStmt = preparedQuery((conn) =>
  conn
    .insert(stockCounts)
    .values({ location: sql.placeholder('location'), startedBy: sql.placeholder('startedBy'), startedAt: sql.placeholder('startedAt') })
    .returning()
    .prepare(),
);
const countById = preparedQuery((conn) =>
  conn
    .select()
    .from(stockCounts)
    .where(eq(stockCounts.id, sql.placeholder('id')))
    .prepare(),
);
const latestCounts = preparedQuery((conn) => conn.select().from(stockCounts).orderBy(desc(stockCounts.id)).limit(sql.placeholder('limit')).prepare());
const countedStmt = preparedQuery((conn) =>
  conn
    .select({
      productId: stockCountLines.productId,
      counted: stockCountLines.counted,
      onHandAtCount: stockCountLines.onHandAtCount,
      delta: stockCountLines.delta,
      countedAt: stockCountLines.countedAt,
    })
    .from(stockCountLines)
    .where(eq(stockCountLines.countId, sql.placeholder('countId')))
    .prepare(),
);
// The bin is a prefix of the location (LIKE is case-insensitive for ASCII in SQLite), and the
// products counted so far come as a JSON list. A count without a bin reads only those, by id.
const countedProducts = sql`${products.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`;
const countProductsStmt = preparedQuery((conn) => ({
  inBin: conn
    .select()
    .from(products)
    .where(
      or(
        sql`${products.archivedAt} IS NULL AND ${products.trackStock} = 1 AND ${products.location} LIKE ${sql.placeholder('prefix')} ESCAPE '\\'`,
        countedProducts,
      ),
    )
    .orderBy(asc(products.location), asc(products.sku))
    .prepare(),
  counted: conn.select().from(products).where(countedProducts).orderBy(asc(products.location), asc(products.sku)).prepare(),
}));
const countLineStmt = preparedQuery((conn) =>
  conn
    .insert(stockCountLines)
    .values({
      countId: sql.placeholder('countId'),
      productId: sql.placeholder('productId'),
      counted: sql.placeholder('counted'),
      onHandAtCount: sql.placeholder('onHandAtCount'),
      countedAt: sql.placeholder('countedAt'),
    })
    .onConflictDoUpdate({
      target: [stockCountLines.countId, stockCountLines.productId],
      set: { counted: sql`excluded.counted`, onHandAtCount: sql`excluded.on_hand_at_count`, countedAt: sql`excluded.counted_at` },
    })
    .prepare(),
);
const linesToFinishStmt = preparedQuery((conn) =>
  conn
    .select({ id: stockCountLines.id, counted: stockCountLines.counted, onHandAtCount: stockCountLines.onHandAtCount, product: products })
    .from(stockCountLines)
    .innerJoin(products, eq(products.id, stockCountLines.productId))
    .where(eq(stockCountLines.countId, sql.placeholder('countId')))
    .prepare(),
);
const lineDeltaStmt = preparedQuery((conn) =>
  conn
    .update(stockCountLines)
    .set({ delta: asStored('delta') })
    .where(eq(stockCountLines.id, sql.placeholder('id')))
    .prepare(),
);
const countFinishedStmt = preparedQuery((conn) =>
  conn
    .update(stockCounts)
    .set({ finishedAt: asStored('finishedAt') })
    .where(eq(stockCounts.id, sql.placeholder('id')))
    .prepare(),
);
const deleteCountStmt = preparedQuery((conn) =>
  conn
    .delete(stockCounts)
    .where(eq(stockCounts.id, sql.placeholder('id')))
    .prepare(),
);

/** A new open count (of one bin, or of any product when `location` is null); its row. Call inside a write transaction. */
export function insertCount(tx: Tx, count: { location: string | null; startedBy: string; startedAt: Date }): StockCountRow {
  return insertCountStmt(tx).get(count);
}

/** The count `id`, or undefined. */
export function findCount(conn: Conn, id: number): StockCountRow | undefined {
  return countById(conn).get({ id });
}

/** The newest counts, at most `limit`. */
export function listCounts(conn: Conn, limit: number): StockCountRow[] {
  return latestCounts(conn).all({ limit });
}

/** What a count has counted so far (or counted, once finished), one row per product. */
export function countedLines(conn: Conn, countId: number) {
  return countedStmt(conn).all({ countId });
}

/**
 * The products a count's sheet lists: those stock-tracked and not archived whose location starts
 * with `locationPrefix` (a LIKE pattern, `\` escaping), and those in `counted`; by location and SKU.
 */
export function countSheetProducts(conn: Conn, locationPrefix: string | null, counted: readonly number[]) {
  const ids = JSON.stringify(counted);
  const s = countProductsStmt(conn);
  return locationPrefix === null ? s.counted.all({ ids }) : s.inBin.all({ prefix: locationPrefix, ids });
}

/** Records (or replaces) what was counted of a product in a count, with on hand then. Call inside a write transaction. */
export function writeCountLine(tx: Tx, line: { countId: number; productId: number; counted: number; onHandAtCount: number; countedAt: Date }): void {
  countLineStmt(tx).run(line);
}

/** A count's lines with their products as they are now, for finishing it. */
export function linesToFinish(conn: Conn, countId: number) {
  return linesToFinishStmt(conn).all({ countId });
}

/** Keeps the difference finishing wrote for a count line. Call inside a write transaction. */
export function setLineDelta(tx: Tx, lineId: number, delta: number): void {
  lineDeltaStmt(tx).run({ id: lineId, delta });
}

/** Marks a count finished. Call inside a write transaction. */
export function markCountFinished(tx: Tx, countId: number, finishedAt: Date): void {
  countFinishedStmt(tx).run({ id: countId, finishedAt: finishedAt.getTime() });
}

/** Drops a count and its lines (cascade). Call inside a write transaction. */
export function deleteCount(tx: Tx, countId: number): void {
  deleteCountStmt(tx).run({ id: countId });
}

// ── Packing orders left short (short.ts) ──────────────────────────────────────────────────────

/** One unshipped line of a packing order on a product whose allocation is above its shelf. */
export interface DemandRow extends PackingDemand {
  code: string;
  sku: string;
  onHand: number;
}

// Only products whose allocation is above their shelf: none in a normal day, so this reads little.
const demandStmt = preparedQuery((conn) =>
  conn
    .select({
      orderId: orderLines.orderId,
      code: orders.code,
      productId: products.id,
      sku: products.sku,
      onHand: products.onHand,
      remaining: sql<number>`${orderLines.quantity} - ${orderLines.shippedQuantity}`,
    })
    .from(products)
    .innerJoin(orderLines, eq(orderLines.productId, products.id))
    .innerJoin(orders, eq(orders.id, orderLines.orderId))
    .where(
      sql`${products.trackStock} = 1 AND ${products.allocated} > ${products.onHand} AND ${orders.status} = 'packing' AND ${orderLines.quantity} > ${orderLines.shippedQuantity}`,
    )
    .orderBy(desc(orders.priority), asc(orders.placedAt), asc(orders.id))
    .prepare(),
);

/** The unshipped lines of packing orders on products allocated beyond their shelf, in pick order. */
export function packingDemandOverShelf(conn: Conn): DemandRow[] {
  return demandStmt(conn).all();
}
