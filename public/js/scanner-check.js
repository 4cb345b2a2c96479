// The scanner check page: captures one scan of the check sheet at a time, key by key with its
// timing, and asks the server what it says about the scanner (src/domain/scanner-check.ts). A
// scan ends with Enter or Tab, or after a pause when the scanner sends no suffix; the keys that
// follow within a moment (Tab Enter, CR LF) belong to the same suffix.
(() => {
  const page = document.getElementById('scanner-check');
  if (!page) return;
  const field = document.getElementById('check-field');
  const status = document.getElementById('check-status');
  const findings = document.getElementById('check-findings');
  const csrf = document.querySelector('meta[name=csrf-token]').content;
  /** A scanner without a suffix has finished when no key came for this long. */
  const PAUSE_MS = 400;
  /** Suffix keys this soon after the last character belong to the scan. */
  const SUFFIX_MS = 150;

  let keys = [];
  let timer = null;
  const finish = async () => {
    clearTimeout(timer);
    timer = null;
    const scan = { keys, text: field.value };
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
      status.textContent = page.dataset.unreachable;
    }
  };
  field.addEventListener('keydown', (event) => {
    keys.push({ key: event.key, code: event.code, ctrl: event.ctrlKey, t: event.timeStamp });
    if (event.ctrlKey && (event.code === 'BracketRight' || event.key === ']')) {
      event.preventDefault();
      field.value += '\x1D';
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      // The rest of a suffix (Tab Enter) may follow: collect it, then read.
      clearTimeout(timer);
      timer = setTimeout(finish, SUFFIX_MS);
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(finish, PAUSE_MS);
  });
})();
