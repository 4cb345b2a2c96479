import { rmSync } from 'node:fs';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { fill } from './generate.js';
import { rssMb, sampleRss, scratchPath, startServer } from './http.js';
import { probe, stationSession, type Probe } from './responsive.js';
import { createUser } from '../src/users/service.js';

export interface DocumentsBench {
  orders: number;
  pickSlipSeconds: number[];
  pickSlipBytes: number;
  batchSeconds: number[];
  /** Peak resident memory of the server process since it started (VmHWM), MB. */
  peakRssMb: number;
  /** The same just after start, MB. */
  hwmStartMb: number;
  /** The highest VmRSS sampled (every 25 ms) while the pick slips and batch lists were made, MB. */
  peakDuringMb: number;
  /** The slowest /healthz answered while 500 pick slips were being made, ms. */
  healthzDuringMaxMs: number;
  healthzDuringCount: number;
  /** Pages and scans without a job, then while 500 pick slips render (one PDF after another). */
  without: Probe;
  during: Probe;
}

const TOKEN = 'bench-token-0123456789abcdef';
const PASSWORD = 'bench password 123';

/**
 * 500 packing orders of exactly 5 lines, made through the real API and the pack script, then one
 * PDF of their pick slips and one batch pick list over them, timed as a client sees them, in the
 * real server's process (its peak memory read from /proc: the whole server, not only the job). A
 * client asks /healthz meanwhile, to show a large job does not hold up other requests.
 */
export async function benchDocuments(orders = 500): Promise<DocumentsBench> {
  const path = scratchPath('documents');
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  const db = openDatabase(path);
  migrateDatabase(db);
  fill(db, { products: 2000, orders: 0, linesPerOrder: 1, onHand: [100_000, 100_000] });
  const skus = db.$client.prepare('SELECT sku FROM products ORDER BY id').pluck().all() as string[];
  await createUser(db, { email: 'bench@example.com', name: 'Bench', role: 'admin', language: 'en', password: PASSWORD }, new Date());
  db.$client.close();

  const server = await startServer({ DATABASE_PATH: path, DEMO_DATA: '0', API_TOKEN: TOKEN, SCHEDULE: '0', LOGIN_RATE_LIMIT: '100000' });
  const hwmStartMb = rssMb(server.child.pid!, 'VmHWM');
  const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
  const post = (url: string, body: unknown) => fetch(`${server.url}${url}`, { method: 'POST', headers, body: JSON.stringify(body) });
  try {
    const codes: string[] = [];
    for (let i = 0; i < orders; i++) {
      const res = await post('/api/v1/orders', {
        lines: [0, 1, 2, 3, 4].map((k) => ({ sku: skus[(i * 7 + k * 131) % skus.length], quantity: 1 + ((i + k) % 3) })),
        customer: {
          name: ['Łukasz Żółć', 'Åsa Øvergård', 'Zoë Lefèvre'][i % 3],
          email: `doc${i}@example.com`,
          address: { line1: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm', country: 'SE' },
        },
        paymentMethod: 'card',
        paid: true,
      });
      if (res.status !== 201) throw new Error(`order ${i}: HTTP ${res.status} ${await res.text()}`);
      codes.push(((await res.json()) as { code: string }).code);
    }
    const run = (await (await post('/api/v1/pack-runs', {})).json()) as { promoted: string[] };
    if (run.promoted.length !== orders) throw new Error(`pack run promoted ${run.promoted.length} of ${orders}`);

    const timePdf = async (url: string) => {
      const t0 = performance.now();
      const res = await post(url, { orders: codes });
      const body = new Uint8Array(await res.arrayBuffer());
      if (res.status !== 200 || res.headers.get('content-type') !== 'application/pdf') throw new Error(`${url}: HTTP ${res.status}`);
      return { seconds: (performance.now() - t0) / 1000, bytes: body.length };
    };
    // The first job reads the fonts and warms up the code; it is timed too.
    const sampler = sampleRss(server.child.pid!);
    const pickSlipSeconds: number[] = [];
    let pickSlipBytes = 0;
    let healthzDuringMaxMs = 0;
    let healthzDuringCount = 0;
    for (let i = 0; i < 3; i++) {
      let busy = true;
      const probe = (async () => {
        while (busy) {
          const t0 = performance.now();
          await fetch(`${server.url}/healthz`);
          healthzDuringMaxMs = Math.max(healthzDuringMaxMs, performance.now() - t0);
          healthzDuringCount++;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const r = await timePdf('/api/v1/documents/pick-slips');
      busy = false;
      await probe;
      pickSlipSeconds.push(r.seconds);
      pickSlipBytes = r.bytes;
    }
    const batchSeconds: number[] = [];
    for (let i = 0; i < 3; i++) batchSeconds.push((await timePdf('/api/v1/documents/batch-pick-list')).seconds);
    const peakDuringMb = sampler.stop();
    const peakRssMb = rssMb(server.child.pid!, 'VmHWM');

    const session = await stationSession(server.url, 'bench@example.com', PASSWORD);
    const probeCodes = { order: codes, packing: codes };
    await probe(server.url, session, probeCodes, { count: 50 }); // warm-up
    const without = await probe(server.url, session, probeCodes, { count: 200 });
    const during = await probe(server.url, session, probeCodes, {
      count: 0,
      during: (async () => {
        for (let i = 0; i < 2; i++) await timePdf('/api/v1/documents/pick-slips');
      })(),
    });
    return {
      orders,
      pickSlipSeconds,
      pickSlipBytes,
      batchSeconds,
      peakRssMb,
      hwmStartMb,
      peakDuringMb,
      healthzDuringMaxMs,
      healthzDuringCount,
      without,
      during,
    };
  } finally {
    server.stop();
  }
}
