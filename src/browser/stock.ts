// Goods in and stock counts: the scan field keeps the focus. A scan ends with Enter or Tab
// (scanner.ts reads it as the server will): that moves to the quantity field (its text selected,
// to key over it) once the server knows the code — an unknown one is said beside the field at once;
// Enter there books the line. A code typed as "12*7350053850019" carries its
// quantity and is booked at once. A scan the reader refuses is said beside the field by scanner.ts.
import { hasKeyedCount } from '../domain/keyed-count.js';
import { layoutNotice, say } from './scanner.js';

const form = document.querySelector('form.scan-form');
const scan = form?.querySelector<HTMLInputElement>('[data-scan]');
if (form && scan) {
  const qty = form.querySelector<HTMLInputElement>('[data-qty]');
  const source = form.querySelector<HTMLInputElement>('input[name=source]');
  const toQuantity = () => {
    qty?.focus();
    qty?.select();
  };
  scan.addEventListener('scan', (e) => {
    const detail = e.detail;
    if (!detail.reading.ok || !qty || hasKeyedCount(detail.raw)) return;
    e.preventDefault();
    scan.value = detail.raw;
    if (source) source.value = detail.source;
    const notice = layoutNotice(detail.reading);
    say(scan, notice || '', notice ? 'duplicate' : '');
    // An unknown code is refused here, before its quantity is keyed; the text stays, selected, to scan again.
    const url = `/tools/stock/code?code=${encodeURIComponent(detail.raw)}&source=${encodeURIComponent(detail.source)}`;
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((res) => res.json() as Promise<{ ok?: boolean; message?: string }>)
      .then((answer) => {
        if (scan.value !== detail.raw) return;
        if (answer.ok) return toQuantity();
        say(scan, answer.message ?? '', 'error');
        scan.focus();
        scan.select();
      })
      // Offline or an error page: the server checks the code when the line is booked.
      .catch(toQuantity);
  });
}
