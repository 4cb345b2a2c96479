import { Router } from 'express';
import type { z } from 'zod';
import { listCustomStatuses } from '../../custom-statuses/service.js';
import { ORDER_STATUSES, PAYMENT_METHODS } from '../../domain/order-status.js';
import { translateFields } from '../../i18n/refusal.js';
import type { AppDeps } from '../../web/types.js';
import { ADVANCED_FILTERS, listOrders, MIN_CODE_PREFIX, orderListQuery } from '../list.js';
import { orderUrl } from './page.js';

/** The order list: search, filters, a page of orders; a scanned order code opens its order. */
export function orderListWeb({ db, config }: AppDeps): Router {
  const router = Router();

  router.get('/', (req, res) => {
    // Unlike the API, a bad filter on the page is shown next to the form, not as an error page.
    const raw: Record<string, unknown> = { ...req.query, limit: '50' };
    const parsed = orderListQuery.safeParse(raw);
    let filterErrors: { path: string; message: string }[] = [];
    let query;
    if (parsed.success) query = parsed.data;
    else {
      // Search with the filters that are right; say which are not.
      filterErrors = translateFields(toFields(parsed.error), req.t);
      for (const f of filterErrors) delete raw[f.path.split('.')[0]!];
      query = orderListQuery.parse(raw);
    }
    const page = listOrders(db, query, config.timezone);
    const reading = page.codeReading;
    if (((page.codeMatched && reading?.kind === 'valid') || page.parcelMatched) && page.orders.length === 1 && !query.cursor) {
      // A scanned or typed order code or parcel ID opens the order.
      return res.redirect(orderUrl(page.orders[0]!.code));
    }
    const notice =
      reading?.kind === 'bad_check'
        ? req.t('errors.orderCodeBadCheck', { input: query.q })
        : reading?.kind === 'missing_check' && page.codeMatched
          ? req.t('orders.search.missingCheck', { code: reading.code })
          : reading?.kind === 'valid' && !page.codeMatched
            ? req.t('errors.orderNotFound', { code: reading.code })
            : page.shortNumber && page.orders.length === 0
              ? req.t('orders.search.shortNumber', { n: MIN_CODE_PREFIX })
              : null;
    const params = new URLSearchParams(Object.entries(req.query).filter(([k, v]) => k !== 'cursor' && typeof v === 'string' && v !== '') as [string, string][]);
    res.render('orders/list', {
      title: req.t('orders.title'),
      orders: page.orders,
      nextCursor: page.nextCursor,
      query,
      raw: req.query,
      filterErrors,
      advancedOpen: ADVANCED_FILTERS.some((f) => typeof req.query[f] === 'string' && req.query[f] !== '') || filterErrors.length > 0,
      statuses: ORDER_STATUSES,
      paymentMethods: PAYMENT_METHODS,
      customStatuses: listCustomStatuses(db),
      notice,
      baseParams: params.toString(),
      currentUrl: req.originalUrl,
    });
  });

  return router;
}

function toFields(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), key: i.message.startsWith('validation.') ? i.message : 'validation.invalid' }));
}
