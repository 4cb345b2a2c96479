import { A4, MM } from '../pdf.js';
import { inPickOrder, type DocLine, type DocOrder } from '../model.js';
import { Flow, MARGIN, orderHeader, pageFooter, tableHeader, type Column, type Ctx } from '../layout.js';

/**
 * A4 packing slip (in the customer's language, it goes in the parcel): ordered, shipped before, in
 * this parcel, to follow. Nothing internal: no contact details, no priority.
 */
export function packingSlip(ctx: Ctx, order: DocOrder): void {
  const { t } = ctx;
  const title = t('docs.packingSlip.title');
  const width = A4.width - 2 * MARGIN;
  const columns: Column<DocLine>[] = [
    { title: t('docs.sku'), width: 30 * MM, value: (l) => l.sku },
    { title: t('docs.product'), width: width - 30 * MM - 88 * MM, value: (l) => l.name },
    { title: t('docs.ordered'), width: 22 * MM, align: 'right', value: (l) => String(l.quantity) },
    { title: t('docs.shippedBefore'), width: 22 * MM, align: 'right', value: (l) => String(l.shipped) },
    { title: t('docs.inParcel'), width: 22 * MM, align: 'right', value: (l) => String(l.thisDelivery), style: { bold: true } },
    { title: t('docs.toFollow'), width: 22 * MM, align: 'right', value: (l) => String(l.remaining - l.thisDelivery) },
  ];
  const flow = new Flow(ctx.pdf, (c, first) =>
    tableHeader(c, columns, orderHeader(ctx, c, order, title, first, { contact: false, priority: false }) + 6, false),
  );
  for (const line of inPickOrder(order.lines, ctx.job.walk)) flow.row(columns, line, 18, false);
  flow.finish(pageFooter(ctx, `${title} ${order.code}`));
}
