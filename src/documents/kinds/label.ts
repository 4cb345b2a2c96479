import { linearBars } from '../bwip.js';
import { LABEL, MM } from '../pdf.js';
import type { DocOrder } from '../model.js';
import { addressLines, barsOf, type Ctx } from '../layout.js';

/** An SSCC-18 (18 digits) prints as GS1-128 with AI (00); any other parcel ID as Code 128 (here and on the ZPL label). */
export function isSsccParcel(parcelId: string): boolean {
  return /^\d{18}$/.test(parcelId);
}

/** The parcel ID's bars and the text under them (see isSsccParcel). */
export function parcelBars(parcelId: string): { bars: number[]; text: string } {
  const sscc = isSsccParcel(parcelId);
  return { bars: linearBars(sscc ? 'gs1-128' : 'code128', sscc ? `(00)${parcelId}` : parcelId), text: sscc ? `(00) ${parcelId}` : parcelId };
}

/** A 100×150 mm shipping label: sender, ship-to in large type, the parcel ID's barcode, the order. */
export function label(ctx: Ctx, order: DocOrder): void {
  const { t, job } = ctx;
  const parcel = job.parcel!;
  const c = ctx.pdf.page(LABEL.width, LABEL.height);
  const m = 4 * MM;
  const width = LABEL.width - 2 * m;
  let y = m + 8;
  c.text(t('docs.label.from'), m, y, { size: 7, grey: 0.35 });
  y += 10;
  for (const line of [job.seller.name, ...job.seller.address.split(/\r?\n/)].filter(Boolean)) {
    c.text(line, m, y, { size: 8, maxWidth: width });
    y += 10;
  }
  y += 4;
  c.line(m, y, LABEL.width - m, y, 1);
  y += 16;
  c.text(t('docs.label.to'), m, y, { size: 8, grey: 0.35 });
  y += 20;
  for (const [i, line] of addressLines(order).entries()) {
    c.text(line, m, y, { size: i === 0 ? 16 : 14, bold: i === 0, maxWidth: width });
    y += i === 0 ? 20 : 18;
  }
  y += 6;
  c.line(m, y, LABEL.width - m, y, 1);
  // The parcel ID: 0.5 mm modules, as carriers ask of SSCC labels.
  const { bars, text } = parcelBars(parcel.parcelId);
  const module = Math.min(0.5 * MM, width / (bars.reduce((a, b) => a + b, 0) + 20));
  const barWidth = (bars.reduce((a, b) => a + b, 0) + 20) * module;
  y += 10;
  c.barcode(bars, (LABEL.width - barWidth) / 2, y, module, 25 * MM);
  y += 25 * MM + 14;
  c.text(text, LABEL.width / 2, y, { size: 12, bold: true, align: 'center' });
  y += 20;
  c.line(m, y, LABEL.width - m, y, 1);
  y += 16;
  c.text(`${t('docs.order')} ${order.code}`, m, y, { size: 11, bold: true });
  c.text(t('docs.label.parcel', { index: parcel.index, of: parcel.of }), LABEL.width - m, y, { size: 11, bold: true, align: 'right' });
  y += 8;
  const orderBars = barsOf(ctx, order.code);
  c.barcode(orderBars, m, y, 0.33 * MM, 10 * MM);
  c.finish();
}
