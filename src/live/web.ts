import { Router } from 'express';
import { requireLogin } from '../web/auth.js';
import { openEventStream } from '../web/sse.js';
import type { NewOrderFeed } from './new-orders.js';

/** GET /events/new-orders: server-sent events for the Orders and Outbound pages (logged-in staff). */
export function newOrdersWeb(feed: NewOrderFeed): Router {
  const router = Router();
  router.get('/events/new-orders', requireLogin, (req, res) => {
    // The heartbeat keeps proxies from closing the stream between orders.
    const stream = openEventStream(req, res, { retryMs: 5000, heartbeatMs: 25_000 });
    stream.onClose(feed.subscribe((order) => stream.send('order', order)));
  });
  return router;
}
