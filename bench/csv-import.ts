import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { createUser } from '../src/users/service.js';
import { scratchPath, startServer } from './http.js';
import { csrfOf, signIn } from './responsive.js';

const EMAIL = 'bench-csv@example.com';
const PASSWORD = 'bench password 123';
/** How often each probe asks, start to start, when the answer comes sooner. */
const PROBE_EVERY_MS = 10;

/** How long each probe's requests waited (from sent to body read), ms. */
export interface ProbeWaits {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ImportStep {
  /** Rows of the file, seconds from the upload's (or confirm's) first byte to the answer read. */
  rows: number;
  seconds: number;
  healthz: ProbeWaits;
  page: ProbeWaits;
}

export interface CsvImportFigures {
  rows: number;
  bytes: number;
  /** Load average (1 min) when the section started and ended: the machine is shared. */
  loadBefore: number;
  loadAfter: number;
  idle: { healthz: ProbeWaits; page: ProbeWaits };
  preview: ImportStep;
  confirm: ImportStep;
  /** The same file again with other stock figures: every row an update. */
  updatePreview: ImportStep;
  /** A file whose every row is bad (a price no one can read): the preview lists the first 500. */
  badPreview: ImportStep & { pageBytes: number };
}

/** An EAN-13 with its check digit, from a 12-digit body. */
function ean13(body: string): string {
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** A products file as a person's spreadsheet writes it: every column, a barcode on most rows, CRLF. */
function productsFile(rows: number, onHandShift: number, price = (i: number) => `${(i % 900) + 10}.50`): Buffer {
  const lines = ['sku,name,barcode,location,price,vat_percent,track_stock,on_hand'];
  for (let i = 0; i < rows; i++) {
    const barcode = i % 4 === 3 ? '' : ean13(`73500${String(i).padStart(7, '0')}`);
    lines.push(
      `CSV-${String(i).padStart(6, '0')},"Produkt ${i} ""Ström""",${barcode},A-${i % 50}-${i % 7},${price(i)},${i % 10 === 0 ? 12 : 25},yes,${(i + onHandShift) % 40}`,
    );
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/**
 * One client asking `url` again and again, a request every PROBE_EVERY_MS (or as soon as the last
 * is answered, when it took longer), until `stop` says so; each wait recorded.
 */
function prober(url: string, headers: Record<string, string>) {
  let running = true;
  const waits: number[] = [];
  const done = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(url, { headers, redirect: 'manual' });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`probe ${url}: HTTP ${res.status}`);
      waits.push(ms);
      if (ms < PROBE_EVERY_MS) await new Promise((r) => setTimeout(r, PROBE_EVERY_MS - ms));
    }
  })();
  return {
    async stop(): Promise<ProbeWaits> {
      running = false;
      await done;
      const sorted = [...waits].sort((a, b) => a - b);
      return { count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? 0 };
    },
  };
}

/** Runs `work` while /healthz and the products page are probed: how long it took and how long the probes waited. */
async function probed<T>(url: string, cookie: string, work: () => Promise<T>): Promise<{ result: T; seconds: number; healthz: ProbeWaits; page: ProbeWaits }> {
  const healthz = prober(`${url}/healthz`, {});
  const page = prober(`${url}/tools/products`, { Cookie: cookie });
  const started = performance.now();
  try {
    const result = await work();
    return { result, seconds: (performance.now() - started) / 1000, healthz: await healthz.stop(), page: await page.stop() };
  } finally {
    await Promise.allSettled([healthz.stop(), page.stop()]);
  }
}

