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

/**
 * One outcome as the run's record keeps it, flat: `[code, reason, payment, method, sku, need,
 * available, ok, sku, need, …]`. `reason` is 0 for promoted, else 1 + its place in STORED_REASONS;
 * `payment` is ok | paid << 1 | approved << 2; each checked line is four values (`ok` 0 or 1). A
 * large run writes 100,000 of these: numbers stand in for words, no nesting, and the hold's detail
 * sentence is not stored but made again from the reason and the lines (stepDetail).
 */
export type StepJson = (string | number | null)[];
/** The record's reason codes, by position: append only, stored records use the positions. */
const STORED_REASONS = ['changed', 'on_hold', 'not_paid', 'awaiting_approval', 'insufficient_stock', 'missing_product'] as const satisfies readonly (
  HoldReason | 'changed'
)[];
/** Outcomes written before the flat form: `[code, outcome, reason, detail, [ok, paid, method, approved], [[sku, need, available, ok]…]]`. */
type OldStepJson = [
  string,
  OrderOutcome['outcome'],
  OrderOutcome['reason'],
  string,
  [number, number, OrderOutcome['payment']['paymentMethod'], number],
  [string, number, number | null, number][],
];

/** The detail of an order held because the order or the stock changed between the read and the write. */
export const CHANGED_DETAIL = 'order or stock changed during the run; the next run decides again';

/** What became of a decision when it was written: `changed` when the re-check in the write refused it. */
export function outcomeOf(d: Decision, changed: boolean): OrderOutcome {
  const base = { code: d.order.code, payment: d.payment, lines: d.lines };
  if (changed) return { ...base, outcome: 'held', reason: 'changed', detail: CHANGED_DETAIL };
  return d.outcome === 'held'
    ? { ...base, outcome: 'held', reason: d.reason, detail: holdDetail(d) }
    : { ...base, outcome: 'promoted', reason: null, detail: '' };
}

/** A decision as the run's record keeps it (see StepJson), written straight from the decision. */
export function encodeStep(d: Decision, changed: boolean): StepJson {
  const p = d.payment;
  const out: StepJson = [d.order.code, reasonCode(changed ? 'changed' : d.reason), (p.ok ? 1 : 0) | (p.paid ? 2 : 0) | (p.approved ? 4 : 0), p.paymentMethod];
  for (const l of d.lines) out.push(l.sku, l.need, l.available, l.ok ? 1 : 0);
  return out;
}

const reasonCode = (reason: OrderOutcome['reason']) => (reason === null ? 0 : 1 + STORED_REASONS.indexOf(reason));

/** The detail sentence of a held outcome (as the API gives it), made from what the record keeps. */
export function stepDetail(step: Pick<OrderOutcome, 'reason' | 'payment' | 'lines'>): string {
  if (step.reason === 'changed') return CHANGED_DETAIL;
  const short = step.reason === 'insufficient_stock' ? step.lines[step.lines.length - 1] : undefined;
  return holdDetail({ reason: step.reason, payment: step.payment, lines: step.lines, ...(short && { short }) });
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
export function explainStep(
  t: Translate,
  step: Pick<OrderOutcome, 'outcome' | 'reason' | 'payment' | 'lines'>,
  dryRun: boolean,
): { verdict: string; checks: string } {
  const verdict =
    step.outcome === 'promoted'
      ? t(dryRun ? 'pack.verdict.wouldPromote' : 'pack.verdict.promoted')
      : t('pack.verdict.held', { reason: t(`pack.reason.${step.reason ?? 'changed'}`) });
  const checks = [t(`pack.payment.${paymentView(step.payment)}`)];
  for (const l of step.lines) {
    checks.push(
      `${l.sku} ${l.available === null ? t('pack.lineUntracked', { need: l.need }) : t('pack.lineCheck', { need: l.need, available: l.available })}${l.ok ? ' ✓' : ' ✗'}`,
    );
  }
  return { verdict, checks: checks.join(' · ') };
}

export function decodeStep(entry: StepJson | OldStepJson, position: number): OrderStep {
  if (typeof entry[1] === 'string') {
    const [code, outcome, reason, detail, p, lines] = entry as OldStepJson;
    const payment = { ok: p[0] === 1, paid: p[1] === 1, paymentMethod: p[2], approved: p[3] === 1 };
    return { position, code, outcome, reason, detail, payment, lines: lines.map(([sku, need, available, ok]) => ({ sku, need, available, ok: ok === 1 })) };
  }
  const [code, r, p, method] = entry as [string, number, number, OrderOutcome['payment']['paymentMethod']];
  const reason = r === 0 ? null : STORED_REASONS[r - 1]!;
  const payment = { ok: (p & 1) === 1, paid: (p & 2) === 2, paymentMethod: method, approved: (p & 4) === 4 };
  const lines: OrderOutcome['lines'] = [];
  for (let i = 4; i < entry.length; i += 4)
    lines.push({ sku: entry[i] as string, need: entry[i + 1] as number, available: entry[i + 2] as number | null, ok: entry[i + 3] === 1 });
  const step = { position, code, outcome: reason === null ? ('promoted' as const) : ('held' as const), reason, payment, lines };
  return { ...step, detail: reason === null ? '' : stepDetail(step) };
}

/** Whether a stored outcome is `outcome`, without decoding it. */
export function stepIs(entry: StepJson | OldStepJson, outcome: OrderOutcome['outcome']): boolean {
  const promoted = typeof entry[1] === 'string' ? entry[1] === 'promoted' : entry[1] === 0;
  return promoted === (outcome === 'promoted');
}

/**
 * The stored text of a batch: the codes between spaces (found with instr) and the steps as one JSON
 * array (one JSON.stringify over the batch: the fastest way measured, about twice the speed of the
 * nested form). Made before the batch's write transaction: encoding 5,000 outcomes is not work to
 * do while holding the write lock. `withChanged` then marks the few the re-check refused.
 */
export function encodeBatch(batch: readonly Decision[]): { codes: string; steps: StepJson[]; text: string } {
  const steps = batch.map((d) => encodeStep(d, false));
  return { codes: ` ${batch.map((d) => d.order.code).join(' ')} `, steps, text: JSON.stringify(steps) };
}

export function withChanged(encoded: { steps: StepJson[]; text: string }, changed: ReadonlySet<number>): string {
  if (changed.size === 0) return encoded.text;
  for (const i of changed) encoded.steps[i]![1] = reasonCode('changed');
  return JSON.stringify(encoded.steps);
}

/** The line that stopped an order (the last one checked, when it did not fit). */
export function shortLine(lines: readonly { sku: string; need: number; available: number | null; ok: boolean }[]) {
  const last = lines[lines.length - 1];
  return last && !last.ok ? { sku: last.sku, need: last.need, available: last.available } : {};
}
