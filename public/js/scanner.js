// Scan fields (inputs marked data-scanner): what a keyboard-wedge scanner types is read here, the
// same way the server reads it (Rules.readScan, bundled from src/domain/scan-input.ts):
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
(() => {
  /** A key of its own for a scan or a form: crypto.getRandomValues exists in every context (randomUUID does not). */
  const newKey = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

  /** Keys this close together are a scanner's; a person's are further apart. */
  const SCANNER_GAP_MS = 40;
  /** The gaps between the last keys of a scan that say who typed it. */
  const SCANNER_KEYS = 8;
  /** An Enter or Tab this soon after a scan ended belongs to that scan's suffix. */
  const SUFFIX_MS = 300;
  const GS = '\x1D';

  const texts = () => document.getElementById('scanner-texts')?.dataset ?? {};
  const fill = (template, params) => Object.entries(params).reduce((text, [k, v]) => text.split(`{{${k}}}`).join(v), template || '');
  const layoutNames = (layouts) => {
    let names = {};
    try {
      names = JSON.parse(texts().layoutNames || '{}');
    } catch {
      names = {};
    }
    return layouts.map((l) => names[l] || l).join(texts().layoutJoin || ' / ');
  };
  const visible = (s) => s.split(GS).join('⟨GS⟩');

  /** A refused reading in words, as the server words it (the catalogs' scan.* texts). */
  const describe = (raw, reading) => {
    if (reading.ok) return '';
    const t = texts();
    if (reading.problem === 'layout') return fill(t.msgLayout, { value: visible(raw.trim()), reading: visible(reading.reading), layouts: layoutNames(reading.layouts) });
    return fill(t.msgCharacters, { value: visible(raw.trim()), chars: reading.chars });
  };
  /** The notice for a scan read through a layout: which one, and what to set. */
  const layoutNotice = (reading) => (reading.ok && reading.layouts ? fill(texts().msgRepaired, { layouts: layoutNames(reading.layouts) }) : '');

  const isTextEntry = (el) =>
    el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement ||
    (el instanceof HTMLInputElement && !['button', 'submit', 'reset', 'checkbox', 'radio', 'file', 'image', 'range', 'color'].includes(el.type)) ||
    (el instanceof HTMLElement && el.isContentEditable);

  const state = new WeakMap();
  const stateOf = (field) => {
    let s = state.get(field);
    if (!s) {
      s = { times: [], endedAt: -Infinity };
      state.set(field, s);
    }
    return s;
  };

  /**
   * Who typed the field's value: the middle gap between its last keys is a scanner's or a person's.
   * The middle one, not every one: a busy computer may hold one key back now and then, but never
   * most of them (a person typing "5*" before a scan leaves the scan's keys in the majority).
   */
  const sourceOf = (field) => {
    const times = stateOf(field).times.slice(-(SCANNER_KEYS + 1));
    const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
    if (gaps.length === 0) return 'manual';
    return gaps[Math.floor((gaps.length - 1) / 2)] <= SCANNER_GAP_MS ? 'scanner' : 'manual';
  };

  const insert = (field, text) => {
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? field.value.length;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.selectionStart = field.selectionEnd = start + text.length;
  };

  /** Takes the field's scan: its text, who typed it and how it reads; the field is emptied. */
  const take = (field, source = sourceOf(field)) => {
    const raw = field.value;
    const s = stateOf(field);
    s.times = [];
    s.endedAt = performance.now();
    field.value = '';
    const reading = window.Rules.readScan(raw, { source, gsSubstitute: field.dataset.gsSubstitute || '' });
    return { raw, source, reading };
  };

  /** What a field does with a scan nobody else handled: say a refusal beside it, or send its form. */
  const defaultAction = (field, detail) => {
    const form = field.form;
    if (!detail.reading.ok) {
      field.value = detail.raw;
      say(field, describe(detail.raw, detail.reading), 'error');
      field.select();
      return;
    }
    field.value = detail.raw;
    const source = form?.querySelector('input[name=source]');
    if (source) source.value = detail.source;
    say(field, layoutNotice(detail.reading), detail.reading.layouts ? 'duplicate' : '');
    // As Enter would: pressed with the form's default button (its name and value go along).
    form?.requestSubmit(form.querySelector('button[type=submit], input[type=submit], button:not([type])') ?? undefined);
  };

  /** A line under the field for what the reader says (made on first use). */
  const say = (field, text, kind) => {
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
    if (kind === 'error') window.ScanSounds?.play('error');
  };

  const end = (field) => {
    const detail = take(field);
    const event = new CustomEvent('scan', { detail, bubbles: true, cancelable: true });
    if (field.dispatchEvent(event)) defaultAction(field, detail);
  };

  const attach = (field) => {
    if (state.has(field) && stateOf(field).attached) return;
    stateOf(field).attached = true;
    field.addEventListener('keydown', (event) => {
      const s = stateOf(field);
      if (event.isComposing) return;
      // GS, as Ctrl+] (the key right of P on a US keyboard, whatever this keyboard prints on it).
      if (event.ctrlKey && !event.altKey && !event.metaKey && (event.code === 'BracketRight' || event.key === ']')) {
        event.preventDefault();
        insert(field, GS);
        s.times.push(event.timeStamp);
        return;
      }
      if ((event.key === 'Enter' || (event.key === 'Tab' && !event.shiftKey)) && !event.ctrlKey && !event.altKey && !event.metaKey) {
        if (field.value.trim() !== '') {
          event.preventDefault();
          end(field);
        } else if (event.timeStamp - s.endedAt < SUFFIX_MS || event.key === 'Enter') {
          // The rest of a scanner's suffix, or an Enter on an empty field: nothing to send.
          event.preventDefault();
        }
        return;
      }
      if (event.key.length === 1 && !event.ctrlKey && !event.metaKey) s.times.push(event.timeStamp);
    });
    // Emptied by hand: the timing starts again.
    field.addEventListener('input', () => {
      if (field.value === '') stateOf(field).times = [];
    });
  };

  /** The page's scan field: the first visible one. */
  const primaryField = () => [...document.querySelectorAll('input[data-scanner]')].find((f) => !f.disabled && f.offsetParent !== null);

  // Keys while no text field has the focus: a scanner's burst goes to the scan field.
  document.addEventListener(
    'keydown',
    (event) => {
      if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
      // A dead key (¨ on a Nordic keyboard, where a US scanner's ] lands) types nothing itself: the
      // next key types it, alone or with its letter ('¨C'). The scan field takes the focus now and
      // the key goes on, so that what it makes lands in the field whole (taking only the next key's
      // name would drop the ¨: ]C0 and an order code would arrive as "C0…", a parcel ID).
      const dead = event.key === 'Dead';
      if (!dead && (event.key.length !== 1 || event.key === ' ')) return;
      if (isTextEntry(document.activeElement)) return;
      const field = primaryField();
      if (!field) return;
      attach(field);
      field.focus();
      if (dead) return;
      event.preventDefault();
      insert(field, event.key);
      stateOf(field).times.push(event.timeStamp);
    },
    true,
  );

  const attachAll = () => document.querySelectorAll('input[data-scanner]').forEach(attach);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', attachAll);
  else attachAll();

  /**
   * A page that handles its field's scans itself: `handler({ raw, source, reading })` gets each scan
   * that ends with Enter or Tab, and what the form's own button sends (read from the field as typed).
   */
  const handle = (field, handler) => {
    field.addEventListener('scan', (event) => {
      event.preventDefault();
      handler(event.detail);
    });
    field.form.addEventListener('submit', (event) => {
      event.preventDefault();
      handler(take(field));
    });
  };

  window.Scanner = { newKey, take, sourceOf, describe, layoutNotice, attach, say, handle };
})();
