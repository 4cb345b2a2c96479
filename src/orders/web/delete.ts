import { Router } from 'express';
import { requireCapability } from '../../web/auth.js';
import { setFlash } from '../../web/render.js';
import type { AppDeps } from '../../web/types.js';
import { deleteOrder } from '../edit.js';
import { presentOrder } from '../present.js';
import { loadOrder } from '../service.js';
import { orderCtx } from './page.js';

/** Deleting an order (its own capability): a page that asks, then the delete. */
export function orderDeleteWeb(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();
  router.get('/:code/delete', requireCapability('deleteOrders'), (req, res) => {
    const order = presentOrder(db, loadOrder(db, String(req.params.code)));
    res.render('orders/delete', { title: req.t('orders.delete.title', { code: order.code }), order });
  });

  router.post('/:code/delete', requireCapability('deleteOrders'), (req, res) => {
    const { code } = deleteOrder(db, String(req.params.code), orderCtx(deps, req));
    setFlash(req, 'success', 'orders.delete.done', { code });
    res.redirect('/orders');
  });

  return router;
}
