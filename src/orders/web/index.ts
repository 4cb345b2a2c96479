import { Router } from 'express';
import { requireCapability } from '../../web/auth.js';
import type { AppDeps } from '../../web/types.js';
import { orderBulkWeb } from './bulk.js';
import { orderDeleteWeb } from './delete.js';
import { orderLinesWeb } from './lines.js';
import { orderListWeb } from './list.js';
import { orderNewWeb } from './new.js';
import { orderPageWeb } from './page.js';
import { orderStatusWeb } from './status.js';

/** The Orders pages, mounted at /orders: one file per page beside this one. */
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
