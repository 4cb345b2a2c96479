import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { Router } from 'express';
import type { Conn } from '../db/client.js';
import { orders } from '../db/schema/index.js';
import { requireCapability } from '../web/auth.js';
import type { AppDeps } from '../web/types.js';

/** Packing orders not on hold, in the order they should be picked: highest priority, then oldest. */
export function listPackingOrders(conn: Conn) {
  return conn
    .select({
      code: orders.code,
      priority: orders.priority,
      customerName: orders.customerName,
      shipCity: orders.shipCity,
      shipCountry: orders.shipCountry,
      placedAt: orders.placedAt,
      comment: orders.comment,
      units: sql<number>`(SELECT coalesce(sum(l.quantity - l.shipped_quantity), 0) FROM order_lines l WHERE l.order_id = "orders"."id")`,
      partlyShipped: sql<number>`(SELECT count(*) FROM order_lines l WHERE l.order_id = "orders"."id" AND l.shipped_quantity > 0)`,
    })
    .from(orders)
    .where(and(eq(orders.status, 'packing'), eq(orders.waiting, false)))
    .orderBy(desc(orders.priority), asc(orders.placedAt), asc(orders.id))
    .limit(500)
    .all();
}

export function outboundWeb({ db }: AppDeps): Router {
  const router = Router();
  router.get('/outbound', requireCapability('outbound'), (req, res) => {
    res.render('outbound/index', { title: req.t('outbound.title'), orders: listPackingOrders(db) });
  });
  router.get('/shipping', requireCapability('shipping'), (req, res) => {
    res.render('shipping/index', { title: req.t('shipping.title'), orders: listPackingOrders(db) });
  });
  return router;
}
