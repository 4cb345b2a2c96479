import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { buildOrder, buildPreorder, buildUser } from '../builders.js';
import { csrfOf, makeApp, PASSWORD } from '../helpers.js';
import { checkout } from '../../src/orders/service.js';
import { until } from '../wait.js';

describe('new orders, live', () => {
  it('an open stream gets each new order (created, or a preorder checked out), and needs a login', async () => {
    const { app, db } = makeApp();
    const user = await buildUser(db, 'packer');
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/events/new-orders`, { redirect: 'manual' })).status).toBe(302);
      // Log in as a browser would.
      const page = await fetch(`${base}/login`);
      let cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const login = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
        body: new URLSearchParams({ _csrf: csrfOf(await page.text()), email: user.email, password: PASSWORD }),
      });
      cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

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
      checkout(db, preorder.code, { customer: { name: 'Zoë Lefèvre', email: 'zoe@example.com', address: { line1: 'Rue 1', postalCode: '75001', city: 'Paris', country: 'FR' } }, paymentMethod: 'card', paid: true }, { actor: { type: 'system', id: null, name: 't' }, now: new Date(), currency: 'SEK' });
      await expect.poll(() => events.join('').match(/event: order/g)?.length ?? 0, { timeout: 5000 }).toBe(2);
      const data = events.join('').split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { code: string; customerName: string | null });
      expect(data.map((d) => d.code)).toEqual([order.code, preorder.code]);
      expect(data[1]!.customerName).toBe('Zoë Lefèvre');
      stream.destroy();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
