import { Router } from 'express';
import { requireCapability } from '../web/auth.js';
import type { AppDeps } from '../web/types.js';
import { orderBulkWeb } from './web/bulk.js';
import { orderDeleteWeb } from './web/delete.js';
import { orderLinesWeb } from './web/lines.js';
import { orderListWeb } from './web/list.js';
import { orderNewWeb } from './web/new.js';
import { orderPageWeb } from './web/page.js';
import { orderStatusWeb } from './web/status.js';

/** The Orders pages, mounted at /orders: one file per page under orders/web/. */
export function ordersWeb(deps: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('orders'));
  router.use(orderListWeb(deps));
  router.use(orderBulkWeb(deps));
  // Before the order page: /orders/new is not an order code.
  router.use(orderNewWeb(deps));
  router.use(orderPageWeb(deps));
  router.use(orderStatusWeb(deps));
  router.use(orderLinesWeb(deps));
  router.use(orderDeleteWeb(deps));
  return router;
}
