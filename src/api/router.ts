import express, { Router } from 'express';
import { csvApi } from '../csv/api.js';
import { customStatusesApi } from '../custom-statuses/api.js';
import { documentsApi } from '../documents/api.js';
import { ordersApi } from '../orders/api.js';
import { packCheckApi, packRunsApi } from '../pack/api.js';
import { printersApi } from '../printers/api.js';
import { productsApi } from '../products/api.js';
import { shippingApi } from '../shipping/api.js';
import { AppError } from '../errors.js';
import { webhooksApi } from '../webhooks/api.js';
import type { AppDeps } from '../web/types.js';
import { bearerAuth } from './auth.js';
import { apiIdempotency } from './idempotency.js';
import { returnsApi } from '../returns/api.js';

/** JSON API under /api/v1 (docs/api.md). */
export function apiRouter(deps: AppDeps): Router {
  const router = Router();
  router.use((req, _res, next) => {
    // A body the JSON parser would skip (no Content-Type, or another one) would reach the handler
    // as "no body", and an empty body means "all" or "the default" to some endpoints: Report in,
    // a payment of the whole amount, a real pack run. Any body that is not declared JSON is refused.
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
    if (hasBody && !req.is('application/json')) {
      throw new AppError('unsupported_media_type', 'errors.jsonOnly');
    }
    next();
  });
  router.use(express.json({ limit: '1mb', strict: true }));
  router.use(bearerAuth(deps));
  // Every write with an Idempotency-Key is done once per token, method and resource (docs/api.md § Retries).
  router.use(apiIdempotency(deps.db, deps.clock, deps.log));
  // First: the station's scans are the most frequent requests.
  const shipping = shippingApi(deps);
  router.use('/orders', shipping.orders);
  router.use('/deliveries', shipping.deliveries);
  router.use('/products', productsApi(deps));
  router.use('/orders', ordersApi(deps));
  router.use('/orders', packCheckApi(deps));
  const documents = documentsApi(deps);
  router.use('/orders', documents.orderDocuments);
  router.use('/orders', printersApi(deps));
  router.use('/orders', returnsApi(deps));
  router.use('/documents', documents.batchDocuments);
  router.use('/pack-runs', packRunsApi(deps));
  router.use('/custom-statuses', customStatusesApi(deps));
  router.use('/webhooks', webhooksApi(deps));
  router.use(csvApi(deps));
  router.use(() => {
    throw new AppError('not_found', 'errors.apiNotFound');
  });
  return router;
}
