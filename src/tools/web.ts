import { and, asc, gt, like, or } from 'drizzle-orm';
import { Router } from 'express';
import { z } from 'zod';
import { products } from '../db/schema/index.js';
import { presentProduct } from '../products/present.js';
import { mispickDays } from '../shipping/mispicks.js';
import { requireCapability } from '../web/auth.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../web/validate.js';

const productQuery = z.object({
  q: z.string().trim().max(100).optional(),
  after: z.string().max(64).optional(),
});

export function toolsWeb({ db, clock, config }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('tools'));

  router.get('/', (req, res) => res.render('tools/index', { title: req.t('tools.title') }));

  // Refused item scans per packer per day: the mis-pick rate a warehouse watches.
  router.get('/mispicks', (req, res) => {
    res.render('tools/mispicks', { title: req.t('tools.mispicks.title'), days: mispickDays(db, clock(), config.timezone) });
  });

  // Products with their stock figures, by SKU, keyset-paged.
  router.get('/products', (req, res) => {
    const query = parse(productQuery, req.query);
    const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, '')}%` : undefined;
    const pageSize = 100;
    const rows = db
      .select()
      .from(products)
      .where(
        and(
          query.after ? gt(products.sku, query.after) : undefined,
          pattern ? or(like(products.sku, pattern), like(products.name, pattern), like(products.barcode, pattern), like(products.location, pattern)) : undefined,
        ),
      )
      .orderBy(asc(products.sku))
      .limit(pageSize + 1)
      .all();
    const hasMore = rows.length > pageSize;
    const page = rows.slice(0, pageSize).map(presentProduct);
    res.render('tools/products', {
      title: req.t('tools.products.title'),
      products: page,
      query,
      nextAfter: hasMore ? page[page.length - 1]!.sku : null,
    });
  });

  return router;
}
