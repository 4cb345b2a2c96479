import { vatTotals } from '../../domain/vat.js';
import { A4, MM } from '../pdf.js';
import { vatSummary, type DocLine, type DocOrder } from '../model.js';
import { billingColumns, billingHeader, Flow, MARGIN, pageFooter, vatTable, type Ctx } from '../layout.js';

/** An A4 invoice (own-invoice orders, in the customer's language): seller, lines, VAT per rate, how to pay. */
export function invoice(ctx: Ctx, order: DocOrder): void {
  const { t, fmt, job } = ctx;
  const inv = job.invoice!;
  const seller = job.seller;
  const title = t('docs.invoice.title');
  const money = (n: number) => fmt.money(n, order.currency);
  const width = A4.width - 2 * MARGIN;
  const columns = billingColumns<DocLine>(ctx, order.currency, 1);
  const facts: [string, string][] = [
    [t('docs.invoice.number'), String(inv.number)],
    [t('docs.invoice.date'), fmt.date(new Date(inv.issuedAt))],
    [t('docs.invoice.due'), fmt.date(new Date(inv.dueAt))],
    [t('docs.invoice.reference'), inv.reference],
    [t('docs.order'), order.code],
  ];
  const flow = new Flow(ctx.pdf, (c, first) => billingHeader(ctx, c, first, { order, title, number: String(inv.number), facts, columns }));
  for (const line of order.lines) flow.row(columns, line, 18, false);
  const summary = vatSummary(order, seller.shippingVatRate);
  const sums = vatTotals(summary);
  const totals: [string, string, boolean][] = [
    [t('docs.net'), money(sums.net), false],
    [t('docs.vatTotal'), money(sums.vat), false],
    [t('docs.total'), money(order.total), true],
    [t('docs.invoice.toPay'), money(order.paid ? 0 : order.total), true],
  ];
  flow.room((order.shippingFee ? 16 : 0) + 22 + summary.length * 14 + totals.length * 16 + 70);
  const c = flow.canvas;
  const right = A4.width - MARGIN;
  c.line(MARGIN, flow.y - 8, right, flow.y - 8, 0.6);
  flow.y += 8;
  if (order.shippingFee) {
    c.text(t('docs.shipping'), right - 40 * MM, flow.y, { size: 10, align: 'right' });
    c.text(money(order.shippingFee), right, flow.y, { size: 10, align: 'right' });
    flow.y += 16;
  }
  vatTable(ctx, flow, summary, order.currency, 1, totals);
  flow.y += 10;
  c.text(t('docs.invoice.terms', { count: seller.paymentTermsDays }), MARGIN, flow.y, { size: 10 });
  flow.y += 14;
  c.text(
    `${t('docs.invoice.payTo')}${t('common.colon')} ${seller.bankAccount} · ${t('docs.invoice.reference')}${t('common.colon')} ${inv.reference}`,
    MARGIN,
    flow.y,
    { size: 10, bold: true, maxWidth: width },
  );
  flow.finish(pageFooter(ctx, [seller.name, seller.email, seller.phone].filter(Boolean).join(' · ')));
}
