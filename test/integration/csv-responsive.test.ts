import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { parse as parseHtml } from 'node-html-parser';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { products } from '../../src/db/schema/index.js';
import { buildUser, productBySku } from '../builders.js';
import { csrfOf, makeApp, PASSWORD } from '../helpers.js';
import { until } from '../wait.js';

// How long other requests wait during an import is a figure of `npm run bench` (BENCH_ONLY=csv-import),
// measured on a quiet machine, never a timed assertion here (a busy machine makes any bound flaky).
// This test shows what holds on any machine: requests are answered while the rows are being
// checked and written, between the batches and not only before or after them, and every row's line
// is the file's own line, across the reading thread's messages and the batches.

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/**
 * The app on a real listening server, an operator signed in on it. Each GET /healthz notes how many
 * rows the server's connection had inserted, updated or deleted so far (SQLite's total_changes(),
 * which counts the rows of a rolled-back preview too) when it was answered.
 */
async function listening() {
  const ctx = makeApp();
  const changes = ctx.db.$client.prepare('SELECT total_changes()').pluck();
  const healthzAt: number[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/healthz') healthzAt.push(changes.get() as number);
    ctx.app(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const user = await buildUser(ctx.db, 'operator');
  const agent = request.agent(base);
  const login = await agent.get('/login');
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfOf(login.text), email: user.email, password: PASSWORD })
    .expect(302);
  return { ...ctx, base, agent, healthzAt, changes: () => changes.get() as number };
}

/**
 * Asks GET /healthz again and again from a thread of its own (a client on the server's own event
 * loop could not see it stall), a new request 1 ms after each answer, until told to stop.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
parentPort.on('message', () => { stop = true; });
(async () => {
  while (!stop) {
    try {
      const res = await fetch(workerData.url);
      await res.arrayBuffer();
    } catch { break; }
    await new Promise((r) => setTimeout(r, 1));
  }
  parentPort.postMessage('stopped');
})();`;

/**
 * Runs `work` once the other thread's GET /healthz has been answered, while it goes on asking: how
 * many were answered meanwhile, and the distinct total_changes() they saw strictly between the one
 * before `work` and the one after it (answers given mid-import).
 */
async function whileAsking<T>(ctx: Awaited<ReturnType<typeof listening>>, work: () => Promise<T>) {
  const client = new Worker(CLIENT, { eval: true, workerData: { url: `${ctx.base}/healthz` } });
  const answered = new Promise((resolve) => client.once('message', resolve));
  try {
    ctx.healthzAt.length = 0;
    await until('the first /healthz answer', () => ctx.healthzAt.length > 0, 30_000, 5);
    const from = ctx.changes();
    ctx.healthzAt.length = 0;
    const result = await work();
    const to = ctx.changes();
    const during = [...ctx.healthzAt];
    client.postMessage('stop');
    await answered;
    return { result, count: during.length, midway: new Set(during.filter((c) => c > from && c < to)) };
  } finally {
    await client.terminate();
  }
}

/** The import form's CSRF token, then its post (multipart, as a browser sends it), sent by the function answered. */
async function uploader(agent: request.Agent) {
  const csrf = csrfOf((await agent.get('/tools/csv')).text);
  return (content: Buffer) => agent.post('/tools/csv/import').field('_csrf', csrf).attach('file', content, 'products.csv');
}

const ROWS = 3000;
/** Rows with a price no one can read: spread over the reading thread's messages (500 rows each) and the batches. */
const BAD = new Set([7, 499, 500, 1234, 2001, ROWS - 1]);

/**
 * A products file of ROWS rows, CRLF, with what moves rows off "line = row + 1": every 37th row's
 * name holds a line break (a quoted cell, as spreadsheets write it), a blank line after every
 * 101st row. Answers the file and the line each row's SKU starts on, counted here as a person would.
 */
