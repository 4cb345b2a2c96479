// Outbound. The page works without this file (Print posts and is redirected to the PDF's address, a
// refusal comes back as the page with its message; the verify view's forms answer with redirects).
// With it:
// - orders are selected by scanning their code;
// - Print is checked in the background: a refusal shows here, next to the list, with the selection
//   kept; otherwise the PDF opens in a new tab at its own GET address (reloading that tab prints
//   again, recorded as a reprint), and the printed markers are fetched again;
// - the verify view sends each scan in the background and shows the answer in place, with a sound;
//   an order a packing station holds shows where it is and a "Take over" form (posted the plain way).
import { formBody } from './lib/form-body.js';
import { orderCodeOfScan } from './lib/order-scan.js';
import { playSound } from './lib/sounds.js';
import { fill } from './lib/template.js';
import { describe, handle, layoutNotice, type ScanDetail } from './scanner.js';

/** A link the server names with a refusal (who may release a held order). */
interface Link {
  href: string;
  text: string;
}

const isJson = (res: Response) => (res.headers.get('Content-Type') ?? '').includes('json');
const linkTo = (l: Link) => {
  const a = document.createElement('a');
  a.href = l.href;
  a.textContent = l.text;
  return a;
};
/** Controls a click may land on without the scan field taking the focus back. */
const CONTROLS = 'input, button, a, summary, label, select, textarea, details';

function printList(): void {
  const form = document.getElementById('outbound-print') as HTMLFormElement | null;
  if (!form) return;
  const boxes = () => [...form.querySelectorAll<HTMLInputElement>('input[type=checkbox][name=orders]')];
  const count = form.querySelector<HTMLElement>('.selected-count')!;
  const updateCount = () => {
    const n = boxes().filter((b) => b.checked).length;
    count.textContent = n ? fill(count.dataset.template, { count: n }) : '';
  };
  form.addEventListener('change', updateCount);
  updateCount();

  // A scan (scanner.ts: Enter or Tab ends it, read as the server reads it) ticks that order and
  // stays in the field; the Enter of a plain form does the same for a code typed by hand.
  const scan = document.getElementById('outbound-scan')!;
  const field = document.getElementById('outbound-scan-code') as HTMLInputElement;
  const status = scan.querySelector<HTMLElement>('.scan-status')!;
  const flash = document.getElementById('outbound-error')!;

  // No box for the code (an order on hold has none, a waiting one is not listed): the server says
  // why, in the reader's words (who can release it; a link only for who may open the page).
  const explain = async (code: string) => {
    try {
      const res = await fetch(`${field.dataset.whyUrl}?code=${encodeURIComponent(code)}`, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      if (!res.ok || !isJson(res)) return;
      const body = (await res.json()) as { message?: unknown; links?: Link[] };
      if (typeof body.message !== 'string') return;
      const parts: Node[] = [document.createTextNode(body.message)];
      for (const l of body.links ?? []) parts.push(document.createTextNode(' '), linkTo(l));
      status.replaceChildren(...parts);
    } catch {
      // Unreachable: "not in this list" stays.
    }
  };

  const select = ({ raw, reading }: ScanDetail) => {
    field.focus();
    if (!raw.trim()) return;
    if (!reading.ok) {
      status.textContent = describe(raw, reading);
      status.className = 'scan-status error';
      playSound('error');
      return;
    }
    const code = orderCodeOfScan(reading.value);
    const box = boxes().find((b) => b.value === code);
    if (box) {
      box.checked = true;
      box.closest('tr')?.scrollIntoView({ block: 'nearest' });
      updateCount();
    }
    const notice = box ? layoutNotice(reading) : '';
    status.textContent = `${fill(box ? field.dataset.msgOk : field.dataset.msgUnknown, { code })}${notice ? ` ${notice}` : ''}`;
    status.className = `scan-status ${box ? 'ok' : 'error'}`;
    playSound(box ? 'ok' : 'error');
    if (!box) void explain(code);
  };
  handle(field, select);

  // A refusal shows beside Print and in the page's flash (an alert for a screen reader).
  const printError = form.querySelector<HTMLElement>('.print-error')!;
  const showError = (text: string, links: Link[] = []) => {
    for (const el of [flash, printError]) {
      el.textContent = text;
      el.hidden = !text;
    }
    // A hold refusal names the pages that release it, for a reader who may open them.
    for (const l of links) flash.append(' ', linkTo(l));
  };

  const refreshMarkers = async () => {
    const res = await fetch(window.location.pathname, { credentials: 'same-origin' });
    if (!res.ok) return;
    const page = new DOMParser().parseFromString(await res.text(), 'text/html');
    for (const row of page.querySelectorAll<HTMLElement>('tr[data-code]')) {
      const mine = form.querySelector(`tr[data-code="${row.dataset.code}"] .markers`);
      if (mine) mine.innerHTML = row.querySelector('.markers')?.innerHTML ?? '';
    }
  };

  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const kind = form.elements.namedItem('kind') as { value: string } | null;
    const problem = !boxes().some((b) => b.checked) ? form.dataset.msgNone : !kind?.value ? form.dataset.msgNofunction : null;
    if (problem) {
      delete form.dataset.sending;
      showError(problem);
      return;
    }
    showError('');
    // A second press while the first is on its way would open a second tab.
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const res = await fetch(form.action, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
          body: formBody(form),
        });
        // Not an answer of this route (signed out, an expired form): the form goes the plain way,
        // and the server's page says what to do.
        if (res.redirected || !isJson(res)) {
          form.submit();
          return;
        }
        const body = (await res.json()) as { url?: string; error?: { message?: string; links?: Link[] } };
        if (!res.ok || !body.url) {
          showError(body.error?.message || `${res.status} ${res.statusText}`, body.error?.links ?? []);
          playSound('error');
          return;
        }
        // The click's user activation lets the tab open; a browser that blocks it gets a link.
        const tab = window.open(body.url, '_blank');
        if (!tab) {
          const link = document.createElement('a');
          link.href = body.url;
          link.target = '_blank';
          link.textContent = form.dataset.msgOpen ?? '';
          printError.hidden = false;
          printError.removeAttribute('aria-hidden');
          printError.replaceChildren(link);
        }
        // The print is recorded once the tab has made the PDF (a large one takes a while): fetch the
        // markers a few times, and again when the packer comes back to this tab.
        for (const delay of [1500, 5000, 15000]) setTimeout(() => void refreshMarkers(), delay);
      } catch {
        showError(form.dataset.msgUnreachable ?? '');
        playSound('error');
      } finally {
        busy = false;
        delete form.dataset.sending;
      }
    })();
  });

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void refreshMarkers();
  });
  window.addEventListener('focus', () => void refreshMarkers());
}

