import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { runPackScript } from '../../src/pack/run.js';
import { createApiToken } from '../../src/api-tokens/service.js';
import type { Db } from '../../src/db/client.js';
import { dispatchEvents, sendDue } from '../../src/webhooks/service.js';
import { saveAllowedHosts } from '../../src/webhooks/settings.js';
import { consoleLogger } from '../../src/log.js';
import { getEmailSettings, putEmailSettings } from '../../src/email/settings.js';
import { bookParcels } from '../carrier-parcels.js';
import { buildPackingOrder, buildPaidOrder, buildProduct, buildUser } from '../builders.js';
import { api, csrfOf, loginAs, makeApp, makeClock } from '../helpers.js';
import { apiError, json, type DeliveryLogJson, type WebhookJson, type WebhookListJson } from '../json.js';
import { loopbackServer, type Received } from '../loopback.js';

const SECRET = 'whsec-0123456789abcdef';
/** A webhook receiver on loopback that answers with `answer` (status, or a hang). */
function receiver(answer: (n: number) => number | 'hang') {
  return loopbackServer('/hook', (res, got) => {
    const a = answer(got.length);
    if (a !== 'hang') res.writeHead(a, { 'Content-Type': 'text/plain' }).end(a === 200 ? 'thanks' : 'receiver broke');
  });
}

/**
 * The receivers live on 127.0.0.1, which webhooks may reach only when an admin allows it, as an
 * operator with a POS on the LAN would (Settings → Webhooks, the same function the page calls).
 */
function allowLoopback(db: Db) {
  saveAllowedHosts(db, ['127.0.0.1'], new Date(), 'test admin');
}

/** supertest with an admin API token (the integration token does not see receivers' answers, nor others' endpoints). */
async function adminApi(app: Parameters<typeof request>[0], db: Db) {
  const admin = await buildUser(db, 'admin');
  const { token } = createApiToken(db, { name: 'Admin tool', role: 'admin' }, admin.id, new Date());
  return {
    get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string) => request(app).post(url).set('Authorization', `Bearer ${token}`),
  };
}

/** What a receiver does: recompute the signature over "<t>.<raw body>" and compare. */
function verify(r: Received): boolean {
  const [t, v1] = String(r.headers['x-webhook-signature'])
    .split(',')
    .map((p) => p.split('=')[1]);
  return createHmac('sha256', SECRET).update(`${t}.${r.body}`).digest('hex') === v1;
}

