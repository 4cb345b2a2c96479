import bwipjs from 'bwip-js';
import { vatTotals } from '../domain/vat.js';
import { translator, type Translate } from '../i18n/index.js';
import { formatters, type Formatters } from '../i18n/format.js';
import { A4, LABEL, MM, PdfWriter, RECEIPT_WIDTH, type Canvas, type FontFiles, type TextStyle } from './pdf.js';
import { batchRows, byLocation, vatSummary, type DocLine, type DocOrder, type RenderJob } from './model.js';

/** Module width of the order-code barcode: ≥ 0.33 mm, so a scanner reads a page printed or rendered at 150 dpi. */
const MODULE = 0.4 * MM;
const BAR_HEIGHT = 12 * MM;
const MARGIN = 15 * MM;
const FOOTER = 12 * MM;

/** Bar and space widths (in modules) of a Code 128 symbol. */
export function code128(text: string): number[] {
  const [symbol] = bwipjs.raw('code128', text, {}) as { sbs: number[] }[];
  return symbol!.sbs;
}

interface Ctx {
  job: RenderJob;
  t: Translate;
  fmt: Formatters;
  /** For the customer's documents. */
  customer: { t: Translate; fmt: Formatters };
  pdf: PdfWriter;
  /** Barcodes by order code: a pick slip + receipt draws each twice. */
  bars: Map<string, number[]>;
}

function barsOf(ctx: Ctx, code: string): number[] {
  let bars = ctx.bars.get(code);
  if (!bars) ctx.bars.set(code, (bars = code128(code)));
  return bars;
}

/** The order code as Code 128 with the digits under it; returns the height used. */
function orderBarcode(ctx: Ctx, c: Canvas, code: string, right: number, top: number): number {
  const bars = barsOf(ctx, code);
  const width = (bars.reduce((a, b) => a + b, 0) + 20) * MODULE;
  c.barcode(bars, right - width, top, MODULE, BAR_HEIGHT);
  c.text(code, right - width / 2, top + BAR_HEIGHT + 11, { size: 10, align: 'center' });
  return BAR_HEIGHT + 14;
}

/**
 * Pages that flow: when the next block does not fit, a new page starts with the header drawn
 * again; page numbers are written when the section is complete.
 */
class Flow {
  readonly pages: Canvas[] = [];
  canvas!: Canvas;
  y = 0;

  constructor(
    private readonly pdf: PdfWriter,
    private readonly header: (c: Canvas, first: boolean) => number,
    private readonly size = A4,
  ) {
    this.newPage(true);
  }

  private newPage(first: boolean) {
    this.canvas = this.pdf.page(this.size.width, this.size.height);
    this.pages.push(this.canvas);
    this.y = this.header(this.canvas, first);
  }

  /** Makes room for `height` points, starting a new page if needed; returns true when it did. */
  room(height: number): boolean {
    if (this.y + height <= this.size.height - MARGIN - FOOTER) return false;
    this.newPage(false);
    return true;
  }

  /** One table row of `height`, on a new page when it does not fit; returns the y it was drawn at. */
  row<T>(columns: Column<T>[], row: T, height: number, tick: boolean): number {
    this.room(height);
    const y = this.y;
    tableRow(this.canvas, columns, row, y, tick);
    this.y += height;
    return y;
  }

  finish(footer: (c: Canvas, page: number, pages: number) => void) {
    this.pages.forEach((c, i) => {
      footer(c, i + 1, this.pages.length);
      c.finish();
    });
  }
}

const pageFooter = (ctx: Ctx, left: string) => (c: Canvas, page: number, pages: number) => {
  const y = c.height - MARGIN + 2;
  c.line(MARGIN, y - 12, c.width - MARGIN, y - 12, 0.3);
  c.text(left, MARGIN, y, { size: 8, grey: 0.35 });
  c.text(ctx.t('docs.page', { page, pages }), c.width - MARGIN, y, { size: 8, grey: 0.35, align: 'right' });
};

function addressLines(order: DocOrder): string[] {
  const s = order.shipTo;
  return [order.customerName, s.line1, s.line2, [s.postalCode, s.city].filter(Boolean).join(' '), s.country].filter((l): l is string => !!l);
}

