import { rmSync, copyFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { generate } from './generate.js';
import { startServer } from './http.js';

export interface ShippingBench {
  parcelRequests: number;
  parcelRps: number;
  parcelP50: number;
  parcelP99: number;
  parcelErrors: number;
  reportDeliveries: number;
  reportMs: number[];
}

const TOKEN = 'bench-token-0123456789abcdef';

/**
 * The shipping station under load: 20 clients add scanned parcel IDs to packing orders' open
 * deliveries (autocannon, 10 s), then Report in of 200 deliveries, timed as a client sees it.
 */
export async function benchShipping(): Promise<ShippingBench> {
  const data = generate({ products: 2000, orders: 20_000, linesPerOrder: 3, statuses: [['packing', 1]] });
  const path = '.bench/shipping.db';
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  copyFileSync(data.path, path);
  const db = openDatabase(path);
  migrateDatabase(db);
  const codes = db.$client.prepare("SELECT code FROM orders WHERE status = 'packing' AND waiting = 0 ORDER BY id").pluck().all() as string[];
  db.$client.close();

  const server = await startServer({ DATABASE_PATH: path, DEMO_DATA: '0', API_TOKEN: TOKEN, SCHEDULE: '0' });
  try {
    // Four parcels per order at most: spread the requests over the orders, each parcel ID new.
    let n = 0;
    const add = (duration: number) =>
      autocannon({
        url: server.url,
        connections: 20,
        duration,
        requests: [
          {
            method: 'POST',
            headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
            setupRequest: (req) => {
              const i = n++;
              return { ...req, path: `/api/v1/orders/${codes[i % codes.length]}/parcels`, body: JSON.stringify({ parcelId: `BENCH${String(i).padStart(10, '0')}`, source: 'scanner' }) };
            },
          },
        ],
      });
    await add(2); // warm-up
    const result = await add(10);
    // The warm-up and the run gave these orders parcels already; report them in.
    const reportMs: number[] = [];
    for (let round = 0; round < 3; round++) {
      const batch = codes.slice(round * 200, round * 200 + 200);
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/v1/deliveries/report`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ orders: batch }),
      });
      const body = (await res.json()) as { reported: unknown[] };
      reportMs.push(performance.now() - t0);
      if (res.status !== 200 || body.reported.length !== 200) throw new Error(`report: HTTP ${res.status}, ${body.reported?.length} reported`);
    }
    return {
      parcelRequests: result.requests.total,
      parcelRps: result.requests.average,
      parcelP50: result.latency.p50,
      parcelP99: result.latency.p99,
      parcelErrors: result.non2xx + result.errors,
      reportDeliveries: 200,
      reportMs,
    };
  } finally {
    server.stop();
  }
}
