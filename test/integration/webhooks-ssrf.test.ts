import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import type { Resolve } from '../../src/webhooks/address.js';
import { dispatchEvents, sendDue } from '../../src/webhooks/service.js';
import { getWebhookSettings, saveAllowedHosts } from '../../src/webhooks/settings.js';
import { buildPaidOrder, buildUser } from '../builders.js';
import { api, loginAs, makeApp, makeClock } from '../helpers.js';
import { apiError, json, type WebhookDeliveryJson, type WebhookJson } from '../json.js';
import { loopbackServer } from '../loopback.js';

const SECRET = 'whsec-0123456789abcdef';

const open: Server[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

/**
 * A service inside, on 127.0.0.1, that counts every TCP connection made to it: a refusal must
 * reach it zero times, not merely get no answer.
 */
async function insideService() {
  let connections = 0;
  const server = createServer((_req, res) => res.end('internal secret'));
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  open.push(server);
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

/** A resolver that answers `addresses` for any name, and remembers what it was asked. */
function resolver(...addresses: string[]) {
  const asked: string[] = [];
  const resolve: Resolve = (host) => {
    asked.push(host);
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return { resolve, asked };
}

/** The first delivery of the only endpoint, its attempts included, as an admin sees it. */
function firstDelivery(db: Db) {
  const d = db.$client
    .prepare('SELECT id, status, attempts, last_status_code AS statusCode, last_error AS error FROM webhook_deliveries ORDER BY id LIMIT 1')
    .get() as { id: number; status: string; attempts: number; statusCode: number | null; error: string | null };
  const log = db.$client.prepare('SELECT status_code AS statusCode, error, succeeded FROM webhook_attempts WHERE delivery_id = ?').all(d.id);
  return { ...d, log };
}

/** One queued delivery to `url`, written as an endpoint saved before this check existed would be. */
function queuedDeliveryTo(db: Db, url: string) {
  const clock = makeClock(new Date());
  db.$client
    .prepare('INSERT INTO webhooks (url, secret, events, active, created_at) VALUES (?, ?, ?, 1, ?)')
    .run(url, SECRET, JSON.stringify(['order.created']), clock().getTime());
  db.$client
    .prepare("INSERT INTO settings (key, value, updated_at) VALUES ('webhook_cursor', ?, ?)")
    .run(JSON.stringify({ orderEvent: 0, packRun: 0 }), clock().getTime());
  buildPaidOrder(db);
  expect(dispatchEvents(db, clock())).toBe(1);
  return clock;
}

describe('webhooks reach only public addresses, unless an admin allows a host', () => {
  it('refuses, when saved, every address on this machine or the local network, however it is written', async () => {
    const { app } = makeApp();
    const inside = [
      'http://127.0.0.1:8080/x',
      'http://127.1/',
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://localhost/',
      'http://LOCALHOST./',
      'http://api.localhost/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[::127.0.0.1]/',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://172.31.255.254/',
      'http://192.168.1.20/',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://0.1.2.3/',
      'http://224.0.0.1/',
      'http://255.255.255.255/',
      'http://[fc00::1]/',
      'http://[fd12:3456::1]/',
      'http://[fe80::1]/',
      'http://[ff02::1]/',
      'http://[::]/',
      'http://printer.local/',
      'http://metadata.google.internal/',
      'http://router.home.arpa/',
      'http://intranet/',
    ];
    for (const url of inside) {
      const res = await api(app)
        .post('/api/v1/webhooks')
        .send({ url, secret: SECRET, events: ['order.created'] });
      expect(res.status, url).toBe(422);
      expect(apiError(res).code).toBe('validation_failed');
      expect(apiError(res).details?.fields, url).toEqual([
        { path: 'url', message: expect.stringContaining('This address is on this server or the local network.') },
      ]);
    }
    expect(json<{ webhooks: WebhookJson[] }>(await api(app).get('/api/v1/webhooks')).webhooks).toEqual([]);
    // Public addresses and names are saved (nothing is sent or looked up when saving).
    for (const url of [
      'https://pos.example/hooks',
      'http://93.184.215.14/x',
      'http://172.32.0.1/',
      'http://[2606:4700::1111]/',
      'https://local.example.com/',
    ]) {
      expect(
        (
          await api(app)
            .post('/api/v1/webhooks')
            .send({ url, secret: SECRET, events: ['order.created'] })
        ).status,
        url,
      ).toBe(201);
    }
  });

  it('an allowed host (with its port, when given) may be on the LAN; the allow-list is kept in the one form checks compare', async () => {
    const { app, db } = makeApp();
    const saved = saveAllowedHosts(db, ['pos.lan', '  192.168.1.20:8080', '', '[::FFFF:10.0.0.5]', 'POS.LAN.'], new Date(), 'admin');
    expect(saved.allowedHosts).toEqual(['pos.lan', '192.168.1.20:8080', '10.0.0.5']);
    const post = (url: string) =>
      api(app)
        .post('/api/v1/webhooks')
        .send({ url, secret: SECRET, events: ['order.created'] });
    expect((await post('http://pos.lan/hooks')).status).toBe(201);
    expect((await post('http://192.168.1.20:8080/hooks')).status).toBe(201);
    expect((await post('http://192.168.1.20/hooks')).status).toBe(422);
    expect((await post('http://[::ffff:10.0.0.5]:9000/hooks')).status).toBe(201);
    expect((await post('http://10.0.0.6/hooks')).status).toBe(422);
  });

  it('Settings → Webhooks: the allow-list is for admins, and a bad line is shown with its number and saves nothing', async () => {
    const { app, db } = makeApp();
    await buildUser(db, 'admin', { email: 'admin@example.com' });
    await buildUser(db, 'operator', { email: 'operator@example.com' });
    const { submit } = await loginAs(app, 'admin@example.com');
    expect((await submit('/settings/webhooks', '/settings/webhooks/allowed-hosts', { allowedHosts: 'pos.lan' })).status).toBe(302);
    const bad = await submit('/settings/webhooks', '/settings/webhooks/allowed-hosts', { allowedHosts: 'pos.lan\r\nhttp://10.0.0.1/x' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="allowedHosts-error">Line 2 \(http:\/\/10\.0\.0\.1\/x\): write a host name or IP address/);
    expect(bad.text).toContain('http://10.0.0.1/x</textarea>');
    expect(getWebhookSettings(db).allowedHosts).toEqual(['pos.lan']);
    const operator = await loginAs(app, 'operator@example.com');
    expect((await operator.submit('/account', '/settings/webhooks/allowed-hosts', { allowedHosts: '127.0.0.1' })).status).toBe(403);
    expect(getWebhookSettings(db).allowedHosts).toEqual(['pos.lan']);
  });

  it('a name whose DNS answer is inside is refused when sending, with no connection at all (DNS rebinding)', async () => {
    const { app, db } = makeApp();
    const clock = makeClock(new Date());
    const service = await insideService();
    // The name looks public when saved; by the time it is sent it resolves to 127.0.0.1, as localhost does.
    const made = await api(app)
      .post('/api/v1/webhooks')
      .send({ url: `http://rebind.example:${service.port}/admin`, secret: SECRET, events: ['order.created'] });
    expect(made.status).toBe(201);
    buildPaidOrder(db);
    dispatchEvents(db, clock());
    const dns = resolver('127.0.0.1');
    await sendDue(db, clock, { resolve: dns.resolve });
    expect(dns.asked).toEqual(['rebind.example']);
    expect(service.connections()).toBe(0);
    const d = firstDelivery(db);
    expect(d).toMatchObject({ status: 'queued', attempts: 1, statusCode: null, error: 'address not allowed (loopback)' });
    expect(d.log).toEqual([{ statusCode: null, error: 'address not allowed (loopback)', succeeded: 0 }]);
    const seen = json<{ deliveries: WebhookDeliveryJson[] }>(await api(app).get(`/api/v1/webhooks/${json<WebhookJson>(made).id}/deliveries`)).deliveries[0];
    // The integration token sees the category, not the range its DNS answer fell in.
    expect(seen).toMatchObject({ lastStatusCode: null, lastError: 'address_not_allowed' });
    expect(JSON.stringify(seen)).not.toContain('internal secret');
  });

  it('every address of the answer is checked: one allowed address does not carry a private one through', async () => {
    const { db } = makeApp();
    const service = await insideService();
    saveAllowedHosts(db, ['127.0.0.1'], new Date(), 'admin');
    const clock = queuedDeliveryTo(db, `http://pos.example:${service.port}/hook`);
    await sendDue(db, clock, { resolve: resolver('127.0.0.1', '10.0.0.1').resolve });
    expect(service.connections()).toBe(0);
    expect(firstDelivery(db).error).toBe('address not allowed (private)');
  });

  it('connects to exactly the address that was checked', async () => {
    const { db } = makeApp();
    const hook = await loopbackServer('/hook', (res) => res.writeHead(200).end('ok'));
    saveAllowedHosts(db, ['127.0.0.1'], new Date(), 'admin');
    // A name nobody resolves but the injected resolver: the request reaches the receiver only through its answer.
    const clock = queuedDeliveryTo(db, hook.url.replace('127.0.0.1', 'pos.example'));
    await sendDue(db, clock, { resolve: resolver('127.0.0.1').resolve });
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0]!.headers.host).toMatch(/^pos\.example:\d+$/);
    expect(firstDelivery(db)).toMatchObject({ status: 'delivered', statusCode: 200 });
  });

  it('an endpoint saved before the check, on an address inside, is refused when sending, without a connection', async () => {
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) {
      const { db } = makeApp();
      const service = await insideService();
      const clock = queuedDeliveryTo(db, `http://${host}:${service.port}/admin`);
      const dns = resolver('127.0.0.1');
      await sendDue(db, clock, { resolve: dns.resolve });
      expect(service.connections(), host).toBe(0);
      expect(dns.asked).toEqual([]);
      expect(firstDelivery(db).error, host).toBe('address not allowed (loopback)');
    }
  });

  it('a redirect is not followed: it is the answer, and is tried again later', async () => {
    const { db } = makeApp();
    const service = await insideService();
    const hook = await loopbackServer('/hook', (res) => res.writeHead(302, { Location: `http://127.0.0.1:${service.port}/admin` }).end());
    saveAllowedHosts(db, ['127.0.0.1'], new Date(), 'admin');
    const clock = queuedDeliveryTo(db, hook.url);
    await sendDue(db, clock);
    expect(hook.got).toHaveLength(1);
    expect(service.connections()).toBe(0);
    expect(firstDelivery(db)).toMatchObject({ status: 'queued', statusCode: 302, error: null });
  });
});