function productsFile() {
  const text = ['sku,name,barcode,location,price,vat_percent,track_stock,on_hand'];
  const lineOf = new Map<string, number>();
  let line = 2;
  for (let i = 0; i < ROWS; i++) {
    const sku = `SKU-${i}`;
    lineOf.set(sku, line);
    const name = i % 37 === 0 ? `"Produkt ${i}\r\nandra raden"` : `Produkt ${i}`;
    text.push(`${sku},${name},,A-${i % 50},${BAD.has(i) ? 'abc' : `${(i % 900) + 10}.50`},25,yes,${i % 40}`);
    line += i % 37 === 0 ? 2 : 1;
    if (i % 101 === 0) {
      text.push('');
      line++;
    }
  }
  return { file: Buffer.from(`${text.join('\r\n')}\r\n`, 'utf8'), lineOf };
}

const rowsOf = (html: string, table: string) =>
  parseHtml(html)
    .querySelectorAll(`#${table} tbody tr`)
    .map((tr) => tr.querySelectorAll('td').map((td) => td.text.trim()));

describe('CSV import keeps the server answering', () => {
  it("answers other requests between the batches of a preview and of a confirm; every line is the file's own", { timeout: 120_000 }, async () => {
    const ctx = await listening();
    const { file, lineOf } = productsFile();

    const upload = await uploader(ctx.agent);
    const previewed = await whileAsking(ctx, () => upload(file));
    expect(previewed.result.status).toBe(200);
    const html = previewed.result.text;
    // The bad rows with the lines they start on, and the changes shown (the first 200) likewise.
    const bad = rowsOf(html, 'bad-rows');
    expect(bad.map(([line, sku]) => [Number(line), sku])).toEqual([...BAD].map((i) => [lineOf.get(`SKU-${i}`), `SKU-${i}`]));
    expect(bad.every(([, , error]) => error!.startsWith('price:'))).toBe(true);
    const changes = rowsOf(html, 'changes');
    expect(changes).toHaveLength(200);
    for (const [line, sku] of changes) expect([sku, Number(line)]).toEqual([sku, lineOf.get(sku!)]);
    expect(ctx.db.select().from(products).all()).toHaveLength(0);
    // Answered while the rows were checked (rows written and rolled back before and after), not
    // only while the reading thread read the file: at more than one point of the preview.
    expect(previewed.midway.size).toBeGreaterThan(1);

    // The preview page's own button: Import, skipping the bad rows.
    const form = parseHtml(html).querySelector('form[action$="/confirm"]')!;
    expect(form.querySelector('input[name=skipBad]')!.getAttribute('value')).toBe('1');
    const confirmed = await whileAsking(ctx, () =>
      ctx.agent
        .post(form.getAttribute('action')!)
        .type('form')
        .send({ _csrf: csrfOf(html), skipBad: '1' }),
    );
    expect(confirmed.result.status).toBe(303);
    expect(ctx.db.select().from(products).all()).toHaveLength(ROWS - BAD.size);
    expect(productBySku(ctx.db, 'SKU-37')).toMatchObject({ name: 'Produkt 37\r\nandra raden', onHand: 37 });
    expect(productBySku(ctx.db, `SKU-${ROWS - 2}`)).toMatchObject({ name: `Produkt ${ROWS - 2}`, onHand: (ROWS - 2) % 40 });
    expect(productBySku(ctx.db, 'SKU-1234')).toBeUndefined();
    expect(confirmed.midway.size).toBeGreaterThan(1);
  });

  it('a 1 MB file of empty header columns is refused while other requests are answered', { timeout: 60_000 }, async () => {
    const ctx = await listening();
    const file = Buffer.from(`sku,name${','.repeat(1024 * 1024 - 20)}\nA,B\n`, 'utf8');
    const upload = await uploader(ctx.agent);
    const refused = await whileAsking(ctx, () => upload(file));
    expect(refused.result.status).toBe(422);
    expect(refused.count).toBeGreaterThan(0);
  });
});
