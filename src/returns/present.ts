import type { ReturnRecord } from './repo.js';

/** A return as the API answers and the pages show it. */
export function presentReturn(r: ReturnRecord) {
  return {
    number: r.number,
    orderCode: r.orderCode,
    creditNoteNumber: r.creditNoteNumber,
    currency: r.currency,
    refundAmount: r.refundAmount,
    createdBy: r.createdBy,
    createdAt: new Date(r.createdAt).toISOString(),
    lines: r.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, disposition: l.disposition, reason: l.reason })),
  };
}
export type ReturnView = ReturnType<typeof presentReturn>;
