import { code128 } from '../documents/layout.js';
import { A4, MM, PdfWriter, readFonts } from '../documents/pdf.js';
import { COMMAND_KEYS, STATION_COMMANDS } from '../domain/station-command.js';
import type { Translate } from '../i18n/index.js';

/** Module width: 0.5 mm reads from arm's length with any wedge scanner, printed on plain office paper. */
const MODULE = 0.5 * MM;
const BAR_HEIGHT = 14 * MM;

/**
 * The station's command sheet: one A4 page with a Code 128 barcode for each command (REPORT IN,
 * FETCH PARCEL ID, …), its meaning in the reader's language and its key, to pin up beside the
 * station. Scanning one does what its key does.
 */
export async function commandSheetPdf(t: Translate, fontDir: string): Promise<Uint8Array> {
  const pdf = await PdfWriter.create(readFonts(fontDir), t('shipping.commands.title'));
  const c = pdf.page(A4.width, A4.height);
  const left = 20 * MM;
  let y = 20 * MM;
  c.text(t('shipping.commands.title'), left, y + 14, { size: 18, bold: true });
  y += 24;
  c.text(t('shipping.commands.intro'), left, y + 10, { size: 10, maxWidth: A4.width - 2 * left });
  y += 26;
  const step = (A4.height - y - 15 * MM) / STATION_COMMANDS.length;
  for (const command of STATION_COMMANDS) {
    c.barcode(code128(command), left, y, MODULE, BAR_HEIGHT);
    const textLeft = 110 * MM;
    c.text(command, textLeft, y + 14, { size: 14, bold: true });
    c.text(t(`shipping.commands.help.${command.replace(/ /g, '_')}`), textLeft, y + 30, { size: 10, maxWidth: A4.width - textLeft - left });
    c.text(t('shipping.commands.key', { key: COMMAND_KEYS[command] === 'Escape' ? 'Esc' : COMMAND_KEYS[command] }), textLeft, y + 44, { size: 10, grey: 0.35 });
    y += step;
  }
  c.finish();
  return pdf.save();
}
