import type { NextFunction, Request, Response } from 'express';

/**
 * Requests this process has started, counted in memory every thread can read: the pack script's
 * worker looks at it between write batches to tell whether the server is serving anyone, and if so
 * writes in short batches with pauses, so the server's own writes (a scan, a session) never wait
 * long for the database's write lock (docs/decisions.md § The pack script).
 */
export const requestCount = new Int32Array(new SharedArrayBuffer(4));

/** Middleware: counts the request. */
export function countRequest(_req: Request, _res: Response, next: NextFunction): void {
  Atomics.add(requestCount, 0, 1);
  next();
}
