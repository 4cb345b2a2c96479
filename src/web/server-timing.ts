import type { Request, RequestHandler, Response } from 'express';
import responseTime from 'response-time';

const bodyReadAfter = new WeakMap<Request, number>();

/**
 * The Server-Timing header of every response, for the browser's devtools and for npm run bench:
 * `read` is how long the request's body took to arrive after its headers; `app` is the server's
 * time from the whole request read to the response's headers, rendering included. A body that
 * arrives in a later packet than its headers waits behind whatever the server is doing for other
 * requests meanwhile: that wait is the client's and the network's, not this request's work.
 */
export function serverTiming(): RequestHandler[] {
  return [
    (req, _res, next) => {
      if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0) {
        const arrived = performance.now();
        req.once('end', () => bodyReadAfter.set(req, performance.now() - arrived));
      }
      next();
    },
    responseTime((req: Request, res: Response, ms: number) => {
      const read = Math.min(bodyReadAfter.get(req) ?? 0, ms);
      res.setHeader('Server-Timing', `read;dur=${read.toFixed(2)}, app;dur=${(ms - read).toFixed(2)}`);
    }),
  ];
}
