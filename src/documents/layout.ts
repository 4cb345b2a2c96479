import { linearBars } from './bwip.js';
import type { Translate } from '../i18n/index.js';
import type { Formatters } from '../i18n/format.js';
import { A4, MM, type Canvas, type PdfWriter, type TextStyle } from './pdf.js';
import type { VatAtRate } from '../domain/vat.js';
import type { DocOrder, RenderJob } from './model.js';

// What every document kind draws with: the order barcode, the order header, tables and pages that flow.

/** Module width of the order-code barcode: ≥ 0.33 mm, so a scanner reads a page printed or rendered at 150 dpi. */
export const MODULE = 0.4 * MM;
const BAR_HEIGHT = 12 * MM;
export const MARGIN = 15 * MM;
const FOOTER = 12 * MM;

/** Bar and space widths (in modules) of a Code 128 symbol. */
export function code128(text: string): number[] {
  return linearBars('code128', text);
}

export interface Ctx {
  job: RenderJob;
  t: Translate;
  fmt: Formatters;
  /** For the customer's documents. */
  customer: { t: Translate; fmt: Formatters };
  pdf: PdfWriter;
  /** Barcodes by order code: a pick slip + receipt draws each twice. */
  bars: Map<string, number[]>;
}

export function barsOf(ctx: Ctx, code: string): number[] {
  let bars = ctx.bars.get(code);
  if (!bars) ctx.bars.set(code, (bars = code128(code)));
  return bars;
}

