import { code128 } from '../documents/layout.js';
import { A4, MM, PdfWriter, readFonts } from '../documents/pdf.js';
import { COMMAND_KEYS, STATION_COMMANDS } from '../domain/station-command.js';
import type { Translate } from '../i18n/index.js';

/** Module width: 0.5 mm reads from arm's length with any wedge scanner, printed on plain office paper. */
const MODULE = 0.5 * MM;
const BAR_HEIGHT = 14 * MM;
const QUIET_MODULES = 10;
/** White between a barcode's quiet zone and the text column. */
const GAP = 4 * MM;
const LINE = 12;

/**
 * The station's command sheet: one A4 page with a Code 128 barcode for each command (REPORT IN,
 * FETCH PARCEL ID, …), its meaning in the reader's language and its key, to pin up beside the
 * station. Scanning one does what its key does.
 *
 * The text column starts after the widest barcode and its quiet zone (FETCH PARCEL ID is 110 mm
 * wide at 0.5 mm a module), so no caption reaches into a barcode; descriptions wrap, never cut.
 */
export async function commandSheetPdf(t: Translate, fontDir: string): Promise<Uint8Array> {
  const pdf = await PdfWriter.create(readFonts(fontDir), t('shipping.commands.title'));
  const c = pdf.page(A4.width, A4.height);
  const left = 15 * MM;
  const right = A4.width - 15 * MM;
  let y = 18 * MM;
  c.text(t('shipping.commands.title'), left, y + 14, { size: 18, bold: true });
  y += 24;
  for (const line of pdf.wrap(t('shipping.commands.intro'), 10, right - left)) {
    c.text(line, left, y + 10);
    y += LINE;
  }
  y += 10;
  const bars = STATION_COMMANDS.map((command) => code128(command));
  const widest = Math.max(...bars.map((sbs) => (sbs.reduce((a, b) => a + b, 0) + 2 * QUIET_MODULES) * MODULE));
  const textLeft = left + widest + GAP;
  const textWidth = right - textLeft;
  const step = (A4.height - y - 12 * MM) / STATION_COMMANDS.length;
  STATION_COMMANDS.forEach((command, i) => {
    c.barcode(bars[i]!, left, y, MODULE, BAR_HEIGHT, QUIET_MODULES);
    const help = t(`shipping.commands.help.${command.replace(/ /g, '_')}`);
    const key = t('shipping.commands.key', { key: COMMAND_KEYS[command] === 'Escape' ? 'Esc' : COMMAND_KEYS[command] });
    // The caption is bold at 14 pt; a long one (a translation) steps down to fit the column whole.
    const caption = pdf.setWhole(command, 14, textWidth, true, 9);
    let ty = y + 14;
    for (const line of caption.lines) {
      c.text(line, textLeft, ty, { size: caption.size, bold: true });
      ty += caption.size + 2;
    }
    ty += 4;
    for (const line of pdf.wrap(help, 10, textWidth)) {
      c.text(line, textLeft, ty);
      ty += LINE;
    }
    c.text(key, textLeft, ty + 2, { size: 10, grey: 0.35 });
    y += step;
  });
  c.finish();
  return pdf.save();
}
