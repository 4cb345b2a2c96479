import { linearBars } from '../documents/bwip.js';
import { code128 } from '../documents/layout.js';
import { A4, MM, PdfWriter, readFonts, type Canvas, type FontFiles } from '../documents/pdf.js';
import { CHECK_GS1, CHECK_TEXT } from '../domain/scanner-check.js';
import { AppError } from '../errors.js';
import type { Translate } from '../i18n/index.js';

/**
 * Module width: 0.4 mm, as on the order documents (≥ 0.33 mm reads when printed or rendered at
 * 150 dpi), so that the longer barcode stays about 13 cm wide and a handheld scanner takes it in
 * from a hand's breadth away.
 */
const MODULE = 0.4 * MM;
const BAR_HEIGHT = 15 * MM;
/** Code 128's quiet zone on each side, in modules. */
const QUIET = 10;
const LEFT = 20 * MM;

/** GS1-128 of the check's element string: FNC1 first (what makes it GS1-128) and after the batch. */
function gs1Bars(): number[] {
  // bwip-js reads the AIs from the bracketed HRI and puts FNC1 where GS1 asks for it.
  return linearBars('gs1-128', CHECK_GS1.hri);
}

/** One numbered barcode, centred across the page, with its contents printed under the bars; returns the height used. */
function numbered(c: Canvas, n: string, kind: string, sbs: number[], human: string, top: number): number {
  c.text(n, LEFT, top + 24, { size: 28, bold: true });
  c.text(kind, LEFT + 14 * MM, top + 20, { size: 10, grey: 0.35 });
  const y = top + 34;
  const width = (sbs.reduce((a, b) => a + b, 0) + 2 * QUIET) * MODULE;
  const x = (A4.width - width) / 2;
  c.barcode(sbs, x, y, MODULE, BAR_HEIGHT, QUIET);
  c.text(human, A4.width / 2, y + BAR_HEIGHT + 14, { size: 11, align: 'center' });
  return 34 + BAR_HEIGHT + 30;
}

/** The document fonts, or the refusal every document gives without them (503, what to install). */
function fonts(fontDir: string): FontFiles {
  try {
    return readFonts(fontDir);
  } catch (err) {
    throw new AppError('document_font_missing', 'errors.documentFontMissing', { file: (err as NodeJS.ErrnoException).path ?? fontDir });
  }
}

/**
 * The scanner check sheet: one A4 page with two barcodes of known contents (src/domain/scanner-check.ts),
 * barcode 1 in Code 128 and barcode 2 in GS1-128, to scan on the scanner check page, which tells from
 * what arrives how the scanner is set up and what to change.
 */
export async function scannerSheetPdf(t: Translate, fontDir: string): Promise<Uint8Array> {
  const title = t('scannerSettings.sheet.title');
  const pdf = await PdfWriter.create(fonts(fontDir), title);
  const c = pdf.page(A4.width, A4.height);
  let y = 20 * MM;
  c.text(title, LEFT, y + 14, { size: 18, bold: true });
  y += 34;
  for (const line of pdf.wrap(t('scannerSettings.sheet.intro'), 11, A4.width - 2 * LEFT)) {
    c.text(line, LEFT, y, { size: 11 });
    y += 15;
  }
  y += 16;
  y += numbered(c, '1', 'Code 128', code128(CHECK_TEXT), CHECK_TEXT, y);
  // Room between the two, so that a scan line across one never touches the other.
  y += 10 * MM;
  numbered(c, '2', 'GS1-128', gs1Bars(), CHECK_GS1.hri, y);
  c.finish();
  return pdf.save();
}
