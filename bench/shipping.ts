import { randomUUID } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { putVerificationMode } from '../src/shipping/checks.js';
import { createUser } from '../src/users/service.js';
import { generate } from './generate.js';
import { cpuSeconds, readTime, serverTime, startServer, summarize, type Timings } from './http.js';

/**
 * Timings of one kind of request, with the largest body answered and the server's CPU time per
 * request of its run (null where /proc is not there): the machine is shared, so waits alone do not
 * say what a request costs.
 */
/** `read99`, `readMax`: how long bodies took to arrive after their headers (Server-Timing `read`, outside the server time). */
export type SizedTimings = Timings & { maxBytes: number; cpuMs: number | null; read99: number; readMax: number };

export interface ShippingBench {
  orders: number;
  stations: number;
  /** A scanned order code: opens the order at the station (the answer carries the queue too). */
  open: SizedTimings;
  /** A scanned parcel ID for the order open at the station. */
  parcel: SizedTimings;
  /** The same, each station sending one request a second (a brisk packer), not one after another. */
  parcelPaced: SizedTimings;
  /** GET /shipping with an order open, two parcels on it and the queue. */
  page: SizedTimings;
  /** Report in with nothing ticked: the station's one delivery (one parcel). */
  report: SizedTimings;
  /** An item's barcode scanned to check one unit (verification "warn"). */
  check: SizedTimings;
}

const PASSWORD = 'bench password 123';

/** Orders per station in the scan run (after WARM_ORDERS untimed), each: open, PARCELS scans, Report in. */
const SCAN_ORDERS = 25;
const WARM_ORDERS = 3;
const PARCELS = 4;
/** Orders per station in the Report-in run: open, one parcel, Report in. */
const REPORT_ORDERS = 15;
const PAGE_LOADS = 10;
/** Orders each station checks item by item (about six units each). */
const CHECK_ORDERS = 5;
/** The paced scan run: orders per station, and one request per station every PACE_MS. */
const PACED_ORDERS = 5;
const PACE_MS = 1000;

/** One browser: its cookies as a browser keeps them (session, station), and the page's CSRF token. */
class Browser {
  private cookies = new Map<string, string>();
  csrf = '';
  /** What the station page says of itself, which its script sends with each scan: user, station, the open order. */
  userId = '';
  station = '';
  openOrder = '';
  constructor(private readonly url: string) {}

