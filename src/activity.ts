import type { NextFunction, Request, Response } from 'express';

/**
 * When this process last started a request (ms since the epoch), in memory every thread can read:
 * the pack script's worker looks at it between write batches to tell whether the server is serving
 * anyone, and if so writes in short batches with pauses, so the server's own writes (a scan, a
 * session) never wait long for the database's write lock (docs/decisions.md § The pack script).
 */
export const lastRequestAt = new BigInt64Array(new SharedArrayBuffer(8));

/** Middleware: notes the request's time. */
export function noteRequest(_req: Request, _res: Response, next: NextFunction): void {
  Atomics.store(lastRequestAt, 0, BigInt(Date.now()));
  next();
}

/** How long ago the last request came, by `shared` (lastRequestAt, or its buffer seen from another thread). */
export function msSinceLastRequest(shared: BigInt64Array = lastRequestAt): number {
  return Date.now() - Number(Atomics.load(shared, 0));
}
