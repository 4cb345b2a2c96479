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
//   of later answers wait behind it (lib/station-backlog.ts);
// - a takeover is offered, never done by one tap or key: it is confirmed by scanning the code again,
//   OK, or the offer's button pressed on purpose (Enter on it does nothing: a scanner's suffix).
// What a scanner types is read by scanner.ts (Enter or Tab ends it; AIM identifiers, GS and a
// keyboard layout mismatch are read as the server reads them): this file gets its scans.
import { readScan } from '../domain/scan-input.js';
import { COMMAND_KEYS, commandIn, type StationCommand } from '../domain/station-command.js';
import { attachCamera } from './lib/camera.js';
import { formBody } from './lib/form-body.js';
import { orderOpenedBy } from './lib/order-scan.js';
import { playSound } from './lib/sounds.js';
import { Backlog, type BacklogEntry } from './lib/station-backlog.js';
import { commandOfKey, formOpens, intendedOrder, keyName, type Job, type KeptScan } from './lib/station-queue.js';
import { openScanStore } from './lib/scan-store.js';
import { fill } from './lib/template.js';
import { describe, handle, layoutNotice, newKey, type ScanDetail } from './scanner.js';

/** What a station answer says (views/shipping/fragment.ejs, #station-update). */
interface Answer {
  kind: string;
  message: string;
  takeover?: string;
}

/** The session ended (signed out, expired): nothing more is sent until this user signs in again. */
class SignedOut extends Error {}

/** Controls a click may land on without the scan field taking the focus back. */
const CONTROLS = 'input, button, a, summary, label, select, textarea, details';
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T | null;

/** The refusals this tab kept (sessionStorage), or null where storage is refused. */
const storedRefusals = (key: string) => {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
};

const page = byId('station-page');
if (page) station(page);

