import { Router } from 'express';
import { ORDER_STATUSES } from '../domain/order-status.js';
import { requireCapability } from '../web/auth.js';
import { AppError } from '../web/errors.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../web/validate.js';
import { presentOrder } from './present.js';
import { searchOrders } from './queries.js';
import { listOrdersQuery } from './schemas.js';
import { loadOrder } from './service.js';

export function ordersWeb({ db }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('orders'));

  router.get('/', (req, res) => {
    const query = parse(listOrdersQuery, { ...req.query, limit: req.query.limit ?? '50' });
    const page = searchOrders(db, query);
    const reading = page.codeReading;
    // A scanned or typed order code that matches one order opens it directly.
    if (reading?.kind === 'valid' && page.orders.length === 1 && !query.cursor) {
      return res.redirect(`/orders/${page.orders[0]!.code}`);
    }
    const notice =
      reading?.kind === 'bad_check'
        ? req.t('errors.orderCodeBadCheck', { input: query.q })
        : reading?.kind === 'missing_check'
          ? req.t('orders.search.missingCheck', { code: reading.code })
          : null;
    res.render('orders/list', {
      title: req.t('orders.title'),
      orders: page.orders,
      nextCursor: page.nextCursor,
      query,
      statuses: ORDER_STATUSES,
      notice,
    });
  });

  router.get('/:code', (req, res) => {
    let order;
    try {
      order = loadOrder(db, req.params.code);
    } catch (err) {
      if (err instanceof AppError && err.code === 'order_code_invalid') throw new AppError('not_found', err.key, err.params);
      throw err;
    }
    const view = presentOrder(db, order);
    res.render('orders/show', { title: req.t('orders.orderTitle', { code: view.code }), order: view });
  });

  return router;
}
