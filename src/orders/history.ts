import type { Translate } from '../i18n/index.js';
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

function describeChange(field: string, change: Change, t: Translate): string {
  const label = t(`history.field.${field}`);
  if (field === 'waiting' || field === 'reviewed') return `${label}: ${yesNo(change.from, t)} → ${yesNo(change.to, t)}`;
  if (field === 'comment') return change.to ? t('history.commentSet', { comment: String(change.to) }) : t('history.commentCleared');
  const show = (v: Scalar | undefined) => (v === null || v === undefined || v === '' ? '—' : String(v));
  return `${label}: ${show(change.from)} → ${show(change.to)}`;
}

/** One history row as a sentence in the reader's language. */
export function describeEvent(e: Event, t: Translate, fmt: Formatters, currency: string): string {
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
        .map(([field, change]) => describeChange(field, change, t))
        .join(' · ');
    case 'delivery_reported':
      return t('history.delivery', {
        parcels: ((d.parcels ?? []) as string[]).join(', '),
        lines: ((d.lines ?? []) as { sku: string; quantity: number }[]).map((l) => `${l.sku} × ${l.quantity}`).join(', '),
      });
    case 'delivery_discarded':
      return t('events.delivery_discarded', { parcels: ((d.parcels ?? []) as string[]).join(', ') || '—' });
    case 'document_printed':
      return [
        t('events.document_printed', d),
        d.reference && (d.kind === 'label' ? t('history.parcelReference', { parcelId: d.reference }) : t('history.invoiceNumber', { number: d.reference })),
        d.printer && t('history.onPrinter', { printer: d.printer }),
        d.reprint && t('history.reprint'),
      ]
        .filter(Boolean)
        .join(' · ');
    case 'label_print_failed':
      return t('events.label_print_failed', { ...d, error: typeof d.errorKey === 'string' ? t(d.errorKey, (d.errorParams ?? {}) as Record<string, unknown>) : String(d.error) });
    case 'pack_check':
      return t('history.packCheck', { detail: holdText(t, d as Parameters<typeof holdText>[1]) });
    default:
      return t(`events.${e.type}`, d);
  }
}
