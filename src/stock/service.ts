import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import { allocate } from '../domain/allocation.js';
import { countDifference } from '../domain/stock.js';
import { AppError, fieldError } from '../errors.js';
import { loadCandidates, loadStock } from '../pack/repo.js';
import { getPackSettings } from '../pack/settings.js';
import { findProductForScan, type ProductRow } from '../products/repo.js';
import { invalidScanParams, readItemScan } from '../domain/item-scan.js';
import {
  closeGoodsIn,
  countedLines,
  countSheetProducts,
  deleteCount,
  findCount,
  findGoodsIn,
  goodsInLines,
  insertCount,
  insertGoodsIn,
  linesToFinish,
  markCountFinished,
  setLineDelta,
  writeCountLine,
  type GoodsInRow,
  type StockCountRow,
} from './repo.js';
import { changeOnHand } from './writer.js';

// Goods-in (inleverans) and stock counts (inventering). Every change of on_hand goes through the
// stock writer (changeOnHand) with its ledger row; these tables only say which delivery or count
// a row belongs to, and keep an open count between page loads.

export type { GoodsInRow, StockCountRow };

/** A scanned or typed item to a product, or a refusal on the `code` field (a GS1 string that breaks GS1's rules says which rule). */
export function productFor(conn: Conn, code: string): ProductRow {
  const scan = readItemScan(code);
  if (scan.kind === 'invalid' && scan.reason === 'element_string')
    throw fieldError('code', 'orders.manual.scanUnreadable', { text: code, ...invalidScanParams(scan) });
  const product = findProductForScan(conn, code);
  if (!product) throw fieldError('code', 'stock.unknownItem', { code });
  return product;
}

// ── Goods in ──────────────────────────────────────────────────────────────────────────────────

export function startGoodsIn(db: Db, reference: string, actor: Actor, now: Date): GoodsInRow {
  return writeTransaction(db, (tx) => insertGoodsIn(tx, { reference, startedBy: actorLabel(actor), startedAt: now }));
}

/** The goods-in `id`; 404 when there is none. */
export function getGoodsIn(conn: Conn, id: number): GoodsInRow {
  const row = findGoodsIn(conn, id);
  if (!row) throw new AppError('not_found', 'errors.pageNotFound');
  return row;
}

/**
 * Books `quantity` units of the scanned item in: on hand goes up at once (a ledger row with the
 * reason goods_in and the delivery's reference), so the stock is there even if the goods-in is
 * never finished.
 */
export function receiveItem(
  db: Db,
  goodsInId: number,
  input: { code: string; quantity: number },
  actor: Actor,
  now: Date,
): { product: ProductRow; onHand: number } {
  return writeTransaction(db, (tx) => {
    const goodsIn = getGoodsIn(tx, goodsInId);
    if (goodsIn.finishedAt) throw new AppError('stock_session_closed', 'stock.goodsIn.finished', { reference: goodsIn.reference });
    const product = productFor(tx, input.code);
    const onHand = changeOnHand(tx, product, input.quantity, { reason: 'goods_in', actor, now, goodsInId, note: goodsIn.reference })!;
    return { product, onHand };
  });
}

/**
 * The orders in status Order that the pack rule would promote now and that hold one of
 * `productIds`: the same read and rule as a pack run's dry run (pack/repo.ts, domain/allocation.ts).
 */
export async function packableWith(db: Db, productIds: ReadonlySet<number>): Promise<number> {
  if (productIds.size === 0) return 0;
  const candidates = await loadCandidates(db, () => new Promise((resolve) => setImmediate(resolve)));
  const decisions = allocate(candidates, loadStock(db), getPackSettings(db));
  return decisions.filter((d) => d.outcome === 'promoted' && d.order.lines.some((l) => l.productId !== null && l.remaining > 0 && productIds.has(l.productId)))
    .length;
}

