import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PDFDocument, PDFFont, PDFPage } from 'pdf-lib';

/** Points per millimetre. */
export const MM = 72 / 25.4;
export const A4 = { width: 210 * MM, height: 297 * MM };
/** Receipt roll: 80 mm wide; the height follows the content. */
export const RECEIPT_WIDTH = 80 * MM;
export const LABEL = { width: 100 * MM, height: 150 * MM };

export interface FontFiles {
  regular: Uint8Array;
  bold: Uint8Array;
}

/** DejaVu Sans (Debian fonts-dejavu-core): every Latin letter a Nordic or European customer has. */
export function readFonts(dir: string): FontFiles {
  return { regular: readFileSync(join(dir, 'DejaVuSans.ttf')), bold: readFileSync(join(dir, 'DejaVuSans-Bold.ttf')) };
}

export interface TextStyle {
  size?: number;
  bold?: boolean;
  /** Cut with an ellipsis to fit. */
  maxWidth?: number;
  align?: 'left' | 'right' | 'center';
  /** 0–1 grey level; 0 is black. */
  grey?: number;
}

/**
 * A font with the glyph code and advance width of each character remembered: a batch prints
 * thousands of different strings from a few dozen characters. Text is shown glyph by glyph, without
 * kerning or ligatures, so a string's width is the sum of its characters' advances.
 */
class CachedFont {
  private readonly glyphs = new Map<string, { hex: string; width: number }>();
  constructor(readonly font: PDFFont) {}

  private glyph(ch: string) {
    let g = this.glyphs.get(ch);
    if (!g) {
      // encodeText also marks the glyph for the embedded subset.
      g = { hex: this.font.encodeText(ch).asString(), width: this.font.widthOfTextAtSize(ch, 1) };
      this.glyphs.set(ch, g);
    }
    return g;
  }

  /** The text as a PDF hex string of glyph ids. */
  hex(text: string): string {
    let hex = '<';
    for (const ch of text) hex += this.glyph(ch).hex;
    return `${hex}>`;
  }

  /** Width at size 1. */
  width(text: string): number {
    let w = 0;
    for (const ch of text) w += this.glyph(ch).width;
    return w;
  }
}

const num = (n: number) => (Math.round(n * 100) / 100).toString();

/**
 * A PDF being written. Pages are drawn through `Canvas`, which writes PDF operators as text and
 * measures from the top-left corner in points; fonts are embedded once (subset) for the document.
 * Drawing operators directly, instead of one pdf-lib object per operator, is what makes 500 pick
 * slips a second's work.
 */
export class PdfWriter {
  private constructor(
    readonly doc: PDFDocument,
    readonly regular: CachedFont,
    readonly bold: CachedFont,
  ) {}

  static async create(fonts: FontFiles, title: string): Promise<PdfWriter> {
    // Loaded with the first PDF, not when the server starts: the server thread holds some 20 MB
    // less until then (docs/operations.md § Memory).
    const [{ PDFDocument }, { default: fontkit }] = await Promise.all([import('pdf-lib'), import('@pdf-lib/fontkit')]);
    const doc = await PDFDocument.create();
    doc.registerFontkit(fontkit);
    doc.setTitle(title);
    doc.setProducer('warehouse back office');
    doc.setCreator('warehouse back office');
    const [regular, bold] = await Promise.all([doc.embedFont(fonts.regular, { subset: true }), doc.embedFont(fonts.bold, { subset: true })]);
    return new PdfWriter(doc, new CachedFont(regular), new CachedFont(bold));
  }

  page(width: number, height: number): Canvas {
    return new Canvas(this, this.doc.addPage([width, height]));
  }

  textWidth(text: string, size: number, bold = false): number {
    return (bold ? this.bold : this.regular).width(text) * size;
  }

