// Scan fields (inputs marked data-scanner): what a keyboard-wedge scanner types is read here, the
// same way the server reads it (readScan of src/domain/scan-input.ts, bundled in):
// - Enter or Tab ends a scan; a Tab never walks the focus away from a scan in progress, and an
//   Enter or Tab that trails a scan (CR LF, Tab Enter) is swallowed;
// - GS (the GS1 separator), which scanners send as Ctrl+], is put into the field as the character;
// - a burst of keys at scanner speed while the focus is on no text field (a button, the page) goes
//   to the page's scan field, so a scan's Enter never presses the button that had the focus;
// - each scan is timed: keys at scanner speed at its end (the middle gap) are a scanner's, else a person's.
// The field then gets a `scan` event (detail: raw, source, reading). A page's script that handles it
// calls preventDefault(); otherwise a refused reading is said beside the field and a good one
// submits the field's form (its `source` field, if any, says who typed it).
// Nothing here needs a secure context: the pages are served on plain HTTP on the shop's LAN.
// Which key does what, and who typed a scan, are decided in lib/scan-keys.ts.
import { GS, readScan, type ScanReading, type ScanSource } from '../domain/scan-input.js';
import { fieldKeyAction, sourceOfKeys, strayKeyAction } from './lib/scan-keys.js';
import { describeReading, layoutNoticeOf, type ScannerTexts } from './lib/scan-words.js';
import { playSound } from './lib/sounds.js';

export { newKey } from './lib/keys.js';

/** One scan: the text as typed, who typed it, and how it reads. */
export interface ScanDetail {
  raw: string;
  source: ScanSource;
  reading: ScanReading;
}

declare global {
  interface HTMLElementEventMap {
    scan: CustomEvent<ScanDetail>;
  }
}

interface FieldState {
  /** The timeStamp of each key of the scan in progress. */
  times: number[];
  endedAt: number;
  attached?: boolean;
}

const texts = (): ScannerTexts => document.getElementById('scanner-texts')?.dataset ?? {};

/** A refused reading in words, as the server words it (the catalogs' scan.* texts). */
export const describe = (raw: string, reading: ScanReading): string => describeReading(raw, reading, texts());
/** The notice for a scan read through a layout: which one, and what to set. */
export const layoutNotice = (reading: ScanReading): string => layoutNoticeOf(reading, texts());

const NOT_TEXT = ['button', 'submit', 'reset', 'checkbox', 'radio', 'file', 'image', 'range', 'color'];
const isTextEntry = (el: Element | null) =>
  el instanceof HTMLTextAreaElement ||
  el instanceof HTMLSelectElement ||
  (el instanceof HTMLInputElement && !NOT_TEXT.includes(el.type)) ||
  (el instanceof HTMLElement && el.isContentEditable);

const state = new WeakMap<HTMLInputElement, FieldState>();
const stateOf = (field: HTMLInputElement): FieldState => {
  let s = state.get(field);
  if (!s) {
    s = { times: [], endedAt: -Infinity };
    state.set(field, s);
  }
  return s;
};

/** Who typed the field's value (lib/scan-keys.ts: the middle gap between its last keys). */
export const sourceOf = (field: HTMLInputElement): ScanSource => sourceOfKeys(stateOf(field).times);

const insert = (field: HTMLInputElement, text: string) => {
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? field.value.length;
  field.value = field.value.slice(0, start) + text + field.value.slice(end);
  field.selectionStart = field.selectionEnd = start + text.length;
};

/** Takes the field's scan: its text, who typed it and how it reads; the field is emptied. */
export function take(field: HTMLInputElement, source: ScanSource = sourceOf(field)): ScanDetail {
  const raw = field.value;
  const s = stateOf(field);
  s.times = [];
  s.endedAt = performance.now();
  field.value = '';
  const reading = readScan(raw, { source, gsSubstitute: field.dataset.gsSubstitute || '' });
  return { raw, source, reading };
}

