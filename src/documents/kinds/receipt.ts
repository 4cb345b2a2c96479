import { MM, RECEIPT_WIDTH, type Canvas, type TextStyle } from '../pdf.js';
import { vatSummary, type DocOrder } from '../model.js';
import { barsOf, MODULE, sellerLines, type Ctx } from '../layout.js';

/** An 80 mm roll receipt (in the customer's language), as long as its content. */
export function receipt(ctx: Ctx, order: DocOrder): void {
  // Measured first: the roll's page is as long as the receipt.
  const c = ctx.pdf.page(RECEIPT_WIDTH, drawReceipt(ctx, order, null));
  drawReceipt(ctx, order, c);
  c.finish();
}

/** Draws the receipt on `c`, or only measures it when `c` is null; returns the height it needs. */
function drawReceipt(ctx: Ctx, order: DocOrder, c: Canvas | null): number {
  const { t, fmt, job } = ctx;
  const margin = 4 * MM;
  const width = RECEIPT_WIDTH - 2 * margin;
  const right = RECEIPT_WIDTH - margin;
  let y = margin + 12;
  const text = (s: string, x: number, style: TextStyle = {}) => c?.text(s, x, y, style);
  const center = RECEIPT_WIDTH / 2;
  if (job.seller.name) {
    text(job.seller.name, center, { size: 12, bold: true, align: 'center', maxWidth: width });
    y += 14;
  }
  for (const line of sellerLines(ctx)) {
    text(line, center, { size: 8, align: 'center', maxWidth: width });
    y += 10;
  }
  y += 6;
  text(t('docs.receipt.title'), center, { size: 14, bold: true, align: 'center' });
  y += 8;
  const bars = barsOf(ctx, order.code);
  const barWidth = (bars.reduce((a, b) => a + b, 0) + 20) * MODULE;
  c?.barcode(bars, center - barWidth / 2, y, MODULE, 10 * MM);
  y += 10 * MM + 11;
  text(order.code, center, { size: 9, align: 'center' });
  y += 14;
  text(fmt.dateTime(new Date(job.printedAt)), margin, { size: 8 });
  y += 8;
  c?.line(margin, y, right, y, 0.4);
  y += 12;
  for (const line of order.lines) {
    for (const part of ctx.pdf.wrap(line.name, 9, width)) {
      text(part, margin, { size: 9 });
      y += 11;
    }
    text(`${line.quantity} × ${fmt.money(line.unitPrice, order.currency)}`, margin + 4, { size: 8, grey: 0.35 });
    text(fmt.money(line.unitPrice * line.quantity, order.currency), right, { size: 9, align: 'right' });
    y += 13;
  }
  c?.line(margin, y - 6, right, y - 6, 0.4);
  y += 6;
  const sum = (label: string, amount: number, style: TextStyle = {}) => {
    text(label, margin, { size: 9, ...style });
    text(fmt.money(amount, order.currency), right, { size: 9, align: 'right', ...style });
    y += 12;
  };
  sum(t('docs.subtotal'), order.subtotal);
  if (order.shippingFee) sum(t('docs.shipping'), order.shippingFee);
  sum(t('docs.total'), order.total, { bold: true, size: 11 });
  y += 2;
  // Prices are gross: the VAT is part of the total above, not added to it.
  for (const v of vatSummary(order, job.seller.shippingVatRate)) {
    text(t('docs.vatIncluded', { rate: fmt.number(v.rate / 100) }), margin, { size: 8, grey: 0.35, maxWidth: width - 22 * MM });
    text(fmt.money(v.vat, order.currency), right, { size: 8, grey: 0.35, align: 'right' });
    y += 10;
  }
  y += 6;
  const method = order.paymentMethod ? t(`payment.${order.paymentMethod}`) : '';
  text([method, order.paid ? t('docs.receipt.paid') : t('docs.receipt.notPaid')].filter(Boolean).join(' · '), margin, { size: 9 });
  y += 16;
  text(t('docs.receipt.thanks'), center, { size: 9, align: 'center' });
  return y + margin;
}
