import { awaitsApproval } from './hold.js';
import { SHIPS_BEFORE_PAYMENT, type PaymentMethod } from './order-status.js';

/** An order the pack rule looks at: status `order`. A waiting one (on hold) is held and takes nothing. */
export interface Candidate {
  id: number;
  code: string;
  /** On hold (a person ticked Waiting): the run names it, held `on_hold`, and moves on. */
  waiting?: boolean;
  priority: number;
  placedAt: number;
  paid: boolean;
  approved: boolean;
  paymentMethod: PaymentMethod | null;
  lines: CandidateLine[];
}

export interface CandidateLine {
  sku: string;
  /** Null when the product has been deleted. */
  productId: number | null;
  /** Ordered minus shipped. */
  remaining: number;
}

export interface ProductStock {
  sku: string;
  trackStock: boolean;
  /** on_hand − allocated when the run read it. */
  available: number;
}

export interface RuleSettings {
  /** Invoice and cash-on-delivery orders need `approved` before they are packed. */
  requireApproval: boolean;
}

export type HoldReason = 'on_hold' | 'not_paid' | 'awaiting_approval' | 'insufficient_stock' | 'missing_product';

export interface LineCheck {
  sku: string;
  need: number;
  /** What was left for this order after the orders before it in this run; null when not stock-tracked. */
  available: number | null;
  ok: boolean;
}

export interface Decision {
  order: Candidate;
  outcome: 'promoted' | 'held';
  reason: HoldReason | null;
  payment: { ok: boolean; paid: boolean; paymentMethod: PaymentMethod | null; approved: boolean };
  lines: LineCheck[];
  /** For insufficient stock: the first line that did not fit. */
  short?: LineCheck;
}

/** Highest priority first, then oldest placed, then code: the order in which stock is handed out. */
export function byPrecedence(a: Candidate, b: Candidate): number {
  return b.priority - a.priority || a.placedAt - b.placedAt || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** Is the order cleared for packing as far as payment goes? */
export function paymentCheck(order: Candidate, settings: RuleSettings): { ok: boolean; reason: HoldReason | null } {
  // The approval half of the hold rule (domain/hold.ts), so that packing and shipping agree on it.
  if (awaitsApproval(order, settings)) return { ok: false, reason: 'awaiting_approval' };
  if (order.paid || (order.paymentMethod && SHIPS_BEFORE_PAYMENT.includes(order.paymentMethod))) return { ok: true, reason: null };
  return { ok: false, reason: 'not_paid' };
}

/**
 * The pack rule, greedy: in order of precedence, an order cleared for payment whose every
 * stock-tracked line fits in what is still available is promoted and takes its stock; an order that
 * does not fit is held and does not block smaller orders after it. Pure: `stock` is not changed.
 */
export function allocate(candidates: readonly Candidate[], stock: ReadonlyMap<number, ProductStock>, settings: RuleSettings): Decision[] {
  const left = new Map<number, number>();
  const availableOf = (productId: number) => left.get(productId) ?? stock.get(productId)!.available;
  return [...candidates].sort(byPrecedence).map((order) => {
    const pay = paymentCheck(order, settings);
    const payment = { ok: pay.ok, paid: order.paid, paymentMethod: order.paymentMethod, approved: order.approved };
    const lines: LineCheck[] = [];
    // Waiting comes first, as in the hold rule (domain/hold.ts): it is the reason a person can lift at once.
    let reason: HoldReason | null = order.waiting ? 'on_hold' : pay.reason;
    let short: LineCheck | undefined;
    if (!reason) {
      for (const line of order.lines) {
        if (line.remaining <= 0) continue;
        const product = line.productId === null ? undefined : stock.get(line.productId);
        if (!product) {
          lines.push({ sku: line.sku, need: line.remaining, available: null, ok: false });
          reason = 'missing_product';
          break;
        }
        if (!product.trackStock) {
          lines.push({ sku: line.sku, need: line.remaining, available: null, ok: true });
          continue;
        }
        const available = availableOf(line.productId!);
        const check = { sku: line.sku, need: line.remaining, available, ok: line.remaining <= available };
        lines.push(check);
        if (!check.ok) {
          reason = 'insufficient_stock';
          short = check;
          break;
        }
      }
    }
    if (reason) return { order, outcome: 'held', reason, payment, lines, ...(short && { short }) };
    for (const line of order.lines) {
      if (line.productId === null || line.remaining <= 0 || !stock.get(line.productId)!.trackStock) continue;
      left.set(line.productId, availableOf(line.productId) - line.remaining);
    }
    return { order, outcome: 'promoted', reason: null, payment, lines };
  });
}

/** One sentence of detail for a held order, as the API gives it ("SKU-1: needs 3, 1 available"). */
export function holdDetail(d: Pick<Decision, 'reason' | 'payment' | 'lines' | 'short'>): string {
  switch (d.reason) {
    case 'on_hold':
      return 'on hold';
    case 'not_paid':
      return 'not paid';
    case 'awaiting_approval':
      return `${d.payment.paymentMethod}: awaiting manual approval`;
    case 'missing_product':
      return `${d.lines[d.lines.length - 1]!.sku}: product no longer exists`;
    case 'insufficient_stock':
      return `${d.short!.sku}: needs ${d.short!.need}, ${Math.max(d.short!.available ?? 0, 0)} available`;
    case null:
      return '';
  }
}