/** A line under the field for what the reader says (made on first use). */
export function say(field: HTMLInputElement, text: string, kind: string): void {
  let out = field.form?.querySelector('[data-scanner-status]');
  if (!out) {
    out = document.createElement('output');
    out.setAttribute('data-scanner-status', '');
    out.setAttribute('role', 'status');
    out.setAttribute('aria-live', 'assertive');
    field.insertAdjacentElement('afterend', out);
  }
  out.textContent = text;
  out.className = `scan-status ${kind || ''}`;
  if (kind === 'error') playSound('error');
}

/** What a field does with a scan nobody else handled: say a refusal beside it, or send its form. */
const defaultAction = (field: HTMLInputElement, detail: ScanDetail) => {
  const form = field.form;
  if (!detail.reading.ok) {
    field.value = detail.raw;
    say(field, describe(detail.raw, detail.reading), 'error');
    field.select();
    return;
  }
  field.value = detail.raw;
  const source = form?.querySelector<HTMLInputElement>('input[name=source]');
  if (source) source.value = detail.source;
  say(field, layoutNotice(detail.reading), detail.reading.layouts ? 'duplicate' : '');
  // As Enter would: pressed with the form's default button (its name and value go along).
  form?.requestSubmit(form.querySelector<HTMLElement>('button[type=submit], input[type=submit], button:not([type])') ?? undefined);
};

const end = (field: HTMLInputElement) => {
  const detail = take(field);
  const event = new CustomEvent<ScanDetail>('scan', { detail, bubbles: true, cancelable: true });
  if (field.dispatchEvent(event)) defaultAction(field, detail);
};

/** Reads the field's keys as scans (once per field). */
export function attach(field: HTMLInputElement): void {
  if (state.has(field) && stateOf(field).attached) return;
  stateOf(field).attached = true;
  field.addEventListener('keydown', (event) => {
    const s = stateOf(field);
    switch (fieldKeyAction(event, { empty: field.value.trim() === '', msSinceScanEnded: event.timeStamp - s.endedAt })) {
      case 'gs':
        event.preventDefault();
        insert(field, GS);
        s.times.push(event.timeStamp);
        return;
      case 'end':
        event.preventDefault();
        end(field);
        return;
      case 'swallow':
        // The rest of a scanner's suffix, or an Enter on an empty field: nothing to send.
        event.preventDefault();
        return;
      case 'char':
        s.times.push(event.timeStamp);
        return;
      case 'ignore':
        return;
    }
  });
  // Emptied by hand: the timing starts again.
  field.addEventListener('input', () => {
    if (field.value === '') stateOf(field).times = [];
  });
}

/** The page's scan field: the first visible one. */
const primaryField = () => [...document.querySelectorAll<HTMLInputElement>('input[data-scanner]')].find((f) => !f.disabled && f.offsetParent !== null);

// Keys while no text field has the focus: a scanner's burst goes to the scan field.
document.addEventListener(
  'keydown',
  (event) => {
    // A dead key (¨ on a Nordic keyboard, where a US scanner's ] lands) types nothing itself: the
    // next key types it, alone or with its letter ('¨C'). The scan field takes the focus now and
    // the key goes on, so that what it makes lands in the field whole (taking only the next key's
    // name would drop the ¨: ]C0 and an order code would arrive as "C0…", a parcel ID).
    const action = strayKeyAction(event);
    if (action === 'ignore' || isTextEntry(document.activeElement)) return;
    const field = primaryField();
    if (!field) return;
    attach(field);
    field.focus();
    if (action === 'focus') return;
    event.preventDefault();
    insert(field, event.key);
    stateOf(field).times.push(event.timeStamp);
  },
  true,
);

const attachAll = () => document.querySelectorAll<HTMLInputElement>('input[data-scanner]').forEach(attach);
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', attachAll);
else attachAll();

/**
 * A page that handles its field's scans itself: `handler({ raw, source, reading })` gets each scan
 * that ends with Enter or Tab, and what the form's own button sends (read from the field as typed).
 */
export function handle(field: HTMLInputElement, handler: (detail: ScanDetail) => void): void {
  field.addEventListener('scan', (event) => {
    event.preventDefault();
    handler(event.detail);
  });
  field.form?.addEventListener('submit', (event) => {
    event.preventDefault();
    handler(take(field));
  });
}
