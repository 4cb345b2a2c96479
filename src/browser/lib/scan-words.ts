import { GS, type ScanReading } from '../../domain/scan-input.js';
import { fill } from './template.js';

// What the scan reader says about a reading, in the reader's language: the texts come from the page
// (views/partials/scanner.ejs, #scanner-texts), worded as the server words them (the catalogs'
// scan.* texts). Pure: no DOM.

/** The texts of #scanner-texts (its data-* attributes). */
export interface ScannerTexts {
  msgLayout?: string;
  msgCharacters?: string;
  msgRepaired?: string;
  /** JSON: each layout's name. */
  layoutNames?: string;
  layoutJoin?: string;
}

/** GS made visible. */
export const visible = (text: string): string => text.split(GS).join('⟨GS⟩');

/** The layouts by their names in the reader's language, joined. */
export function layoutNames(layouts: readonly string[], texts: ScannerTexts): string {
  let names: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(texts.layoutNames || '{}');
    if (parsed && typeof parsed === 'object') names = parsed as Record<string, unknown>;
  } catch {
    names = {};
  }
  return layouts.map((l) => (typeof names[l] === 'string' && names[l] ? names[l] : l)).join(texts.layoutJoin || ' / ');
}

/** A refused reading in words; '' for a reading that was taken. */
export function describeReading(raw: string, reading: ScanReading, texts: ScannerTexts): string {
  if (reading.ok) return '';
  if (reading.problem === 'layout')
    return fill(texts.msgLayout, { value: visible(raw.trim()), reading: visible(reading.reading), layouts: layoutNames(reading.layouts, texts) });
  return fill(texts.msgCharacters, { value: visible(raw.trim()), chars: reading.chars });
}

/** The notice for a scan read through a keyboard layout: which one, and what to set; else ''. */
export function layoutNoticeOf(reading: ScanReading, texts: ScannerTexts): string {
  return reading.ok && reading.layouts ? fill(texts.msgRepaired, { layouts: layoutNames(reading.layouts, texts) }) : '';
}