/** The order code as Code 128 with the digits under it; returns the height used. */
export function orderBarcode(ctx: Ctx, c: Canvas, code: string, right: number, top: number): number {
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
export class Flow {
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

  /**
   * One table row, at least `height` tall and taller when a cell wraps, on a new page when it does
   * not fit; returns the y it was drawn at.
   */
  row<T>(columns: Column<T>[], row: T, height: number, tick: boolean): number {
    const cells = setCells(this.pdf, columns, row);
    const needed = Math.max(height, ...cells.map((cell) => height + (cell.lines.length - 1) * lineHeight(cell.size)));
    this.room(needed);
    const y = this.y;
    tableRow(this.canvas, columns, cells, y, tick);
    this.y += needed;
    return y;
  }

  finish(footer: (c: Canvas, page: number, pages: number) => void) {
    this.pages.forEach((c, i) => {
      footer(c, i + 1, this.pages.length);
      c.finish();
    });
  }
}

export const pageFooter = (ctx: Ctx, left: string) => (c: Canvas, page: number, pages: number) => {
  const y = c.height - MARGIN + 2;
  c.line(MARGIN, y - 12, c.width - MARGIN, y - 12, 0.3);
  c.text(left, MARGIN, y, { size: 8, grey: 0.35 });
  c.text(ctx.t('docs.page', { page, pages }), c.width - MARGIN, y, { size: 8, grey: 0.35, align: 'right' });
};

export function addressLines(order: DocOrder): string[] {
  const s = order.shipTo;
  return [order.customerName, s.line1, s.line2, [s.postalCode, s.city].filter(Boolean).join(' '), s.country].filter((l): l is string => !!l);
}

/**
 * Title, order code, dates and addresses: the top of every order document. Returns the y below it.
 * A document for the customer leaves out their contact details and the warehouse's priority.
 */
export function orderHeader(ctx: Ctx, c: Canvas, order: DocOrder, title: string, first: boolean, opts: { contact?: boolean; priority?: boolean } = {}): number {
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
  if (opts.priority !== false && order.priority !== 5) label('', t('docs.priority', { priority: order.priority }));
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

export interface Column<T> {
  title: string;
  width: number;
  align?: 'left' | 'right';
  value: (row: T) => string;
  style?: TextStyle;
}

const HEADER_SIZE = 8;
const CELL_SIZE = 10;
const lineHeight = (size: number) => Math.ceil(size * 1.2);

/** Where a cell's text starts for its alignment. */
const cellX = <T>(col: Column<T>, x: number) => (col.align === 'right' ? x + col.width - 2 : x);

/**
 * The column titles, each whole: shrunk a little or wrapped onto more lines when the column is
 * narrow (never cut). Returns the y of the first row.
 */
export function tableHeader<T>(c: Canvas, columns: Column<T>[], y: number, tick: boolean): number {
  let x = MARGIN + (tick ? 8 * MM : 0);
  let bottom = y;
  for (const col of columns) {
    const { size, lines } = c.writer.setWhole(col.title, HEADER_SIZE, col.width - 4, true);
    lines.forEach((line, i) => c.text(line, cellX(col, x), y + i * lineHeight(size), { size, bold: true, align: col.align ?? 'left' }));
    bottom = Math.max(bottom, y + (lines.length - 1) * lineHeight(size));
    x += col.width;
  }
  c.line(MARGIN, bottom + 4, c.width - MARGIN, bottom + 4, 0.6);
  return bottom + 16;
}

interface Cell {
  size: number;
  lines: string[];
}

/** Every cell of a row set whole in its column: an SKU or a product name is never cut. */
function setCells<T>(pdf: PdfWriter, columns: Column<T>[], row: T): Cell[] {
  return columns.map((col) => {
    const style = { size: CELL_SIZE, ...col.style };
    return pdf.setWhole(col.value(row), style.size, col.width - 4, style.bold ?? false);
  });
}

function tableRow<T>(c: Canvas, columns: Column<T>[], cells: Cell[], y: number, tick: boolean): void {
  if (tick) c.rect(MARGIN, y - 9, 11, 11);
  let x = MARGIN + (tick ? 8 * MM : 0);
  columns.forEach((col, i) => {
    const { size, lines } = cells[i]!;
    lines.forEach((line, n) => c.text(line, cellX(col, x), y + n * lineHeight(size), { ...col.style, size, align: col.align ?? 'left' }));
    x += col.width;
  });
}

/** Seller name, address and numbers, one line each. */
export function sellerLines(ctx: Ctx): string[] {
  const s = ctx.job.seller;
  return [
    ...s.address.split(/\r?\n/).filter(Boolean),
    s.orgNumber && `${ctx.t('docs.invoice.orgNumber')} ${s.orgNumber}`,
    s.vatNumber && `${ctx.t('docs.invoice.vatNumber')} ${s.vatNumber}`,
  ].filter((l): l is string => !!l);
}

/**
 * The line table of the billing documents (invoice, credit note): SKU, product, quantity, unit
 * price, VAT rate and amount, the amount times `sign` (a credit note's lines are credited, −1).
 */
export function billingColumns<T extends { sku: string; name: string; quantity: number; unitPrice: number; vatRate: number }>(
  ctx: Ctx,
  currency: string,
  sign: 1 | -1,
): Column<T>[] {
  const { t, fmt } = ctx;
  const money = (n: number) => fmt.money(n, currency);
  const width = A4.width - 2 * MARGIN;
  return [
    { title: t('docs.sku'), width: 28 * MM, value: (l) => l.sku },
    { title: t('docs.product'), width: width - 28 * MM - 84 * MM, value: (l) => l.name },
    { title: t('docs.quantity'), width: 14 * MM, align: 'right', value: (l) => String(l.quantity) },
    { title: t('docs.unitPrice'), width: 26 * MM, align: 'right', value: (l) => money(l.unitPrice) },
    { title: t('docs.vatRate'), width: 14 * MM, align: 'right', value: (l) => `${fmt.number(l.vatRate / 100)} %` },
    { title: t('docs.amount'), width: 30 * MM, align: 'right', value: (l) => money(sign * l.unitPrice * l.quantity) },
  ];
}

/**
 * The page header of a billing document (invoice, credit note): the order barcode; on the first
 * page the seller, the title, the customer's address on the left and the document's numbers
 * (`facts`) on the right; on later pages the title and number. Ends with the table's header and
 * returns where the rows begin (a Flow header).
 */
export function billingHeader<T>(
  ctx: Ctx,
  c: Canvas,
  first: boolean,
  doc: { order: DocOrder; title: string; number: string; facts: [string, string][]; columns: Column<T>[] },
): number {
  const { order, title, columns } = doc;
  const right = c.width - MARGIN;
  const barHeight = orderBarcode(ctx, c, order.code, right, MARGIN);
  if (!first) {
    c.text(`${title} ${doc.number} (${order.code})`, MARGIN, MARGIN + 16, { size: 14, bold: true });
    return tableHeader(c, columns, MARGIN + barHeight + 8, false);
  }
  c.text(ctx.job.seller.name, MARGIN, MARGIN + 14, { size: 13, bold: true, maxWidth: 90 * MM });
  let sy = MARGIN + 28;
  for (const line of sellerLines(ctx)) {
    c.text(line, MARGIN, sy, { size: 9, maxWidth: 90 * MM });
    sy += 11;
  }
  c.text(title, right, MARGIN + barHeight + 22, { size: 22, bold: true, align: 'right' });
  let y = Math.max(sy, MARGIN + barHeight + 30) + 14;
  // The customer on the left, the document's numbers on the right.
  c.text(ctx.t('docs.customer'), MARGIN, y, { size: 9, grey: 0.35 });
  let by = y + 13;
  for (const line of addressLines(order)) {
    c.text(line, MARGIN, by, { size: 10, maxWidth: 85 * MM });
    by += 13;
  }
  for (const [label, value] of doc.facts) {
    c.text(label, right - 75 * MM, y, { size: 9, grey: 0.35 });
    c.text(value, right, y, { size: 10, bold: true, align: 'right' });
    y += 14;
  }
  return tableHeader(c, columns, Math.max(by, y) + 16, false);
}

/**
 * The VAT table and totals that close a billing document (invoice, credit note), at the flow's
 * line: net, VAT and gross per rate, each times `sign` (a credit note's are credited, −1); prices
 * are gross, so each rate's VAT is taken out of its gross. Then a rule and the `totals` (label,
 * amount as written, bold), right-aligned. The caller has made room for it.
 */
export function vatTable(
  ctx: Ctx,
  flow: Flow,
  rates: readonly VatAtRate[],
  currency: string,
  sign: 1 | -1,
  totals: readonly [string, string, boolean][],
): void {
  const { t, fmt } = ctx;
  const money = (n: number) => fmt.money(n, currency);
  const c = flow.canvas;
  const right = A4.width - MARGIN;
  const columns = [right - 102 * MM, right - 68 * MM, right - 34 * MM, right];
  [t('docs.vatTable.rate'), t('docs.vatTable.net'), t('docs.vatTable.vat'), t('docs.vatTable.gross')].forEach((head, i) =>
    c.text(head, columns[i]!, flow.y, { size: 8, bold: true, align: 'right' }),
  );
  flow.y += 14;
  for (const v of rates) {
    [`${fmt.number(v.rate / 100)} %`, money(sign * v.net), money(sign * v.vat), money(sign * v.gross)].forEach((value, i) =>
      c.text(value, columns[i]!, flow.y, { size: 10, align: 'right' }),
    );
    flow.y += 14;
  }
  c.line(right - 120 * MM, flow.y - 8, right, flow.y - 8, 0.3);
  flow.y += 8;
  for (const [label, value, bold] of totals) {
    c.text(label, right - 40 * MM, flow.y, { size: bold ? 11 : 10, bold, align: 'right' });
    c.text(value, right, flow.y, { size: bold ? 11 : 10, bold, align: 'right' });
    flow.y += 16;
  }
}
