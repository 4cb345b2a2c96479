import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { startLoop } from '../loop.js';
import type { Logger } from '../log.js';
import { getSetting, putSetting, removeSetting } from '../settings/service.js';
import { AppError, fieldError } from '../errors.js';
import type { Actor } from '../domain/actor.js';
import { ADDRESS_NOT_ALLOWED, guardedLookup, systemResolve, urlRefusal, type AllowedHost, type Resolve } from './address.js';
import { makerOf, mayManageWebhook, type WebhookCaller, type WebhookMaker } from './owner.js';
import {
  activeWebhooks,
  allWebhooks,
  attemptsOfDelivery,
  claimDelivery,
  currentOrderStatus,
  deleteWebhookRow,
  deliveriesOfWebhook,
  dueWebhookDeliveries,
  insertWebhook,
  lastFinishedPackRunId,
  lastOrderEventId,
  orderEventsAfter,
  packRunsAfter,
  queueDelivery,
  recordDeliveryAttempt,
  requeueDelivery,
  webhookById,
  type WebhookRow,
} from './repo.js';
import { allowedHosts } from './settings.js';

export const WEBHOOK_EVENTS = ['order.created', 'order.status_changed', 'order.updated', 'delivery.reported', 'pack_run.finished', 'return.received'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const webhookBody = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'validation.httpUrl' }).max(2000),
  secret: z.string().min(16, { error: 'validation.webhookSecret' }).max(200),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
});

/** Retries stop this long after the event: the receiver was down for a day. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;
/** Each attempt waits at most this long for an answer. */
export const ATTEMPT_TIMEOUT_MS = 5000;