  /** Cuts `text` with an ellipsis so that it fits `maxWidth`. */
  fit(text: string, size: number, maxWidth: number, bold = false): string {
    if (this.textWidth(text, size, bold) <= maxWidth) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.textWidth(`${text.slice(0, mid)}…`, size, bold) <= maxWidth) lo = mid;
      else hi = mid - 1;
    }
    return `${text.slice(0, lo).trimEnd()}…`;
  }

  /**
   * Splits `text` into lines that fit `maxWidth`, breaking at spaces, not no-break spaces; a word
   * longer than a line is broken between its characters, so nothing is cut.
   */
  wrap(text: string, size: number, maxWidth: number, bold = false): string[] {
    const lines: string[] = [];
    const fits = (t: string) => this.textWidth(t, size, bold) <= maxWidth;
    for (const paragraph of text.split(/\r?\n/)) {
      let line = '';
      for (const word of paragraph.split(/[ \t]+/).filter(Boolean)) {
        const next = line ? `${line} ${word}` : word;
        if (fits(next)) {
          line = next;
          continue;
        }
        if (line) lines.push(line);
        line = '';
        for (const ch of word) {
          if (line && !fits(line + ch)) {
            lines.push(line);
            line = '';
          }
          line += ch;
        }
      }
      lines.push(line);
    }
    return lines;
  }

  /**
   * How `text` is set whole in `maxWidth` (a table cell), never cut: at `size` when it fits; words
   * wrapped onto more lines; a single word (an SKU) on one line at the smaller size that fits when
   * that is at least `minSize`, else broken between its characters.
   */
  setWhole(text: string, size: number, maxWidth: number, bold = false, minSize = size * 0.75): { size: number; lines: string[] } {
    const width = this.textWidth(text, size, bold);
    if (width <= maxWidth) return { size, lines: [text] };
    const shrunk = Math.floor(((size * maxWidth) / width) * 10) / 10;
    if (!/\s/.test(text) && shrunk >= minSize) return { size: shrunk, lines: [text] };
    return { size, lines: this.wrap(text, size, maxWidth, bold) };
  }

  async save(): Promise<Uint8Array> {
    return this.doc.save({ useObjectStreams: false });
  }
}

/** One page: drawing calls append PDF operators; `y` is measured down from the top edge. */
export class Canvas {
  readonly width: number;
  readonly height: number;
  private ops: string[] = [];
  private readonly regularKey: string;
  private readonly boldKey: string;

  constructor(
    readonly writer: PdfWriter,
    private readonly page: PDFPage,
  ) {
    const { width, height } = page.getSize();
    this.width = width;
    this.height = height;
    this.regularKey = page.node.newFontDictionary('F', writer.regular.font.ref).toString();
    this.boldKey = page.node.newFontDictionary('FB', writer.bold.font.ref).toString();
  }

  /** Text with its baseline at `y` from the top. */
  text(text: string, x: number, y: number, style: TextStyle = {}): void {
    const size = style.size ?? 10;
    const bold = style.bold ?? false;
    const font = bold ? this.writer.bold : this.writer.regular;
    const shown = style.maxWidth === undefined ? text : this.writer.fit(text, size, style.maxWidth, bold);
    if (!shown) return;
    let left = x;
    if (style.align === 'right') left = x - font.width(shown) * size;
    else if (style.align === 'center') left = x - (font.width(shown) * size) / 2;
    const grey = style.grey ?? 0;
    this.ops.push(
      `${grey ? `${num(grey)} g ` : ''}BT ${bold ? this.boldKey : this.regularKey} ${num(size)} Tf 1 0 0 1 ${num(left)} ${num(this.height - y)} Tm ${font.hex(shown)} Tj ET${grey ? ' 0 g' : ''}`,
    );
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 0.5): void {
    this.ops.push(`${num(width)} w ${num(x1)} ${num(this.height - y1)} m ${num(x2)} ${num(this.height - y2)} l S`);
  }

  /** A rectangle from its top-left corner: outlined (a tick box) or filled. */
  rect(x: number, y: number, w: number, h: number, mode: 'stroke' | 'fill' = 'stroke', lineWidth = 0.8): void {
    this.ops.push(`${num(lineWidth)} w ${num(x)} ${num(this.height - y - h)} ${num(w)} ${num(h)} re ${mode === 'fill' ? 'f' : 'S'}`);
  }

  /**
   * A linear barcode from bwip-js bar widths (`sbs`: bar, space, bar, … in modules), its top-left
   * corner at (x, y), on a white field that includes the quiet zone on both sides.
   */
  barcode(sbs: readonly number[], x: number, y: number, module: number, height: number, quietModules = 10): number {
    const modules = sbs.reduce((a, b) => a + b, 0);
    const width = (modules + 2 * quietModules) * module;
    const bottom = this.height - y - height;
    const parts = [`q 1 g ${num(x)} ${num(bottom)} ${num(width)} ${num(height)} re f 0 g`];
    let at = x + quietModules * module;
    for (let i = 0; i < sbs.length; i++) {
      const w = sbs[i]! * module;
      if (i % 2 === 0) parts.push(`${num(at)} ${num(bottom)} ${num(w)} ${num(height)} re`);
      at += w;
    }
    parts.push('f Q');
    this.ops.push(parts.join(' '));
    return width;
  }

  /** Writes the page's operators; called once when the page is complete. */
  finish(): void {
    const context = this.writer.doc.context;
    this.page.node.addContentStream(context.register(context.stream(this.ops.join('\n'))));
    this.ops = [];
  }
}
