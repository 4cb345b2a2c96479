import type { Decision, HoldReason } from '../domain/allocation.js';

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

export function encodeStep(o: OrderOutcome): StepJson {
  const p = o.payment;
  return [o.code, o.outcome, o.reason, o.detail, [p.ok ? 1 : 0, p.paid ? 1 : 0, p.paymentMethod, p.approved ? 1 : 0], o.lines.map((l) => [l.sku, l.need, l.available, l.ok ? 1 : 0])];
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
export function encodeBatch(outcomes: readonly OrderOutcome[]): { codes: string; steps: string } {
  return { codes: ` ${outcomes.map((o) => o.code).join(' ')} `, steps: JSON.stringify(outcomes.map(encodeStep)) };
}

/** The line that stopped an order (the last one checked, when it did not fit). */
export function shortLine(lines: readonly { sku: string; need: number; available: number | null; ok: boolean }[]) {
  const last = lines[lines.length - 1];
  return last && !last.ok ? { sku: last.sku, need: last.need, available: last.available } : {};
}