/** Wait before attempt n+1 (n ≥ 1): 30 s, 1 min, 2 min, … capped at 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** (attempts - 1), 60 * 60 * 1000);
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>`. */
export function signature(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * Registers an endpoint, recording `by` (the API token or staff user asking) as its maker: only the
 * maker or an admin manages it later ({@link mayManageWebhook}). Without `by` (made outside a
 * request) it has no maker and is the admins'. One on this machine or the local network is refused
 * unless an admin allowed its host (docs/operations.md § Webhooks to hosts on the LAN); sending
 * checks again.
 */
export function createWebhook(db: Db, input: z.infer<typeof webhookBody>, now: Date, by: Actor | null = null) {
  if (urlRefusal(input.url, allowedHosts(db))) throw fieldError('url', 'validation.webhookAddress');
  const maker = makerOf(by);
  return writeTransaction(db, (tx) => {
    // Events are pushed from when the first endpoint exists, not from the whole history.
    if (!getSetting(tx, CURSOR)) putSetting(tx, CURSOR, currentCursor(tx), now, 'system');
    return insertWebhook(tx, {
      url: input.url,
      secret: input.secret,
      events: [...new Set(input.events)],
      createdAt: now,
      createdByType: maker?.type ?? null,
      createdById: maker?.id ?? null,
      createdByName: maker?.name ?? null,
    });
  });
}

const CURSOR = 'webhook_cursor';
/** Where dispatching is: the last order event and pack run turned into deliveries. */
const cursorSchema = z.object({ orderEvent: z.number(), packRun: z.number() });
type Cursor = z.infer<typeof cursorSchema>;

/** The newest order event and finished pack run now. */
function currentCursor(conn: Conn): Cursor {
  return { orderEvent: lastOrderEventId(conn), packRun: lastFinishedPackRunId(conn) };
}

/** The kept cursor as stored, undefined before the first endpoint (or one not readable). */
function cursorOf(stored: unknown): Cursor | undefined {
  const read = cursorSchema.safeParse(stored);
  return read.success ? read.data : undefined;
}

/** Who made the endpoint, from its row; null when that was not recorded (made before it was). */
function makerOfRow(w: WebhookRow): WebhookMaker | null {
  return w.createdByType === null ? null : { type: w.createdByType, id: w.createdById, name: w.createdByName ?? '' };
}

/**
 * The endpoint `id` if `caller` may manage it (its maker or an admin): 404 `not_found` when there
 * is none, 403 `forbidden` when it is someone else's. Called inside the transaction that writes.
 */
function managedWebhook(conn: Conn, id: number, caller: WebhookCaller): WebhookRow {
  const row = webhookById(conn, id);
  if (!row) throw new AppError('not_found', 'errors.webhookNotFound', { id });
  if (!mayManageWebhook(makerOfRow(row), caller)) throw new AppError('forbidden', 'errors.webhookNotYours', { id }, { id });
  return row;
}

/**
 * The endpoints `caller` may manage: all of them for an admin, an integration token's own for it.
 * Another's address is not its to know (it may carry a key in its path, or name a LAN host an
 * admin allowed for their own receiver).
 */
export function listWebhooks(conn: Conn, caller: WebhookCaller) {
  return allWebhooks(conn)
    .filter((w) => mayManageWebhook(makerOfRow(w), caller))
    .map(presentWebhook);
}

/** `createdBy` is the maker (`{ type: 'api' | 'user', id, name }`), null when not recorded. */
export function presentWebhook(w: WebhookRow) {
  return { id: w.id, url: w.url, events: w.events, active: w.active, createdAt: w.createdAt.toISOString(), createdBy: makerOfRow(w) };
}

/** Deletes an endpoint and its deliveries: its maker or an admin only (403 `forbidden` for anyone else). */
export function deleteWebhook(db: Db, id: number, caller: WebhookCaller): void {
  writeTransaction(db, (tx) => {
    managedWebhook(tx, id, caller);
    deleteWebhookRow(tx, id);
  });
}

/**
 * What a reader who is not an admin sees of a failed attempt: a fixed category, never the error's
 * text. The text tells a refused connection from a timeout from a TLS failure, which would let an
 * integration token map the open ports of an allowed LAN host; admins (and the log) get the text.
 * `address_not_allowed` is decided before any connection, from the address alone.
 */
export type DeliveryErrorCategory = 'address_not_allowed' | 'delivery_failed';

export function deliveryErrorCategory(detail: string | null): DeliveryErrorCategory | null {
  if (detail === null) return null;
  return detail.startsWith(ADDRESS_NOT_ALLOWED) ? 'address_not_allowed' : 'delivery_failed';
}

/**
 * One attempt's outcome as `detail` allows: with it (admins), the error's text and the receiver's
 * answer; without, the error's category and no time when nothing answered (how long a connection
 * took to fail tells a closed port from a filtered one, as the text does).
 */
function attemptView(a: { statusCode: number | null; durationMs: number | null; excerpt: string | null; error: string | null }, detail: boolean) {
  if (detail) return { statusCode: a.statusCode, durationMs: a.durationMs, excerpt: a.excerpt, error: a.error };
  return { statusCode: a.statusCode, durationMs: a.statusCode === null ? null : a.durationMs, error: deliveryErrorCategory(a.error) };
}

/**
 * The newest deliveries of an endpoint with every attempt, for its maker or an admin (403
 * `forbidden` for anyone else). Admins also get what a receiver answered (behind an allowed LAN
 * host it may be an internal service's page) and each error's text; its maker, if not an admin,
 * the status code and an error category ({@link deliveryErrorCategory}).
 */
export function webhookDeliveryLog(conn: Conn, id: number, caller: WebhookCaller, { limit = 100 }: { limit?: number } = {}) {
  managedWebhook(conn, id, caller);
  const detail = caller.admin;
  const rows = deliveriesOfWebhook(conn, id, limit);
  return rows.map((d) => {
    const last = attemptView({ statusCode: d.lastStatusCode, durationMs: d.lastDurationMs, excerpt: d.lastResponseExcerpt, error: d.lastError }, detail);
    return {
      id: d.id,
      eventId: d.eventId,
      type: d.type,
      status: d.status,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
      lastStatusCode: last.statusCode,
      lastDurationMs: last.durationMs,
      ...(detail ? { lastResponseExcerpt: d.lastResponseExcerpt } : {}),
      lastError: last.error,
      createdAt: d.createdAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      log: attemptsOfDelivery(conn, d.id).map((a) => {
        const seen = attemptView({ statusCode: a.statusCode, durationMs: a.durationMs, excerpt: a.responseExcerpt, error: a.error }, detail);
        return {
          statusCode: seen.statusCode,
          durationMs: seen.durationMs,
          ...(detail ? { responseExcerpt: a.responseExcerpt } : {}),
          error: seen.error,
          succeeded: a.succeeded,
          at: a.createdAt.toISOString(),
        };
      }),
    };
  });
}

/**
 * Sends a delivery of an endpoint again from now (the "resend" button), whatever its state: the
 * endpoint's maker or an admin only (403 `forbidden` for anyone else).
 */
export function resendDelivery(db: Db, webhookId: number, deliveryId: number, now: Date, caller: WebhookCaller): void {
  writeTransaction(db, (tx) => {
    managedWebhook(tx, webhookId, caller);
    if (!requeueDelivery(tx, webhookId, deliveryId, now)) throw new AppError('not_found', 'errors.webhookDeliveryNotFound', { id: deliveryId });
  });
}

/**
 * Turns new rows of the order log (and finished pack runs) into webhook deliveries. The log is
 * written in the same transaction as every change, so reading it after commit is a transactional
 * outbox: nothing changes without its event, and a crash before dispatch only delays it. The event
 * id (`order_event:<id>`, `pack_run:<id>`) is stable, and a delivery is unique per endpoint and
 * event, so dispatching twice sends nothing twice.
 */
export function dispatchEvents(db: Db, now: Date, max = 1000): number {
  const hooks = activeWebhooks(db);
  const stored = getSetting(db, CURSOR);
  const cursor = cursorOf(stored);
  if (hooks.length === 0 || !cursor) {
    // Nobody listens: nothing is kept for endpoints made later (the next one starts from its creation).
    if (hooks.length === 0 && stored !== undefined) removeSetting(db, CURSOR);
    return 0;
  }
  const events = orderEventsAfter(db, cursor.orderEvent, max);
  // Runs finish in any order: take those finished since, by id, stopping at the first still running.
  const runs = packRunsAfter(db, cursor.packRun, max);
  let made = 0;
  writeTransaction(db, (tx) => {
    const queue = (eventId: string, type: WebhookEvent, createdAt: Date, data: unknown) => {
      const subscribed = hooks.filter((h) => h.events.includes(type));
      if (subscribed.length === 0) return;
      const payload = JSON.stringify({ id: eventId, type, createdAt: createdAt.toISOString(), data });
      for (const h of subscribed) if (queueDelivery(tx, { webhookId: h.id, eventId, type, payload, at: now })) made++;
    };
    for (const e of events) {
      const type = EVENT_TYPES[e.type];
      if (!type) continue;
      queue(`order_event:${e.id}`, type, e.createdAt, {
        order: { code: e.orderCode, status: currentOrderStatus(tx, e.orderId) ?? null },
        change: { kind: e.type, ...e.data },
        actor: { type: e.actorType, name: e.actorName },
      });
    }
    let packRun = cursor.packRun;
    for (const r of runs) {
      if (r.status === 'running') break;
      packRun = r.id;
      if (r.dryRun) continue;
      queue(`pack_run:${r.id}`, 'pack_run.finished', r.finishedAt ?? r.startedAt, {
        packRun: {
          id: r.id,
          trigger: r.trigger,
          status: r.status,
          examined: r.examined,
          promoted: r.promoted,
          held: r.held,
          startedAt: r.startedAt.toISOString(),
          finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
        },
      });
    }
    putSetting(tx, CURSOR, { orderEvent: events.length ? events[events.length - 1]!.id : cursor.orderEvent, packRun }, now, 'system');
  });
  return made;
}

/** Which order events are pushed, as which webhook event. */
const EVENT_TYPES: Record<string, WebhookEvent | undefined> = {
  created: 'order.created',
  checked_out: 'order.status_changed',
  status_changed: 'order.status_changed',
  payment_recorded: 'order.updated',
  line_added: 'order.updated',
  line_changed: 'order.updated',
  line_removed: 'order.updated',
  flags_changed: 'order.updated',
  approved: 'order.updated',
  delivery_reported: 'delivery.reported',
  return_received: 'return.received',
};

/** The excerpt kept of an answer: its first characters (a 2xx page says little more). */
const EXCERPT_CHARS = 500;

/**
 * One POST of a delivery. The address is checked before connecting ({@link guardedLookup}), a
 * redirect is an answer like any other (never followed: it could point inside), and only the start
 * of the answer is read.
 */
async function post(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  allow: readonly AllowedHost[],
  resolve: Resolve,
): Promise<{ statusCode: number; excerpt: string }> {
  const url = new URL(rawUrl);
  const lookup = guardedLookup(url, allow, resolve);
  const signal = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
  try {
    const res = await new Promise<http.IncomingMessage>((done, fail) => {
      const send = url.protocol === 'https:' ? https.request : http.request;
      // agent: false: a fresh connection per attempt, resolved and checked again (no pooled socket to an old address).
      const req = send(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, lookup, signal, agent: false }, done);
      req.on('error', fail);
      req.end(body);
    });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        // UTF-8 takes at most 4 bytes a character: enough for the excerpt, the rest is not waited for.
        if (size >= EXCERPT_CHARS * 4) break;
      }
    } catch {
      // The status has arrived; an answer cut short keeps what came.
    }
    return { statusCode: res.statusCode ?? 0, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS) };
  } catch (err) {
    if (signal.aborted) throw new Error(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`);
    throw err;
  }
}

/**
 * Sends the deliveries that are due, each at most once at a time: POST JSON with the event id and
 * signature headers, a timeout per attempt, every attempt logged. 2xx is delivered; anything else
 * is tried again with exponential backoff until a day after the event, then marked failed. An
 * endpoint whose address is not allowed fails its attempt with "address not allowed" without any
 * connection; `resolve` (the system resolver by default) is how names are looked up.
 */
export async function sendDue(
  db: Db,
  now: () => Date,
  { max = 50, resolve = systemResolve, log }: { max?: number; resolve?: Resolve; log?: Pick<Logger, 'warn'> } = {},
): Promise<number> {
  const allow = allowedHosts(db);
  const due = dueWebhookDeliveries(db, now(), max);
  await Promise.all(
    due.map(async (d) => {
      // Claimed first: another loop (or process) skips it while this attempt runs.
      const claimed = writeTransaction(db, (tx) => claimDelivery(tx, d.id, new Date(now().getTime() + ATTEMPT_TIMEOUT_MS + 60_000)));
      if (!claimed) return;
      const started = now();
      const t0 = performance.now();
      let statusCode: number | null = null;
      let excerpt: string | null = null;
      let error: string | null = null;
      try {
        const headers = {
          'Content-Type': 'application/json',
          'User-Agent': 'warehouse-back-office',
          'X-Webhook-Id': d.eventId,
          'X-Webhook-Signature': signature(d.secret, d.payload, started),
        };
        ({ statusCode, excerpt } = await post(d.url, headers, d.payload, allow, resolve));
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        // The text is for admins and this log; the API shows others a category.
        log?.warn('webhook attempt failed', { deliveryId: d.id, eventId: d.eventId, error, code: (err as { code?: unknown }).code });
      }
      const durationMs = Math.round(performance.now() - t0);
      const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
      const attempts = d.attempts + 1;
      const next = now().getTime() + backoffMs(attempts);
      const giveUp = !ok && next > d.createdAt.getTime() + GIVE_UP_AFTER_MS;
      const attempt = { statusCode, durationMs, excerpt, error, succeeded: ok, at: started };
      writeTransaction(db, (tx) =>
        recordDeliveryAttempt(tx, d.id, attempt, {
          status: ok ? 'delivered' : giveUp ? 'failed' : 'queued',
          attempts,
          next: ok || giveUp ? null : new Date(next),
          deliveredAt: ok ? now() : null,
        }),
      );
    }),
  );
  return due.length;
}

/**
 * The webhook loop of a server process: dispatch new events and send what is due, every `everyMs`,
 * never two rounds at once. Sending is after commit and off the request path: a receiver that
 * hangs holds up only its own delivery, for at most the attempt timeout.
 */
export function startWebhookLoop(db: Db, clock: () => Date, log: Pick<Logger, 'warn' | 'error'>, everyMs = 1000): () => void {
  return startLoop(
    'webhook',
    everyMs,
    async () => {
      dispatchEvents(db, clock());
      await sendDue(db, clock, { log });
    },
    log,
  );
}
