import { vatByRate, vatTotals } from '../../domain/vat.js';
import { A4 } from '../pdf.js';
import type { CreditNoteInfo, DocOrder } from '../model.js';
import { billingColumns, billingHeader, Flow, MARGIN, pageFooter, vatTable, type Ctx } from '../layout.js';

type CreditLine = CreditNoteInfo['lines'][number];

/**
 * An A4 credit note (own-invoice orders, in the customer's language): the returned units at the
 * price they were sold for, VAT per rate taken out of the gross as on the invoice, and the amount
 * credited. Paying it back is the shop's business: the note says what is owed.
 */
export function creditNote(ctx: Ctx, order: DocOrder): void {
  const { t, fmt, job } = ctx;
  const note = job.creditNote!;
  const seller = job.seller;
  const title = t('docs.creditNote.title');
  const money = (n: number) => fmt.money(n, order.currency);
  const width = A4.width - 2 * MARGIN;
  const columns = billingColumns<CreditLine>(ctx, order.currency, -1);
  const facts: [string, string][] = [
    [t('docs.creditNote.number'), String(note.number)],
    [t('docs.creditNote.date'), fmt.date(new Date(note.issuedAt))],
    [t('docs.creditNote.returnNumber'), String(note.returnNumber)],
    ...(note.invoiceNumber === null ? [] : [[t('docs.creditNote.invoice'), String(note.invoiceNumber)] as [string, string]]),
    [t('docs.order'), order.code],
  ];
  const flow = new Flow(ctx.pdf, (c, first) => billingHeader(ctx, c, first, { order, title, number: String(note.number), facts, columns }));
  for (const line of note.lines) flow.row(columns, line, 18, false);
  const summary = vatByRate(note.lines.map((l) => ({ gross: l.unitPrice * l.quantity, rate: l.vatRate })));
  const sums = vatTotals(summary);
  const totals: [string, string, boolean][] = [
    [t('docs.net'), money(-sums.net), false],
    [t('docs.vatTotal'), money(-sums.vat), false],
    [t('docs.creditNote.refund'), money(note.refundAmount), true],
  ];
  flow.room(22 + summary.length * 14 + totals.length * 16 + 50);
  const c = flow.canvas;
  const right = A4.width - MARGIN;
  c.line(MARGIN, flow.y - 8, right, flow.y - 8, 0.6);
  flow.y += 8;
  vatTable(ctx, flow, summary, order.currency, -1, totals);
  flow.y += 10;
  c.text(t('docs.creditNote.terms'), MARGIN, flow.y, { size: 10, maxWidth: width });
  flow.finish(pageFooter(ctx, [seller.name, seller.email, seller.phone].filter(Boolean).join(' · ')));
}