/** Closes a goods-in and records how many waiting orders its stock lets the pack script pack. */
export async function finishGoodsIn(db: Db, id: number, now: Date): Promise<GoodsInRow> {
  const goodsIn = getGoodsIn(db, id);
  if (goodsIn.finishedAt) return goodsIn;
  const received = new Set(goodsInLines(db, id).flatMap((l) => (l.productId !== null && l.delta > 0 ? [l.productId] : [])));
  const released = await packableWith(db, received);
  return writeTransaction(db, (tx) => closeGoodsIn(tx, id, released, now) ?? getGoodsIn(tx, id));
}

// ── Stock counts ──────────────────────────────────────────────────────────────────────────────

export function startCount(db: Db, location: string | null, actor: Actor, now: Date): StockCountRow {
  return writeTransaction(db, (tx) => insertCount(tx, { location, startedBy: actorLabel(actor), startedAt: now }));
}

/** The count `id`; 404 when there is none. */
export function getCount(conn: Conn, id: number): StockCountRow {
  const row = findCount(conn, id);
  if (!row) throw new AppError('not_found', 'errors.pageNotFound');
  return row;
}

/**
 * The products a count covers: those in its bin (by prefix) or, without a bin, those counted so far;
 * with what was counted, on hand when it was counted and the difference finishing writes (or wrote).
 */
export function countSheet(conn: Conn, count: StockCountRow) {
  const counted = countedLines(conn, count.id);
  const byProduct = new Map(counted.map((c) => [c.productId, c]));
  // The bin is a prefix of the location.
  const prefix = count.location ? `${count.location.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = countSheetProducts(conn, prefix, [...byProduct.keys()]);
  return rows.map((p) => {
    const line = byProduct.get(p.id);
    return {
      productId: p.id,
      sku: p.sku,
      name: p.name,
      location: p.location,
      onHand: p.onHand,
      counted: line?.counted ?? null,
      onHandAtCount: line?.onHandAtCount ?? null,
      delta: line ? (line.delta ?? countDifference(line, p.onHand)) : null,
    };
  });
}

/**
 * Records the counted quantity of the scanned item in an open count, with on hand at this moment
 * (a later count of the same item replaces both).
 */
export function recordCount(db: Db, countId: number, input: { code: string; counted: number }, now: Date): ProductRow {
  return writeTransaction(db, (tx) => {
    const count = getCount(tx, countId);
    if (count.finishedAt) throw new AppError('stock_session_closed', 'stock.count.finished', { id: count.id });
    const product = productFor(tx, input.code);
    writeCountLine(tx, { countId, productId: product.id, counted: input.counted, onHandAtCount: product.onHand, countedAt: now });
    return product;
  });
}

/**
 * Finishes a count: for each counted product the difference between what was counted and what was
 * on hand when it was counted goes to the ledger with the reason stock_count, so shipments and
 * goods-in since the count stay. A difference of 0 writes nothing. Returns the products that changed.
 */
export function finishCount(db: Db, countId: number, actor: Actor, now: Date): { changed: number; counted: number } {
  return writeTransaction(db, (tx) => finishCountIn(tx, countId, actor, now));
}

function finishCountIn(tx: Tx, countId: number, actor: Actor, now: Date): { changed: number; counted: number } {
  const count = getCount(tx, countId);
  if (count.finishedAt) throw new AppError('stock_session_closed', 'stock.count.finished', { id: count.id });
  const lines = linesToFinish(tx, countId);
  let changed = 0;
  for (const line of lines) {
    const delta = countDifference(line, line.product.onHand);
    if (delta !== 0) {
      changeOnHand(tx, line.product, delta, { reason: 'stock_count', actor, now, note: `count #${count.id}` });
      changed++;
    }
    setLineDelta(tx, line.id, delta);
  }
  markCountFinished(tx, countId, now);
  return { changed, counted: lines.length };
}

/** Drops an open count: nothing was written to the ledger yet. */
export function discardCount(db: Db, countId: number): void {
  writeTransaction(db, (tx) => {
    const count = getCount(tx, countId);
    if (count.finishedAt) throw new AppError('stock_session_closed', 'stock.count.finished', { id: count.id });
    deleteCount(tx, countId);
  });
}
