import { holdDetail, type Decision, type HoldReason } from '../domain/allocation.js';

/** What the pack script decided for one order, with the checks behind it. */
export interface OrderOutcome {
  code: string;
  outcome: 'promoted' | 'held';
  reason: HoldReason | 'changed' | null;
  detail: string;
  payment: Decision['payment'];
  lines: Decision['lines'];
}

/** An outcome as the run's record keeps it: `position` counts the run's orders from 1. */
export interface OrderStep extends OrderOutcome {
  position: number;
}

type PaymentJson = [number, number, OrderOutcome['payment']['paymentMethod'], number];
type LineJson = [string, number, number | null, number];
/** Compact JSON of one outcome: a large run writes 100,000 of them, so arrays stand in for objects. */
export type StepJson = [string, OrderOutcome['outcome'], OrderOutcome['reason'], string, PaymentJson, LineJson[]];

/** The detail of an order held because the order or the stock changed between the read and the write. */
export const CHANGED_DETAIL = 'order or stock changed during the run; the next run decides again';

/** What became of a decision when it was written: `changed` when the re-check in the write refused it. */
export function outcomeOf(d: Decision, changed: boolean): OrderOutcome {
  const base = { code: d.order.code, payment: d.payment, lines: d.lines };
  if (changed) return { ...base, outcome: 'held', reason: 'changed', detail: CHANGED_DETAIL };
  return d.outcome === 'held' ? { ...base, outcome: 'held', reason: d.reason, detail: holdDetail(d) } : { ...base, outcome: 'promoted', reason: null, detail: '' };
}

/** A decision as the run's record keeps it, written straight from the decision (no outcome object in between). */
export function encodeStep(d: Decision, changed: boolean): StepJson {
  const p = d.payment;
  const payment: PaymentJson = [p.ok ? 1 : 0, p.paid ? 1 : 0, p.paymentMethod, p.approved ? 1 : 0];
  const lines = d.lines.map((l): LineJson => [l.sku, l.need, l.available, l.ok ? 1 : 0]);
  if (changed) return [d.order.code, 'held', 'changed', CHANGED_DETAIL, payment, lines];
  return d.outcome === 'held' ? [d.order.code, 'held', d.reason, holdDetail(d), payment, lines] : [d.order.code, 'promoted', null, '', payment, lines];
}

export function decodeStep([code, outcome, reason, detail, p, lines]: StepJson, position: number): OrderStep {
  return {
    position,
    code,
    outcome,
    reason,
    detail,
    payment: { ok: p[0] === 1, paid: p[1] === 1, paymentMethod: p[2], approved: p[3] === 1 },
    lines: lines.map(([sku, need, available, ok]) => ({ sku, need, available, ok: ok === 1 })),
  };
}

/** The stored text of a batch: the codes between spaces (found with instr) and the steps as JSON. */
export function encodeBatch(batch: readonly Decision[], changed: ReadonlySet<number>): { codes: string; steps: string } {
  return { codes: ` ${batch.map((d) => d.order.code).join(' ')} `, steps: JSON.stringify(batch.map((d, i) => encodeStep(d, changed.has(i)))) };
}

/** The line that stopped an order (the last one checked, when it did not fit). */
export function shortLine(lines: readonly { sku: string; need: number; available: number | null; ok: boolean }[]) {
  const last = lines[lines.length - 1];
  return last && !last.ok ? { sku: last.sku, need: last.need, available: last.available } : {};
}