function station(page: HTMLElement): void {
  const scanForm = byId<HTMLFormElement>('scan-form')!;
  const field = byId<HTMLInputElement>('scan-value')!;
  const status = byId('scan-status')!;
  const pendingList = byId('pending')!;
  const me = { id: Number(page.dataset.userId), name: page.dataset.userName ?? '', station: page.dataset.station ?? '' };
  const msg = (name: string, params: Record<string, string | number> = {}) => fill(page.dataset[name] || '', params);
  const current = () => byId('current');

  // ---- feedback: words, colour, sound ----
  const flash = (kind: string) => {
    page.classList.remove('answer-ok', 'answer-duplicate', 'answer-error');
    void page.offsetWidth; // restart the animation
    // Not flash-*: .flash-error is the flash message's own box, and painted the whole station pink.
    page.classList.add(`answer-${kind}`);
  };
  const say = (text: string, kind: string | undefined) => {
    status.textContent = text;
    status.className = `scan-status ${kind === 'ok' ? 'ok' : kind || ''}`;
    page.dataset.feedback = kind || '';
    if (kind) {
      flash(kind);
      playSound(kind);
    }
  };

  const partialForm = () => byId<HTMLFormElement>('partial');
  const focusScan = () => {
    const partial = partialForm();
    if (partial && !partial.hidden && partial.contains(document.activeElement)) return;
    field.focus();
  };
  const openPartial = () => {
    const partial = partialForm();
    if (!partial) return false;
    partial.hidden = false;
    partial.querySelector<HTMLInputElement>('input[type=number]')?.focus();
    partial.querySelector<HTMLInputElement>('input[type=number]')?.select();
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
    const printUrl = current()?.dataset.printUrl;
    if (printUrl) {
      enqueue({ action: printUrl, body: () => new URLSearchParams() });
      return true;
    }
    const url = current()?.dataset.labelUrl;
    if (!url) return false;
    window.open(url, '_blank', 'noopener');
    return true;
  };

  // ---- the answer: replace what changed ----
  /**
   * The order just opened, brought into view below the scan bar (which stays at the top): on a
   * phone, the queue that was tapped is a screen or more below it.
   */
  const showCurrent = () => {
    const card = current();
    if (!card) return;
    const top = card.getBoundingClientRect().top;
    const bar = scanForm.getBoundingClientRect().bottom;
    if (top < bar || top > window.innerHeight - 80) window.scrollBy({ top: top - bar - 8, behavior: 'instant' });
  };
  // `refresh`: the periodic state, which carries no message and leaves a takeover offer standing.
  // The answer's words are told by the caller (tell), which may keep them behind a refusal.
  const apply = (html: string, refresh = false): Answer | null => {
    const tpl = document.createElement('template');
    tpl.innerHTML = html;
    const update = tpl.content.getElementById('station-update');
    if (!update) return null;
    const before = current()?.dataset.code ?? '';
    for (const id of ['current', 'mine', 'queue']) {
      const fresh = update.querySelector(`#${id}`);
      if (fresh) byId(id)?.replaceWith(fresh);
    }
    if (refresh) return { kind: 'ok', message: '' };
    for (const id of ['takeover', 'undo-remove']) {
      byId(id)?.remove();
      const offer = update.querySelector(`#${id}`);
      if (offer) status.after(offer);
    }
    const opened = current()?.dataset.code ?? '';
    if (opened && opened !== before) showCurrent();
    if (update.dataset.open === 'partial') openPartial();
    if (update.dataset.open === 'label') printLabel();
    return { kind: update.dataset.kind ?? '', message: update.querySelector('#scan-message')?.textContent ?? '', takeover: update.dataset.takeover || '' };
  };

  // ---- refusals: each stays until acknowledged; later answers wait behind it ----
  // The refusals outlive a reload (this tab's sessionStorage); the words waiting behind them do not.
  const refusedBox = byId('refused')!;
  const refusedKey = `station-refused:${me.id}:${me.station}`;
  const backlog = new Backlog(storedRefusals(refusedKey));
  /** The status line, quietly: the words of an answer that waited, or the refusal now first. */
  const show = (text: string, kind: string) => {
    status.textContent = text;
    status.className = `scan-status ${kind || ''}`;
  };
  const showRefused = () => {
    const refusals = backlog.refusals();
    try {
      sessionStorage.setItem(refusedKey, backlog.stored());
    } catch {
      // Private mode: the list lives as long as the page.
    }
    refusedBox.hidden = refusals.length === 0;
    page.classList.toggle('has-refusal', refusals.length > 0);
    refusedBox.querySelector('ul')!.replaceChildren(
      ...refusals.map((r) => {
        const li = document.createElement('li');
        const value = document.createElement('span');
        value.className = 'code';
        value.textContent = r.value;
        const ok = document.createElement('button');
        ok.type = 'button';
        ok.className = 'refused-ok';
        ok.textContent = page.dataset.msgDismiss ?? '';
        ok.addEventListener('click', () => {
          acknowledge(r);
          field.focus();
        });
        li.append(...(r.value ? [value, ' '] : []), r.message, ' ', ok);
        return li;
      }),
    );
    const waiting = backlog.waiting;
    const note = refusedBox.querySelector<HTMLElement>('.refused-waiting')!;
    note.hidden = waiting === 0;
    const form = new Intl.PluralRules(document.documentElement.lang || 'en').select(waiting) === 'one' ? 'msgWaitingOne' : 'msgWaitingOther';
    note.textContent = waiting ? msg(form, { count: waiting }) : '';
  };
  /** A refusal: said at once, with the error tone, and listed until acknowledged. */
  const refuse = (value: string, message: string) => {
    if (backlog.refuse(value, message, Date.now())) say(message, 'error');
    else {
      // Behind another refusal: the tone and the flash say it came; the list shows it.
      playSound('error');
      flash('error');
    }
    showRefused();
  };
  /** An answer's words: said now, or kept behind the refusal shown (no tone: it would sound like all is well). */
  const tell = (message: string, kind: string) => {
    const told = backlog.tell(message, kind);
    if (told === 'say') say(message, kind);
    else if (told === 'kept') showRefused();
  };
  /** What the station is ready for: the open order's parcels (or items, with checks on), else an order code. */
  const readyMessage = () => {
    const card = current();
    const code = card?.dataset.code;
    if (!card || !code) return page.dataset.msgReady ?? '';
    const message = card.querySelector('.check-help') ? page.dataset.msgReadyOrderChecks : page.dataset.msgReadyOrder;
    return fill(message, { code });
  };
  /**
   * Acknowledges a refusal (the first, or the one whose OK was pressed); the words that waited
   * behind it are said in turn, up to the next refusal. False when there was none.
   */
  const acknowledge = (entry?: BacklogEntry) => {
    const done = backlog.acknowledge(entry);
    if (!done) return false;
    const { next, last } = done;
    if (next) show(next.message, 'error');
    else if (last) show(last.message, last.kind);
    else show(readyMessage(), '');
    page.dataset.feedback = next ? 'error' : last?.kind || '';
    showRefused();
    return true;
  };

  // ---- sending, in order ----
  const csrf = scanForm.querySelector<HTMLInputElement>('input[name=_csrf]')!.value;
  const post = async (action: string, body: URLSearchParams): Promise<Answer> => {
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

  // Scans are kept in IndexedDB until the server has answered them (lib/scan-store.ts).
  const store = openScanStore();

  const queue: Job[] = [];
  let busy = false;
  let offline = false;
  let signedOut = false;
  const queueNotice = byId('queue-notice')!;
  const keptScans = () => queue.filter((job) => job.scan).length;
  const showPending = () => {
    const scans = queue.flatMap((job) => (job.scan ? [job.scan] : []));
    pendingList.hidden = scans.length === 0;
    if (offline && scans.length && !backlog.refusalShown) status.textContent = msg('msgOffline', { count: scans.length });
    pendingList.replaceChildren(
      ...scans.map((scan) => {
        const li = document.createElement('li');
        li.textContent = scan.value.split('\x1D').join('⟨GS⟩');
        return li;
      }),
    );
  };
  const showSignedOut = () => {
    queueNotice.hidden = false;
    const words = queueNotice.querySelector('span')!;
    words.textContent = msg('msgSignedOut', { count: keptScans(), name: me.name });
    queueNotice.querySelector('a')!.hidden = false;
    say(words.textContent, 'error');
  };
  /** Until the connection is back (the browser says so) or 3 s have passed. */
  const waitToRetry = () =>
    new Promise<void>((resolve) => {
      const retry = () => {
        window.removeEventListener('online', retry);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(retry, 3000);
      window.addEventListener('online', retry);
    });
  const pump = async () => {
    if (signedOut) {
      // Nothing is sent until this user signs in again. A scan made meanwhile waits with the others
      // and is said so (the count goes up, with the error tone); a button press is not kept.
      for (let i = queue.length - 1; i >= 0; i--) if (!queue[i]!.scan) queue.splice(i, 1);
      showPending();
      showSignedOut();
      return;
    }
    if (busy) return;
    busy = true;
    while (queue.length) {
      const job = queue[0]!;
      if (queue.length > 1 && !backlog.refusalShown) status.textContent = msg('msgQueued', { count: queue.length });
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
        if (!offline) tell(msg('msgOffline', { count: keptScans() }), 'error');
        offline = true;
        showPending();
        await waitToRetry();
      }
    }
    busy = false;
    focusScan();
  };
  const enqueue = (job: Job) => {
    queue.push(job);
    showPending();
    void pump();
  };

  /** The order a scan made now is for (lib/station-queue.ts). */
  const orderForScan = () => intendedOrder(queue, current()?.dataset.code ?? '');
  const gsSubstitute = () => field.dataset.gsSubstitute || '';
  const sendForm = (form: HTMLFormElement, submitter?: HTMLElement | null) => {
    // The form as it is now (with the button pressed): the card it belongs to may be replaced before it is sent.
    const pressed = submitter instanceof HTMLButtonElement || submitter instanceof HTMLInputElement ? submitter : null;
    const body = formBody(form, pressed?.form === form ? pressed : undefined);
    const action = pressed?.hasAttribute('formaction') ? pressed.formAction : form.action;
    // A report's key is used once: the next Report in is a new one.
    if (form.id === 'report-form') form.querySelector<HTMLInputElement>('input[name=key]')!.value = newKey();
    enqueue({ action, body: () => body, opens: formOpens(new URL(action, location.href).pathname, body, gsSubstitute()) });
  };

  const sendScan = (scan: KeptScan) => {
    enqueue({
      action: scanForm.action,
      scan,
      opens: orderOpenedBy(scan.value, scan.source, gsSubstitute()),
      body: () =>
        new URLSearchParams({ value: scan.value, source: scan.source, key: scan.key, order: scan.order, user: String(scan.user), station: scan.station }),
    });
  };
  const keptScan = (value: string, source: KeptScan['source']): KeptScan => ({
    key: newKey(),
    value,
    source,
    at: Date.now(),
    user: me.id,
    userName: me.name,
    station: me.station,
    order: orderForScan(),
  });

  // ---- commands: keys, buttons and command barcodes ----
  const offer = () => byId<HTMLFormElement>('takeover');
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
  // Runs a command here when its button is on the page; false lets the server answer (e.g. "open an order first").
  const runCommand = (command: StationCommand): boolean => {
    // OK: the first refusal is acknowledged, else the takeover offered is confirmed; it sends nothing.
    if (command === 'OK') {
      if (!acknowledge() && !confirmTakeover()) show(readyMessage(), '');
      return true;
    }
    if (command === 'CANCEL' && (closePartial() || dropOffer())) return true;
    if (command === 'PARTIAL') return openPartial();
    if (command === 'PRINT LABEL') return printLabel();
    const button = document.querySelector(`[aria-keyshortcuts="${COMMAND_KEYS[command]}"]`);
    const form = button?.closest('form');
    if (!form) return false;
    sendForm(form);
    return true;
  };

  let noticeShown = false;
  /** One scan, as scanner.ts read it (raw text, who typed it, the reading). */
  const scan = ({ raw, source, reading }: ScanDetail) => {
    if (!raw.trim()) return;
    // Scanning the order another station holds a second time takes it over.
    const takeover = offer();
    if (takeover && reading.ok && takeover.dataset.code === reading.value.replace(/[\s-]/g, '')) {
      confirmTakeover();
      return;
    }
    const command = commandIn(raw, source);
    if (command && runCommand(command)) return;
    if (!reading.ok) {
      // Refused here, as the server would: nothing is sent or kept.
      refuse(raw.trim(), describe(raw, reading));
      return;
    }
    // Read through a keyboard layout: said once, with what to set.
    if (reading.layouts && !noticeShown) {
      noticeShown = true;
      const notice = byId('layout-notice')!;
      notice.textContent = layoutNotice(reading);
      notice.hidden = false;
    }
    const entry = keptScan(raw, source);
    void store.put(entry);
    sendScan(entry);
  };

  document.addEventListener('keydown', (event) => {
    const command = commandOfKey(keyName(event));
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
    if (!runCommand(command)) sendScan(keptScan(command, 'manual'));
    focusScan();
  });

  // ---- the scan field ----
  // scanner.ts ends a scan on Enter or Tab and says who typed it; the Scan button sends what is typed.
  handle(field, (detail) => {
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
    const action = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-action]') : null;
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
    if (!(event.target instanceof Element && event.target.closest(CONTROLS))) focusScan();
  });

  // The camera (lib/camera.ts) feeds the same scan line as the scanner. It needs a secure context
  // (HTTPS): on the LAN's plain HTTP the page says where the camera works instead.
  attachCamera({
    button: byId<HTMLButtonElement>('camera-open'),
    container: byId('camera'),
    onCode: (code) => scan({ raw: code, source: 'camera', reading: readScan(code, { source: 'camera' }) }),
    onError: (text) => say(text, 'error'),
  });

  // Another device can work as this station (a phone as its camera) and another station can take
  // an order over: while nothing is being sent, the station's state is fetched every 2 s and shown
  // when it changed (the server answers 304 when it did not).
  let shown = '';
  let shownTag = '';
  const poll = async () => {
    const partial = partialForm();
    if (document.hidden || busy || signedOut || queue.length || (partial && !partial.hidden)) return;
    try {
      // Not kept by the browser (no-store: it names customers): the page sends the ETag of what it shows.
      const res = await fetch('/shipping/fragment', {
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'X-Station': 'fragment', ...(shownTag && { 'If-None-Match': shownTag }) },
      });
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
  };
  setInterval(() => void poll(), 2000);

  // Scans left on this device by a page that lost its connection or was closed go first, in order:
  // this user's at this station. Anyone else's wait for them, counted here.
  void store.all().then((rows) => {
    const others = new Map<string, number>();
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
  const firstRefusal = backlog.refusals()[0];
  if (firstRefusal) show(firstRefusal.message, 'error');
  if (new URLSearchParams(location.search).get('open') === 'partial') openPartial();
  else focusScan();
}