describe('webhooks', () => {
  it('registers an endpoint, refuses bad ones, lists and deletes', async () => {
    const { app } = makeApp();
    const bad = await api(app)
      .post('/api/v1/webhooks')
      .send({ url: 'ftp://example.com/x', secret: 'short', events: ['order.eaten'] });
    expect(bad.status).toBe(422);
    expect(
      apiError(bad)
        .details?.fields?.map((f: { path: string }) => f.path)
        .sort(),
    ).toEqual(['events.0', 'secret', 'url']);
    const made = await api(app)
      .post('/api/v1/webhooks')
      .send({ url: 'https://pos.example/hooks', secret: SECRET, events: ['order.created', 'delivery.reported'] });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ id: expect.any(Number), url: 'https://pos.example/hooks', events: ['order.created', 'delivery.reported'] });
    expect(json<WebhookJson & { secret?: string }>(made).secret).toBeUndefined();
    expect(json<WebhookListJson>(await api(app).get('/api/v1/webhooks')).webhooks).toHaveLength(1);
    expect((await api(app).delete(`/api/v1/webhooks/${json<WebhookJson>(made).id}`)).status).toBe(204);
    expect((await api(app).delete(`/api/v1/webhooks/${json<WebhookJson>(made).id}`)).status).toBe(404);
  });

  it('pushes each subscribed event once, signed, with a stable id; a 500 is retried until a 200', async () => {
    const { app, db } = makeApp();
    const clock = makeClock(new Date());
    allowLoopback(db);
    const hook = await receiver((n) => (n === 1 ? 500 : 200));
    const made = await api(app)
      .post('/api/v1/webhooks')
      .send({ url: hook.url, secret: SECRET, events: ['order.created', 'order.status_changed'] });
    const order = buildPaidOrder(db);
    expect(dispatchEvents(db, clock())).toBe(1);
    // Dispatching again sends nothing twice.
    expect(dispatchEvents(db, clock())).toBe(0);
    await sendDue(db, clock);
    expect(hook.got).toHaveLength(1);
    clock.advance(29_000);
    await sendDue(db, clock);
    expect(hook.got).toHaveLength(1);
    clock.advance(2_000);
    await sendDue(db, clock);
    expect(hook.got).toHaveLength(2);
    const [first, second] = hook.got as [Received, Received];
    expect(first.headers['x-webhook-id']).toBe(second.headers['x-webhook-id']);
    expect(verify(second)).toBe(true);
    const event = JSON.parse(second.body);
    expect(event).toMatchObject({
      id: first.headers['x-webhook-id'],
      type: 'order.created',
      data: { order: { code: order.code, status: 'order' }, change: { kind: 'created' } },
    });
    const log = json<DeliveryLogJson>(await (await adminApi(app, db)).get(`/api/v1/webhooks/${json<WebhookJson>(made).id}/deliveries`)).deliveries;
    expect(log[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200, lastResponseExcerpt: 'thanks' });
    expect(log[0]!.log.map((a) => [a.statusCode, a.responseExcerpt])).toEqual([
      [500, 'receiver broke'],
      [200, 'thanks'],
    ]);
    // What the receiver answered is for admins: the integration token that registered it sees status codes only.
    const seen = json<DeliveryLogJson>(await api(app).get(`/api/v1/webhooks/${json<WebhookJson>(made).id}/deliveries`)).deliveries;
    expect(seen[0]).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
    expect(seen[0]).not.toHaveProperty('lastResponseExcerpt');
    expect(seen[0]!.log.map((a) => 'responseExcerpt' in a)).toEqual([false, false]);
    expect(JSON.stringify(seen)).not.toContain('thanks');
  });

  it('a receiver that hangs times out without holding anything else up, and gives up after a day', async () => {
    const { app, db } = makeApp();
    const clock = makeClock(new Date());
    allowLoopback(db);
    const hang = await receiver(() => 'hang');
    const made = await api(app)
      .post('/api/v1/webhooks')
      .send({ url: hang.url, secret: SECRET, events: ['order.created'] });
    buildPaidOrder(db);
    dispatchEvents(db, clock());
    const t0 = performance.now();
    await sendDue(db, clock);
    expect(performance.now() - t0).toBeLessThan(8000);
    let log = json<DeliveryLogJson>(await (await adminApi(app, db)).get(`/api/v1/webhooks/${json<WebhookJson>(made).id}/deliveries`)).deliveries[0]!;
    expect(log).toMatchObject({ status: 'queued', attempts: 1, lastError: 'no answer within 5000 ms' });
    // The integration token sees that it failed, not how.
    log = json<DeliveryLogJson>(await api(app).get(`/api/v1/webhooks/${json<WebhookJson>(made).id}/deliveries`)).deliveries[0]!;
    expect(log).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: null, lastDurationMs: null, lastError: 'delivery_failed' });
    // A day later the next attempt would be too late: it is marked failed.
    db.$client.prepare('UPDATE webhook_deliveries SET created_at = ?, next_attempt_at = ?').run(clock().getTime() - 24 * 3600_000 + 10_000, clock().getTime());
    db.$client.prepare('UPDATE webhooks SET url = ?').run((await receiver(() => 503)).url);
    await sendDue(db, clock);
    log = json<DeliveryLogJson>(await api(app).get(`/api/v1/webhooks/${json<WebhookJson>(made).id}/deliveries`)).deliveries[0]!;
    expect(log).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: 503 });
    // "Resend" queues it again.
    expect((await api(app).post(`/api/v1/webhooks/${json<WebhookJson>(made).id}/deliveries/${log.id}/resend`)).status).toBe(202);
    expect(json<DeliveryLogJson>(await api(app).get(`/api/v1/webhooks/${json<WebhookJson>(made).id}/deliveries`)).deliveries[0]!.status).toBe('queued');
  }, 20_000);

  it('an integration token sees why an attempt failed only as a category: no refused-vs-timeout-vs-TLS text to map LAN ports with', async () => {
    const { app, db } = makeApp();
    const clock = makeClock(new Date());
    allowLoopback(db);
    // A port on loopback with nothing listening: taken, then given back.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const plain = await receiver(() => 200);
    const broken = await receiver(() => 503);
    const urls = {
      refused: `http://127.0.0.1:${closedPort}/hook`,
      tls: plain.url.replace('http:', 'https:'),
      answered: broken.url,
    };
    const ids: Record<string, number> = {};
    for (const [name, url] of Object.entries(urls))
      ids[name] = json<WebhookJson>(
        await api(app)
          .post('/api/v1/webhooks')
          .send({ url, secret: SECRET, events: ['order.created'] }),
      ).id;
    buildPaidOrder(db);
    expect(dispatchEvents(db, clock())).toBe(3);
    const logged: Record<string, unknown>[] = [];
    await sendDue(db, clock, { log: { warn: (_m, data) => logged.push(data ?? {}) } });
    const admin = await adminApi(app, db);
    const seenBy = async (client: { get(url: string): request.Test }, name: string) =>
      json<DeliveryLogJson>(await client.get(`/api/v1/webhooks/${ids[name]}/deliveries`)).deliveries[0]!;

    // Admins (and the log) get the detail.
    expect((await seenBy(admin, 'refused')).lastError).toMatch(/ECONNREFUSED/);
    expect((await seenBy(admin, 'tls')).lastError).toMatch(/SSL|TLS|wrong version|EPROTO/i);
    expect(logged.map((d) => d.error).join('\n')).toMatch(/ECONNREFUSED/);

    // The integration token: one fixed category and no timing for both failures, the HTTP status where something answered.
    for (const name of ['refused', 'tls']) {
      const seen = await seenBy(api(app), name);
      expect(seen, name).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: null, lastDurationMs: null, lastError: 'delivery_failed' });
      expect(seen.log, name).toEqual([{ statusCode: null, durationMs: null, error: 'delivery_failed', succeeded: false, at: expect.any(String) }]);
      expect(JSON.stringify(seen), name).not.toMatch(/ECONN|SSL|TLS|EPROTO|127\.0\.0\.1|\bms\b/i);
    }
    const answered = await seenBy(api(app), 'answered');
    expect(answered).toMatchObject({ status: 'queued', lastStatusCode: 503, lastDurationMs: expect.any(Number), lastError: null });
    expect(answered.log.map((a) => [a.statusCode, a.error])).toEqual([[503, null]]);
  });

  it('delivery.reported, order.status_changed and pack_run.finished, only to who asked', async () => {
    const { app, db } = makeApp();
    const clock = makeClock(new Date());
    allowLoopback(db);
    const all = await receiver(() => 200);
    const shipOnly = await receiver(() => 200);
    await api(app)
      .post('/api/v1/webhooks')
      .send({ url: all.url, secret: SECRET, events: ['order.status_changed', 'delivery.reported', 'pack_run.finished'] });
    await api(app)
      .post('/api/v1/webhooks')
      .send({ url: shipOnly.url, secret: SECRET, events: ['delivery.reported'] });
    buildProduct(db, { sku: 'A', onHand: 5 });
    const order = buildPaidOrder(db, { lines: [{ sku: 'A', quantity: 1 }] });
    await runPackScript(
      { db, clock, log: consoleLogger({ silent: true }) },
      { trigger: 'manual', dryRun: false, actor: { type: 'system', id: null, name: 'test' } },
    );
    await api(app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['WH-1'] });
    dispatchEvents(db, clock());
    await sendDue(db, clock);
    const types = (r: { got: Received[] }) => r.got.map((g) => (JSON.parse(g.body) as { type: string }).type);
    expect(types(all)).toEqual(['order.status_changed', 'delivery.reported', 'order.status_changed', 'pack_run.finished']);
    expect(types(shipOnly)).toEqual(['delivery.reported']);
    expect((JSON.parse(shipOnly.got[0]!.body) as { data: { change: unknown } }).data.change).toMatchObject({ kind: 'delivery_reported', parcels: ['WH-1'] });
  });

  it('delivery.reported tells where each parcel can be followed: the carrier and service it was booked with, its page or the shop’s', async () => {
    const { app, db } = makeApp();
    const clock = makeClock(new Date());
    allowLoopback(db);
    putEmailSettings(db, { ...getEmailSettings(db), trackingUrl: 'https://track.example/?id={parcel}' }, clock(), 'test');
    const hook = await receiver(() => 200);
    await api(app)
      .post('/api/v1/webhooks')
      .send({ url: hook.url, secret: SECRET, events: ['delivery.reported'] });
    const order = buildPackingOrder(db);
    bookParcels(
      db,
      order,
      { kind: 'bring', service: '5800', parcels: [{ parcelId: 'BRG0000000001', trackingUrl: 'https://tracking.bring.com/t/BRG0000000001' }] },
      clock(),
    );
    // A parcel typed in beside the booked one: no booking, so the shop's pattern and no carrier.
    expect((await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: '12345678901' })).status).toBe(201);
    const reported = await api(app)
      .post('/api/v1/deliveries/report')
      .send({ orders: [order.code] });
    expect(reported.status).toBe(200);
    const tracking = [
      { parcelId: 'BRG0000000001', trackingUrl: 'https://tracking.bring.com/t/BRG0000000001', carrier: 'Bring', service: '5800' },
      { parcelId: '12345678901', trackingUrl: 'https://track.example/?id=12345678901', carrier: null, service: null },
    ];
    expect(json<{ reported: { tracking: unknown }[] }>(reported).reported[0]!.tracking).toEqual(tracking);
    dispatchEvents(db, clock());
    await sendDue(db, clock);
    expect(hook.got).toHaveLength(1);
    const event = JSON.parse(hook.got[0]!.body) as { type: string; data: { change: Record<string, unknown> } };
    expect(event.type).toBe('delivery.reported');
    // `parcels` stays as it was: the IDs; `tracking` is added beside it.
    expect(event.data.change).toMatchObject({ kind: 'delivery_reported', parcels: ['BRG0000000001', '12345678901'], tracking });
  });

  it('delivery.reported without a shop pattern: a parcel without its own page has trackingUrl null', async () => {
    const { app, db } = makeApp();
    const clock = makeClock(new Date());
    allowLoopback(db);
    const hook = await receiver(() => 200);
    await api(app)
      .post('/api/v1/webhooks')
      .send({ url: hook.url, secret: SECRET, events: ['delivery.reported'] });
    const order = buildPackingOrder(db);
    expect(
      (
        await api(app)
          .post(`/api/v1/orders/${order.code}/deliveries`)
          .send({ parcels: ['12345678901'] })
      ).status,
    ).toBe(201);
    dispatchEvents(db, clock());
    await sendDue(db, clock);
    const change = (JSON.parse(hook.got[0]!.body) as { data: { change: { tracking: unknown } } }).data.change;
    expect(change.tracking).toEqual([{ parcelId: '12345678901', trackingUrl: null, carrier: null, service: null }]);
  });

  it('Settings → Webhooks: adds an endpoint (bad input shown next to the fields), shows the delivery log, resends', async () => {
    const { app, db } = makeApp();
    const clock = makeClock(new Date());
    await buildUser(db, 'admin', { email: 'admin@example.com' });
    const { agent, submit } = await loginAs(app, 'admin@example.com');
    const bad = await submit('/settings/webhooks', '/settings/webhooks', { url: 'ftp://pos.example', secret: 'short' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('An http:// or https:// address.');
    expect(bad.text).toContain('A secret of at least 16 characters.');
    expect(bad.text).toContain('value="ftp://pos.example"');
    const hook = await receiver((n) => (n === 1 ? 500 : 200));
    // A receiver on this machine is refused, next to the address, until an admin allows its host.
    const inside = await submit('/settings/webhooks', '/settings/webhooks', { url: hook.url, secret: SECRET, events: 'order.created' });
    expect(inside.status).toBe(422);
    expect(inside.text).toMatch(/<p class="field-error" id="url-error">This address is on this server or the local network\./);
    expect(inside.text).toContain(`value="${hook.url}"`);
    // The endpoint is the admin's: read with an admin token (an integration token sees only its own).
    const adminToken = await adminApi(app, db);
    expect(json<WebhookListJson>(await adminToken.get('/api/v1/webhooks')).webhooks).toHaveLength(0);
    expect((await submit('/settings/webhooks', '/settings/webhooks/allowed-hosts', { allowedHosts: ' 127.0.0.1 \r\n\r\n' })).status).toBe(302);
    expect((await agent.get('/settings/webhooks')).text).toContain('>127.0.0.1</textarea>');
    const made = await agent.get('/settings/webhooks');
    const res = await agent
      .post('/settings/webhooks')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrfOf(made.text))}&url=${encodeURIComponent(hook.url)}&secret=${SECRET}&events=order.created&events=delivery.reported`,
      );
    expect(res.status).toBe(302);
    const webhook = json<WebhookListJson>(await adminToken.get('/api/v1/webhooks')).webhooks[0]!;
    expect(webhook).toMatchObject({ url: hook.url, events: ['order.created', 'delivery.reported'], createdBy: { type: 'user', name: expect.any(String) } });
    buildPaidOrder(db);
    dispatchEvents(db, clock());
    await sendDue(db, clock);
    const log = await agent.get(`/settings/webhooks/${webhook.id}`);
    expect(log.text).toContain('order.created');
    expect(log.text).toMatch(/· 500 ·/);
    const deliveryId = json<DeliveryLogJson>(await adminToken.get(`/api/v1/webhooks/${webhook.id}/deliveries`)).deliveries[0]!.id;
    expect((await submit(`/settings/webhooks/${webhook.id}`, `/settings/webhooks/${webhook.id}/deliveries/${deliveryId}/resend`, {})).status).toBe(302);
    await sendDue(db, clock);
    expect(hook.got).toHaveLength(2);
    expect(json<DeliveryLogJson>(await adminToken.get(`/api/v1/webhooks/${webhook.id}/deliveries`)).deliveries[0]!.status).toBe('delivered');
    // A delivery of another endpoint is not resent through this one.
    expect((await adminToken.post(`/api/v1/webhooks/${webhook.id + 1}/deliveries/${deliveryId}/resend`)).status).toBe(404);
  });
});
