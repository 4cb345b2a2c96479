// The packing station. Every form works without this file (each answers with a redirect); with it:
// - every scan and button is sent in the background, in the order made, with `X-Station: fragment`,
//   and the answer (the order card, this station's deliveries, the queue when it changed) replaces
//   those parts of the page: no reload, the scan field keeps focus;
// - function keys and command barcodes press the buttons (each button names its key in
//   aria-keyshortcuts); Esc closes the partial form or puts the order back;
// - a sound and a colour flash say ok, duplicate or error (muted per user in My account);
// - a scan that cannot reach the server stays on this device (IndexedDB), shown as pending, and is
//   sent in order when the connection returns; its key makes a resend count once. Each kept scan
//   carries its user, its station and the order open when it was made: it is sent only in that
//   user's session at that station, and the server refuses it for any other order. A signed-out
//   session keeps the queue and asks that user to sign in again;
// - every refusal stays until it is acknowledged (its OK, Ctrl+Enter or the OK barcode): the words
//   of later answers wait behind it (the order card still shows what they did), so the next scan's
//   "Checked" never hides a "Put it back";
// - a takeover is offered, never done by one tap or key: it is confirmed by scanning the code again,
//   OK, or the offer's button pressed on purpose (Enter on it does nothing: a scanner's suffix).
// What a scanner types is read by scanner.js (Enter or Tab ends it; AIM identifiers, GS and a
// keyboard layout mismatch are read as the server reads them): this file gets its `scan` events.
(() => {
  const page = document.getElementById('station-page');
  if (!page) return;
  const scanForm = document.getElementById('scan-form');
  const field = document.getElementById('scan-value');
  const status = document.getElementById('scan-status');
  const pendingList = document.getElementById('pending');
  // A key for each scan and report, so that a resend counts once (from getRandomValues: the station
  // is served on plain HTTP on the LAN, where crypto.randomUUID does not exist).
  const newKey = window.Scanner.newKey;
  const me = { id: Number(page.dataset.userId), name: page.dataset.userName, station: page.dataset.station };
  const msg = (name, params = {}) => Object.entries(params).reduce((text, [k, v]) => text.replace(`{{${k}}}`, v), page.dataset[name] || '');

  // ---- feedback: words, colour, sound ----
  const sound = (kind) => window.ScanSounds?.play(kind);
  const say = (text, kind) => {
    status.textContent = text;
    status.className = `scan-status ${kind === 'ok' ? 'ok' : kind || ''}`;
    page.dataset.feedback = kind || '';
    if (kind) {
      page.classList.remove('answer-ok', 'answer-duplicate', 'answer-error');
      void page.offsetWidth; // restart the animation
      // Not flash-*: .flash-error is the flash message's own box, and painted the whole station pink.
      page.classList.add(`answer-${kind}`);
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
  // The answer's words are told by the caller (tell), which may keep them behind a refusal.
  const apply = (html, refresh = false) => {
    const tpl = document.createElement('template');
    tpl.innerHTML = html;
    const update = tpl.content.getElementById('station-update');
    if (!update) return null;
    const before = document.getElementById('current')?.dataset.code ?? '';
    for (const id of ['current', 'mine', 'queue']) {
      const fresh = update.querySelector(`#${id}`);
      if (fresh) document.getElementById(id)?.replaceWith(fresh);
    }
    if (refresh) return { kind: 'ok', message: '' };
    for (const id of ['takeover', 'undo-remove']) {
      document.getElementById(id)?.remove();
      const offer = update.querySelector(`#${id}`);
      if (offer) status.after(offer);
    }
    const opened = document.getElementById('current')?.dataset.code ?? '';
    if (opened && opened !== before) showCurrent();
    if (update.dataset.open === 'partial') openPartial();
    if (update.dataset.open === 'label') printLabel();
    return { kind: update.dataset.kind, message: update.querySelector('#scan-message')?.textContent ?? '', takeover: update.dataset.takeover || '' };
  };

  /**
   * The order just opened, brought into view below the scan bar (which stays at the top): on a
   * phone, the queue that was tapped is a screen or more below it.
   */
  const showCurrent = () => {
    const card = document.getElementById('current');
    if (!card) return;
    const top = card.getBoundingClientRect().top;
    const bar = scanForm.getBoundingClientRect().bottom;
    if (top < bar || top > window.innerHeight - 80) window.scrollBy({ top: top - bar - 8, behavior: 'instant' });
  };

  // ---- refusals: each stays until acknowledged; later answers wait behind it ----
  // The backlog, oldest first: refusals ({ refusal: true, value, message }) and the answers that
  // came after one ({ message, kind }). The refusals outlive a reload (this tab's sessionStorage);
  // the words waiting behind them do not (the card shows what those scans did).
  const refusedBox = document.getElementById('refused');
  const refusedKey = `station-refused:${me.id}:${me.station}`;
  const backlog = (() => {
    try {
      return JSON.parse(sessionStorage.getItem(refusedKey) || '[]').map((r) => ({ ...r, refusal: true }));
    } catch {
      return [];
    }
  })();
  const refusalShown = () => backlog.some((e) => e.refusal);
  /** The status line, quietly: the words of an answer that waited, or the refusal now first. */
  const show = (text, kind) => {
    status.textContent = text;
    status.className = `scan-status ${kind || ''}`;
  };
  const showRefused = () => {
    const refusals = backlog.filter((e) => e.refusal);
    try {
      sessionStorage.setItem(refusedKey, JSON.stringify(refusals.map(({ value, message, at }) => ({ value, message, at }))));
    } catch {
      // Private mode: the list lives as long as the page.
    }
    refusedBox.hidden = refusals.length === 0;
    page.classList.toggle('has-refusal', refusals.length > 0);
    refusedBox.querySelector('ul').replaceChildren(
      ...refusals.map((r) => {
        const li = document.createElement('li');
        const value = document.createElement('span');
        value.className = 'code';
        value.textContent = r.value;
        const ok = document.createElement('button');
        ok.type = 'button';
        ok.className = 'refused-ok';
        ok.textContent = page.dataset.msgDismiss;
        ok.addEventListener('click', () => {
          acknowledge(r);
          field.focus();
        });
        li.append(...(r.value ? [value, ' '] : []), r.message, ' ', ok);
        return li;
      }),
    );
    const waiting = backlog.filter((e) => !e.refusal).length;
    const note = refusedBox.querySelector('.refused-waiting');
    note.hidden = waiting === 0;
    const form = new Intl.PluralRules(document.documentElement.lang || 'en').select(waiting) === 'one' ? 'msgWaitingOne' : 'msgWaitingOther';
    note.textContent = waiting ? msg(form, { count: waiting }) : '';
  };
  /** A refusal: said at once, with the error tone, and listed until acknowledged. */
  const refuse = (value, message) => {
    const first = !refusalShown();
    backlog.push({ refusal: true, value: value.split('\x1D').join('⟨GS⟩'), message, at: Date.now() });
    // A runaway: the oldest words waiting go first, then the oldest refusals (never the one shown).
    while (backlog.length > 50) {
      const words = backlog.findIndex((e) => !e.refusal);
      backlog.splice(words >= 0 ? words : 1, 1);
    }
    if (first) say(message, 'error');
    else {
      // Behind another refusal: the tone and the flash say it came; the list shows it.
      sound('error');
      page.classList.remove('answer-ok', 'answer-duplicate', 'answer-error');
      void page.offsetWidth;
      page.classList.add('answer-error');
    }
    showRefused();
  };
  /** An answer's words: said now, or kept behind the refusal shown (no tone: it would sound like all is well). */
  const tell = (message, kind) => {
    if (!message) return;
    if (!refusalShown()) return say(message, kind);
    backlog.push({ message, kind });
    showRefused();
  };
  /** What the station is ready for: the open order's parcels (or items, with checks on), else an order code. */
  const readyMessage = () => {
    const current = document.getElementById('current');
    const code = current?.dataset.code;
    if (!code) return page.dataset.msgReady;
    const message = current.querySelector('.check-help') ? page.dataset.msgReadyOrderChecks : page.dataset.msgReadyOrder;
    return message.replace('{{code}}', code);
  };
  /**
   * Acknowledges a refusal (the first, or the one whose OK was pressed); the words that waited
   * behind it are said in turn, up to the next refusal. False when there was none.
   */
  const acknowledge = (entry = backlog.find((e) => e.refusal)) => {
    const at = backlog.indexOf(entry);
    if (at < 0) return false;
    backlog.splice(at, 1);
    let last = null;
    while (backlog.length && !backlog[0].refusal) last = backlog.shift();
    const next = backlog.find((e) => e.refusal);
    if (next) show(next.message, 'error');
    else if (last) show(last.message, last.kind);
    else show(readyMessage(), '');
    page.dataset.feedback = next ? 'error' : last?.kind || '';
    showRefused();
    return true;
  };

  // ---- sending, in order ----
  let csrf = scanForm.querySelector('input[name=_csrf]').value;
  /** The session ended (signed out, expired): nothing more is sent until this user signs in again. */
  class SignedOut extends Error {}
  const post = async (action, body) => {
    body.set('_csrf', csrf);
    const res = await fetch(action, { method: 'POST', body, credentials: 'same-origin', headers: { 'X-Station': 'fragment' } });
    if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    const answer = apply(text);
    if (answer) return answer;
    // Not the station's answer: the login page (signed out), or "this form has expired".
    const signedOut = res.status === 401 || res.status === 403 || (res.redirected && new URL(res.url).pathname === '/login');
    if (signedOut) throw new SignedOut();
    const title = new DOMParser().parseFromString(text, 'text/html').querySelector('main h1, title')?.textContent?.trim();
    return { kind: 'error', message: title || `${res.status} ${res.statusText}` };
  };

  // Scans are kept in IndexedDB until the server has answered them. Version 2 keeps whose they are:
  // scans of version 1 name no user and are not sent under anyone's.
  const store = (() => {
    let dbp = null;
    const open = () =>
      (dbp ||= new Promise((resolve, reject) => {
        const req = indexedDB.open('station', 2);
        req.onupgradeneeded = (event) => {
          if (event.oldVersion >= 1) req.result.deleteObjectStore('scans');
          req.result.createObjectStore('scans', { keyPath: 'key' });
        };
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
  let signedOut = false;
  const queueNotice = document.getElementById('queue-notice');
  const showPending = () => {
    const scans = queue.filter((job) => job.scan);
    pendingList.hidden = scans.length === 0;
    if (offline && scans.length && !refusalShown()) status.textContent = msg('msgOffline', { count: scans.length });
    pendingList.replaceChildren(
      ...scans.map((job) => {
        const li = document.createElement('li');
        li.textContent = job.scan.value.split('\x1D').join('⟨GS⟩');
        return li;
      }),
    );
  };
  const showSignedOut = () => {
    queueNotice.hidden = false;
    queueNotice.querySelector('span').textContent = msg('msgSignedOut', { count: queue.filter((j) => j.scan).length, name: me.name });
    queueNotice.querySelector('a').hidden = false;
    say(queueNotice.querySelector('span').textContent, 'error');
  };
  const pump = async () => {
    if (signedOut) {
      // Nothing is sent until this user signs in again. A scan made meanwhile waits with the others
      // and is said so (the count goes up, with the error tone); a button press is not kept.
      for (let i = queue.length - 1; i >= 0; i--) if (!queue[i].scan) queue.splice(i, 1);
      showPending();
      showSignedOut();
      return;
    }
    if (busy) return;
    busy = true;
    while (queue.length) {
      const job = queue[0];
      if (queue.length > 1 && !refusalShown()) status.textContent = msg('msgQueued', { count: queue.length });
      try {
        const answer = await post(job.action, job.body());
        offline = false;
        queue.shift();
        if (job.scan) await store.remove(job.scan.key);
        // A refusal stays until acknowledged; an offer to take over is a question, not a refusal.
        if (answer.kind === 'error' && !answer.takeover) refuse(job.scan?.value ?? '', answer.message);
        else tell(answer.message, answer.kind);
        showPending();
      } catch (err) {
        if (err instanceof SignedOut) {
          // Kept, scans and all: they go when this user is back (the page reloads after signing in).
          signedOut = true;
          offline = false;
          if (!job.scan) queue.shift();
          showPending();
          showSignedOut();
          break;
        }
        if (!job.scan) {
          // A button press is not kept: the packer sees it failed and presses again.
          queue.shift();
          refuse('', msg('msgNotSent'));
          continue;
        }
        // A scan stays first in line, kept on this device, and is sent again.
        if (!offline) tell(msg('msgOffline', { count: queue.filter((j) => j.scan).length }), 'error');
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

  /**
   * The order a scan made now is for: the one the last waiting job opens or closes, else the one
   * open on the page. The server refuses the scan for any other (a takeover or a Report in may
   * come between an outage and its end).
   */
  const intendedOrder = () => {
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i].opens !== undefined) return queue[i].opens;
    return document.getElementById('current')?.dataset.code ?? '';
  };
  /**
   * The order a scan opens, read as the server reads it (scanners/read.ts: AIM identifier, keyboard
   * layout, GS substitute), or undefined: `]C0` and an order code, or an order code a US scanner
   * typed on AZERTY, opens that order as surely as the plain code does.
   */
  const orderOpenedBy = (value, source) => {
    const reading = window.Rules.readScan(value, { source, gsSubstitute: source === 'scanner' ? field.dataset.gsSubstitute || '' : '' });
    if (!reading.ok || reading.gs1) return undefined;
    const code = window.Rules.readOrderCode(reading.value);
    return code.kind === 'valid' ? code.code : undefined;
  };
  /** What a form does to the open order: '' closes it, a code opens it, undefined leaves it. */
  const formOpens = (action, body) => {
    const path = new URL(action, location.href).pathname;
    if (path === '/shipping/release' || path === '/shipping/report') return '';
    const takeOver = /^\/shipping\/orders\/(\d+)\/take-over$/.exec(path);
    if (takeOver) return takeOver[1];
    if (path === '/shipping/scan') return orderOpenedBy(body.get('value') || '', body.get('source') || 'scanner');
    return undefined;
  };
  const sendForm = (form, submitter) => {
    // The form as it is now (with the button pressed): the card it belongs to may be replaced before it is sent.
    const body = new URLSearchParams(new FormData(form, submitter?.form === form ? submitter : undefined));
    const action = submitter?.hasAttribute('formaction') ? submitter.formAction : form.action;
    // A report's key is used once: the next Report in is a new one.
    if (form.id === 'report-form') form.querySelector('input[name=key]').value = newKey();
    enqueue({ action, body: () => body, opens: formOpens(action, body) });
  };

  const sendScan = (scan) => {
    const opens = orderOpenedBy(scan.value, scan.source);
    enqueue({
      action: scanForm.action,
      scan,
      opens,
      body: () => new URLSearchParams({ value: scan.value, source: scan.source, key: scan.key, order: scan.order, user: String(scan.user), station: scan.station }),
    });
  };

  let noticeShown = false;
  /** One scan, as scanner.js read it (raw text, who typed it, the reading). */
  const scan = ({ raw, source, reading }) => {
    if (!raw.trim()) return;
    // Scanning the order another station holds a second time takes it over.
    const takeover = offer();
    if (takeover && reading.ok && takeover.dataset.code === reading.value.replace(/[\s-]/g, '')) return confirmTakeover();
    const command = window.Rules.commandIn(raw, source);
    if (command && runCommand(command)) return;
    if (!reading.ok) {
      // Refused here, as the server would: nothing is sent or kept.
      refuse(raw.trim(), window.Scanner.describe(raw, reading));
      return;
    }
    // Read through a keyboard layout: said once, with what to set.
    if (reading.layouts && !noticeShown) {
      noticeShown = true;
      const notice = document.getElementById('layout-notice');
      notice.textContent = window.Scanner.layoutNotice(reading);
      notice.hidden = false;
    }
    const entry = { key: newKey(), value: raw, source, at: Date.now(), user: me.id, userName: me.name, station: me.station, order: intendedOrder() };
    store.put(entry);
    sendScan(entry);
  };

  // ---- commands: keys, buttons and command barcodes ----
  const COMMANDS = window.Rules.COMMAND_KEYS;
  // Runs a command here when its button is on the page; false lets the server answer (e.g. "open an order first").
  const runCommand = (command) => {
    // OK: the first refusal is acknowledged, else the takeover offered is confirmed; it sends nothing.
    if (command === 'OK') {
      if (!acknowledge() && !confirmTakeover()) show(readyMessage(), '');
      return true;
    }
    if (command === 'CANCEL' && (closePartial() || dropOffer())) return true;
    if (command === 'PARTIAL') return openPartial();
    if (command === 'PRINT LABEL') return printLabel();
    const button = document.querySelector(`[aria-keyshortcuts="${COMMANDS[command]}"]`);
    const form = button?.closest('form');
    if (!form) return false;
    sendForm(form);
    return true;
  };
  const offer = () => document.getElementById('takeover');
  const confirmTakeover = () => {
    const form = offer();
    if (!form) return false;
    form.remove();
    sendForm(form);
    return true;
  };
  /** "Leave it there": the offer goes, nothing is sent. */
  const dropOffer = () => {
    const form = offer();
    if (!form) return false;
    form.remove();
    field.focus();
    return true;
  };
  const byKey = Object.fromEntries(Object.entries(COMMANDS).map(([c, k]) => [k, c]));
  // The key as aria-keyshortcuts writes it: "F9", "Shift+F4", "Control+Z".
  const keyName = (event) => `${event.ctrlKey ? 'Control+' : ''}${event.shiftKey ? 'Shift+' : ''}${event.key.length === 1 ? event.key.toUpperCase() : event.key}`;
  document.addEventListener('keydown', (event) => {
    const command = byKey[keyName(event)];
    if (!command || event.altKey || event.metaKey || event.defaultPrevented) return;
    // One press, one command: a key held down does not acknowledge the next refusal or confirm a takeover.
    if (event.repeat) {
      event.preventDefault();
      return;
    }
    // Ctrl+Z in a field with text is the field's own undo.
    if (command === 'UNDO CHECK' && event.target instanceof HTMLInputElement && event.target.value) return;
    // Esc in the partial form cancels it; other keys act anywhere on the station.
    event.preventDefault();
    if (!runCommand(command)) {
      const entry = { key: newKey(), value: command, source: 'manual', at: Date.now(), user: me.id, userName: me.name, station: me.station, order: intendedOrder() };
      sendScan(entry);
    }
    focusScan();
  });

  // ---- the scan field ----
  // scanner.js ends a scan on Enter or Tab and says who typed it; the Scan button sends what is typed.
  window.Scanner.handle(field, (detail) => {
    scan(detail);
    field.focus();
  });

  // Enter on the takeover's button does nothing: a scanner's suffix is an Enter, and the button may
  // have the focus. A tap, a click, Space, Ctrl+Enter or the OK barcode confirm it.
  page.addEventListener(
    'keydown',
    (event) => {
      if (event.key === 'Enter' && !event.ctrlKey && event.target instanceof Element && event.target.closest('.takeover-confirm')) event.preventDefault();
    },
    true,
  );

  // Every other form on the station goes the same way, in line with the scans.
  page.addEventListener('submit', (event) => {
    const form = event.target;
    if (form === scanForm || !(form instanceof HTMLFormElement)) return;
    event.preventDefault();
    if (form.id === 'partial') form.hidden = true;
    if (form.id === 'undo-remove' || form.id === 'takeover') form.remove();
    sendForm(form, event.submitter);
  });
  page.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]');
    if (action?.dataset.action === 'partial') {
      event.preventDefault();
      openPartial();
    }
    if (action?.dataset.action === 'keep') {
      event.preventDefault();
      dropOffer();
    }
  });
  document.addEventListener('click', (event) => {
    if (!event.target.closest('input, button, a, summary, label, select, textarea, details')) focusScan();
  });

  // The camera (camera.js) feeds the same scan line as the scanner. It needs a secure context
  // (HTTPS): on the LAN's plain HTTP the page says where the camera works instead.
  window.StationCamera?.attach({
    button: document.getElementById('camera-open'),
    container: document.getElementById('camera'),
    onCode: (code) => scan({ raw: code, source: 'camera', reading: window.Rules.readScan(code, { source: 'camera' }) }),
    onError: (text) => say(text, 'error'),
  });

  // Another device can work as this station (a phone as its camera) and another station can take
  // an order over: while nothing is being sent, the station's state is fetched every 2 s and shown
  // when it changed (the server answers 304 when it did not).
  let shown = '';
  let shownTag = '';
  setInterval(async () => {
    const partial = partialForm();
    if (document.hidden || busy || signedOut || queue.length || (partial && !partial.hidden)) return;
    try {
      // Not kept by the browser (no-store: it names customers): the page sends the ETag of what it shows.
      const res = await fetch('/shipping/fragment', { credentials: 'same-origin', cache: 'no-store', headers: { 'X-Station': 'fragment', ...(shownTag && { 'If-None-Match': shownTag }) } });
      if (res.status === 304) return;
      const text = res.ok ? await res.text() : '';
      if (!text || text === shown || busy || queue.length) return;
      shown = text;
      shownTag = res.headers.get('ETag') ?? '';
      apply(text, true);
      // A control that was focused may have been replaced: the scan field takes the focus back.
      if (document.activeElement === document.body) focusScan();
    } catch {
      // Offline: the next scan says so.
    }
  }, 2000);

  // Scans left on this device by a page that lost its connection or was closed go first, in order:
  // this user's at this station. Anyone else's wait for them, counted here.
  store.all().then((rows) => {
    const others = new Map();
    for (const row of rows) {
      if (row.user === me.id && row.station === me.station) sendScan(row);
      else {
        const who = row.station === me.station ? row.userName : `${row.userName} (${row.station})`;
        others.set(who, (others.get(who) || 0) + 1);
      }
    }
    if (others.size) {
      const note = document.createElement('p');
      note.className = 'muted others-waiting';
      note.textContent = [...others].map(([name, count]) => msg('msgOthersWaiting', { count, name })).join(' ');
      pendingList.before(note);
    }
  });
  showRefused();
  // Refusals kept from before a reload are said again: the first one is what the status line shows.
  const firstRefusal = backlog.find((e) => e.refusal);
  if (firstRefusal) show(firstRefusal.message, 'error');
  if (new URLSearchParams(location.search).get('open') === 'partial') openPartial();
  else focusScan();
})();