/** Title, order code, dates and addresses: the top of every order document. Returns the y below it. */
function orderHeader(ctx: Ctx, c: Canvas, order: DocOrder, title: string, first: boolean, opts: { contact?: boolean } = {}): number {
  const { t, fmt, job } = ctx;
  const right = c.width - MARGIN;
  const barHeight = orderBarcode(ctx, c, order.code, right, MARGIN);
  if (!first) {
    c.text(t('docs.continued', { title, code: order.code }), MARGIN, MARGIN + 16, { size: 14, bold: true });
    return MARGIN + barHeight + 8;
  }
  c.text(title, MARGIN, MARGIN + 18, { size: 20, bold: true });
  let y = MARGIN + 40;
  const label = (l: string, v: string) => {
    c.text(l, MARGIN, y, { size: 9, grey: 0.35 });
    c.text(v, MARGIN + 28 * MM, y, { size: 10, maxWidth: 70 * MM });
    y += 13;
  };
  label(t('docs.order'), order.code);
  label(t('docs.placed'), fmt.dateTime(order.placedAt === null ? new Date(order.createdAt) : new Date(order.placedAt)));
  label(t('docs.date'), fmt.dateTime(new Date(job.printedAt)));
  if (order.priority !== 5) label('', t('docs.priority', { priority: order.priority }));
  // Ship-to on the right, under the barcode.
  let ay = MARGIN + barHeight + 14;
  c.text(t('docs.shipTo'), right - 70 * MM, ay, { size: 9, grey: 0.35 });
  ay += 13;
  for (const line of addressLines(order)) {
    c.text(line, right - 70 * MM, ay, { size: 10, maxWidth: 70 * MM });
    ay += 13;
  }
  if (opts.contact !== false) {
    for (const line of [order.customerEmail, order.customerPhone].filter((l): l is string => !!l)) {
      c.text(line, right - 70 * MM, ay, { size: 9, maxWidth: 70 * MM, grey: 0.35 });
      ay += 12;
    }
  }
  return Math.max(y, ay) + 8;
}

interface Column<T> {
  title: string;
  width: number;
  align?: 'left' | 'right';
  value: (row: T) => string;
  style?: TextStyle;
}

function tableHeader<T>(c: Canvas, columns: Column<T>[], y: number, tick: boolean): number {
  let x = MARGIN + (tick ? 8 * MM : 0);
  for (const col of columns) {
    c.text(col.title, col.align === 'right' ? x + col.width - 2 : x, y, { size: 8, bold: true, align: col.align ?? 'left', maxWidth: col.width - 4 });
    x += col.width;
  }
  c.line(MARGIN, y + 4, c.width - MARGIN, y + 4, 0.6);
  return y + 16;
}

function tableRow<T>(c: Canvas, columns: Column<T>[], row: T, y: number, tick: boolean): void {
  if (tick) c.rect(MARGIN, y - 9, 11, 11);
  let x = MARGIN + (tick ? 8 * MM : 0);
  for (const col of columns) {
    const text = col.value(row);
    c.text(text, col.align === 'right' ? x + col.width - 2 : x, y, { size: 10, maxWidth: col.width - 4, align: col.align ?? 'left', ...col.style });
    x += col.width;
  }
}

