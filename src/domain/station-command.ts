import { candidateReadings, type ScanSource } from './scan-input.js';

// Command barcodes of the packing station: printed on the A4 command sheet, scanned like any code.
// A scanner sends the text as printed; spaces, dashes and underscores between words, and letter
// case, do not matter ("report-in" and "REPORT_IN" are REPORT IN).

// OK acknowledges the refusal the page shows (it stays until then), or confirms taking an order over.
export const STATION_COMMANDS = ['REPORT IN', 'FETCH PARCEL ID', 'NEW PARCEL', 'PARTIAL', 'PRINT LABEL', 'CANCEL', 'UNDO CHECK', 'SHIP CHECKED', 'OK'] as const;
export type StationCommand = (typeof STATION_COMMANDS)[number];

/** The keyboard key of each command, shown on the page and in `aria-keyshortcuts` (its syntax: `Control+Z`). */
export const COMMAND_KEYS: Record<StationCommand, string> = {
  'REPORT IN': 'F9',
  'FETCH PARCEL ID': 'F2',
  'NEW PARCEL': 'F3',
  PARTIAL: 'F4',
  'PRINT LABEL': 'F8',
  CANCEL: 'Escape',
  'UNDO CHECK': 'Control+Z',
  'SHIP CHECKED': 'Shift+F4',
  // Not Enter alone: Enter ends every scan, and a scanner's suffix must not acknowledge or confirm anything.
  OK: 'Control+Enter',
};

/** The command a scanned text is, if it is one. */
export function readCommand(text: string): StationCommand | undefined {
  const words = text
    .trim()
    .toUpperCase()
    .split(/[\s_-]+/)
    .filter(Boolean)
    .join(' ');
  return STATION_COMMANDS.find((c) => c === words);
}

/**
 * The command a scan is, if it is one: read as typed and, from a scanner, through the keyboard
 * layouts a US-set scanner may be plugged into (a closed set of words: a match is proof enough),
 * without a symbology identifier in front.
 */
export function commandIn(raw: string, source: ScanSource): StationCommand | undefined {
  const texts = source === 'scanner' ? candidateReadings(raw) : [raw];
  for (const text of texts) {
    const command = readCommand(text.replace(/^\][A-Za-z][0-9A-Za-z]/, ''));
    if (command) return command;
  }
  return undefined;
}
