import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { buildOrder, buildPreorder, buildUser } from '../builders.js';
import { csrfOf, makeApp, PASSWORD } from '../helpers.js';
import { checkout } from '../../src/orders/service.js';
import { until } from '../wait.js';

/** Signs in through the login form as a browser does; the session's cookie header. */
async function signIn(base: string, email: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()), email, password: PASSWORD }),
  });
  return login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/** Runs `work` against the app listening on a loopback port, and closes it (and any open stream) after. */
async function listening(app: ReturnType<typeof makeApp>['app'], work: (base: string) => Promise<void>): Promise<void> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    await work(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe('new orders, live', () => {
  it('an open stream gets each new order (created, or a preorder checked out), and needs a login', async () => {
    const { app, db } = makeApp();
    const user = await buildUser(db, 'packer');
    await listening(app, async (base) => {
      expect((await fetch(`${base}/events/new-orders`, { redirect: 'manual' })).status).toBe(302);
      // Log in as a browser would.
      const cookie = await signIn(base, user.email);

      const events: string[] = [];
      const stream = httpRequest(`${base}/events/new-orders`, { headers: { Cookie: cookie } });
      const opened = new Promise<void>((resolve) =>
        stream.on('response', (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream');
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => events.push(chunk));
          resolve();
        }),
      );
      stream.end();
      await opened;
      // The server subscribes in the same turn as it writes its first line: once that is here, it listens.
      await until('the first line of the stream', () => events.join('').includes('retry:'), 5000, 10);
      const order = buildOrder(db);
      const preorder = buildPreorder(db);
      checkout(
        db,
        preorder.code,
        {
          customer: { name: 'Zoë Lefèvre', email: 'zoe@example.com', address: { line1: 'Rue 1', postalCode: '75001', city: 'Paris', country: 'FR' } },
          paymentMethod: 'card',
          paid: true,
        },
        { actor: { type: 'system', id: null, name: 't' }, now: new Date(), currency: 'SEK' },
      );
      await expect.poll(() => events.join('').match(/event: order/g)?.length ?? 0, { timeout: 5000 }).toBe(2);
      const data = events
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => JSON.parse(l.slice(6)) as { code: string; customerName: string | null });
      expect(data.map((d) => d.code)).toEqual([order.code, preorder.code]);
      expect(data[1]!.customerName).toBe('Zoë Lefèvre');
      stream.destroy();
    });
  });
  it('a page that reconnects (Last-Event-ID) or connects after it was rendered (?after=) gets the orders made meanwhile, once each', async () => {
    const { app, db } = makeApp();
    const user = await buildUser(db, 'packer');
    await listening(app, async (base) => {
      const cookie = await signIn(base, user.email);
      /** Opens the stream with `headers` and `query`; resolves with what arrived once `count` orders did. */
      const listen = async (count: number, headers: Record<string, string>, query = '') => {
        const chunks: string[] = [];
        const stream = httpRequest(`${base}/events/new-orders${query}`, { headers: { Cookie: cookie, ...headers } });
        stream.on('response', (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => chunks.push(chunk));
        });
        stream.end();
        await until(`${count} orders on the stream`, () => (chunks.join('').match(/event: order/g)?.length ?? 0) >= count, 5000, 10);
        stream.destroy();
        const text = chunks.join('');
        return {
          ids: [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])),
          codes: [...text.matchAll(/^data: (.*)$/gm)].map((m) => (JSON.parse(m[1]!) as { code: string }).code),
        };
      };

      // Outbound was rendered with the newest order log row; two orders come before its stream opens.
      const rendered = await fetch(`${base}/outbound`, { headers: { Cookie: cookie } });
      const after = /data-after="(\d+)"/.exec(await rendered.text())![1]!;
      const [a, b] = [buildOrder(db), buildOrder(db)];
      const first = await listen(2, {}, `?after=${after}`);
      expect(first.codes).toEqual([a.code, b.code]);
      // The browser reconnects with the last id it saw; an order came while it was away.
      const c = buildOrder(db);
      const again = await listen(1, { 'Last-Event-ID': String(first.ids[0]) }, `?after=${after}`);
      expect(again.codes).toEqual([b.code, c.code]);
      expect(again.ids[0]).toBe(first.ids[1]);
    });
  });
});
