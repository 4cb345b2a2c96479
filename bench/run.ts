/**
 * npm run bench: builds scratch data, starts the real server on it and prints measured figures.
 * BENCH_ORDERS (default 200000) sets the size of the order table.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { generate } from './generate.js';
import { load, startServer, summarize, type Timings } from './http.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { createUser } from '../src/users/service.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200_000);
const TOKEN = 'bench-token-0123456789abcdef';
const PASSWORD = 'bench password 123';
const rows: { what: string; t: Timings; note?: string }[] = [];

const data = generate({ products: 5_000, orders: ORDERS, linesPerOrder: 3 });
console.log(`data: ${ORDERS.toLocaleString('en')} orders × ~3 lines, 5,000 products — ${data.cached ? 'cached' : `generated in ${data.seconds.toFixed(1)} s`} (${data.path})`);

// Work on a copy: the intake bench writes.
const path = '.bench/run.db';
for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
copyFileSync(data.path, path);
const db = openDatabase(path);
migrateDatabase(db);
await createUser(db, { email: 'bench@example.com', name: 'Bench', role: 'admin', language: 'en', password: PASSWORD }, new Date());
const codes = db.$client.prepare("SELECT code FROM orders WHERE status = 'order' ORDER BY random() LIMIT 500").pluck().all() as string[];
const deepCursor = db.$client.prepare('SELECT id FROM orders ORDER BY id LIMIT 1 OFFSET 1000').pluck().get() as number;
const skus = db.$client.prepare('SELECT sku FROM products ORDER BY random() LIMIT 200').pluck().all() as string[];
db.$client.close();

const server = await startServer({ DATABASE_PATH: path, DEMO_DATA: '0', API_TOKEN: TOKEN, ADMIN_PASSWORD: PASSWORD, LOGIN_RATE_LIMIT: '100000' });
const auth = { Authorization: `Bearer ${TOKEN}` };
try {
  // Warm up the page cache and the JIT.
  await load(200, 4, 200, () => fetch(`${server.url}/api/v1/orders?limit=25`, { headers: auth }));

  rows.push({ what: 'GET /api/v1/orders (page 1, 25 rows)', t: await load(1000, 1, 200, () => fetch(`${server.url}/api/v1/orders?limit=25`, { headers: auth })) });
  rows.push({
    what: 'GET /api/v1/orders (deep page, keyset)',
    t: await load(1000, 1, 200, () => fetch(`${server.url}/api/v1/orders?limit=25&cursor=${deepCursor}`, { headers: auth })),
    note: `cursor near the oldest of ${ORDERS.toLocaleString('en')}`,
  });
  rows.push({ what: 'GET /api/v1/orders?status=packing', t: await load(500, 1, 200, () => fetch(`${server.url}/api/v1/orders?limit=25&status=packing`, { headers: auth })) });
  rows.push({ what: 'GET /api/v1/orders/:code (whole order)', t: await load(1000, 1, 200, (i) => fetch(`${server.url}/api/v1/orders/${codes[i % codes.length]}`, { headers: auth })) });
  rows.push({
    what: 'POST /api/v1/orders, 10 clients',
    t: await load(3000, 10, 201, (i) =>
      fetch(`${server.url}/api/v1/orders`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          lines: [0, 1, 2].map((k) => ({ sku: skus[(i * 3 + k) % skus.length], quantity: 1 + (k % 2) })),
          customer: { name: 'Åsa Øvergård', email: `bench${i}@example.com`, address: { line1: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm', country: 'SE' } },
          paymentMethod: 'card',
          paid: true,
        }),
      }),
    ),
    note: '3 lines, paid',
  });
  rows.push({
    what: 'PUT /api/v1/products/:sku (stock count), 10 clients',
    t: await load(3000, 10, 200, (i) =>
      fetch(`${server.url}/api/v1/products/${skus[i % skus.length]}`, {
        method: 'PUT',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `Product ${i % skus.length}`, onHand: 100 + (i % 50) }),
      }),
    ),
  });

  // Logins: each from a fresh login page (its own session and CSRF token); only the POST is timed.
  const loginOnce = async () => {
    const page = await fetch(`${server.url}/login`);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
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
    return { ms, session: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
  };
  const logins: number[] = [];
  let session = '';
  const loginStart = performance.now();
  for (let i = 0; i < 20; i++) ({ session } = await loginOnce().then((r) => (logins.push(r.ms), r)));
  rows.push({ what: 'POST /login (scrypt)', t: summarize(logins, (performance.now() - loginStart) / 1000), note: 'scrypt N=2^15, r=8, p=3' });
  rows.push({ what: 'GET /orders page (50 rows, rendered)', t: await load(300, 1, 200, () => fetch(`${server.url}/orders`, { headers: { Cookie: session } })) });
} finally {
  server.stop();
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (n: number) => n.toFixed(2).padStart(8);
console.log('');
console.log(`${pad('measure', 52)} ${'n'.padStart(5)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}  note`);
console.log('-'.repeat(120));
for (const { what, t, note } of rows) {
  console.log(`${pad(what, 52)} ${String(t.count).padStart(5)} ${(t.count / t.seconds).toFixed(0).padStart(8)} ${num(t.p50)} ${num(t.p95)} ${num(t.p99)} ${num(t.max)}  ${note ?? ''}`);
}
