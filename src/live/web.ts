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
    // Where the page left off: the browser's Last-Event-ID on a reconnect, else the newest order log
    // row when the page was rendered (?after=): new orders made meanwhile are sent first.
    const from =
      [req.get('last-event-id'), req.query.after].map((v) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : null)).find((v) => v !== null) ??
      null;
    // (An order the page had already seen, at most a second older than the feed's cursor, is not sent again.)
    stream.onClose(feed.subscribeAfter(from, (order) => (from === null || order.id > from) && stream.send('order', order, order.id)));
  });
  return router;
}
