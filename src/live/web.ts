import { Router } from 'express';
import { requireLogin } from '../web/auth.js';
import type { NewOrderFeed } from './new-orders.js';

/** GET /events/new-orders: server-sent events for the Orders and Outbound pages (logged-in staff). */
export function newOrdersWeb(feed: NewOrderFeed): Router {
  const router = Router();
  router.get('/events/new-orders', requireLogin, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 5000\n\n');
    const unsubscribe = feed.subscribe((order) => res.write(`event: order\ndata: ${JSON.stringify(order)}\n\n`));
    // A comment now and then keeps proxies from closing an idle stream.
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}
