import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { writeTransaction, type Db } from '../db/client.js';
import { canonicalJson } from '../domain/canonical-json.js';
import { normalizeParcelId } from '../domain/parcel-id.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { resolveOrderCode } from '../orders/lookup.js';
import { completeReservation, dropReservation, findKey, IN_FLIGHT, keepKey, keepKeyIfNew, type KeyRow } from './repo.js';

export { IN_FLIGHT } from './repo.js';

export interface ApiReply {
  status: number;
  body: unknown;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Path segments that name something by a value the caller chose, case-sensitive (SKUs, custom
// status codes): kept as typed. A parcel ID (after `parcels`, case-sensitive too) is read as the
// parcel rule and the routes read it (domain/parcel-id.ts). Every other segment is a word of the
// API, matched by Express without regard to case, so it is compared in lower case.
const CASE_KEPT_AFTER = new Set(['products', 'custom-statuses']);
const PARCEL_AFTER = 'parcels';

/**
 * The resource a path under /api/v1 names, whatever its spelling: no empty segments (a trailing
 * slash), %-encoding read, API words in lower case, an order code as `resolveOrderCode` reads it
 * (spaces, dashes) and a parcel ID as `normalizeParcelId` reads it (an SSCC with or without its
 * `(00)`, `00` or FNC1). `/ORDERS/9310-849608/returns/` and `/orders/9310849608/returns` are one
 * resource; so are `/orders/…/parcels/(00)373500000000000017` and `/orders/…/parcels/373500000000000017`.
 */
export function canonicalResource(path: string): string {
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeSegment);
  return (
    '/' +
    segments
      .map((segment, i) => {
        const before = i > 0 ? segments[i - 1]!.toLowerCase() : '';
        if (i === 1 && before === 'orders') {
          try {
            return resolveOrderCode(segment);
          } catch {
            return segment.toLowerCase(); // refused by the route anyway
          }
        }
        if (before === PARCEL_AFTER && segment.toLowerCase() !== 'fetch') return encodeURIComponent(normalizeParcelId(segment));
        if (CASE_KEPT_AFTER.has(before) && segment.toLowerCase() !== 'fetch') return encodeURIComponent(segment);
        return encodeURIComponent(segment.toLowerCase());
      })
      .join('/')
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The hash a request is recognised by: its body as canonical JSON (the order of fields does not count). */
export function requestHashOf(body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(body ?? null))
    .digest('hex');
}

function checkKey(key: string): void {
  if (!/^[\x21-\x7E]{1,200}$/.test(key)) throw new AppError('bad_request', 'errors.idempotencyKeyFormat');
}

const API_MOUNT = /^\/api\/v1(?=\/|$)/i;

/**
 * The request's path under /api/v1, the same wherever it is asked: in the middleware (mounted on
 * the API's router, `req.path` is `/orders/…/returns`) and in a route of a sub-router (mounted at
 * `/orders`, `req.path` is `/…/returns`), so a route's `once` keeps its key in the scope the
 * middleware reads. Relative to the API's mount point, so /API/V1/… and /api/v1/… agree too.
 */
function apiPath(req: Request): string {
  return `${req.baseUrl}${req.path}`.replace(API_MOUNT, '');
}

/** Who sent it, the method and the resource: the scope a key is kept in (docs/api.md § Retries). */
export function apiScope(req: Request): string {
  const actor = req.api?.actor ?? { type: 'user', id: req.user?.id ?? null, name: req.user?.name ?? '' };
  return `${actor.type}:${actor.id ?? actor.name}:${req.method.toUpperCase()} ${canonicalResource(apiPath(req))}`;
}

/**
 * Runs `work` once per `Idempotency-Key` header and caller: a retry with the same key and body gets
 * the first reply again; the same key with another body is refused. The key is stored in the
 * transaction that does the work, so a crash never leaves one without the other.
 */
export function idempotent(db: Db, req: Request, now: Date, work: () => ApiReply): ApiReply {
  return idempotentWithKey(db, req, req.get('Idempotency-Key'), now, work);
}

/** The same, with the key given (a header, or a field of the body such as `idempotencyKey`). */
export function idempotentWithKey(db: Db, req: Request, key: string | undefined, now: Date, work: () => ApiReply): ApiReply {
  if (key === undefined) return work();
  checkKey(key);
  // The resource, not the route pattern: the same key sent to order A and then to order B is two
  // requests, and B gets its own reply; the same order spelt two ways is one.
  const scope = apiScope(req);
  return once(db, scope, key, (req.body as unknown) ?? null, now, work, reservations.get(req) === slotOf(scope, key));
}

/**
 * Does `work` once per (scope, key): the reply is stored in the same transaction as the work, and a
 * repeat gets it back; the same key with another request (compared as canonical JSON) is refused.
 * A reservation of the key (apiIdempotency) is this request's own when `reserved`: the work and
 * its reply then replace it in one transaction; another request's is answered 409
 * `idempotency_key_in_progress`.
 */
export function once(db: Db, scope: string, key: string, request: unknown, now: Date, work: () => ApiReply, reserved = false): ApiReply {
  const requestHash = requestHashOf(request);
  return writeTransaction(db, (tx) => {
    const seen = findKey(tx, scope, key);
    if (seen) {
      if (seen.requestHash !== requestHash) throw new AppError('idempotency_key_reused', 'errors.idempotencyKeyReused');
      if (seen.statusCode !== IN_FLIGHT) return { status: seen.statusCode, body: JSON.parse(seen.response) as unknown };
      if (!reserved) throw inProgress(seen.createdAt);
    }
    const reply = work();
    const response = JSON.stringify(reply.body);
    if (seen) completeReservation(tx, scope, key, { statusCode: reply.status, response, at: now });
    else keepKey(tx, { scope, key, requestHash, statusCode: reply.status, response, createdAt: now });
    return reply;
  });
}

function inProgress(since: Date): AppError {
  const at = since.toISOString();
  return new AppError('idempotency_key_in_progress', 'errors.idempotencyKeyInProgress', { since: at }, { since: at });
}

/**
 * The routes that keep their key in the transaction of their work (`idempotent`,
 * `idempotentWithKey`), as `METHOD /canonical/resource`: order intake, returns, the one-call
 * delivery and Report in. The work and its reply commit together there, so they need no
 * reservation. Every other write is reserved first (apiIdempotency).
 */
const KEPT_IN_WORK: readonly RegExp[] = [/^POST \/orders$/, /^POST \/orders\/[^/]+\/(?:returns|deliveries)$/, /^POST \/deliveries\/report$/];

/** Whether the route of `method` and `path` (under /api/v1) keeps its key in its own transaction. */
export function keepsKeyInWork(method: string, path: string): boolean {
  const route = `${method.toUpperCase()} ${canonicalResource(path)}`;
  return KEPT_IN_WORK.some((r) => r.test(route));
}

const slotOf = (scope: string, key: string) => `${scope}\n${key}`;
/** The key each request holds reserved (apiIdempotency), so its route's `once` knows it as its own. */
const reservations = new WeakMap<Request, string>();

/** A reply that is not JSON (a PDF, an empty 204), as it is kept. */
interface RawReply {
  $raw: { type: string | null; disposition: string | null; base64: string };
}

function isRawReply(value: unknown): value is RawReply {
  return value !== null && typeof value === 'object' && '$raw' in value;
}

/**
 * Every write of the API (POST, PUT, PATCH, DELETE) with an `Idempotency-Key` header: a key seen
 * before in this scope (apiScope) answers with the reply it got then, or 409
 * `idempotency_key_reused` for another body. A new key is first reserved in a commit of its own
 * (the body's hash, no reply), then the route runs; its successful reply (2xx) replaces the
 * reservation before it is sent, and a refusal removes it, so a retry tries again. A crash
 * between the route's commit and the reply's leaves the reservation: a retry is answered 409
 * `idempotency_key_in_progress` rather than doing the work a second time (docs/api.md § Retries).
 * Routes that keep their key in their own transaction (KEPT_IN_WORK) are not reserved: their work
 * and reply are one commit. A second request with a key still being worked on in this process waits
 * for the first and gets its reply; in another process it gets 409 `idempotency_key_in_progress`.
 */
export function apiIdempotency(db: Db, clock: () => Date, log: Logger): RequestHandler {
  const inFlight = new Map<string, Promise<void>>();
  return async (req, res, next) => {
    const key = req.get('Idempotency-Key');
    if (!WRITES.has(req.method.toUpperCase()) || key === undefined) return next();
    checkKey(key);
    const scope = apiScope(req);
    const requestHash = requestHashOf((req.body as unknown) ?? null);
    const slot = slotOf(scope, key);
    for (let busy = inFlight.get(slot); busy; busy = inFlight.get(slot)) await busy;
    const answer = (seen: KeyRow): void => {
      if (seen.requestHash !== requestHash) throw new AppError('idempotency_key_reused', 'errors.idempotencyKeyReused');
      if (seen.statusCode === IN_FLIGHT) throw inProgress(seen.createdAt);
      replay(res, seen.statusCode, seen.response);
    };
    const seen = findKey(db, scope, key);
    if (seen) return answer(seen);
    const reserve = !keepsKeyInWork(req.method, apiPath(req));
    if (reserve) {
      // Checked again inside the IMMEDIATE transaction: another process may have taken it since.
      const taken = writeTransaction(db, (tx) => {
        const row = findKey(tx, scope, key);
        if (!row) keepKey(tx, { scope, key, requestHash, statusCode: IN_FLIGHT, response: '', createdAt: clock() });
        return row;
      });
      if (taken) return answer(taken);
      reservations.set(req, slot);
    }
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    inFlight.set(slot, busy);
    const done = () => {
      if (inFlight.get(slot) === busy) inFlight.delete(slot);
      release();
    };
    // Released once the reply is kept or the reservation dropped (below); `close` covers a reply
    // never ended (a waiter then finds the reservation and is told it is in progress).
    res.once('close', done);
    keepReply(res, (status, response) => {
      try {
        // A refusal of a route that reserved nothing has nothing to undo: no commit.
        if (response !== undefined || reserve) {
          writeTransaction(db, (tx) => {
            if (response === undefined) dropReservation(tx, scope, key);
            else if (reserve) completeReservation(tx, scope, key, { statusCode: status, response, at: clock() });
            else keepKeyIfNew(tx, { scope, key, requestHash, statusCode: status, response, createdAt: clock() });
          });
        }
      } catch (err) {
        // The reply still goes out. A kept reservation answers a retry with 409 in progress, never
        // with the work done twice; without one a retry would do it again: say so in the log.
        log.error('idempotency key not kept', { scope, key, reserved: reserve, err: String(err) });
      }
      done();
    });
    next();
  };
}

/**
 * Calls `keep` with the reply's status and body (as stored) just before a successful reply is sent,
 * or with nothing before any other reply (a refusal, a streamed reply, which is not kept).
 */
function keepReply(res: Response, keep: (status: number, response?: string) => void): void {
  const end = res.end.bind(res);
  let streamed = false;
  const write = res.write.bind(res);
  res.write = ((...args: Parameters<typeof res.write>) => {
    streamed = true; // a streamed reply (a CSV) is not kept
    return write(...args);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    if (!streamed && res.statusCode >= 200 && res.statusCode < 300) {
      const body =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : Buffer.isBuffer(chunk)
            ? chunk
            : chunk instanceof Uint8Array
              ? Buffer.from(chunk)
              : Buffer.alloc(0);
      const type = res.get('Content-Type') ?? null;
      const json = type !== null && /^application\/json\b/i.test(type) && body.length > 0;
      const raw: RawReply = { $raw: { type, disposition: res.get('Content-Disposition') ?? null, base64: body.toString('base64') } };
      keep(res.statusCode, json ? body.toString('utf8') : JSON.stringify(raw));
    } else keep(res.statusCode);
    return end(chunk as never, encoding as never, cb as never);
  }) as typeof res.end;
}

function replay(res: Response, status: number, response: string): void {
  const stored = JSON.parse(response) as unknown;
  res.set('Idempotent-Replayed', 'true');
  if (!isRawReply(stored)) {
    res.status(status).type('application/json').send(response);
    return;
  }
  const { type, disposition, base64 } = stored.$raw;
  if (type) res.set('Content-Type', type);
  if (disposition) res.set('Content-Disposition', disposition);
  res.status(status).end(Buffer.from(base64, 'base64'));
}
