import { z } from 'zod';
import type { Conn, Db } from '../db/client.js';
import { settingsGroup } from '../settings/service.js';

// How the shop's keyboard-wedge scanners are set up, for the pages that read what they type.

/** The longest GS substitute a scanner is programmed with (`<GS>` is four). */
export const GS_SUBSTITUTE_MAX = 4;

/**
 * A GS substitute: printable ASCII without space, beginning and ending with a sign (not a letter or
 * digit), because letters and digits occur in the data it separates: `~`, `|`, `^]`, `<GS>`. Empty
 * is none.
 */
const GS_SUBSTITUTE = /^(?:[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e](?:[\x21-\x7e]*[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e])?)?$/;

export const scannerSettingsSchema = z.object({
  /**
   * What the scanners send instead of GS (the GS1 separator, ASCII 29), or '' when they send GS
   * itself (as the character or as Ctrl+]).
   */
  gsSubstitute: z.string().max(GS_SUBSTITUTE_MAX).regex(GS_SUBSTITUTE, { error: 'validation.gsSubstitute' }),
});
export type ScannerSettings = z.infer<typeof scannerSettingsSchema>;

export const DEFAULT_SCANNER_SETTINGS: ScannerSettings = { gsSubstitute: '' };
const group = settingsGroup('scanners', scannerSettingsSchema, DEFAULT_SCANNER_SETTINGS);

/** The scanner settings, each field over its default. */
export const getScannerSettings = (conn: Conn): ScannerSettings => group.get(conn);

/** Saves the scanner settings in a write transaction of its own, with who changed them (`by`). */
export const putScannerSettings = (db: Db, settings: ScannerSettings, now: Date, by: string): void => group.put(db, settings, now, by);
