import type { KeyRecord } from '../../domain/scanner-check.js';

// How the scanner check page (src/browser/scanner-check.ts) cuts the keys it records into scans.
// Pure: no DOM. What a scan says about the scanner is the server's (src/domain/scanner-check.ts).

/** A scanner without a suffix has finished when no key came for this long. */
export const PAUSE_MS = 400;
/** Suffix keys this soon after the last character belong to the scan. */
export const SUFFIX_MS = 150;

/** Ctrl+] (GS as many scanners send it), recorded and put into the field as GS. */
export const isCheckGsKey = (key: Pick<KeyRecord, 'key' | 'code' | 'ctrl'>): boolean => key.ctrl && (key.code === 'BracketRight' || key.key === ']');

/** How long after this key, with no other, the scan is read: a moment after Enter or Tab, a pause after anything else. */
export const msUntilCheckScanEnds = (key: Pick<KeyRecord, 'key'>): number => (key.key === 'Enter' || key.key === 'Tab' ? SUFFIX_MS : PAUSE_MS);
