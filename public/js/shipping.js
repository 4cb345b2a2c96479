// The packing station. Every form works without this file (each answers with a redirect); with it:
// - every scan and button is sent in the background, in the order made, with `X-Station: fragment`,
//   and the answer (the order card, this station's deliveries, the queue when it changed) replaces
//   those parts of the page: no reload, the scan field keeps focus;
// - function keys and command barcodes press the buttons (each button names its key in
//   aria-keyshortcuts); Esc closes the partial form or puts the order back;
// - a sound and a colour flash say ok, duplicate or error (muted per user in My account);
// - a scan that cannot reach the server stays on this device (IndexedDB), shown as pending, and is
//   sent in order when the connection returns; its key makes a resend count once.
(() => {
  const page = document.getElementById('station-page');
  if (!page) return;
  const scanForm = document.getElementById('scan-form');
  const field = document.getElementById('scan-value');
  const status = document.getElementById('scan-status');
  const pendingList = document.getElementById('pending');
  // A key for each scan and report, so that a resend counts once. crypto.randomUUID() exists only in
  // secure contexts (HTTPS, localhost); a station on the shop's LAN is plain HTTP, so the key is made
  // from getRandomValues, which every context has.
  const newKey = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const msg = (name, params = {}) => Object.entries(params).reduce((text, [k, v]) => text.replace(`{{${k}}}`, v), page.dataset[name] || '');

  // ---- feedback: words, colour, sound ----
  const sound = (kind) => window.ScanSounds?.play(kind);
  const say = (text, kind) => {
    status.textContent = text;
    status.className = `scan-status ${kind === 'ok' ? 'ok' : kind || ''}`;
    page.dataset.feedback = kind || '';
    if (kind) {
      page.classList.remove('flash-ok', 'flash-duplicate', 'flash-error');
      void page.offsetWidth; // restart the animation
      page.classList.add(`flash-${kind}`);
      sound(kind);
    }
  };

  const partialForm = () => document.getElementById('partial');
  const focusScan = () => {
    const partial = partialForm();
    if (partial && !partial.hidden && partial.contains(document.activeElement)) return;
    field.focus();
  };
  const openPartial = () => {
    const partial = partialForm();
    if (!partial) return false;
    partial.hidden = false;
    partial.querySelector('input[type=number]')?.focus();
    partial.querySelector('input[type=number]')?.select();
    return true;
  };
  const closePartial = () => {
    const partial = partialForm();
    if (!partial || partial.hidden) return false;
    partial.hidden = true;
    field.focus();
    return true;
  };
  const printLabel = () => {
    // A network label printer: the label goes there (the answer says printed or why not); else the PDF.
    const printUrl = document.getElementById('current')?.dataset.printUrl;
    if (printUrl) {
      enqueue({ action: printUrl, body: () => new URLSearchParams() });
      return true;
    }
    const url = document.getElementById('current')?.dataset.labelUrl;
    if (!url) return false;
    window.open(url, '_blank', 'noopener');
    return true;
  };

  // ---- the answer: replace what changed ----
  // `refresh`: the periodic state, which carries no message and leaves a takeover offer standing.
  const apply = (html, refresh = false) => {
    const tpl = document.createElement('template');
    tpl.innerHTML = html;
    const update = tpl.content.getElementById('station-update');
    if (!update) return false;
    for (const id of ['current', 'mine', 'queue']) {
      const fresh = update.querySelector(`#${id}`);
      if (fresh) document.getElementById(id)?.replaceWith(fresh);
    }
    if (refresh) return true;
    document.getElementById('takeover')?.remove();
    const takeover = update.querySelector('#takeover');
    if (takeover) status.after(takeover);
    const kind = update.dataset.kind;
    const message = update.querySelector('#scan-message')?.textContent ?? '';
    if (message) say(message, kind);
    if (update.dataset.open === 'partial') openPartial();
    if (update.dataset.open === 'label') printLabel();
    return true;
  };

  // ---- sending, in order ----
  const csrf = scanForm.querySelector('input[name=_csrf]').value;
  const post = async (action, body) => {
    body.set('_csrf', csrf);
    const res = await fetch(action, { method: 'POST', body, credentials: 'same-origin', headers: { 'X-Station': 'fragment' } });
    if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    // A login page or an error page instead of the station's answer: show it as it is.
    if (!apply(text)) document.documentElement.innerHTML = text;
  };

  // Scans are kept in IndexedDB until the server has answered them.
  const store = (() => {
    let dbp = null;
    const open = () =>
      (dbp ||= new Promise((resolve, reject) => {
        const req = indexedDB.open('station', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('scans', { keyPath: 'key' });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      }));
    const run = async (mode, fn) => {
      const db = await open();
      return new Promise((resolve, reject) => {
        const tx = db.transaction('scans', mode);
        const result = fn(tx.objectStore('scans'));
        tx.oncomplete = () => resolve(result?.result);
        tx.onerror = () => reject(tx.error);
      });
    };
    return {
      put: (scan) => run('readwrite', (s) => s.put(scan)).catch(() => undefined),
      remove: (key) => run('readwrite', (s) => s.delete(key)).catch(() => undefined),
      all: () => run('readonly', (s) => s.getAll()).then((rows) => (rows || []).sort((a, b) => a.at - b.at)).catch(() => []),
    };
  })();

  const queue = [];
  let busy = false;
  let offline = false;
  const showPending = () => {
    const scans = queue.filter((job) => job.scan);
    pendingList.hidden = scans.length === 0;
    if (offline && scans.length) status.textContent = msg('msgOffline', { count: scans.length });
    pendingList.replaceChildren(
      ...scans.map((job) => {
        const li = document.createElement('li');
        li.textContent = job.scan.value;
        return li;
      }),
    );
  };
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (queue.length) {
      const job = queue[0];
      if (queue.length > 1) status.textContent = msg('msgQueued', { count: queue.length });
      try {
        await post(job.action, job.body());
        offline = false;
        queue.shift();
        if (job.scan) await store.remove(job.scan.key);
        showPending();
      } catch {
        if (!job.scan) {
          // A button press is not kept: the packer sees it failed and presses again.
          queue.shift();
          say(msg('msgNotSent'), 'error');
          continue;
        }
        // A scan stays first in line, kept on this device, and is sent again.
        if (!offline) say(msg('msgOffline', { count: queue.filter((j) => j.scan).length }), 'error');
        offline = true;
        showPending();
        await new Promise((resolve) => {
          const retry = () => {
            window.removeEventListener('online', retry);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(retry, 3000);
          window.addEventListener('online', retry);
        });
      }
    }
    busy = false;
    focusScan();
  };
  const enqueue = (job) => {
    queue.push(job);
    showPending();
    pump();
  };
  const sendForm = (form, submitter) => {
    // The form as it is now (with the button pressed): the card it belongs to may be replaced before it is sent.
    const body = new URLSearchParams(new FormData(form, submitter?.form === form ? submitter : undefined));
    const action = submitter?.hasAttribute('formaction') ? submitter.formAction : form.action;
    // A report's key is used once: the next Report in is a new one.
    if (form.id === 'report-form') form.querySelector('input[name=key]').value = newKey();
    enqueue({ action, body: () => body });
  };

  const sendScan = (scan) => {
    enqueue({
      action: scanForm.action,
      scan,
      body: () => new URLSearchParams({ value: scan.value, source: scan.source, key: scan.key }),
    });
  };
  const scan = (value, source) => {
    const v = value.trim();
    if (!v) return;
    // Scanning the order another station holds a second time takes it over.
    const takeover = document.getElementById('takeover');
    if (takeover && takeover.dataset.code === v.replace(/[\s-]/g, '')) return sendForm(takeover);
    const command = commandOf(v);
    if (command && runCommand(command)) return;
    const entry = { key: newKey(), value: v, source, at: Date.now() };
    store.put(entry);
    sendScan(entry);
  };

  // ---- commands: keys, buttons and command barcodes ----
  const COMMANDS = { 'REPORT IN': 'F9', 'FETCH PARCEL ID': 'F2', 'NEW PARCEL': 'F3', PARTIAL: 'F4', 'PRINT LABEL': 'F8', CANCEL: 'Escape', 'UNDO CHECK': 'Control+Z', 'SHIP CHECKED': 'Shift+F4' };
  const commandOf = (text) => {
    const words = text.trim().toUpperCase().split(/[\s_-]+/).filter(Boolean).join(' ');
    return Object.keys(COMMANDS).find((c) => c === words);
  };
  // Runs a command here when its button is on the page; false lets the server answer (e.g. "open an order first").
  const runCommand = (command) => {
    if (command === 'CANCEL' && closePartial()) return true;
    if (command === 'PARTIAL') return openPartial();
    if (command === 'PRINT LABEL') return printLabel();
    const button = document.querySelector(`[aria-keyshortcuts="${COMMANDS[command]}"]`);
    const form = button?.closest('form');
    if (!form) return false;
    sendForm(form);
    return true;
  };
  const byKey = Object.fromEntries(Object.entries(COMMANDS).map(([c, k]) => [k, c]));
  // The key as aria-keyshortcuts writes it: "F9", "Shift+F4", "Control+Z".
  const keyName = (event) => `${event.ctrlKey ? 'Control+' : ''}${event.shiftKey ? 'Shift+' : ''}${event.key.length === 1 ? event.key.toUpperCase() : event.key}`;
  document.addEventListener('keydown', (event) => {
    const command = byKey[keyName(event)];
    if (!command || event.altKey || event.metaKey) return;
    // Ctrl+Z in a field with text is the field's own undo.
    if (command === 'UNDO CHECK' && event.target instanceof HTMLInputElement && event.target.value) return;
    // Esc in the partial form cancels it; other keys act anywhere on the station.
    event.preventDefault();
    if (!runCommand(command)) {
      const entry = { key: newKey(), value: command, source: 'manual', at: Date.now() };
      sendScan(entry);
    }
    focusScan();
  });

  // ---- the scan field ----
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

  // Every other form on the station goes the same way, in line with the scans.
  page.addEventListener('submit', (event) => {
    const form = event.target;
    if (form === scanForm || !(form instanceof HTMLFormElement)) return;
    event.preventDefault();
    if (form.id === 'partial') form.hidden = true;
    sendForm(form, event.submitter);
  });
  page.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]');
    if (action?.dataset.action === 'partial') {
      event.preventDefault();
      openPartial();
    }
  });
  document.addEventListener('click', (event) => {
    if (!event.target.closest('input, button, a, summary, label, select, textarea, details')) focusScan();
  });

  // The camera (camera.js) feeds the same scan line as the scanner.
  window.StationCamera?.attach({
    button: document.getElementById('camera-open'),
    container: document.getElementById('camera'),
    onCode: (code) => scan(code, 'camera'),
    onError: (text) => say(text, 'error'),
  });

  // Another device can work as this station (a phone as its camera) and another station can take
  // an order over: while nothing is being sent, the station's state is fetched every 2 s and shown
  // when it changed (the server answers 304 when it did not).
  let shown = '';
  setInterval(async () => {
    const partial = partialForm();
    if (document.hidden || busy || queue.length || (partial && !partial.hidden)) return;
    try {
      const res = await fetch('/shipping/fragment', { credentials: 'same-origin', headers: { 'X-Station': 'fragment' } });
      const text = res.ok ? await res.text() : '';
      if (!text || text === shown || busy || queue.length) return;
      shown = text;
      apply(text, true);
      // A control that was focused may have been replaced: the scan field takes the focus back.
      if (document.activeElement === document.body) focusScan();
    } catch {
      // Offline: the next scan says so.
    }
  }, 2000);

  // Scans left on this device by a page that lost its connection or was closed go first, in order.
  store.all().then((rows) => {
    for (const row of rows) sendScan(row);
  });
  if (new URLSearchParams(location.search).get('open') === 'partial') openPartial();
  else focusScan();
})();
