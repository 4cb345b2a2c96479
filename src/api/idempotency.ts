import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { preparedFor, writeTransaction, type Db } from '../db/client.js';
import { canonicalJson } from '../domain/canonical-json.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { resolveOrderCode } from '../orders/lookup.js';

export interface ApiReply {
  status: number;
  body: unknown;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Path segments that name something by a value the caller chose, case-sensitive (SKUs, parcel IDs,
// custom status codes): kept as typed. Every other segment is a word of the API, matched by Express
// without regard to case, so it is compared in lower case.
const CASE_KEPT_AFTER = new Set(['products', 'parcels', 'custom-statuses']);

/**
 * The resource a path under /api/v1 names, whatever its spelling: no empty segments (a trailing
 * slash), %-encoding read, API words in lower case, and an order code as `resolveOrderCode` reads it
 * (spaces, dashes). `/ORDERS/9310-849608/returns/` and `/orders/9310849608/returns` are one resource.
 */
export function canonicalResource(path: string): string {
  const segments = path.split('/').filter((s) => s !== '').map(decodeSegment);
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
  return createHash('sha256').update(canonicalJson(body ?? null)).digest('hex');
}

function checkKey(key: string): void {
  if (!/^[\x21-\x7E]{1,200}$/.test(key)) throw new AppError('bad_request', 'errors.idempotencyKeyFormat');
}

/** Who sent it, the method and the resource: the scope a key is kept in (docs/api.md § Retries). */
export function apiScope(req: Request): string {
  const actor = req.api?.actor ?? { type: 'user', id: req.user?.id ?? null, name: req.user?.name ?? '' };
  // Relative to the API's mount point, so /API/V1/… and /api/v1/… agree too.
  return `${actor.type}:${actor.id ?? actor.name}:${req.method.toUpperCase()} ${canonicalResource(req.path)}`;
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
  return once(db, apiScope(req), key, (req.body as unknown) ?? null, now, work);
}

/**
 * Does `work` once per (scope, key): the reply is stored in the same transaction as the work, and a
 * repeat gets it back; the same key with another request (compared as canonical JSON) is refused.
 */
export function once(db: Db, scope: string, key: string, request: unknown, now: Date, work: () => ApiReply): ApiReply {
  const requestHash = requestHashOf(request);
  return writeTransaction(db, (tx) => {
    const s = stmts(tx);
    const seen = s.find.get(scope, key);
    if (seen) {
      if (seen.requestHash !== requestHash) throw new AppError('idempotency_key_reused', 'errors.idempotencyKeyReused');
      return { status: seen.statusCode, body: JSON.parse(seen.response) as unknown };
    }
    const reply = work();
    s.insert.run(scope, key, requestHash, reply.status, JSON.stringify(reply.body), now.getTime());
    return reply;
  });
}

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
 * `idempotency_key_reused` for another body; a new one runs the route and keeps its successful reply
 * (2xx) before it is sent. A refusal is not kept: a retry tries again. Routes that keep their key in
 * their own transaction (order intake, returns, deliveries: `idempotent`) write the same row first.
 * A second request with a key still being worked on waits for the first and gets its reply.
 */
export function apiIdempotency(db: Db, clock: () => Date, log: Logger): RequestHandler {
  const inFlight = new Map<string, Promise<void>>();
  return async (req, res, next) => {
    const key = req.get('Idempotency-Key');
    if (!WRITES.has(req.method.toUpperCase()) || key === undefined) return next();
    checkKey(key);
    const scope = apiScope(req);
    const requestHash = requestHashOf((req.body as unknown) ?? null);
    const slot = `${scope}\n${key}`;
    for (let busy = inFlight.get(slot); busy; busy = inFlight.get(slot)) await busy;
    const seen = stmts(db).find.get(scope, key);
    if (seen) {
      if (seen.requestHash !== requestHash) throw new AppError('idempotency_key_reused', 'errors.idempotencyKeyReused');
      return replay(res, seen.statusCode, seen.response);
    }
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    inFlight.set(slot, busy);
    const done = () => {
      if (inFlight.get(slot) === busy) inFlight.delete(slot);
      release();
    };
    res.once('finish', done);
    res.once('close', done);
    keepReply(res, (status, response) => {
      try {
        writeTransaction(db, (tx) => stmts(tx).insertIfNew.run(scope, key, requestHash, status, response, clock().getTime()));
      } catch (err) {
        // The work is done; the reply still goes out. A retry would do it again: say so in the log.
        log.error('idempotency key not kept', { scope, key, err: String(err) });
      }
    });
    next();
  };
}

/** Calls `keep` with the reply's status and body (as stored) just before a successful reply is sent. */
function keepReply(res: Response, keep: (status: number, response: string) => void): void {
  const end = res.end.bind(res);
  let streamed = false;
  const write = res.write.bind(res);
  res.write = ((...args: Parameters<typeof res.write>) => {
    streamed = true; // a streamed reply (a CSV) is not kept
    return write(...args);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    if (!streamed && res.statusCode >= 200 && res.statusCode < 300) {
      const body = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.isBuffer(chunk) ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.alloc(0);
      const type = res.get('Content-Type') ?? null;
      const json = type !== null && /^application\/json\b/i.test(type) && body.length > 0;
      const raw: RawReply = { $raw: { type, disposition: res.get('Content-Disposition') ?? null, base64: body.toString('base64') } };
      keep(res.statusCode, json ? body.toString('utf8') : JSON.stringify(raw));
    }
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

// A write arriving with a key reads and writes one row here: prepared once per connection.
const stmts = preparedFor((sqlite) => ({
  find: sqlite.prepare<[string, string], { requestHash: string; statusCode: number; response: string }>(
    'SELECT request_hash AS requestHash, status_code AS statusCode, response FROM idempotency_keys WHERE scope = ? AND key = ?',
  ),
  insert: sqlite.prepare<[string, string, string, number, string, number]>(
    'INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ),
  // The route may have kept the key in its own transaction already (`once`): that row stands.
  insertIfNew: sqlite.prepare<[string, string, string, number, string, number]>(
    'INSERT OR IGNORE INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ),
}));