function verifyView(): void {
  const page = document.getElementById('verify-page');
  if (!page) return;
  const scanForm = document.getElementById('verify-scan') as HTMLFormElement;
  const field = document.getElementById('verify-barcode') as HTMLInputElement;
  const quantity = document.getElementById('verify-quantity') as HTMLInputElement;
  const status = document.getElementById('verify-status')!;
  const help = document.getElementById('verify-help')!;
  const say = (text: string, kind: string | undefined) => {
    status.textContent = text;
    status.className = `scan-status ${kind || ''}`;
    page.dataset.feedback = kind || '';
    if (kind) playSound(kind);
  };

  // One at a time, in the order made: a fast scanner's second scan waits for the first answer.
  let chain = Promise.resolve();
  const send = (form: HTMLFormElement, body: URLSearchParams) => {
    chain = chain.then(async () => {
      try {
        const res = await fetch(form.action, { method: 'POST', credentials: 'same-origin', headers: { 'X-Outbound': 'fragment' }, body });
        const tpl = document.createElement('template');
        tpl.innerHTML = await res.text();
        const fresh = tpl.content.getElementById('verify-state');
        if (!fresh) {
          // Signed out meanwhile: the login page, which comes back here.
          if (res.redirected) window.location.assign(res.url);
          else say(`${res.status} ${res.statusText}`, 'error');
          return;
        }
        document.getElementById('verify-state')!.replaceWith(fresh);
        // A station opened the order meanwhile: no scan field, only the take-over offer. Its
        // button is not focused, so that the scanner's next Enter takes nothing from the packer.
        const held = fresh.dataset.held === '1';
        scanForm.hidden = held;
        help.hidden = held;
        say(fresh.querySelector('#verify-message')?.textContent ?? '', fresh.dataset.kind);
      } catch {
        say(page.dataset.msgUnreachable ?? '', 'error');
      }
    });
  };

  // A scan (scanner.ts) or the Check button: the barcode as typed, with who typed it; the server
  // reads it the same way. A scan the reader refuses is said here and not sent.
  const check = ({ raw, source, reading }: ScanDetail) => {
    field.focus();
    if (!raw.trim()) return;
    if (!reading.ok) {
      say(describe(raw, reading), 'error');
      return;
    }
    const body = formBody(scanForm);
    body.set('barcode', raw);
    body.set('source', source);
    quantity.value = '';
    send(scanForm, body);
  };
  handle(field, check);
  // The undo form is part of what each answer replaces.
  page.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== 'verify-undo') return;
    event.preventDefault();
    send(form, formBody(form));
    field.focus();
  });
  // Ctrl+Z undoes the last check, unless a field with text has its own undo to do.
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey && (event.key === 'z' || event.key === 'Z')) || event.altKey || event.metaKey || event.shiftKey) return;
    if (event.target instanceof HTMLInputElement && event.target.value) return;
    const undo = document.getElementById('verify-undo') as HTMLFormElement | null;
    event.preventDefault();
    if (undo) send(undo, formBody(undo));
  });
  // A click anywhere but a control gives the scan field its focus back.
  document.addEventListener('click', (event) => {
    if (!(event.target instanceof Element && event.target.closest(CONTROLS))) field.focus();
  });
}

printList();
verifyView();