function pickSlip(ctx: Ctx, order: DocOrder): void {
  const { t } = ctx;
  const title = t('docs.pickSlip.title');
  const lines = order.lines.filter((l) => l.remaining > 0).sort(byLocation);
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
        c.text(t('docs.partialPending', { units: shipped }), MARGIN, y, { size: 10, bold: true });
        y += 14;
      }
      if (order.comment) {
        for (const line of ctx.pdf.wrap(`${t('docs.comment')}: ${order.comment}`, 10, A4.width - 2 * MARGIN)) {
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
  flow.canvas.text(t('docs.lineCount', { lines: lines.length, units }), MARGIN, flow.y + 4, { size: 10, bold: true });
  flow.finish(pageFooter(ctx, `${title} ${order.code} · ${t('docs.printed', { at: ctx.fmt.dateTime(new Date(ctx.job.printedAt)), by: ctx.job.printedBy })}`));
}

function packingSlip(ctx: Ctx, order: DocOrder): void {
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
  const flow = new Flow(ctx.pdf, (c, first) => tableHeader(c, columns, orderHeader(ctx, c, order, title, first, { contact: false }) + 6, false));
  for (const line of [...order.lines].sort(byLocation)) flow.row(columns, line, 18, false);
  flow.finish(pageFooter(ctx, `${title} ${order.code}`));
}

function batchPickList(ctx: Ctx): void {
  const { t, job } = ctx;
  const title = t('docs.batch.title');
  const rows = batchRows(job.orders);
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
      c.text(t('docs.batch.summary', { orders: job.orders.length, products: rows.length, units }), MARGIN, y, { size: 11 });
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

/** Seller name, address and numbers, one line each. */
function sellerLines(ctx: Ctx): string[] {
  const s = ctx.job.seller;
  return [
    ...s.address.split(/\r?\n/).filter(Boolean),
    s.orgNumber && `${ctx.t('docs.invoice.orgNumber')} ${s.orgNumber}`,
    s.vatNumber && `${ctx.t('docs.invoice.vatNumber')} ${s.vatNumber}`,
  ].filter((l): l is string => !!l);
}

function receipt(ctx: Ctx, order: DocOrder): void {
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

function invoice(ctx: Ctx, order: DocOrder): void {
  const { t, fmt, job } = ctx;
  const inv = job.invoice!;
  const seller = job.seller;
  const title = t('docs.invoice.title');
  const money = (n: number) => fmt.money(n, order.currency);
  const width = A4.width - 2 * MARGIN;
  const columns: Column<DocLine>[] = [
    { title: t('docs.sku'), width: 28 * MM, value: (l) => l.sku },
    { title: t('docs.product'), width: width - 28 * MM - 84 * MM, value: (l) => l.name },
    { title: t('docs.quantity'), width: 14 * MM, align: 'right', value: (l) => String(l.quantity) },
    { title: t('docs.unitPrice'), width: 26 * MM, align: 'right', value: (l) => money(l.unitPrice) },
    { title: t('docs.vatRate'), width: 14 * MM, align: 'right', value: (l) => `${fmt.number(l.vatRate / 100)} %` },
    { title: t('docs.amount'), width: 30 * MM, align: 'right', value: (l) => money(l.unitPrice * l.quantity) },
  ];
  const flow = new Flow(ctx.pdf, (c, first) => {
    const right = c.width - MARGIN;
    const barHeight = orderBarcode(ctx, c, order.code, right, MARGIN);
    if (!first) {
      c.text(`${title} ${inv.number} (${order.code})`, MARGIN, MARGIN + 16, { size: 14, bold: true });
      return tableHeader(c, columns, MARGIN + barHeight + 8, false);
    }
    c.text(seller.name, MARGIN, MARGIN + 14, { size: 13, bold: true, maxWidth: 90 * MM });
    let sy = MARGIN + 28;
    for (const line of sellerLines(ctx)) {
      c.text(line, MARGIN, sy, { size: 9, maxWidth: 90 * MM });
      sy += 11;
    }
    c.text(title, right, MARGIN + barHeight + 22, { size: 22, bold: true, align: 'right' });
    let y = Math.max(sy, MARGIN + barHeight + 30) + 14;
    // Bill to on the left, the invoice's numbers on the right.
    c.text(t('docs.customer'), MARGIN, y, { size: 9, grey: 0.35 });
    let by = y + 13;
    for (const line of addressLines(order)) {
      c.text(line, MARGIN, by, { size: 10, maxWidth: 85 * MM });
      by += 13;
    }
    const facts: [string, string][] = [
      [t('docs.invoice.number'), String(inv.number)],
      [t('docs.invoice.date'), fmt.date(new Date(inv.issuedAt))],
      [t('docs.invoice.due'), fmt.date(new Date(inv.dueAt))],
      [t('docs.invoice.reference'), inv.reference],
      [t('docs.order'), order.code],
    ];
    for (const [label, value] of facts) {
      c.text(label, right - 75 * MM, y, { size: 9, grey: 0.35 });
      c.text(value, right, y, { size: 10, bold: true, align: 'right' });
      y += 14;
    }
    return tableHeader(c, columns, Math.max(by, y) + 16, false);
  });
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
  // Net, VAT and gross per rate: prices are gross, so each rate's VAT is taken out of its gross.
  const vatColumns = [right - 102 * MM, right - 68 * MM, right - 34 * MM, right];
  [t('docs.vatTable.rate'), t('docs.vatTable.net'), t('docs.vatTable.vat'), t('docs.vatTable.gross')].forEach((title, i) => c.text(title, vatColumns[i]!, flow.y, { size: 8, bold: true, align: 'right' }));
  flow.y += 14;
  for (const v of summary) {
    [`${fmt.number(v.rate / 100)} %`, money(v.net), money(v.vat), money(v.gross)].forEach((value, i) => c.text(value, vatColumns[i]!, flow.y, { size: 10, align: 'right' }));
    flow.y += 14;
  }
  c.line(right - 120 * MM, flow.y - 8, right, flow.y - 8, 0.3);
  flow.y += 8;
  for (const [label, value, bold] of totals) {
    c.text(label, right - 40 * MM, flow.y, { size: bold ? 11 : 10, bold, align: 'right' });
    c.text(value, right, flow.y, { size: bold ? 11 : 10, bold, align: 'right' });
    flow.y += 16;
  }
  flow.y += 10;
  c.text(t('docs.invoice.terms', { days: seller.paymentTermsDays }), MARGIN, flow.y, { size: 10 });
  flow.y += 14;
  c.text(`${t('docs.invoice.payTo')}: ${seller.bankAccount} · ${t('docs.invoice.reference')}: ${inv.reference}`, MARGIN, flow.y, { size: 10, bold: true, maxWidth: width });
  flow.finish(pageFooter(ctx, [seller.name, seller.email, seller.phone].filter(Boolean).join(' · ')));
}

/** SSCC-18 (18 digits) prints as GS1-128 with AI (00); any other parcel ID as Code 128. */
export function parcelBars(parcelId: string): { bars: number[]; text: string } {
  const sscc = /^\d{18}$/.test(parcelId);
  const [symbol] = bwipjs.raw(sscc ? 'gs1-128' : 'code128', sscc ? `(00)${parcelId}` : parcelId, {}) as { sbs: number[] }[];
  return { bars: symbol!.sbs, text: sscc ? `(00) ${parcelId}` : parcelId };
}

/** A 100×150 mm shipping label: sender, ship-to in large type, the parcel ID's barcode, the order. */
function label(ctx: Ctx, order: DocOrder): void {
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

const TITLES: Record<RenderJob['kind'], string> = {
  pick_slip: 'docs.pickSlip.title',
  receipt: 'docs.receipt.title',
  pick_slip_receipt: 'docs.pickSlip.title',
  invoice: 'docs.invoice.title',
  packing_slip: 'docs.packingSlip.title',
  batch_pick_list: 'docs.batch.title',
  label: 'docs.label.title',
};

/**
 * Renders a job to PDF bytes. `giveWay` is awaited after each order (and each batch list row), so
 * a caller can let other work run during a large job.
 */
export async function renderDocument(job: RenderJob, fonts: FontFiles, giveWay: () => Promise<void> = async () => {}): Promise<Uint8Array> {
  const t = translator(job.lang);
  const title = job.orders.length === 1 ? `${t(TITLES[job.kind])} ${job.orders[0]!.code}` : t(TITLES[job.kind]);
  const pdf = await PdfWriter.create(fonts, title);
  const ctx: Ctx = { job, t, fmt: formatters(job.lang, job.timeZone), customer: { t: translator(job.customerLang), fmt: formatters(job.customerLang, job.timeZone) }, pdf, bars: new Map() };
  // The customer's documents speak the customer's language.
  const forCustomer: Ctx = { ...ctx, ...ctx.customer };
  if (job.kind === 'batch_pick_list') batchPickList(ctx);
  for (const order of job.kind === 'batch_pick_list' ? [] : job.orders) {
    if (job.kind === 'pick_slip' || job.kind === 'pick_slip_receipt') pickSlip(ctx, order);
    if (job.kind === 'receipt' || job.kind === 'pick_slip_receipt') receipt(forCustomer, order);
    if (job.kind === 'packing_slip') packingSlip(forCustomer, order);
    if (job.kind === 'invoice') invoice(forCustomer, order);
    if (job.kind === 'label') label(forCustomer, order);
    await giveWay();
  }
  return ctx.pdf.save();
}