  async request(
    path: string,
    init: { method?: string; form?: Record<string, string>; fragment?: boolean } = {},
  ): Promise<{ res: Response; body: string; bytes: number; ms: number }> {
    const headers: Record<string, string> = { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    // As src/browser/shipping.ts sends it: a URLSearchParams body, and the header that asks for the fragment.
    if (init.fragment) headers['X-Station'] = 'fragment';
    const t0 = performance.now();
    const res = await fetch(`${this.url}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers,
      ...(init.form && { body: new URLSearchParams(init.form) }),
    });
    const buf = await res.arrayBuffer();
    const ms = performance.now() - t0;
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return { res, body: new TextDecoder().decode(buf), bytes: buf.byteLength, ms };
  }

  readCsrf(html: string): void {
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  }

  /** Signs in through the login form, names this device's station, and loads the station page. */
  async signIn(email: string, station: string): Promise<void> {
    const login = await this.request('/login');
    this.readCsrf(login.body);
    const signedIn = await this.request('/login', { form: { _csrf: this.csrf, email, password: PASSWORD } });
    if (signedIn.res.status !== 302) throw new Error(`login ${email}: HTTP ${signedIn.res.status}`);
    const naming = await this.request('/shipping');
    this.readCsrf(naming.body);
    const named = await this.request('/shipping/station', { form: { _csrf: this.csrf, name: station } });
    if (named.res.status !== 303 || !this.cookies.has('station')) throw new Error(`naming ${station}: HTTP ${named.res.status}`);
    const page = await this.request('/shipping');
    if (!page.body.includes('id="station-page"')) throw new Error(`${station}: the station page did not open`);
    this.readCsrf(page.body);
    this.userId = /data-user-id="(\d+)"/.exec(page.body)![1]!;
    this.station = /data-station="([^"]*)"/.exec(page.body)![1]!;
    this.openOrder = currentOrderOf(page.body);
  }
}

/** Collects one kind of request: client time, server time (Server-Timing) and body size. */
class Sample {
  private ms: number[] = [];
  private server: number[] = [];
  private maxBytes = 0;
  private reads: number[] = [];
  private started = 0;
  private ended = 0;
  add(r: { res: Response; bytes: number; ms: number }): void {
    const now = performance.now();
    this.started ||= now - r.ms;
    this.ended = now;
    this.ms.push(r.ms);
    const st = serverTime(r.res);
    if (st !== null) this.server.push(st);
    this.reads.push(readTime(r.res) ?? 0);
    this.maxBytes = Math.max(this.maxBytes, r.bytes);
  }
  result(cpuMs: number | null): SizedTimings {
    return { ...summarize(this.ms, (this.ended - this.started) / 1000, this.server), maxBytes: this.maxBytes, cpuMs, ...readTimes(this.reads) };
  }
}

function readTimes(reads: number[]): { read99: number; readMax: number } {
  const sorted = [...reads].sort((a, b) => a - b);
  return { read99: sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0, readMax: sorted.at(-1) ?? 0 };
}

/** The order open on a station page or fragment ('' for none), as the page's script reads it. */
const currentOrderOf = (html: string) => /<section id="current"[^>]* data-code="(\d+)"/.exec(html)?.[1] ?? '';

/** A station form sent as the page script sends it; the answer must be the fragment saying `ok`. */
async function stationPost(b: Browser, path: string, form: Record<string, string>, what: string) {
  const r = await b.request(path, { form: { ...form, _csrf: b.csrf }, fragment: true });
  b.openOrder = currentOrderOf(r.body);
  const kind = /<div id="station-update" data-kind="(\w+)"/.exec(r.body)?.[1];
  if (r.res.status !== 200 || kind !== 'ok') {
    const message = /<output id="scan-message">([^<]*)</.exec(r.body)?.[1] ?? r.body.slice(0, 200);
    throw new Error(`${what}: HTTP ${r.res.status}, ${kind ?? 'no fragment'}: ${message}`);
  }
  return r;
}

/** A scan as src/browser/shipping.ts sends it: with its key, user, station and the order it is meant for. */
const scan = (b: Browser, value: string) =>
  stationPost(b, '/shipping/scan', { value, source: 'scanner', key: randomUUID(), order: b.openOrder, user: b.userId, station: b.station }, `scan ${value}`);
const reportIn = (b: Browser) => stationPost(b, '/shipping/report', { key: randomUUID() }, 'Report in');

/**
 * The packing station on the path a browser takes: 20 packers, each signed in as their own user at
 * their own station (session cookie, station cookie, CSRF token), sending what src/browser/shipping.ts
 * sends (form posts with `X-Station: fragment` and a fresh key per scan), with 20,000 packing orders
 * in the database. Three runs, all 20 stations at once:
 * - scans: each station opens an order, scans four parcel IDs and reports in, over and over, as
 *   fast as the server answers; then the same at one request a second per station;
 * - Report in: each station opens an order, scans one parcel and reports in;
 * - the station page, with an order open and two parcels on it.
 */
export async function benchShipping(STATIONS = 20): Promise<ShippingBench> {
  const orders = 20_000;
  const data = generate({ products: 2000, orders, linesPerOrder: 3, statuses: [['packing', 1]] });
  const path = '.bench/shipping.db';
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  copyFileSync(data.path, path);
  const db = openDatabase(path);
  migrateDatabase(db);
  const codes = db.$client.prepare("SELECT code FROM orders WHERE status = 'packing' AND waiting = 0 ORDER BY random()").pluck().all() as string[];
  const emails = Array.from({ length: STATIONS }, (_, c) => `packer${c + 1}@example.com`);
  for (const email of emails)
    await createUser(db, { email, name: `Packer ${email.slice(6, -12)}`, role: 'packer', language: 'en', password: PASSWORD }, new Date());
  // Each order's units as barcodes, one per unit: what a packer scans to check the order.
  const unitsOf = db.$client.prepare(
    'SELECT p.barcode, l.quantity FROM order_lines l JOIN products p ON p.id = l.product_id JOIN orders o ON o.id = l.order_id WHERE o.code = ?',
  );
  const barcodes = new Map(
    codes.map((code) => [code, (unitsOf.all(code) as { barcode: string; quantity: number }[]).flatMap((u) => Array<string>(u.quantity).fill(u.barcode))]),
  );
  db.$client.close();

  const server = await startServer({
    DATABASE_PATH: path,
    DEMO_DATA: '0',
    SCHEDULE: '0',
    LOGIN_RATE_LIMIT: '100000',
    LOGIN_RATE_LIMIT_PER_ADDRESS: '100000',
    LOGIN_RATE_LIMIT_PER_ACCOUNT: '100000',
  });
  try {
    const browsers = emails.map(() => new Browser(server.url));
    for (const [c, b] of browsers.entries()) await b.signIn(emails[c]!, `Bench ${c + 1}`);

    // Each station takes its orders from its own share of the list: no two stations want one order.
    const perStation = Math.floor(codes.length / STATIONS);
    const stationCodes = browsers.map((_, c) => codes.slice(c * perStation, (c + 1) * perStation));
    let parcelSeq = 0;
    // Twenty digits: a carrier's numeric form (parcel IDs have a shape), never an order code or an EAN.
    const nextParcel = () => `9${String(parcelSeq++).padStart(19, '0')}`;
    const all = (fn: (b: Browser, mine: string[]) => Promise<void>) => Promise.all(browsers.map((b, c) => fn(b, stationCodes[c]!)));

    // The server's CPU time per request over a run (all the run's requests, timed or not).
    const cpuPerRequest = async (requests: number, run: () => Promise<unknown>) => {
      const cpu0 = cpuSeconds(server.child.pid);
      await run();
      const cpu1 = cpuSeconds(server.child.pid);
      return cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) * 1000) / requests;
    };

    const open = new Sample();
    const parcel = new Sample();
    const scanCpu = await cpuPerRequest(STATIONS * (WARM_ORDERS + SCAN_ORDERS) * (PARCELS + 2), () =>
      all(async (b, mine) => {
        for (let k = 0; k < WARM_ORDERS + SCAN_ORDERS; k++) {
          const timed = k >= WARM_ORDERS;
          const opened = await scan(b, mine.shift()!);
          if (timed) open.add(opened);
          for (let p = 0; p < PARCELS; p++) {
            const r = await scan(b, nextParcel());
            if (timed) parcel.add(r);
          }
          await reportIn(b);
        }
      }),
    );

    // As packers work: each station sends a request a second, the stations' seconds out of step.
    const parcelPaced = new Sample();
    await all(async (b, mine) => {
      let next = performance.now() + Math.random() * PACE_MS;
      const paced = async <T>(send: () => Promise<T>) => {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
        next += PACE_MS;
        return send();
      };
      for (let k = 0; k < PACED_ORDERS; k++) {
        await paced(() => scan(b, mine.shift()!));
        for (let p = 0; p < PARCELS; p++) parcelPaced.add(await paced(() => scan(b, nextParcel())));
        await paced(() => reportIn(b));
      }
    });

    const report = new Sample();
    const reportCpu = await cpuPerRequest(STATIONS * REPORT_ORDERS * 3, () =>
      all(async (b, mine) => {
        for (let k = 0; k < REPORT_ORDERS; k++) {
          await scan(b, mine.shift()!);
          await scan(b, nextParcel());
          report.add(await reportIn(b));
        }
      }),
    );

    const page = new Sample();
    await all(async (b, mine) => {
      await scan(b, mine.shift()!);
      for (let p = 0; p < 2; p++) await scan(b, nextParcel());
    });
    const pageCpu = await cpuPerRequest(STATIONS * PAGE_LOADS, () =>
      all(async (b) => {
        for (let k = 0; k < PAGE_LOADS; k++) {
          const r = await b.request('/shipping');
          if (r.res.status !== 200 || !r.body.includes('id="station-page"')) throw new Error(`GET /shipping: HTTP ${r.res.status}`);
          page.add(r);
        }
      }),
    );

    // Item checks: switched on ("required") as an admin would in Settings, read by the server on its
    // next request; then open an order, scan each unit's barcode, a parcel, Report in.
    const settingsDb = openDatabase(path);
    putVerificationMode(settingsDb, 'required', new Date(), 'bench');
    settingsDb.$client.close();
    const check = new Sample();
    let checks = 0;
    const checkCpu = await cpuPerRequest(1, async () => {
      await all(async (b, mine) => {
        for (let k = 0; k < CHECK_ORDERS; k++) {
          const code = mine.shift()!;
          await scan(b, code);
          for (const barcode of barcodes.get(code)!) {
            check.add(await scan(b, barcode));
            checks++;
          }
          await scan(b, nextParcel());
          // This order only (ticked): the page run left an unchecked delivery at each station.
          await stationPost(b, '/shipping/report', { key: randomUUID(), orders: code }, 'Report in');
        }
      });
    });

    return {
      orders,
      stations: STATIONS,
      open: open.result(scanCpu),
      parcel: parcel.result(scanCpu),
      parcelPaced: parcelPaced.result(null),
      page: page.result(pageCpu),
      report: report.result(reportCpu),
      // The run's CPU over its check scans (with the order scans, parcels and reports between them).
      check: check.result(checkCpu === null ? null : checkCpu / Math.max(checks, 1)),
    };
  } finally {
    server.stop();
  }
}
