import { allocatesStock, reservesStock, type OrderStatus } from './order-status.js';

/** What the stock counters of one product say. */
export interface StockFigures {
  onHand: number;
  reserved: number;
  allocated: number;
  trackStock: boolean;
}

export interface StockView {
  onHand: number;
  allocated: number;
  /** on_hand − allocated: what the pack script may still allocate. */
  available: number;
  /** on_hand − unshipped quantity on order and packing orders: what the shop may still sell. */
  sellable: number;
  /** A stock-tracked product with nothing sellable left. */
  soldOut: boolean;
}

export function stockView(p: StockFigures): StockView {
  const sellable = p.onHand - p.reserved;
  return {
    onHand: p.onHand,
    allocated: p.allocated,
    available: p.onHand - p.allocated,
    sellable,
    soldOut: p.trackStock && sellable <= 0,
  };
}

/** Change to a product's reserved/allocated counters. */
export interface CounterDelta {
  reserved: number;
  allocated: number;
}

/**
 * How the counters move when `unshipped` units of a line change hands between statuses (a status
 * move), or when the unshipped quantity of a line in `status` changes by `unshipped` (from = to).
 */
function reserves(s: OrderStatus | null): number {
  return s !== null && reservesStock(s) ? 1 : 0;
}

function allocates(s: OrderStatus | null): number {
  return s !== null && allocatesStock(s) ? 1 : 0;
}

export function counterDelta(from: OrderStatus | null, to: OrderStatus | null, unshipped: number): CounterDelta {
  return { reserved: (reserves(to) - reserves(from)) * unshipped, allocated: (allocates(to) - allocates(from)) * unshipped };
}

/**
 * What finishing a stock count writes for one line: counted minus on hand when the line was counted,
 * so shipments and goods in since then stay (issue 24). A line without that figure (one counted
 * before it was recorded; docs/decisions.md § Stock) falls back to on hand at finishing, the old rule.
 */
export function countDifference(line: { counted: number; onHandAtCount: number | null }, onHandNow: number): number {
  return line.counted - (line.onHandAtCount ?? onHandNow);
}

/** One packing order's unshipped units of one product, as the pick order lists them. */
export interface PackingDemand {
  orderId: number;
  productId: number;
  remaining: number;
}

/**
 * The packing orders a product's shelf no longer covers, after a count or a correction left on
 * hand below what is allocated: the shelf's units go to the orders in `demand`'s order (the pick
 * order: priority, then oldest), and each order they do not reach is short by what is missing.
 * Keyed by order, then product; only products in `onHand` are walked.
 */
export function ordersLeftShort(onHand: ReadonlyMap<number, number>, demand: readonly PackingDemand[]): Map<number, Map<number, number>> {
  const left = new Map(onHand);
  const short = new Map<number, Map<number, number>>();
  for (const d of demand) {
    const shelf = left.get(d.productId);
    if (shelf === undefined) continue;
    const taken = Math.max(Math.min(shelf, d.remaining), 0);
    left.set(d.productId, shelf - taken);
    if (taken < d.remaining) {
      const byProduct = short.get(d.orderId) ?? new Map<number, number>();
      byProduct.set(d.productId, d.remaining - taken);
      short.set(d.orderId, byProduct);
    }
  }
  return short;
}
