import type { z } from 'zod';
import { CarrierError, type CarrierProblem } from './types.js';

export interface CarrierHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  signal: AbortSignal;
}

/** The carrier's answer: status and body text (JSON read by the adapter). */
export interface CarrierHttpAnswer {
  status: number;
  text: string;
}

/**
 * One HTTP call to a carrier, failures sorted by what they mean for the booking (types.ts
 * `CarrierFailure`): a refused connection or a 429 was not taken; a timeout, a lost connection or a 5xx
 * may have been. A 2xx, or a 4xx other than 401/403/429, is returned for the adapter to read: only it
 * knows the carrier's error shape. Never retried here.
 */
export async function carrierCall(request: CarrierHttpRequest): Promise<CarrierHttpAnswer> {
  let res: Response;
  try {
    res = await fetch(request.url, {
      method: request.method,
      headers: { Accept: 'application/json', ...(request.body !== undefined && { 'Content-Type': 'application/json' }), ...request.headers },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: request.signal,
    });
  } catch (err) {
    throw networkFailure(err);
  }
  let text: string;
  try {
    text = (await readCapped(res, MAX_ANSWER_BYTES)).toString('utf8');
  } catch (err) {
    throw err instanceof CarrierError ? err : networkFailure(err);
  }
  if (res.status === 401 || res.status === 403)
    throw new CarrierError('unauthorized', [{ field: 'credentials', message: shortText(text) || `HTTP ${res.status}` }], res.status);
  if (res.status === 429) throw new CarrierError('unavailable', [{ field: null, message: `HTTP 429: ${shortText(text) || 'too many requests'}` }], 429);
  if (res.status >= 500) throw new CarrierError('unknown', [{ field: null, message: `HTTP ${res.status}: ${shortText(text) || 'no message'}` }], res.status);
  return { status: res.status, text };
}

/**
 * The most of an answer read: a carrier's JSON with base64 labels of four parcels is well under a
 * megabyte; an answer past this is not read on (a broken proxy, a wrong address serving a file).
 */
export const MAX_ANSWER_BYTES = 20 * 1024 * 1024;

/** A body read up to `max` bytes; longer is a malformed answer (the request may have been taken). */
export async function readCapped(res: Response, max: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > max) {
        await res.body.cancel().catch(() => undefined);
        throw new CarrierError('unknown', [{ field: null, message: `answer over ${max} bytes, not read` }], res.status);
      }
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks);
}

/** A network failure: refused before sending (nothing taken), or anything else (maybe taken). */
function networkFailure(err: unknown): CarrierError {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : null;
  const code = cause && 'code' in cause ? String(cause.code) : '';
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return new CarrierError('unknown', [{ field: null, message: 'no answer in time' }]);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new CarrierError('unavailable', [{ field: null, message: `cannot reach the carrier (${code})` }]);
  return new CarrierError('unknown', [{ field: null, message: `connection lost${code ? ` (${code})` : ''}` }]);
}

/** Reads a 2xx answer's JSON with the adapter's schema; anything else is a malformed answer (maybe booked). */
export function readAnswer<T>(answer: CarrierHttpAnswer, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    throw malformed(answer);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw malformed(answer);
  return parsed.data;
}

function malformed(answer: CarrierHttpAnswer): CarrierError {
  return new CarrierError('unknown', [{ field: null, message: `malformed answer: ${shortText(answer.text) || '(empty)'}` }], answer.status);
}

/** A refusal built from the carrier's reasons (4xx). */
export function refused(status: number, problems: CarrierProblem[]): CarrierError {
  return new CarrierError('refused', problems.length ? problems : [{ field: null, message: `HTTP ${status}` }], status);
}

/** The start of a body, on one line: for messages, never whole documents. */
export function shortText(text: string, max = 200): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, max);
}

/** `base` + `path`, with one slash between. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
