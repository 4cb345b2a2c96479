import { randomUUID } from 'node:crypto';
import { summarize, timeRequest, type Timings } from './http.js';

/** What a packer and an operator ask of the server, each timed on its own. */
export interface Probe {
  healthz: ProbeTimings;
  orderPage: ProbeTimings;
  scan: ProbeTimings;
}

/** With the 99th percentile of the app's own time (Server-Timing): the wait for a write lock is in it. */
export type ProbeTimings = Timings & { serverP99: number | null };

export interface StationSession {
  /** The browser's cookies: the session's and the station's (`station`, the device's name). */
  cookie: string;
  csrf: string;
  /** Scans sent so far (across probes): which packing order to open next and which parcel ID is new. */
  scans: number;
}

const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

/** Logs in as a person does (login page, form post): the session's cookies. */
export async function signIn(url: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${url}/login`);
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookiesOf(page) },
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()), email, password }),
  });
  if (res.status !== 302) throw new Error(`login: HTTP ${res.status}`);
  return cookiesOf(res);
}

/**
 * Logs in (signIn), names this device's station (the name form, which sets the `station` cookie)
 * and reads the CSRF token from the station page.
 */
export async function stationSession(url: string, email: string, password: string, station = 'Probe'): Promise<StationSession> {
  const session = await signIn(url, email, password);
  const naming = await fetch(`${url}/shipping`, { headers: { Cookie: session } });
  const named = await fetch(`${url}/shipping/station`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: session },
    body: new URLSearchParams({ _csrf: csrfOf(await naming.text()), name: station }),
  });
  if (named.status !== 303) throw new Error(`naming the station: HTTP ${named.status}`);
  const cookie = [session, cookiesOf(named)].filter(Boolean).join('; ');
  const stationPage = await fetch(`${url}/shipping`, { headers: { Cookie: cookie } });
  const html = await stationPage.text();
  if (stationPage.status !== 200 || !html.includes('id="station-page"')) throw new Error(`/shipping: HTTP ${stationPage.status}, no station`);
  return { cookie, csrf: csrfOf(html), scans: 0 };
}

/**
 * One station scan as src/browser/shipping.ts sends it (form post with a fresh key, `X-Station:
 * fragment`): every other scan opens the next packing order, the ones between are new parcel IDs
 * (a DHL piece ID, a carrier's form the parcel-ID rule takes) for the order open. Each order gets one parcel per pass over the list, so a list of n orders
 * lasts 8n scans (four parcels an order). An answer other than an `ok` fragment fails the bench.
 */
async function stationScan(url: string, session: StationSession, packing: string[]): Promise<Response> {
  const n = session.scans++;
  const visit = Math.floor(n / 2);
  if (visit >= packing.length * 4) throw new Error(`station probe: all ${packing.length} packing orders have four parcels`);
  const value = n % 2 === 0 ? packing[visit % packing.length]! : `JJD${String(visit).padStart(14, '0')}`;
  const res = await fetch(`${url}/shipping/scan`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: session.cookie, 'X-Station': 'fragment' },
    body: new URLSearchParams({ value, source: 'scanner', key: randomUUID(), _csrf: session.csrf }),
  });
  const body = await res.text();
  const kind = /<div id="station-update" data-kind="(\w+)"/.exec(body)?.[1];
  if (res.status === 200 && kind !== 'ok')
    throw new Error(`station probe: scan ${value}: ${kind ?? 'no fragment'}: ${/<output id="scan-message">([^<]*)</.exec(body)?.[1] ?? ''}`);
  // The body was read here to check it: hand on the same answer for timing.
  return new Response(body, { status: res.status, headers: res.headers });
}

/**
 * Three clients at once, one request after another each: /healthz, an order's page, and a scan at
 * the probe's station (stationScan: the request the station page sends, with the session's and
 * station's cookies and the CSRF token; it writes). Stops after `count` requests per client, or,
 * with `during`, when that promise settles.
 */
export async function probe(
  url: string,
  session: StationSession,
  codes: { order: string[]; packing: string[] },
  opts: { count: number; during?: Promise<unknown> },
): Promise<Probe> {
  let busy = true;
  void opts.during?.finally(() => (busy = false));
  const client = async (request: (i: number) => Promise<Response>, expected: number): Promise<ProbeTimings> => {
    const ms: number[] = [];
    const server: number[] = [];
    const started = performance.now();
    for (let i = 0; opts.during ? busy : i < opts.count; i++) await timeRequest(request, i, expected, ms, server);
    const sorted = [...server].sort((a, b) => a - b);
    return {
      ...summarize(ms, (performance.now() - started) / 1000, server),
      serverP99: sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]! : null,
    };
  };
  const headers = { Cookie: session.cookie };
  const [healthz, orderPage, scan] = await Promise.all([
    client(() => fetch(`${url}/healthz`), 200),
    client((i) => fetch(`${url}/orders/${codes.order[i % codes.order.length]}`, { headers }), 200),
    client(() => stationScan(url, session, codes.packing), 200),
  ]);
  return { healthz, orderPage, scan };
}

/** One line per request kind: client p50/p99 and the app's own p99 (Server-Timing). */
export function probeLines(label: string, p: Probe): string[] {
  const f = (n: number | null) => (n === null ? '-' : n.toFixed(1)).padStart(6);
  return (
    [
      ['/healthz', p.healthz],
      ['order page', p.orderPage],
      ['station scan', p.scan],
    ] as const
  ).map(
    ([what, t]) =>
      `${`${label}: ${what}`.padEnd(48)} n ${String(t.count).padStart(4)}  p50 ${f(t.p50)} ms  p99 ${f(t.p99)} ms  max ${f(t.max)} ms  server p99 ${f(t.serverP99)} ms`,
  );
}
