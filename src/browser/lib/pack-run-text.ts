// A pack run's live view (src/browser/pack-run.ts) words each order's outcome in the same words as
// the server's explainStep (src/pack/steps.ts), from the texts the page hands over. Pure: no DOM.

/** The texts of the run's page (its `data-i18n`, views/pack/run.ejs). */
export interface PackRunTexts {
  promoted: string;
  held: string;
  payment: Record<string, string>;
  payLater: string[];
  lineCheck: string;
  lineUntracked: string;
  reasons: Record<string, string>;
}

/** One order as the run's `batch` event reports it. */
export interface RunOrder {
  code: string;
  outcome: string;
  reason?: string;
  payment: { paid: boolean; paymentMethod: string; approved: boolean; ok: boolean };
  lines?: { sku: string; available: number | null; ok: boolean; [field: string]: TextValue }[];
}

type TextValue = string | number | boolean | null | undefined;

/** Every `{{name}}` of the text filled from `values` ('' for a name without a value). */
export const fillFrom = (text: string, values: Record<string, TextValue>): string => text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(values[k] ?? ''));

/** Which payment words apply to an order. */
export function paymentView(p: RunOrder['payment'], payLater: readonly string[]): 'paid' | 'not_paid' | 'approved' | 'no_approval' | 'approval_needed' {
  if (p.paid) return 'paid';
  if (!payLater.includes(p.paymentMethod)) return 'not_paid';
  if (p.approved) return 'approved';
  return p.ok ? 'no_approval' : 'approval_needed';
}

/** The order's outcome: promoted, or held with its reason. */
export function verdict(o: RunOrder, texts: PackRunTexts): string {
  return o.outcome === 'promoted' ? texts.promoted : fillFrom(texts.held, { reason: (o.reason !== undefined && texts.reasons[o.reason]) || o.reason });
}

/** The order's payment and each line's stock check, as one line of text. */
export function describeOrder(o: RunOrder, texts: PackRunTexts): string {
  const parts = [texts.payment[paymentView(o.payment, texts.payLater)]];
  for (const l of o.lines || [])
    parts.push(`${l.sku} ${l.available === null ? fillFrom(texts.lineUntracked, l) : fillFrom(texts.lineCheck, l)}${l.ok ? ' ✓' : ' ✗'}`);
  return parts.join(' · ');
}
