import { A4, MM } from '../pdf.js';
import { inPickOrder, type DocLine, type DocOrder } from '../model.js';
import { Flow, MARGIN, orderHeader, pageFooter, tableHeader, type Column, type Ctx } from '../layout.js';

/** A4 pick slip for one order: what is left to pick, by bin location, with a tick box per line. */
export function pickSlip(ctx: Ctx, order: DocOrder): void {
  const { t } = ctx;
  const title = t('docs.pickSlip.title');
  const lines = inPickOrder(
    order.lines.filter((l) => l.remaining > 0),
    ctx.job.walk,
  );
  const width = A4.width - 2 * MARGIN - 8 * MM;
  const columns: Column<DocLine>[] = [
    { title: t('docs.location'), width: 24 * MM, value: (l) => l.location ?? t('docs.noLocation'), style: { bold: true } },
    { title: t('docs.sku'), width: 28 * MM, value: (l) => l.sku },
    { title: t('docs.barcode'), width: 32 * MM, value: (l) => l.barcode ?? '', style: { size: 9 } },
    { title: t('docs.product'), width: width - 100 * MM, value: (l) => l.name },
    { title: t('docs.toPick'), width: 16 * MM, align: 'right', value: (l) => String(l.remaining), style: { bold: true, size: 12 } },
  ];
  const flow = new Flow(ctx.pdf, (c, first) => {
    let y = orderHeader(ctx, c, order, title, first);
    if (first) {
      const shipped = order.lines.reduce((s, l) => s + l.shipped, 0);
      if (shipped > 0) {
        c.text(t('docs.partialPending', { count: shipped }), MARGIN, y, { size: 10, bold: true });
        y += 14;
      }
      if (order.comment) {
        for (const line of ctx.pdf.wrap(`${t('docs.comment')}${t('common.colon')} ${order.comment}`, 10, A4.width - 2 * MARGIN)) {
          c.text(line, MARGIN, y, { size: 10 });
          y += 13;
        }
      }
      y += 6;
    }
    return tableHeader(c, columns, y, true);
  });
  for (const line of lines) flow.row(columns, line, 20, true);
  flow.room(24);
  const units = lines.reduce((s, l) => s + l.remaining, 0);
  flow.canvas.line(MARGIN, flow.y - 10, A4.width - MARGIN, flow.y - 10, 0.6);
  flow.canvas.text(t('docs.lineCount', { lines: t('counts.lines', { count: lines.length }), units: t('counts.units', { count: units }) }), MARGIN, flow.y + 4, {
    size: 10,
    bold: true,
  });
  flow.finish(pageFooter(ctx, `${title} ${order.code} · ${t('docs.printed', { at: ctx.fmt.dateTime(new Date(ctx.job.printedAt)), by: ctx.job.printedBy })}`));
}
