/**
 * npm run bench: builds scratch data (cached under .bench/), starts the real server on a copy and
 * prints measured figures. BENCH_ORDERS (default 1,000,000; ~3 lines each) sets the data size;
 * BENCH_ONLY (comma-separated: pages, search, api, intake, pack, documents, shipping, export, csv-import) runs only those sections;
 * BENCH_COPY names the working copy (default .bench/run.db), so that two runs at once do not share one.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { createUser } from '../src/users/service.js';
import { generate } from './generate.js';
import { cpuSeconds, load, startServer, summarize, timeRequest, type Timings } from './http.js';
import { benchDocuments } from './documents.js';
import { benchCsvImport, csvImportLines } from './csv-import.js';
import { benchExport } from './export.js';
import { benchPackLive, benchPackScript } from './pack.js';
import { probeLines } from './responsive.js';
import { benchShipping, type SizedTimings } from './shipping.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const PRODUCTS = 10_000;
const TOKEN = 'bench-token-0123456789abcdef';
const PASSWORD = 'bench password 123';
const rows: { section: string; what: string; t: Timings; note?: string }[] = [];
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const runs = (section: string) => !only || only.includes(section);

const data = generate({ products: PRODUCTS, orders: ORDERS, linesPerOrder: 3 });
console.log(
  `data: ${ORDERS.toLocaleString('en')} orders × ~3 lines, ${PRODUCTS.toLocaleString('en')} products — ${data.cached ? 'cached' : `generated in ${data.seconds.toFixed(1)} s`} (${data.path})`,
);

// Work on a copy: the intake bench writes.
const path = process.env.BENCH_COPY ?? '.bench/run.db';
for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
copyFileSync(data.path, path);
const db = openDatabase(path);
migrateDatabase(db);
await createUser(db, { email: 'bench@example.com', name: 'Bench', role: 'admin', language: 'en', password: PASSWORD }, new Date());
const sql = db.$client;
const codes = sql.prepare("SELECT code FROM orders WHERE status = 'order' ORDER BY random() LIMIT 500").pluck().all() as string[];
const emails = sql.prepare('SELECT customer_email FROM orders WHERE customer_email IS NOT NULL ORDER BY random() LIMIT 200').pluck().all() as string[];
const lineCounts = sql.prepare('SELECT count(*) AS lines, (SELECT count(*) FROM orders) AS orders FROM order_lines').get() as { lines: number; orders: number };
// The cursor that page 500 of the Orders page (50 rows a page) starts after.
const page500 = sql
  .prepare('SELECT id FROM orders ORDER BY id DESC LIMIT 1 OFFSET ?')
  .pluck()
  .get(499 * 50 - 1) as number;
const apiPage500 = sql
  .prepare('SELECT id FROM orders ORDER BY id DESC LIMIT 1 OFFSET ?')
  .pluck()
  .get(499 * 25 - 1) as number;
const midDay = new Date(
  sql
    .prepare('SELECT created_at FROM orders ORDER BY id LIMIT 1 OFFSET ?')
    .pluck()
    .get(Math.floor(ORDERS / 2)) as number,
);
const from = midDay.toISOString().slice(0, 10);
const to = new Date(midDay.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
const skus = sql.prepare('SELECT sku FROM products ORDER BY random() LIMIT 200').pluck().all() as string[];
const barcodes = sql.prepare('SELECT barcode FROM products WHERE barcode IS NOT NULL ORDER BY random() LIMIT 200').pluck().all() as string[];
let parcels: string[] = [];
if (runs('search')) {
  // The generated data has no deliveries: give every shipped order one, with a parcel ID like a
  // carrier's (JJD and 14 digits), so that the parcel search looks in an index of realistic size.
  const t0 = performance.now();
  sql.transaction(() => {
    sql.exec(`INSERT INTO deliveries (order_id, status, partial, parcel_slots, reported_at, reported_by, created_at, updated_at)
              SELECT id, 'reported', 0, 1, updated_at, 'bench', created_at, updated_at FROM orders WHERE status = 'shipped'`);
    sql.exec(`INSERT INTO delivery_parcels (delivery_id, parcel_id, source, created_by, created_at)
              SELECT id, printf('JJD%014d', order_id * 7919), 'scanner', 'bench', created_at FROM deliveries`);
  })();
  parcels = sql.prepare('SELECT parcel_id FROM delivery_parcels ORDER BY random() LIMIT 200').pluck().all() as string[];
  const n = sql.prepare('SELECT count(*) FROM delivery_parcels').pluck().get() as number;
  console.log(`       ${n.toLocaleString('en')} parcel IDs added to the shipped orders of the copy in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
db.$client.close();
console.log(`       ${lineCounts.orders.toLocaleString('en')} orders, ${lineCounts.lines.toLocaleString('en')} lines`);

// No schedule: a pack run over the 150,000 candidates of this data would compete with the measured requests.
const server = await startServer({
  DATABASE_PATH: path,
  DEMO_DATA: '0',
  API_TOKEN: TOKEN,
  ADMIN_PASSWORD: PASSWORD,
  LOGIN_RATE_LIMIT: '100000',
  SCHEDULE: '0',
});
const auth = { Authorization: `Bearer ${TOKEN}` };
const get = (url: string, headers: Record<string, string>) => () => fetch(`${server.url}${url}`, { headers, redirect: 'manual' });
try {
  // Logins: each from a fresh login page (its own login cookie and CSRF token; no session before the
  // POST); only the POST is timed.
  const loginOnce = async () => {
    const page = await fetch(`${server.url}/login`);
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const t0 = performance.now();
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: new URLSearchParams({ _csrf: csrf, email: 'bench@example.com', password: PASSWORD }),
    });
    const ms = performance.now() - t0;
    if (res.status !== 302) throw new Error(`login: HTTP ${res.status}`);
    return {
      ms,
      session: res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; '),
    };
  };
  const logins: number[] = [];
  let loginStart = 0;
  if (runs('pages')) {
    let session = '';
    loginStart = performance.now();
    for (let i = 0; i < 10; i++) {
      const r = await loginOnce();
      logins.push(r.ms);
      session = r.session;
    }
    const page = { Cookie: session };

    // Warm up the page cache and the JIT.
    await load(100, 2, 200, get('/orders', page));

    const S = 'Orders page (50 rows, rendered)';
    rows.push({ section: S, what: 'page 1', t: await load(100, 1, 200, get('/orders', page)) });
    rows.push({ section: S, what: 'page 500 (keyset cursor)', t: await load(100, 1, 200, get(`/orders?cursor=${page500}`, page)) });
    rows.push({
      section: S,
      what: 'exact order code (redirects to the order)',
      t: await load(200, 1, 302, (i) => get(`/orders?q=${codes[i % codes.length]}`, page)()),
    });
    rows.push({ section: S, what: 'the order page itself', t: await load(200, 1, 200, (i) => get(`/orders/${codes[i % codes.length]}`, page)()) });
    rows.push({ section: S, what: 'customer name, common ("lindqvist", 1 in 16)', t: await load(100, 1, 200, get('/orders?q=lindqvist', page)) });
    rows.push({ section: S, what: 'customer name, two words ("ingrid lindq")', t: await load(100, 1, 200, get('/orders?q=ingrid+lindq', page)) });
    rows.push({
      section: S,
      what: 'customer e-mail (exact)',
      t: await load(200, 1, 200, (i) => get(`/orders?q=${encodeURIComponent(emails[i % emails.length]!)}`, page)()),
    });
    rows.push({ section: S, what: `status=order + 30 days from ${from}`, t: await load(100, 1, 200, get(`/orders?status=order&from=${from}&to=${to}`, page)) });
    rows.push({ section: S, what: 'unpaid + contains SKU', t: await load(100, 1, 200, (i) => get(`/orders?paid=no&sku=${skus[i % skus.length]}`, page)()) });
  }

  if (runs('search')) {
    // The search box as the browser sends it: GET /orders?q=… with the session cookie. The kinds
    // take turns request by request, so that each is measured over the same minutes as the others
    // (page 1 without a search and a name search among them, as yardsticks on a busy machine).
    const page = { Cookie: (await loginOnce()).session };
    await load(50, 1, 200, get('/orders', page));
    const kinds: [string, number, string[]][] = [
      ['no search, page 1 (yardstick)', 200, ['']],
      ['customer name, common ("lindqvist"; yardstick)', 200, ['lindqvist']],
      ['parcel ID (redirects to the order)', 302, parcels],
      [`order code, first 4 digits (~${Math.round(lineCounts.orders / 9000)} orders)`, 200, codes.map((c) => c.slice(0, 4))],
      [`order code, first 6 digits (~${Math.max(1, Math.round(lineCounts.orders / 900_000))} order)`, 200, codes.map((c) => c.slice(0, 6))],
      [`SKU (~${Math.round(lineCounts.lines / PRODUCTS)} orders each)`, 200, skus],
      ['product barcode, EAN-13', 200, barcodes],
    ];
    const timed = kinds.map(() => ({ ms: [] as number[], server: [] as number[] }));
    for (let i = 0; i < 200; i++) {
      for (const [k, [, status, terms]] of kinds.entries()) {
        const term = terms[i % terms.length]!;
        await timeRequest(get(term ? `/orders?q=${encodeURIComponent(term)}` : '/orders', page), i, status, timed[k]!.ms, timed[k]!.server);
      }
    }
    for (const [k, [what]] of kinds.entries()) {
      const { ms, server } = timed[k]!;
      rows.push({
        section: 'Orders page search box (50 rows, rendered; kinds interleaved)',
        what,
        t: summarize(ms, ms.reduce((a, b) => a + b, 0) / 1000, server),
        note: k >= 2 ? 'target server ≤ 25 ms' : undefined,
      });
    }
  }

  const A = 'API';
  if (runs('api')) {
    rows.push({ section: A, what: 'GET /api/v1/orders (page 1, 25 rows)', t: await load(500, 1, 200, get('/api/v1/orders?limit=25', auth)) });
    rows.push({
      section: A,
      what: 'GET /api/v1/orders (page 500, keyset)',
      t: await load(500, 1, 200, get(`/api/v1/orders?limit=25&cursor=${apiPage500}`, auth)),
    });
    rows.push({
      section: A,
      what: 'GET /api/v1/orders/:code (whole order)',
      t: await load(500, 1, 200, (i) => get(`/api/v1/orders/${codes[i % codes.length]}`, auth)()),
    });
  }
  if (runs('intake')) {
    const order = (i: number) =>
      fetch(`${server.url}/api/v1/orders`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          lines: [0, 1, 2].map((k) => ({ sku: skus[(i * 3 + k) % skus.length], quantity: 1 + (k % 2) })),
          customer: {
            name: 'Åsa Øvergård',
            email: `bench${i}@example.com`,
            address: { line1: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm', country: 'SE' },
          },
          paymentMethod: 'card',
          paid: true,
        }),
      });
    // Warm up the JIT on this path, so that the figure is the steady rate and not the compile.
    await load(200, 10, 201, order);
    const pid = server.child.pid;
    const [cpu0, main0] = [cpuSeconds(pid), cpuSeconds(pid, { thread: 'main' })];
    const t = await load(2000, 10, 201, order);
    const [cpu1, main1] = [cpuSeconds(pid), cpuSeconds(pid, { thread: 'main' })];
    const perOrder = (a: number | null, b: number | null) => (a === null || b === null ? '?' : (((b - a) * 1000) / t.count).toFixed(2));
    const note = `server CPU ${perOrder(cpu0, cpu1)} ms/order (request thread ${perOrder(main0, main1)}); target ≥ 1,000/s, server p99 ≤ 15 ms`;
    rows.push({ section: A, what: 'POST /api/v1/orders, 10 clients (3 lines, paid)', t, note });
  }
  if (runs('api')) {
    rows.push({
      section: A,
      what: 'PUT /api/v1/products/:sku (stock count), 10 clients',
      t: await load(2000, 10, 200, (i) =>
        fetch(`${server.url}/api/v1/products/${skus[i % skus.length]}`, {
          method: 'PUT',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `Product ${i % skus.length}`, onHand: 100 + (i % 50) }),
        }),
      ),
    });
  }
  if (runs('pages')) {
    rows.push({ section: 'Login', what: 'POST /login', t: summarize(logins, (performance.now() - loginStart) / 1000), note: 'scrypt N=2^15, r=8, p=3' });
  }
} finally {
  server.stop();
}

const num = (n: number | null) => (n === null ? '-' : n.toFixed(2)).padStart(9);
let section = '';
console.log('');
console.log(
  `${'measure'.padEnd(56)} ${'n'.padStart(5)} ${'req/s'.padStart(7)} ${'server p50'.padStart(11)} ${'server p99'.padStart(11)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'p99 ms'.padStart(9)}  note`,
);
for (const { section: s, what, t, note } of rows) {
  if (s !== section) {
    console.log(`-- ${s} ${'-'.repeat(Math.max(0, 110 - s.length))}`);
    section = s;
  }
  console.log(
    `${what.padEnd(56)} ${String(t.count).padStart(5)} ${(t.count / t.seconds).toFixed(0).padStart(7)} ${num(t.server50).padStart(11)} ${num(t.server99).padStart(11)} ${num(t.p50)} ${num(t.p95)} ${num(t.p99)}  ${note ?? ''}`,
  );
}
console.log(
  '\nserver p50/p99: the app time of the Server-Timing header (from the whole request read to its answer, render included; queueing before the server reads a request is in the client columns); p50–p99: as the client saw it over loopback.',
);

if (runs('pack')) {
  const pack = await benchPackScript();
  console.log(
    `\n-- Pack script: ${pack.candidates.toLocaleString('en')} candidate orders × ~3 lines, 10,000 products, ${pack.promoted.toLocaleString('en')} promoted ${'-'.repeat(30)}`,
  );
  const span = ([a, b]: [number, number]) => `${a.toFixed(2)}–${b.toFixed(2)} s`;
  console.log(
    `(median of ${pack.rounds} rounds; each round runs the pack script in its worker thread, as the server does, then the reference, on fresh copies of the data)`,
  );
  console.log(
    `full run, records included            ${pack.runSeconds.toFixed(2).padStart(7)} s   (target ≤ 1.5 s; rounds ${span(pack.runRange)}; the first starts the worker)`,
  );
  console.log(`longest write transaction             ${(pack.longestWriteMs / 1000).toFixed(2).padStart(7)} s   (target ≤ 0.5 s; the longest of all rounds)`);
  console.log(
    `bare reference (read, greedy, 1 write) ${pack.referenceSeconds.toFixed(2).padStart(7)} s   (its write: ${(pack.referenceWriteMs / 1000).toFixed(2)} s; rounds ${span(pack.referenceRange)})`,
  );
  console.log(`full run vs bare reference ratio      ${pack.ratio.toFixed(2).padStart(7)} ×   (goal ≤ 1.3 ×; median of the rounds' ratios)`);
  console.log(
    `the same in CPU time                  ${pack.cpuRatio.toFixed(2).padStart(7)} ×   (run ${pack.runCpuSeconds.toFixed(2)} s, reference ${pack.referenceCpuSeconds.toFixed(2)} s: this process's threads, whatever else the machine runs)`,
  );

  const live = await benchPackLive();
  console.log(
    `\n-- Pages and scans with and without a concurrent pack run (${live.candidates.toLocaleString('en')} candidates, started from Tools) ${'-'.repeat(10)}`,
  );
  console.log(`(three clients at once, each one request after another; target: server p99 ≤ 25 ms during the run)`);
  for (const line of [...probeLines('no run', live.without), ...probeLines('during the run', live.during)]) console.log(line);
  console.log(
    `the run meanwhile                     ${live.runSeconds.toFixed(2).padStart(7)} s   (longest write transaction ${(live.longestWriteMs / 1000).toFixed(2)} s; short batches with pauses while requests come in)`,
  );
}

const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
if (runs('documents')) {
  const docs = await benchDocuments();
  console.log(`\n-- Documents: ${docs.orders} packing orders × 5 lines, one PDF each (3 runs; the first includes warm-up) ${'-'.repeat(20)}`);
  console.log(`pick slips, one PDF (${(docs.pickSlipBytes / 1e6).toFixed(1)} MB)        ${range(docs.pickSlipSeconds).padStart(11)} s   (target ≤ 2 s)`);
  console.log(`batch pick list                       ${range(docs.batchSeconds).padStart(11)} s   (target ≤ 1 s)`);
  console.log(`server RSS during the PDFs (peak)     ${docs.peakDuringMb.toFixed(0).padStart(11)} MB  (target ≤ 300 MB; VmRSS sampled every 25 ms)`);
  console.log(`server peak RSS since start (VmHWM)   ${docs.peakRssMb.toFixed(0).padStart(11)} MB  (${docs.hwmStartMb.toFixed(0)} MB at start)`);
  console.log(
    `slowest /healthz during pick slips    ${docs.healthzDuringMaxMs.toFixed(0).padStart(11)} ms  (${docs.healthzDuringCount} requests answered meanwhile)`,
  );
  console.log(`pages and scans without, then while 500 pick slips render (twice; target: server p99 ≤ 25 ms meanwhile):`);
  for (const line of [...probeLines('no PDF', docs.without), ...probeLines('during pick slips', docs.during)]) console.log(line);
}

if (runs('shipping')) {
  const ship = await benchShipping();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(
    `\n-- Shipping out: the packing station as a browser uses it (${ship.stations} packers, each signed in at their own station; ${ship.orders.toLocaleString('en')} packing orders) ${'-'.repeat(10)}`,
  );
  console.log(
    '(form posts as src/browser/shipping.ts sends them: session and station cookies, CSRF token, X-Station: fragment, a fresh key per scan; all stations at once)',
  );
  console.log(
    `${'measure'.padEnd(56)} ${'n'.padStart(5)} ${'req/s'.padStart(7)} ${'server p50'.padStart(11)} ${'server p99'.padStart(11)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'p99 ms'.padStart(9)}  note`,
  );
  const cpu = (t: SizedTimings, of: string) => (t.cpuMs === null ? '' : `; server CPU ${t.cpuMs.toFixed(2)} ms/request ${of}`);
  const shipRows: [string, SizedTimings, string][] = [
    [
      `scan a parcel ID, ${ship.stations} clients`,
      ship.parcel,
      `largest ${kb(ship.parcel.maxBytes)} (target ≤ 20 KB); target server p99 ≤ 15 ms${cpu(ship.parcel, '(open, 4 parcels, Report in)')}`,
    ],
    [
      `scan a parcel ID, ${ship.stations} clients at 1 request/s each`,
      ship.parcelPaced,
      `largest ${kb(ship.parcelPaced.maxBytes)} (target ≤ 20 KB); target server p99 ≤ 15 ms`,
    ],
    [
      `scan an order code (opens it; with the queue), ${ship.stations} clients`,
      ship.open,
      `largest ${kb(ship.open.maxBytes)} (target ≤ 20 KB); target server p99 ≤ 15 ms`,
    ],
    [
      `station page GET /shipping, ${ship.stations} clients`,
      ship.page,
      `${kb(ship.page.maxBytes)} (target ≤ 100 KB); target server ≤ 30 ms${cpu(ship.page, '')}`,
    ],
    [
      `scan an item to check it (verification on), ${ship.stations} clients`,
      ship.check,
      `largest ${kb(ship.check.maxBytes)} (target ≤ 20 KB); target server p99 ≤ 15 ms${cpu(ship.check, '(per check, with the order, parcel and Report in around them)')}`,
    ],
    [
      `Report in of one delivery, ${ship.stations} clients`,
      ship.report,
      `one parcel, nothing ticked; target server ≤ 20 ms${cpu(ship.report, '(open, 1 parcel, Report in)')}`,
    ],
  ];
  for (const [what, t, note] of shipRows) {
    // A body that came in a later packet than its headers waited outside the server time: say so.
    const read = t.readMax >= 0.5 ? `; bodies arrived after their headers: p99 ${t.read99.toFixed(1)} ms, at most ${t.readMax.toFixed(1)} ms` : '';
    console.log(
      `${what.padEnd(56)} ${String(t.count).padStart(5)} ${(t.count / t.seconds).toFixed(0).padStart(7)} ${num(t.server50).padStart(11)} ${num(t.server99).padStart(11)} ${num(t.p50)} ${num(t.p95)} ${num(t.p99)}  ${note}${read}`,
    );
  }
  console.log(
    '(each station, one request after another: open an order, scan 4 parcels, Report in, 25 times after 3 untimed; the same 5 times at one request a second; open, scan 1 parcel, Report in, 15 times; 10 page loads with an order open; 5 orders checked unit by unit)',
  );
}

if (runs('export')) {
  const exp = await benchExport(ORDERS);
  console.log(
    `\n-- CSV export: GET /api/v1/orders.csv of all ${exp.orders.toLocaleString('en')} orders, one row per line, on a server of its own ${'-'.repeat(10)}`,
  );
  console.log(
    `rows                                  ${exp.rows.toLocaleString('en').padStart(11)}     (${(exp.bytes / 1e6).toFixed(0)} MB in ${exp.seconds.toFixed(1)} s)`,
  );
  console.log(`rows per second                       ${(exp.rows / exp.seconds).toFixed(0).padStart(11)}`);
  console.log(
    `server RSS during the export (peak)   ${exp.peakDuringMb.toFixed(0).padStart(11)} MB  (target ≤ 200 MB; VmRSS sampled every 25 ms; ${exp.rssBeforeMb.toFixed(0)} MB just before)`,
  );
  console.log(
    `server peak RSS since start (VmHWM)   ${exp.peakRssMb.toFixed(0).padStart(11)} MB  (${exp.hwmStartMb.toFixed(0)} MB at start, ${exp.rssStartMb.toFixed(0)} MB resident then)`,
  );
  console.log(`GET /api/v1/products.csv              ${exp.products.rows.toLocaleString('en').padStart(11)} rows in ${exp.products.seconds.toFixed(2)} s`);
}

if (runs('csv-import')) {
  const imp = await benchCsvImport();
  console.log(
    `\n-- CSV import: Tools → Import of a ${imp.rows.toLocaleString('en')}-row products file (${(imp.bytes / 1e6).toFixed(1)} MB), preview and confirm through the pages, on a server of its own ${'-'.repeat(10)}`,
  );
  for (const line of csvImportLines(imp)) console.log(line);
}
