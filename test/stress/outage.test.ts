import { createHmac } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProduct, buildUser } from '../builders.js';
import { loginAs } from '../helpers.js';
import { expectInvariants } from '../invariants.js';
import { json, type OrderJson } from '../json.js';
import { loopbackServer } from '../loopback.js';
import { SMTP_PASS, SMTP_USER, smtpServer } from '../smtp.js';
import { apiClient, freePort, killAllChildren, startServer, tempDatabase } from './harness.js';
import { until } from '../wait.js';

/**
 * The webhook receiver and the mail server are down while orders come in, the server is killed,
 * both come back, the server starts again: every event reaches the receiver and every e-mail the
 * mail server, none lost. Delivery is at least once (docs/decisions.md § Notifications): a copy
 * sent twice carries the same event id / outbox id and the same content.
 */

const SECRET = 'outage-test-secret-0123';
const EVENTS = ['order.created', 'order.status_changed', 'order.updated', 'delivery.reported', 'pack_run.finished'];
const customer = (i: number) => ({
  name: `Olle Outage ${i}`,
  email: `olle${i}@example.com`,
  address: { line1: 'Vägen 2', postalCode: '222 33', city: 'Lund', country: 'SE' },
});

afterAll(killAllChildren);

describe('webhook receiver and mail server down, then up, across a server crash', () => {
  it('loses no event and no e-mail; a copy sent twice has the same id and content', async () => {
    const { path, db } = tempDatabase('stress-outage');
    const admin = await buildUser(db, 'admin');
    for (const sku of ['O1', 'O2']) buildProduct(db, { sku, onHand: 100 });
    // Both ports are free now: nothing answers there until the receivers come back.
    const [receiverPort, smtpPort] = [await freePort(), await freePort()];
    const env = { SCHEDULE: '1', SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtpPort}`, SHOP_ADMIN_EMAILS: 'shop@example.com' };

    const first = await startServer(path, env);
    // As an operator would: the receiver on this machine is allowed in Settings → Webhooks, then registered.
    const { submit } = await loginAs(first.url, admin.email);
    expect((await submit('/settings/webhooks', '/settings/webhooks/allowed-hosts', { allowedHosts: `127.0.0.1:${receiverPort}` })).status).toBe(302);
    const api = apiClient(first.url);
    const hook = await api.post('/webhooks', { url: `http://127.0.0.1:${receiverPort}/hooks`, secret: SECRET, events: EVENTS });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const firstEvent = db.$client.prepare('SELECT coalesce(max(id), 0) FROM order_events').pluck().get() as number;

    // Orders come in, are packed and partly shipped: events of every kind and e-mails of three kinds.
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const reply = await api.post('/orders', {
        lines: [
          { sku: 'O1', quantity: 2 },
          { sku: 'O2', quantity: 1 },
        ],
        customer: customer(i),
        paymentMethod: 'card',
        paid: i % 4 !== 0,
      });
      expect(reply.status).toBe(201);
      codes.push(json<OrderJson>(reply).code);
    }
    expect((await api.post(`/orders/${codes[0]}/payments`, {})).status).toBe(200);
    expect((await api.post('/pack-runs', {})).status).toBe(201);
    for (const code of codes.slice(0, 3)) expect((await api.post(`/orders/${code}/deliveries`, { parcels: [`OUT-${code}`] })).status).toBe(201);
    expect((await api.post(`/orders/${codes[7]}/status`, { status: 'cancelled', notifyCustomer: true })).status).toBe(200);

    const deliveries = () =>
      db.$client.prepare('SELECT event_id AS eventId, status, attempts FROM webhook_deliveries').all() as {
        eventId: string;
        status: string;
        attempts: number;
      }[];
    const emails = () => db.$client.prepare('SELECT id, status, attempts FROM email_outbox').all() as { id: number; status: string; attempts: number }[];
    const expectedEventIds = () => {
      const events = db.$client
        .prepare(
          `SELECT 'order_event:' || id FROM order_events WHERE id > ? AND type IN ('created', 'checked_out', 'status_changed', 'payment_recorded', 'line_added', 'line_changed', 'line_removed', 'flags_changed', 'delivery_reported')`,
        )
        .pluck()
        .all(firstEvent) as string[];
      const runs = db.$client.prepare("SELECT 'pack_run:' || id FROM pack_runs WHERE dry_run = 0 AND status <> 'running'").pluck().all() as string[];
      return [...events, ...runs];
    };
    // Every event and e-mail has been tried, and failed, while nothing listened.
    await until(
      'a failed attempt of every event and e-mail',
      () => {
        const d = deliveries();
        return (
          d.length === expectedEventIds().length &&
          d.every((x) => x.attempts >= 1 && x.status === 'queued') &&
          emails().every((e) => e.attempts >= 1 && e.status === 'queued')
        );
      },
      15_000,
    );
    const down = { events: deliveries().length, emails: emails().length };
    expect(down.emails).toBeGreaterThanOrEqual(8 * 2 + 3 + 1);

    // The server dies (whatever it was sending stays claimed), then the receivers come back.
    await first.stop('SIGKILL');
    const received: { id: string | undefined; body: string; signed: boolean }[] = [];
    await loopbackServer(
      '/hooks',
      (res, got, req) => {
        const body = got.at(-1)!.body;
        const header = String(req.headers['x-webhook-signature'] ?? '');
        const [t, v1] = header.split(',').map((p) => p.split('=')[1]);
        received.push({
          id: req.headers['x-webhook-id'] as string | undefined,
          body,
          signed: v1 === createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex'),
        });
        res.writeHead(204).end();
      },
      receiverPort,
    );
    const smtp = await smtpServer(() => null, smtpPort);
    // Stands in for the backoff (30 s, 1 min, … for webhooks; 1 min, 2 min, … for e-mails) and the
    // claims of the killed process running out: the server's clock is the real one, so the rows'
    // next attempt is moved to now instead of the test waiting minutes.
    db.$client.prepare("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE status = 'queued'").run(Date.now());
    db.$client.prepare("UPDATE email_outbox SET next_attempt_at = ? WHERE status = 'queued'").run(Date.now());

    const second = await startServer(path, env);
    await until(
      'every event and e-mail delivered',
      () => {
        const ids = new Set(received.map((r) => r.id));
        return expectedEventIds().every((id) => ids.has(id)) && emails().every((e) => e.status === 'sent') && smtp.received.length >= emails().length;
      },
      30_000,
    );
    await second.stop('SIGTERM');

    // Nothing lost: every event id arrived, every e-mail row went out and arrived.
    const expected = expectedEventIds();
    const ids = received.map((r) => r.id!);
    expect(
      expected.filter((id) => !ids.includes(id)),
      'events never received',
    ).toEqual([]);
    expect(
      deliveries().filter((d) => d.status !== 'delivered'),
      'deliveries not delivered',
    ).toEqual([]);
    const outboxIds = (m: ParsedMail) => {
      const id = m.headers.get('x-outbox-id');
      return typeof id === 'string' ? id : '';
    };
    const mailIds = smtp.received.map(outboxIds);
    expect(
      emails().filter((e) => e.status !== 'sent' || !mailIds.includes(String(e.id))),
      'e-mails not sent or not received',
    ).toEqual([]);
    // At least once, never something else: copies share id and content, each signed and naming its own id.
    for (const r of received) {
      expect(r.signed, `signature of ${r.id}`).toBe(true);
      expect((JSON.parse(r.body) as { id: string }).id).toBe(r.id);
      expect(
        received.filter((x) => x.id === r.id).every((x) => x.body === r.body),
        `copies of ${r.id}`,
      ).toBe(true);
    }
    for (const m of smtp.received)
      expect(smtp.received.filter((x) => outboxIds(x) === outboxIds(m)).every((x) => x.subject === m.subject && x.text === m.text)).toBe(true);
    const duplicateEvents = received.length - new Set(ids).size;
    const duplicateMails = mailIds.length - new Set(mailIds).size;
    console.log(
      `outage: ${expected.length} events (${down.events} tried while down), ${emails().length} e-mails; lost 0; delivered ${received.length} webhook posts (${duplicateEvents} duplicates) and ${smtp.received.length} e-mails (${duplicateMails} duplicates)`,
    );
    expectInvariants(db);
  }, 90_000);
});
