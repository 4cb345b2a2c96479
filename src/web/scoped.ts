import type { RequestHandler } from 'express';

/**
 * A router entered only by the paths it serves (`paths` is tested on the path below the mount
 * point, like the router's own routes; case-insensitive with an optional trailing slash, as
 * Express matches them).
 *
 * Express's router hands a request on from a router whose last layer passed it on (a router that
 * ends with `router.use(…)`, as Outbound's ends with its verification pages) on a later turn of the
 * event loop (`setImmediate` in the router package). That turn lets every other request in flight
 * run its work ahead: under load, the request's time becomes the work of all of them. Scoped, a
 * router is never passed by requests that are not its own, whatever its last layer, and a request
 * is served in one piece, first come, first served (docs/decisions.md, "A request is served in one
 * piece").
 */
export function scoped(paths: RegExp, router: RequestHandler): RequestHandler {
  return (req, res, next) => (paths.test(req.path) ? router(req, res, next) : next());
}
