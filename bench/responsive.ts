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
  cookie: string;
  csrf: string;
}

const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

/** Logs in as a person does (login page, form post) and reads the station's CSRF token. */
export async function stationSession(url: string, email: string, password: string): Promise<StationSession> {
  const page = await fetch(`${url}/login`);
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookiesOf(page) },
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()), email, password }),
  });
  if (res.status !== 302) throw new Error(`login: HTTP ${res.status}`);
  const cookie = cookiesOf(res);
  const station = await fetch(`${url}/shipping`, { headers: { Cookie: cookie } });
  if (station.status !== 200) throw new Error(`/shipping: HTTP ${station.status}`);
  return { cookie, csrf: csrfOf(await station.text()) };
}

/**
 * Three clients at once, one request after another each: /healthz, an order's page, and the
 * station's scan of a packing order's code (the form post the scanner sends, with the session's
 * cookie and CSRF token; it writes the session). Stops after `count` requests per client, or, with
 * `during`, when that promise settles.
 */
export async function probe(url: string, session: StationSession, codes: { order: string[]; packing: string[] }, opts: { count: number; during?: Promise<unknown> }): Promise<Probe> {
  let busy = true;
  void opts.during?.finally(() => (busy = false));
  const client = async (request: (i: number) => Promise<Response>, expected: number): Promise<ProbeTimings> => {
    const ms: number[] = [];
    const server: number[] = [];
    const started = performance.now();
    for (let i = 0; opts.during ? busy : i < opts.count; i++) await timeRequest(request, i, expected, ms, server);
    const sorted = [...server].sort((a, b) => a - b);
    return { ...summarize(ms, (performance.now() - started) / 1000, server), serverP99: sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]! : null };
  };
  const headers = { Cookie: session.cookie };
  const [healthz, orderPage, scan] = await Promise.all([
    client(() => fetch(`${url}/healthz`), 200),
    client((i) => fetch(`${url}/orders/${codes.order[i % codes.order.length]}`, { headers }), 200),
    client(
      (i) =>
        fetch(`${url}/shipping/scan`, {
          method: 'POST',
          redirect: 'manual',
          headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: session.csrf, value: codes.packing[i % codes.packing.length]!, selected: '', source: 'scanner' }),
        }),
      303,
    ),
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
  ).map(([what, t]) => `${`${label}: ${what}`.padEnd(48)} n ${String(t.count).padStart(4)}  p50 ${f(t.p50)} ms  p99 ${f(t.p99)} ms  max ${f(t.max)} ms  server p99 ${f(t.serverP99)} ms`);
}
