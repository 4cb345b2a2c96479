import type { ScanSource } from '../../domain/scan-input.js';
import { COMMAND_KEYS, type StationCommand } from '../../domain/station-command.js';
import { orderOpenedBy } from './order-scan.js';

// The packing station's queue of scans and forms (src/browser/shipping.ts sends them in order), and
// its keys. Pure: no DOM.

/** A scan kept on this device (IndexedDB) until the server has answered it. */
export interface KeptScan {
  key: string;
  value: string;
  source: ScanSource;
  at: number;
  user: number;
  userName: string;
  station: string;
  /** The order open when it was made ('' for none): the server refuses it for any other. */
  order: string;
}

/** One thing to send: a scan or a form. */
export interface Job {
  action: string;
  body: () => URLSearchParams;
  /** What it does to the open order: '' closes it, a code opens it, undefined leaves it. */
  opens?: string | undefined;
  scan?: KeptScan;
}

/**
 * The order a scan made now is for: the one the last waiting job opens or closes, else the one
 * open on the page. The server refuses the scan for any other (a takeover or a Report in may
 * come between an outage and its end).
 */
export function intendedOrder(queue: readonly Pick<Job, 'opens'>[], openOnPage: string): string {
  for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.opens !== undefined) return queue[i]!.opens!;
  return openOnPage;
}

/** What a station form sent to `path` does to the open order: '' closes it, a code opens it, undefined leaves it. */
export function formOpens(path: string, body: URLSearchParams, gsSubstitute: string): string | undefined {
  if (path === '/shipping/release' || path === '/shipping/report') return '';
  const takeOver = /^\/shipping\/orders\/(\d+)\/take-over$/.exec(path);
  if (takeOver) return takeOver[1];
  if (path === '/shipping/scan') return orderOpenedBy(body.get('value') || '', (body.get('source') || 'scanner') as ScanSource, gsSubstitute);
  return undefined;
}

/** A key as aria-keyshortcuts writes it: "F9", "Shift+F4", "Control+Z". */
export function keyName(key: { key: string; ctrlKey: boolean; shiftKey: boolean }): string {
  return `${key.ctrlKey ? 'Control+' : ''}${key.shiftKey ? 'Shift+' : ''}${key.key.length === 1 ? key.key.toUpperCase() : key.key}`;
}

const BY_KEY = new Map(Object.entries(COMMAND_KEYS).map(([command, key]) => [key, command as StationCommand]));

/** The station command a key press gives (its keyName), if any. */
export const commandOfKey = (name: string): StationCommand | undefined => BY_KEY.get(name);
