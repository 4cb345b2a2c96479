import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { parse as parseHtml } from 'node-html-parser';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildUser, productBySku } from '../builders.js';
import { csrfOf, makeApp, PASSWORD } from '../helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** The app on a real listening server, an operator signed in on it. */
async function listening() {
  const ctx = makeApp();
  const server = createServer(ctx.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const user = await buildUser(ctx.db, 'operator');
  const agent = request.agent(base);
  const login = await agent.get('/login');
  await agent.post('/login').type('form').send({ _csrf: csrfOf(login.text), email: user.email, password: PASSWORD }).expect(302);
  return { ...ctx, base, agent };
}

/**
 * Asks GET /healthz in a loop, one request after the other, from a thread of its own (a client on
 * the server's own event loop could not see it stall), until told to stop; answers the slowest.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false, maxMs = 0, count = 0;
parentPort.on('message', () => { stop = true; });
(async () => {
  while (!stop) {
    const t = performance.now();
    try {
      const res = await fetch(workerData.url);
      await res.arrayBuffer();
    } catch { break; }
    maxMs = Math.max(maxMs, performance.now() - t);
    count++;
    await new Promise((r) => setTimeout(r, 5));
  }
  parentPort.postMessage({ maxMs, count });
})();`;

/**
 * Runs `work` while another thread asks GET /healthz in a loop and the event loop's delay is
 * sampled: the slowest answer and the longest stall of the server's thread, in ms.
 */
async function whileAnswering<T>(base: string, work: () => Promise<T>) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const client = new Worker(CLIENT, { eval: true, workerData: { url: `${base}/healthz` } });
  const answered = new Promise<{ maxMs: number; count: number }>((resolve) => client.once('message', resolve));
  delay.enable();
  const started = performance.now();
  try {
    const result = await work();
    const tookMs = performance.now() - started;
    delay.disable();
    client.postMessage('stop');
    const { maxMs, count } = await answered;
    return { result, tookMs, maxMs, count, loopMaxMs: delay.max / 1e6, loopP99Ms: delay.percentile(99) / 1e6 };
  } finally {
    delay.disable();
    await client.terminate();
  }
}

const report = (what: string, m: { tookMs: number; maxMs: number; count: number; loopMaxMs: number; loopP99Ms: number }) =>
  console.log(`${what} (${(m.tookMs / 1000).toFixed(1)} s): /healthz max ${m.maxMs.toFixed(1)} ms over ${m.count} requests; event loop delay max ${m.loopMaxMs.toFixed(1)} ms, p99 ${m.loopP99Ms.toFixed(1)} ms`);

async function upload(agent: request.Agent, content: Buffer) {
  const csrf = csrfOf((await agent.get('/tools/csv')).text);
  return agent.post('/tools/csv/import').field('_csrf', csrf).attach('file', content, 'products.csv');
}

// How long other requests waited is printed, not asserted: speed is shown by a measurement on a
// quiet machine, never by a timed assertion in a test (a busy machine makes any bound flaky). Before
// the import ran in a worker and in batches, a 20,000-row preview held every request 20 s.

describe('CSV import keeps the server answering', () => {
  it('a 20,000-row file: preview and confirm', { timeout: 400_000 }, async () => {
    const { base, agent, db } = await listening();
    const lines = ['sku,name,barcode,location,price,vat_percent,track_stock,on_hand'];
    for (let i = 0; i < 20_000; i++) lines.push(`SKU-${i},Produkt ${i},,A-${i % 50},${(i % 900) + 10}.50,25,yes,${i % 40}`);
    const file = Buffer.from(lines.join('\r\n'), 'utf8');

    const previewed = await whileAnswering(base, () => upload(agent, file));
    report('20,000-row preview', previewed);
    expect(previewed.result.status).toBe(200);
    expect(parseHtml(previewed.result.text).querySelector('#bad-rows')).toBeNull();
    expect(productBySku(db, 'SKU-1')).toBeUndefined();

    const html = previewed.result.text;
    const action = parseHtml(html).querySelector('form[action$="/confirm"]')!.getAttribute('action')!;
    // Skipping bad rows (there are none): the one write pass, without confirm's second preview pass.
    const confirmed = await whileAnswering(base, () => agent.post(action).type('form').send({ _csrf: csrfOf(html), skipBad: '1' }));
    report('20,000-row confirm', confirmed);
    expect(confirmed.result.status).toBe(303);
    expect(productBySku(db, 'SKU-19999')).toMatchObject({ name: 'Produkt 19999', onHand: 39 });

    // The server answered other requests throughout (the figures are in the report above).
    expect(previewed.count).toBeGreaterThan(1);
    expect(confirmed.count).toBeGreaterThan(1);
  });

  it('a 1 MB file of empty header columns is refused without holding the server', { timeout: 120_000 }, async () => {
    const { base, agent } = await listening();
    const file = Buffer.from(`sku,name${','.repeat(1024 * 1024 - 20)}\nA,B\n`, 'utf8');
    const refused = await whileAnswering(base, () => upload(agent, file));
    report('1 MB header-column file', refused);
    expect(refused.result.status).toBe(422);
    expect(refused.count).toBeGreaterThan(0);
  });
});
