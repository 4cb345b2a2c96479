import { hasMessage, type Translate } from '../i18n/index.js';
import { holdText } from '../pack/service.js';
import type { Formatters } from '../i18n/format.js';
import type { OrderView } from './present.js';

type Event = OrderView['events'][number];
// What applyDetails (orders/edit.ts) records per field: flags, priority, comment, custom status code.
type Scalar = string | number | boolean | null;
type Change = { from: Scalar; to: Scalar };

function yesNo(value: unknown, t: Translate): string {
  return value ? t('common.yes') : t('common.no');
}

/** What the order page knows besides the event: the custom statuses' labels by code. */
export interface HistoryContext {
  statusLabels?: ReadonlyMap<string, string>;
}

function describeChange(field: string, change: Change, t: Translate, ctx: HistoryContext): string {
  const label = t(`history.field.${field}`);
  if (field === 'waiting' || field === 'reviewed') return `${label}: ${yesNo(change.from, t)} → ${yesNo(change.to, t)}`;
  if (field === 'comment') return change.to ? t('history.commentSet', { comment: String(change.to) }) : t('history.commentCleared');
  // A custom status is shown by its label (a deleted one by the code the event kept).
  const named = (v: Scalar | undefined) => (field === 'customStatus' && typeof v === 'string' ? (ctx.statusLabels?.get(v) ?? v) : v);
  const show = (v: Scalar | undefined) => (v === null || v === undefined || v === '' ? '—' : String(named(v)));
  return `${label}: ${show(change.from)} → ${show(change.to)}`;
}

/** The number a printed document carries, named for its own kind (a label's parcel, an invoice's or credit note's number). */
function printedReference(kind: string, reference: string, t: Translate): string {
  if (kind === 'label') return t('history.parcelReference', { parcelId: reference });
  if (kind === 'invoice') return t('history.invoiceNumber', { number: reference });
  if (kind === 'credit_note') return t('history.creditNoteNumber', { number: reference });
  return reference;
}

/** One history row as a sentence in the reader's language. */
export function describeEvent(e: Event, t: Translate, fmt: Formatters, currency: string, ctx: HistoryContext = {}): string {
  const d = e.data;
  switch (e.type) {
    case 'status_changed': {
      const text = t('events.status_changed', { from: d.from, to: d.to });
      return d.notifyCustomer ? `${text} · ${t('history.notifyRequested')}` : text;
    }
    case 'payment_recorded':
      return t(d.paid ? 'history.paymentPaid' : 'history.paymentPart', { amount: fmt.money(Number(d.amount), currency), reference: d.reference ?? '—' });
    case 'flags_changed':
      return Object.entries((d.changes ?? {}) as Record<string, Change>)
        .map(([field, change]) => describeChange(field, change, t, ctx))
        .join(' · ');
    case 'delivery_reported':
      // A pickup order's hand-over: no parcels, handed over at the counter (pickup/service.ts).
      if (d.handOver) {
        return t('history.handedOverDelivery', {
          lines: ((d.lines ?? []) as { sku: string; quantity: number }[]).map((l) => `${l.sku} × ${fmt.number(l.quantity)}`).join(', '),
        });
      }
      return t('history.delivery', {
        count: ((d.parcels ?? []) as string[]).length,
        parcels: ((d.parcels ?? []) as string[]).join(', '),
        lines: ((d.lines ?? []) as { sku: string; quantity: number }[]).map((l) => `${l.sku} × ${fmt.number(l.quantity)}`).join(', '),
      });
    case 'delivery_discarded':
      return t('events.delivery_discarded', { parcels: ((d.parcels ?? []) as string[]).join(', ') || '—' });
    case 'document_printed':
      return [
        t('events.document_printed', d),
        typeof d.reference === 'string' && d.reference && printedReference(String(d.kind), d.reference, t),
        d.printer && t('history.onPrinter', { printer: d.printer }),
        d.reprint && t('history.reprint'),
      ]
        .filter(Boolean)
        .join(' · ');
    case 'parcel_added': {
      // Named in the reader's words; a source from before these names is shown as kept.
      const kept = typeof d.source === 'string' ? d.source : '—';
      const source = hasMessage(`history.parcelSource.${kept}`) ? t(`history.parcelSource.${kept}`) : kept;
      return t('events.parcel_added', { ...d, source });
    }
    case 'label_print_failed':
      return t('events.label_print_failed', {
        ...d,
        error: typeof d.errorKey === 'string' ? t(d.errorKey, (d.errorParams ?? {}) as Record<string, unknown>) : String(d.error),
      });
    case 'carrier_call': {
      const call = typeof d.call === 'string' && hasMessage(`history.carrierCallName.${d.call}`) ? t(`history.carrierCallName.${d.call}`) : String(d.call);
      const result =
        typeof d.result === 'string' && hasMessage(`history.carrierResult.${d.result}`) ? t(`history.carrierResult.${d.result}`) : String(d.result);
      return [
        t('history.carrierCall', { ...d, call, result, durationMs: fmt.number(Number(d.durationMs)) }),
        Array.isArray(d.parcels) && d.parcels.length > 0 && (d.parcels as string[]).join(', '),
        typeof d.problem === 'string' && d.problem,
        d.test && t('history.carrierTest'),
      ]
        .filter(Boolean)
        .join(' · ');
    }
    case 'unpaid_released':
      return t('events.unpaid_released', { due: fmt.money(Number(d.due), currency), reason: d.reason });
    case 'pack_check':
      return t('history.packCheck', { detail: holdText(t, d as Parameters<typeof holdText>[1]) });
    case 'created':
      return t('events.created', { ...d, count: Number(d.lines) });
    default:
      return t(`events.${e.type}`, d);
  }
}