/** The Tools → Import form's post, as the browser sends it: multipart, the session's cookie, the page's CSRF token. */
async function uploadPreview(url: string, cookie: string, file: Buffer, expect: 'clean' | 'bad' = 'clean'): Promise<string> {
  const form = await fetch(`${url}/tools/csv`, { headers: { Cookie: cookie } });
  const body = new FormData();
  body.append('_csrf', csrfOf(await form.text()));
  body.append('file', new Blob([new Uint8Array(file)], { type: 'text/csv' }), 'products.csv');
  const res = await fetch(`${url}/tools/csv/import`, { method: 'POST', headers: { Cookie: cookie }, body, redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200 || html.includes('id="bad-rows"') !== (expect === 'bad') || !/action="\/tools\/csv\/import\/[\w-]+\/confirm"/.test(html))
    throw new Error(`import preview: HTTP ${res.status}, not the ${expect} preview expected`);
  return html;
}

/** The preview page's Confirm form, posted with its own fields (token in the action, CSRF token, skipBad only if the page has it). */
async function confirm(url: string, cookie: string, previewHtml: string): Promise<void> {
  const form = /<form method="post" action="(\/tools\/csv\/import\/[\w-]+\/confirm)">([\s\S]*?)<\/form>/.exec(previewHtml)!;
  const fields = new URLSearchParams([...form[2]!.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
  const res = await fetch(`${url}${form[1]}`, { method: 'POST', headers: { Cookie: cookie }, body: fields, redirect: 'manual' });
  await res.arrayBuffer();
  if (res.status !== 303) throw new Error(`import confirm: HTTP ${res.status}`);
}

/**
 * Tools → Import of a 20,000-row products file on a server of its own (an empty database: every
 * row a new product), through the pages' own requests (session cookie, CSRF token): the upload's
 * preview, its confirm (a preview pass, then the write pass, as the page's form posts it without
 * "skip bad rows"), the same file with other stock figures previewed again (every row an update),
 * then a file whose every row is bad (the preview lists the first 500). Meanwhile /healthz and the
 * products page are each asked every PROBE_EVERY_MS from this process; their waits are the figures
 * (target: every one answered within 50 ms).
 */
export async function benchCsvImport(rows = 20_000): Promise<CsvImportFigures> {
  const path = scratchPath('csv-import');
  const files = [path, `${path}-wal`, `${path}-shm`];
  for (const f of files) rmSync(f, { force: true });
  const db = openDatabase(path);
  migrateDatabase(db);
  await createUser(db, { email: EMAIL, name: 'Bench CSV', role: 'admin', language: 'en', password: PASSWORD }, new Date());
  db.$client.close();
  const loadBefore = loadavg()[0]!;
  const server = await startServer({ DATABASE_PATH: path, DEMO_DATA: '0', SCHEDULE: '0', LOGIN_RATE_LIMIT: '100000' });
  try {
    const cookie = await signIn(server.url, EMAIL, PASSWORD);
    const file = productsFile(rows, 0);
    // Warm up: the pages, the worker's module and the import path on a small file (previewed only).
    await uploadPreview(server.url, cookie, productsFile(200, 0));
    const idle = await probed(server.url, cookie, () => new Promise((r) => setTimeout(r, 2000)));
    const preview = await probed(server.url, cookie, () => uploadPreview(server.url, cookie, file));
    const confirmed = await probed(server.url, cookie, () => confirm(server.url, cookie, preview.result));
    const update = await probed(server.url, cookie, () => uploadPreview(server.url, cookie, productsFile(rows, 7)));
    const bad = await probed(server.url, cookie, () =>
      uploadPreview(
        server.url,
        cookie,
        productsFile(rows, 0, () => 'n/a'),
        'bad',
      ),
    );
    const step = (s: { seconds: number; healthz: ProbeWaits; page: ProbeWaits }): ImportStep => ({
      rows,
      seconds: s.seconds,
      healthz: s.healthz,
      page: s.page,
    });
    return {
      rows,
      bytes: file.length,
      loadBefore,
      loadAfter: loadavg()[0]!,
      idle: { healthz: idle.healthz, page: idle.page },
      preview: step(preview),
      confirm: step(confirmed),
      updatePreview: step(update),
      badPreview: { ...step(bad), pageBytes: Buffer.byteLength(bad.result) },
    };
  } finally {
    server.stop();
    await new Promise((r) => setTimeout(r, 200));
    for (const f of files) rmSync(f, { force: true });
  }
}

/** The section's lines for npm run bench. */
export function csvImportLines(f: CsvImportFigures): string[] {
  const w = (p: ProbeWaits) => `p99 ${p.p99.toFixed(1).padStart(6)} ms  max ${p.max.toFixed(1).padStart(6)} ms  (n ${p.count})`;
  const lines = [
    `(probes from the bench process, each a request every ${PROBE_EVERY_MS} ms or as soon as answered; target: every probe answered within 50 ms; load average ${f.loadBefore.toFixed(2)} → ${f.loadAfter.toFixed(2)})`,
    `${'idle: /healthz'.padEnd(50)} ${w(f.idle.healthz)}`,
    `${'idle: products page'.padEnd(50)} ${w(f.idle.page)}`,
  ];
  const steps: [string, ImportStep, string][] = [
    ['preview (upload, read, check every row)', f.preview, 'rows'],
    ['confirm (a preview pass, then the writes)', f.confirm, 'rows, twice'],
    ['preview of the same file, every row an update', f.updatePreview, 'rows'],
    [`preview of a file of bad rows (${(f.badPreview.pageBytes / 1e6).toFixed(1)} MB page)`, f.badPreview, 'rows, the first 500 listed'],
  ];
  for (const [what, s, of] of steps) {
    lines.push(
      `${what.padEnd(50)} ${s.seconds.toFixed(2).padStart(7)} s   ${(s.rows / s.seconds).toFixed(0).padStart(6)} rows/s (${s.rows.toLocaleString('en')} ${of})`,
    );
    lines.push(`${'  meanwhile /healthz'.padEnd(50)} ${w(s.healthz)}`);
    lines.push(`${'  meanwhile products page'.padEnd(50)} ${w(s.page)}`);
  }
  return lines;
}
