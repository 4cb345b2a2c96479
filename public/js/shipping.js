// Shipping out: the scan field keeps focus, and every scan and button is sent in the background in
// the order it was made. The page's forms work without this file (each answers with a redirect).
(() => {
  const scanForm = document.getElementById('scan-form');
  if (!scanForm) return;
  const field = document.getElementById('scan-value');
  const status = document.getElementById('scan-status');
  const selected = document.getElementById('scan-selected');
  const queue = [];
  let busy = false;

  const say = (text, kind) => {
    status.textContent = text;
    status.className = `scan-status ${kind || ''}`;
  };
  const focus = () => {
    if (document.activeElement?.closest?.('.partial-form')) return;
    field.focus();
  };

  // The station's new state: the list, the selected order and the message, from the answer page.
  const apply = (html) => {
    const page = new DOMParser().parseFromString(html, 'text/html');
    const fresh = page.getElementById('station');
    if (fresh) document.getElementById('station').replaceWith(fresh);
    selected.value = page.getElementById('scan-selected')?.value ?? selected.value;
    const flash = page.querySelector('.flash');
    if (flash) say(flash.textContent.trim(), flash.classList.contains('flash-error') ? 'error' : 'ok');
    const chosen = document.getElementById(`order-${selected.value}`);
    if (chosen) chosen.scrollIntoView({ block: 'nearest' });
    const report = page.querySelector('#report-form input[name=key]');
    if (report) document.querySelector('#report-form input[name=key]').value = report.value;
  };

  // Forms go one after the other: a parcel scanned right after an order's code goes to that order.
  const send = async (form, fields) => {
    const body = new URLSearchParams(new FormData(form));
    for (const [k, v] of Object.entries(fields || {})) body.set(k, v);
    const res = await fetch(form.action, { method: 'POST', body, credentials: 'same-origin' });
    if (!res.ok && res.status >= 500) throw new Error(`HTTP ${res.status}`);
    apply(await res.text());
  };
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (queue.length) {
      if (queue.length > 1) say(scanForm.dataset.msgQueued.replace('{{count}}', queue.length), '');
      const job = queue[0];
      try {
        await send(job.form, job.fields());
        queue.shift();
      } catch {
        // Nothing is dropped: the scan stays first in line and is sent again.
        say(scanForm.dataset.msgOffline.replace('{{value}}', job.label), 'error');
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    busy = false;
    focus();
  };
  const enqueue = (form, fields, label) => {
    queue.push({ form, fields, label });
    pump();
  };

  const scan = (value, from) => {
    const v = value.trim();
    if (!v) return;
    // `selected` is read when the scan is sent, after the scans before it were answered.
    enqueue(scanForm, () => ({ value: v, source: from, selected: selected.value }), v);
  };
  // A wedge scanner types a whole code within milliseconds; a person takes far longer per key.
  let firstKeyAt = 0;
  field.addEventListener('keydown', (event) => {
    if (field.value.length === 0 && event.key.length === 1) firstKeyAt = performance.now();
  });
  scanForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = field.value;
    field.value = '';
    const perKey = (performance.now() - firstKeyAt) / Math.max(value.length, 1);
    scan(value, perKey < 30 ? 'scanner' : 'manual');
    field.focus();
  });

  // Every other form on the station (select, remove, +, fetch, partial, Report in) in the same line.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (form === scanForm || !(form.closest('#station') || form.id === 'report-form')) return;
    event.preventDefault();
    enqueue(form, () => ({}), form.action);
  });
  document.addEventListener('click', (event) => {
    if (!event.target.closest('input, button, a, summary, label, select, textarea')) focus();
  });

  // The camera (camera.js) feeds the same scan line as the scanner.
  window.StationCamera?.attach({
    button: document.getElementById('camera-open'),
    container: document.getElementById('camera'),
    onCode: (code) => scan(code, 'camera'),
    onError: (text) => say(text, 'error'),
  });
  focus();
})();
