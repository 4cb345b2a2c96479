import { copyFileSync, rmSync } from 'node:fs';
import { generate } from './generate.js';
import { rssMb, sampleRss, scratchPath, startServer } from './http.js';

const TOKEN = 'bench-export-token-0123456789';

export interface ExportFigures {
  orders: number;
  rows: number;
  bytes: number;
  seconds: number;
  /** The server's resident memory just after start (VmRSS and its peak so far, VmHWM) and just before the export. */
  rssStartMb: number;
  hwmStartMb: number;
  rssBeforeMb: number;
  /** The highest VmRSS sampled (every 25 ms) while the export ran. */
  peakDuringMb: number;
  /** The process's peak since it started (VmHWM), start-up and export together. */
  peakRssMb: number;
  products: { rows: number; seconds: number };
}

/** Reads a streamed CSV response to its end, counting bytes and rows (CRLF records; the header left out). */
async function drain(res: Response): Promise<{ rows: number; bytes: number }> {
  if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}`);
  let rows = -1;
  let bytes = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) rows++;
  }
  return { rows, bytes };
}

/**
 * GET /api/v1/orders.csv of every order of the bench data (a million by default, ~3 lines each),
 * read as fast as the client takes it, on a server of its own, so that its peak memory is the
 * export's: rows per second and the server's RSS (target ≤ 200 MB): after start, before the export,
 * the highest sampled while it ran, and the process's peak since start (VmHWM). Then products.csv.
 */
export async function benchExport(orders: number): Promise<ExportFigures> {
  const data = generate({ products: 10_000, orders, linesPerOrder: 3 });
  const path = scratchPath('export');
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  copyFileSync(data.path, path);
  const server = await startServer({ DATABASE_PATH: path, DEMO_DATA: '0', API_TOKEN: TOKEN, SCHEDULE: '0' });
  try {
    const pid = server.child.pid!;
    const rssStartMb = rssMb(pid, 'VmRSS');
    const hwmStartMb = rssMb(pid, 'VmHWM');
    const headers = { Authorization: `Bearer ${TOKEN}` };
    // Warm the connection and the statement on a small filter first.
    await drain(await fetch(`${server.url}/api/v1/orders.csv?status=preorder&maxTotal=10000`, { headers }));
    const rssBeforeMb = rssMb(pid, 'VmRSS');
    const sampler = sampleRss(pid);
    const started = performance.now();
    const all = await drain(await fetch(`${server.url}/api/v1/orders.csv`, { headers }));
    const seconds = (performance.now() - started) / 1000;
    const peakDuringMb = sampler.stop();
    const peakRssMb = rssMb(pid, 'VmHWM');
    const pStarted = performance.now();
    const products = await drain(await fetch(`${server.url}/api/v1/products.csv`, { headers }));
    return {
      orders,
      rows: all.rows,
      bytes: all.bytes,
      seconds,
      rssStartMb,
      hwmStartMb,
      rssBeforeMb,
      peakDuringMb,
      peakRssMb,
      products: { rows: products.rows, seconds: (performance.now() - pStarted) / 1000 },
    };
  } finally {
    server.stop();
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  }
}
