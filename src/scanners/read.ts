import type { Conn } from '../db/client.js';
import { GS, readScan, type LayoutId, type ScanSource } from '../domain/scan-input.js';
import { AppError } from '../errors.js';
import { tEn } from '../i18n/index.js';
import { getScannerSettings } from './settings.js';

/** A scan as the server takes it: its value (GS1 data with the leading FNC1 that says so) and the layouts it was read through. */
export interface ScannedValue {
  value: string;
  layouts: LayoutId[] | null;
}

/** The layouts' names in one language, joined as a message names them. */
export function layoutNames(layouts: readonly LayoutId[], t: (key: string) => string): string {
  return layouts.map((l) => t(`scan.layouts.${l}`)).join(t('scan.layoutJoin'));
}

/**
 * Reads what a scan field sent (src/domain/scan-input.ts, with the shop's GS substitute) the way
 * the page read it; a reading the rule refuses is an AppError `scan_unreadable` whose message says
 * what it would have read and which layout explains it (`details.layouts` names them in the
 * reader's language, see web/error-handler.ts). Nothing is looked up or written.
 */
export function readScanned(conn: Conn, raw: string, source: ScanSource, field?: string): ScannedValue {
  const reading = readScan(raw, { source, gsSubstitute: getScannerSettings(conn).gsSubstitute });
  if (reading.ok) return { value: reading.gs1 ? GS + reading.value : reading.value, layouts: reading.layouts };
  const shown = (s: string) =>
    s
      .replace(/^[\r\n\t ]+|[\r\n\t ]+$/g, '')
      .split(GS)
      .join('⟨GS⟩');
  const key = reading.problem === 'layout' ? 'scan.layoutRefused' : 'scan.charactersRefused';
  const params = { value: shown(raw), reading: shown(reading.reading), chars: reading.chars, layouts: layoutNames(reading.layouts, tEn) };
  return throwRefusal(key, params, reading.layouts, field);
}

function throwRefusal(key: string, params: Record<string, unknown>, layouts: LayoutId[], field: string | undefined): never {
  throw new AppError('scan_unreadable', key, params, { layouts, ...(field && { fields: [{ path: field, key, params }] }) });
}

/** The `source` a scan field's form sent (src/browser/scanner.ts fills it in); a form sent without the script is read as a scanner's. */
export function scanSourceOf(value: unknown): ScanSource {
  return value === 'manual' || value === 'camera' ? value : 'scanner';
}
