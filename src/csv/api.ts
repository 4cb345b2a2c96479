import { Router } from 'express';
import { orderFilterQuery } from '../orders/list.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { csvDialectQuery, csvFileName } from './dialect.js';
import { exportOrders, exportProducts } from './export.js';
import { sendCsv } from './web/send.js';

/** `GET /api/v1/orders.csv` (the order list's filters) and `GET /api/v1/products.csv`, streamed. */
export function csvApi({ db, config, clock, log }: AppDeps): Router {
  const router = Router();

  router.get('/orders.csv', async (req, res) => {
    const query = parse(orderFilterQuery, req.query);
    const csv = parse(csvDialectQuery, req.query);
    await sendCsv(res, csvFileName('orders', clock()), log, (out) => exportOrders(db, query, config.timezone, csv, out));
  });

  router.get('/products.csv', async (req, res) => {
    const csv = parse(csvDialectQuery, req.query);
    await sendCsv(res, csvFileName('products', clock()), log, (out) => exportProducts(db, csv, out));
  });

  return router;
}
