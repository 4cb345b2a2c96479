import type { RequestHandler } from 'express';

/**
 * A router entered only by the paths it serves (`paths` is tested on the path below the mount
 * point, like the router's own routes; case-insensitive with an optional trailing slash, as
 * Express matches them).
 *
 * Express's router leaves a router in which no route answered a request on a later turn of the
 * event loop (`setImmediate` in the router package). Every router a request passes through on its
 * way to its own route therefore lets the other requests in flight run their work ahead of it:
 * under load a request's time grows with the routers it passes, times the requests in flight.
 * Scoped, a request goes straight to its route and is served in one piece, first come, first
 * served (docs/decisions.md, "A request is served in one piece").
 */
export function scoped(paths: RegExp, router: RequestHandler): RequestHandler {
  return (req, res, next) => (paths.test(req.path) ? router(req, res, next) : next());
}
