import { A4, MM } from '../pdf.js';
import { batchRows } from '../model.js';
import { Flow, MARGIN, pageFooter, tableHeader, type Column, type Ctx } from '../layout.js';

/** A4 batch pick list: the selected orders consolidated per product, by bin location, with each order's share. */
export function batchPickList(ctx: Ctx): void {
  const { t, job } = ctx;
  const title = t('docs.batch.title');
  const rows = batchRows(job.orders, job.walk);
  const units = rows.reduce((s, r) => s + r.total, 0);
  const splitWidth = A4.width - 2 * MARGIN - 8 * MM - 106 * MM;
  const columns: Column<(typeof rows)[number]>[] = [
    { title: t('docs.location'), width: 24 * MM, value: (r) => r.location ?? t('docs.noLocation'), style: { bold: true } },
    { title: t('docs.sku'), width: 26 * MM, value: (r) => r.sku },
    { title: t('docs.product'), width: 40 * MM, value: (r) => r.name },
    { title: t('docs.batch.total'), width: 16 * MM, align: 'right', value: (r) => String(r.total), style: { bold: true, size: 12 } },
    // Written line by line below, wrapped.
    { title: t('docs.batch.split'), width: splitWidth, value: () => '' },
  ];
  const flow = new Flow(ctx.pdf, (c, first) => {
    c.text(first ? title : t('docs.batch.continued'), MARGIN, MARGIN + 18, { size: first ? 20 : 14, bold: true });
    let y = MARGIN + 38;
    if (first) {
      c.text(
        t('docs.batch.summary', {
          orders: t('counts.orders', { count: job.orders.length }),
          products: t('counts.products', { count: rows.length }),
          units: t('counts.units', { count: units }),
        }),
        MARGIN,
        y,
        { size: 11 },
      );
      y += 20;
    }
    return tableHeader(c, columns, y, true);
  });
  for (const row of rows) {
    // No-break spaces keep "code × quantity" on one line; entries wrap between them.
    const split = ctx.pdf.wrap(row.split.map((s) => `${s.code}\u00a0×\u00a0${s.quantity}`).join('  '), 9, splitWidth - 4);
    const y = flow.row(columns, row, Math.max(20, split.length * 12 + 8), true);
    split.forEach((line, i) => flow.canvas.text(line, A4.width - MARGIN - splitWidth + 4, y + i * 12, { size: 9 }));
  }
  flow.finish(pageFooter(ctx, `${title} · ${t('docs.printed', { at: ctx.fmt.dateTime(new Date(job.printedAt)), by: job.printedBy })}`));
}
