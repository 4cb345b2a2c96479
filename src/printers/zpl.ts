import type { DocOrder, Seller } from '../documents/model.js';
import { addressLines } from '../documents/layout.js';
import { isSsccParcel } from '../documents/kinds/label.js';
import type { Translate } from '../i18n/index.js';

// The shipping label as ZPL II, for a thermal printer's 100×150 mm stock: the same content and
// order as the PDF label (documents/kinds/label.ts). Written here rather than with a generator
// library: jszpl, the one kept on npm, has only the bitmap fonts A–F (code page 850: no Ł, ś, ź),
// not the scalable font 0 that prints Nordic and Polish letters under ^CI28, and it sets no module
// width (^BY), which a scannable SSCC needs at both 203 and 300 dpi. The commands used are few and
// stable since ZPL II: ^XA/^XZ, ^CI28 (UTF-8), ^PW/^LL, ^FO, ^A0, ^FB, ^FH, ^FD/^FS, ^GB, ^BY, ^BC.

/** Print head resolutions the label is laid out for. */
export const DPIS = [203, 300] as const;
export type Dpi = (typeof DPIS)[number];

/** The label stock: 100 × 150 mm. */
export const LABEL_MM = { width: 100, height: 150 } as const;

const MARGIN_MM = 4;

/** Millimetres in dots at this resolution. */
export function dots(mm: number, dpi: Dpi): number {
  return Math.round((mm * dpi) / 25.4);
}

/** Every kind of line break a name or address may hold: CRLF, CR, LF, VT, FF, NEL, U+2028, U+2029. */
const LINE_BREAKS = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/g;

