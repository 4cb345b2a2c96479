import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPackingOrder, buildUser } from '../builders.js';
import { csrfOf, makeApp, PASSWORD } from '../helpers.js';

// Requests that arrive together are served one after another, each in one piece: none of them
// waits, half done, while others run (a router passed on the way, a group commit gathering).
// Under load a request's server time is then its own work, not the work of every request in flight.

const servers: { close: () => void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** The app on a loopback port, counting requests begun and not yet answered (headers written). */
async function trackedServer() {
  const { app, db } = makeApp();
  const seen = { inFlight: 0, most: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.most = Math.max(seen.most, ++seen.inFlight);
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    let answered = false;
    res.writeHead = (...args: unknown[]) => {
      if (!answered) seen.inFlight--;
      answered = true;
      return writeHead(...args);
    };
    app(req, res);
  });
  let accepted = 0;
  let onAccept = () => {};
  server.on('connection', () => (accepted++, onAccept()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ close: () => (server.closeAllConnections(), server.close()) });
  /** Resolves once the server has taken `n` connections in all. */
  const acceptedAll = (n: number) => new Promise<void>((resolve) => (onAccept = () => accepted >= n && resolve())());
  return { db, seen, port: (server.address() as AddressInfo).port, accepted: () => accepted, acceptedAll };
}

/** A browser signed in at its own station, by plain fetch with its cookies kept. */
async function station(port: number, email: string, name: string) {
  const base = `http://127.0.0.1:${port}`;
  const jar = new Map<string, string>();
  const go = async (path: string, form?: Record<string, string>) => {
    const res = await fetch(base + path, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form && { 'content-type': 'application/x-www-form-urlencoded' }) },
      ...(form && { body: new URLSearchParams(form).toString() }),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return res;
  };
  await go('/login', { _csrf: csrfOf(await (await go('/login')).text()), email, password: PASSWORD });
  await go('/shipping/station', { _csrf: csrfOf(await (await go('/shipping')).text()), name });
  const csrf = csrfOf(await (await go('/shipping')).text());
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return { go, csrf, cookie };
}

/**
 * Raw HTTP/1.1 requests, all written before the server reads any: their connections are taken by
 * the server first, so they are all ready to read on the server's next turn, as when many stations
 * send at the same moment.
 */
async function burst(server: Awaited<ReturnType<typeof trackedServer>>, requests: string[]): Promise<string[]> {
  const before = server.accepted();
  const sockets: Socket[] = requests.map(() => connect(server.port, '127.0.0.1'));
  await server.acceptedAll(before + requests.length);
  const answers = sockets.map(
    (s) =>
      new Promise<string>((resolve) => {
        let got = '';
        s.on('data', (d: Buffer) => (got += d.toString()));
        s.on('end', () => resolve(got));
      }),
  );
  sockets.forEach((s, i) => s.write(requests[i]!));
  return Promise.all(answers);
}

const post = (path: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
  const body = new URLSearchParams(form).toString();
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: ${cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
};
const get = (path: string, cookie: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: ${cookie}\r\n\r\n`;

describe('requests that arrive together', () => {
  it('are served one at a time, each in one piece: station scans and pages, Outbound, Orders', async () => {
    const server = await trackedServer();
    const { db, seen, port } = server;
    const stations = [];
    const codes: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const packer = await buildUser(db, 'admin', { email: `packer${i}@example.com` });
      const s = await station(port, packer.email, `Bench ${i}`);
      // Each station has an order open: its next scans are parcel IDs.
      codes.push(buildPackingOrder(db).code);
      await s.go('/shipping/scan', { _csrf: s.csrf, value: codes.at(-1)! });
      stations.push(s);
    }
    seen.most = 0;

    const answers = await burst(server, [
      get(`/orders/${codes[0]}`, stations[1]!.cookie),
      get('/orders?q=PARCEL', stations[2]!.cookie),
      get('/outbound', stations[0]!.cookie),
      ...stations.map((s, i) => post('/shipping/scan', s.cookie, { _csrf: s.csrf, value: `PARCEL-${i}` }, { 'X-Station': 'fragment' })),
      ...stations.map((s) => get('/shipping', s.cookie)),
    ]);

    expect(answers.map((a) => a.split(' ')[1])).toEqual(Array(answers.length).fill('200'));
    expect(answers.slice(3, 7).every((a, i) => a.includes(`PARCEL-${i}`))).toBe(true);
    expect(seen.most).toBe(1);
  }, 60_000);
});
