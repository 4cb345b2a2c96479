// The scanner check page: captures one scan of the check sheet at a time, key by key with its
// timing, and asks the server what it says about the scanner (src/domain/scanner-check.ts). A
// scan ends with Enter or Tab, or after a pause when the scanner sends no suffix; the keys that
// follow within a moment (Tab Enter, CR LF) belong to the same suffix (lib/check-keys.ts).
import type { CheckScan, KeyRecord } from '../domain/scanner-check.js';
import { isCheckGsKey, msUntilCheckScanEnds } from './lib/check-keys.js';

const page = document.getElementById('scanner-check');
if (page) {
  const field = document.getElementById('check-field') as HTMLInputElement;
  const status = document.getElementById('check-status')!;
  const findings = document.getElementById('check-findings')!;
  const csrf = document.querySelector<HTMLMetaElement>('meta[name=csrf-token]')!.content;

  let keys: KeyRecord[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = async () => {
    clearTimeout(timer);
    timer = undefined;
    const scan: CheckScan = { keys, text: field.value };
    keys = [];
    field.value = '';
    if (!scan.text) return;
    try {
      const res = await fetch('/scanners/check', {
        method: 'POST',
        credentials: 'same-origin',
        body: new URLSearchParams({ _csrf: csrf, scan: JSON.stringify(scan) }),
      });
      const html = await res.text();
      const tpl = document.createElement('template');
      tpl.innerHTML = html;
      const found = tpl.content.querySelector('.check-finding');
      if (!found) throw new Error(`HTTP ${res.status}`);
      document.getElementById(found.id)?.remove();
      findings.prepend(found);
      status.textContent = found.querySelector('h2, .flash')?.textContent ?? '';
    } catch {
      status.textContent = page.dataset.unreachable ?? '';
    }
  };
  field.addEventListener('keydown', (event) => {
    const key: KeyRecord = { key: event.key, code: event.code, ctrl: event.ctrlKey, t: event.timeStamp };
    keys.push(key);
    if (isCheckGsKey(key)) {
      event.preventDefault();
      field.value += '\x1D'; // GS (not imported from domain/scan-input.ts: this page needs none of the scan reader)
    }
    // Enter or Tab: the rest of a suffix (Tab Enter) may follow; collect it, then read.
    if (event.key === 'Enter' || event.key === 'Tab') event.preventDefault();
    clearTimeout(timer);
    timer = setTimeout(() => void finish(), msUntilCheckScanEnds(key));
  });
}