/** Text as one line: each line break a space (so "Anna\nLund" prints "Anna Lund"), other control characters dropped, spaces collapsed. */
export function oneLine(text: string): string {
  return text
    .replace(LINE_BREAKS, ' ')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * Field data as ZPL reads it after ^FH_ (ZPL II guide, ^FD and ^FH): `^` and `~` would start a
 * command and `_` is the hex escape itself, so each is written as `_` + its hex code; a backslash
 * is written `_5C`. Letters beyond ASCII are sent as UTF-8 as they are (^CI28). The text is made
 * one line first (`oneLine`).
 *
 * This data goes in a field without ^FB: inside a field block `\&` is a line break, `\(` a soft
 * hyphen and `\\` a backslash, so a backslash typed in an address would move the rest of the line
 * onto the next one. Only `blockData` (our own aligned text) goes in a ^FB.
 */
export function fieldData(text: string): string {
  return oneLine(text).replace(/[\^~_\\]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Field data for a field block (^FB, one line, for centred or right-aligned text): as `fieldData`,
 * and each backslash doubled, which ^FB prints as one backslash.
 */
export function blockData(text: string): string {
  return oneLine(text)
    .replace(/[\^~_]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/\\/g, '\\\\');
}

/**
 * The three printable characters subset B cannot take as themselves (ZPL II guide, ^BC, "Code 128
 * Invocation Characters"): `>` starts an invocation code, `^` and `~` start commands. Each is the
 * invocation code of its Code 128 value: `>0` is 30 ('>'), `><` is 62 ('^'), `>=` is 94 ('~').
 */
const SUBSET_B_CODES: Record<string, string> = { '>': '>0', '^': '><', '~': '>=' };

/**
 * ^BC data for a Code 128 symbol (the field has ^FH_). An even run of digits goes in subset C (two
 * digits a symbol, `>;`); anything else in subset B (`>:`) with the invocation codes above and `_`
 * hex-escaped. `gs1` puts FNC1 (`>8`) first: GS1-128.
 */
export function code128Data(data: string, { gs1 = false } = {}): string {
  if (/^\d+$/.test(data) && data.length % 2 === 0) return `>;${gs1 ? '>8' : ''}${data}`;
  const text = data.replace(/[\u0000-\u001f\u007f]/g, '').replace(/[>^~_]/g, (c) => SUBSET_B_CODES[c] ?? '_5F');
  return `>:${gs1 ? '>8' : ''}${text}`;
}

/** Modules of a Code 128 symbol with quiet zones, for the data `code128Data` writes. */
function code128Modules(data: string, gs1: boolean): number {
  const symbols = /^\d+$/.test(data) && data.length % 2 === 0 ? data.length / 2 : data.length;
  // Start, FNC1, data, check digit: 11 modules each; stop 13; quiet zones 10 each side.
  return 11 * (symbols + (gs1 ? 1 : 0) + 2) + 13 + 20;
}

/** Characters of font 0 that fit a width: font 0 is condensed, a character is at most about 0.55 of its height wide. */
export function charsThatFit(widthDots: number, heightDots: number): number {
  return Math.max(1, Math.floor(widthDots / (heightDots * 0.55)));
}

/** A text line cut to what fits (after its line breaks became spaces). */
function fit(text: string, widthDots: number, heightDots: number): string {
  const line = oneLine(text);
  const max = charsThatFit(widthDots, heightDots);
  return [...line].length <= max ? line : `${[...line].slice(0, max - 1).join('')}…`;
}

/** Builds one label's commands with a cursor in millimetres, as the PDF label is laid out. */
class ZplLabel {
  private readonly out: string[] = [];
  readonly width: number;
  constructor(readonly dpi: Dpi) {
    this.width = dots(LABEL_MM.width, dpi);
    // UTF-8 field data, the label's size, the origin at its top left corner.
    this.out.push('^XA', '^CI28', `^PW${this.width}`, `^LL${dots(LABEL_MM.height, dpi)}`, '^LH0,0');
  }
  /**
   * One line of text in font 0, `heightMm` high, at the left margin or centred or right-aligned
   * between the margins. Left-aligned text (every name and address) is a plain field, never a field
   * block: see `fieldData`.
   */
  text(text: string, yMm: number, heightMm: number, align: 'L' | 'C' | 'R' = 'L'): void {
    const x = dots(MARGIN_MM, this.dpi);
    const width = this.width - 2 * x;
    const h = dots(heightMm, this.dpi);
    const line = fit(text, width, h);
    const field = align === 'L' ? `^FH_^FD${fieldData(line)}` : `^FB${width},1,0,${align},0^FH_^FD${blockData(line)}`;
    this.out.push(`^FO${x},${dots(yMm, this.dpi)}^A0N,${h},${h}${field}^FS`);
  }
  /** A horizontal rule across the label between the margins. */
  rule(yMm: number): void {
    const x = dots(MARGIN_MM, this.dpi);
    this.out.push(`^FO${x},${dots(yMm, this.dpi)}^GB${this.width - 2 * x},${Math.max(2, dots(0.35, this.dpi))},${Math.max(2, dots(0.35, this.dpi))}^FS`);
  }
  /**
   * A Code 128 (or GS1-128) symbol `heightMm` tall with modules of about `moduleMm`, narrower when
   * the data would not fit the width; centred, or at the left margin.
   */
  code128(data: string, yMm: number, heightMm: number, moduleMm: number, opts: { gs1?: boolean; centre?: boolean } = {}): void {
    const gs1 = opts.gs1 ?? false;
    const modules = code128Modules(data, gs1);
    const margin = dots(MARGIN_MM, this.dpi);
    const module = Math.max(1, Math.min(Math.round((moduleMm * this.dpi) / 25.4), Math.floor((this.width - 2 * margin) / modules)));
    // The symbol starts after its quiet zone.
    const x = opts.centre ? Math.round((this.width - modules * module) / 2) + 10 * module : margin;
    this.out.push(`^BY${module}`, `^FO${x},${dots(yMm, this.dpi)}^BCN,${dots(heightMm, this.dpi)},N,N,N^FH_^FD${code128Data(data, { gs1 })}^FS`);
  }
  end(): string {
    this.out.push('^PQ1', '^XZ');
    return `${this.out.join('\n')}\n`;
  }
}

export interface LabelInput {
  order: DocOrder;
  seller: Seller;
  parcel: { parcelId: string; index: number; of: number };
  /** The customer's language, as the PDF label speaks it. */
  t: Translate;
}

/**
 * The shipping label of one parcel in ZPL: sender, ship-to in large type, the parcel ID as
 * GS1-128 with (00) when it is an SSCC (else Code 128) with 0.5 mm modules as carriers ask, the
 * order's code and barcode, parcel n of m.
 */
export function labelZpl({ order, seller, parcel, t }: LabelInput, dpi: Dpi): string {
  const z = new ZplLabel(dpi);
  let y = MARGIN_MM;
  z.text(t('docs.label.from'), y, 2.5);
  y += 3.5;
  for (const line of [seller.name, ...seller.address.split(LINE_BREAKS)].map(oneLine).filter(Boolean).slice(0, 5)) {
    z.text(line, y, 3);
    y += 3.8;
  }
  y += 1.5;
  z.rule(y);
  y += 3;
  z.text(t('docs.label.to'), y, 3);
  y += 4.5;
  for (const [i, line] of addressLines(order).slice(0, 6).entries()) {
    z.text(line, y, i === 0 ? 6 : 5);
    y += i === 0 ? 7.5 : 6.2;
  }
  y += 1.5;
  z.rule(y);
  y += 5;
  const sscc = isSsccParcel(parcel.parcelId);
  z.code128(sscc ? `00${parcel.parcelId}` : parcel.parcelId, y, 25, 0.5, { gs1: sscc, centre: true });
  y += 27;
  z.text(sscc ? `(00) ${parcel.parcelId}` : parcel.parcelId, y, 4.5, 'C');
  y += 7;
  z.rule(y);
  y += 3;
  z.text(`${t('docs.order')} ${order.code}`, y, 4.5, 'L');
  z.text(t('docs.label.parcel', { index: parcel.index, of: parcel.of }), y, 4.5, 'R');
  y += 6.5;
  z.code128(order.code, y, 10, 0.33);
  return z.end();
}

/**
 * The letters the test label checks, a line each, every line short enough for font 0 at the test
 * label's 4.5 mm between the margins at both resolutions (test/unit/printers-zpl.test.ts checks it).
 */
export const TEST_LETTERS = ['ÅÄÖ åäö ÆØ æø', 'Ł ł Ż ż Ś ś Ć ć Ń ń', 'Ź ź Ę ę Ą ą Ó ó'] as const;
/** Height of the test label's letters, in millimetres. */
export const TEST_LETTERS_MM = 4.5;

/** A test page for Settings → Printers: the printer's name and address, letters to check, a barcode. */
export function testLabelZpl(printer: { name: string; host: string; port: number; dpi: Dpi }, t: Translate): string {
  const z = new ZplLabel(printer.dpi);
  z.text(t('printers.testLabel.title'), MARGIN_MM, 6);
  z.text(printer.name, 14, 5);
  z.text(`${printer.host}:${printer.port} · ${printer.dpi} dpi`, 21, 4);
  let y = 29;
  for (const letters of TEST_LETTERS) {
    z.text(letters, y, TEST_LETTERS_MM);
    y += 6;
  }
  z.rule(y + 1);
  z.code128('0123456789', y + 5, 15, 0.5, { centre: true });
  return z.end();
}
