import { holdDetail, type Decision, type HoldReason } from '../domain/allocation.js';
import { SHIPS_BEFORE_PAYMENT } from '../domain/order-status.js';
import type { Translate } from '../i18n/index.js';

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

/**
 * What the payment check found, as the explanation words it (pack.payment.*): paid; not paid; or,
 * for an unpaid own-invoice or cash-on-delivery order (pay later), whether it needed an approval —
 * approved, needed and missing (Settings requires it), or not needed (Settings does not).
 */
export type PaymentView = 'paid' | 'not_paid' | 'approved' | 'approval_needed' | 'no_approval';

export function paymentView(p: OrderOutcome['payment']): PaymentView {
  if (p.paid) return 'paid';
  if (p.paymentMethod === null || !SHIPS_BEFORE_PAYMENT.includes(p.paymentMethod)) return 'not_paid';
  if (p.approved) return 'approved';
  return p.ok ? 'no_approval' : 'approval_needed';
}

/**
 * One order's explanation, in the reader's language: the verdict ("promoted to Packing", "would
 * promote" in a dry run, "held: on hold") and the checks behind it ("pay later, approval needed ·
 * TENT-2 needs 3, 1 available ✗"). The run page and the CLI say the same.
 */
export function explainStep(t: Translate, step: Pick<OrderOutcome, 'outcome' | 'reason' | 'payment' | 'lines'>, dryRun: boolean): { verdict: string; checks: string } {
  const verdict =
    step.outcome === 'promoted' ? t(dryRun ? 'pack.verdict.wouldPromote' : 'pack.verdict.promoted') : t('pack.verdict.held', { reason: t(`pack.reason.${step.reason ?? 'changed'}`) });
  const checks = [t(`pack.payment.${paymentView(step.payment)}`)];
  for (const l of step.lines) {
    checks.push(`${l.sku} ${l.available === null ? t('pack.lineUntracked', { need: l.need }) : t('pack.lineCheck', { need: l.need, available: l.available })}${l.ok ? ' ✓' : ' ✗'}`);
  }
  return { verdict, checks: checks.join(' · ') };
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
