import { Router } from 'express';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { presentProduct } from './present.js';
import { productBody, skuSchema } from './schemas.js';
import { getProduct, upsertProduct } from './service.js';

export function productsApi(deps: AppDeps): Router {
  const router = Router();

  router.put('/:sku', (req, res) => {
    const sku = parse(skuSchema, req.params.sku);
    const body = parse(productBody, req.body);
    const { product, created } = upsertProduct(deps.db, sku, body, req.api!.actor, deps.clock());
    res.status(created ? 201 : 200).json(presentProduct(product));
  });

  router.get('/:sku', (req, res) => {
    res.json(presentProduct(getProduct(deps.db, req.params.sku)));
  });

  return router;
}
