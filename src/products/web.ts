import { Router, type Request } from 'express';
import { z } from 'zod';
import { requireCapability } from '../web/auth.js';
import { formFields, renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { presentProduct } from './present.js';
import { listLedger, listLowStock, listProducts, type ProductRow } from './repo.js';
import { newProductForm, productForm } from './schemas.js';
import { getProduct, saveProduct, setArchived } from './service.js';

const productQuery = z.object({
  q: z.string().trim().max(100).optional(),
  after: z.string().max(64).optional(),
  archived: z.enum(['1']).optional(),
});
const ledgerQuery = z.object({ before: z.coerce.number().int().positive().optional() });
const LEDGER_PAGE = 100;

/** The form's fields as the product has them (price in the currency's units, VAT in percent). */
function formValues(p: ProductRow): Record<string, unknown> {
  return {
    sku: p.sku,
    name: p.name,
    barcode: p.barcode ?? '',
    location: p.location ?? '',
    price: p.price === null ? '' : (p.price / 100).toFixed(2),
    vatRate: String(p.vatRate / 100),
    trackStock: p.trackStock ? '1' : '',
    lowStockThreshold: p.lowStockThreshold ?? '',
  };
}

export const productPath = (sku: string) => `/tools/products/sku/${encodeURIComponent(sku)}`;

/**
 * Tools → Products (operators and admins): the list with stock figures, a product's page (figures,
 * ledger), create, edit, archive. On hand changes by goods-in and counts (Tools → Stock).
 */
export function productsWeb({ db, clock, config }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('tools'));

  // Products with their stock figures, by SKU, keyset-paged; archived ones only when asked for.
  router.get('/', (req, res) => {
    const query = parse(productQuery, req.query);
    const pageSize = 100;
    const rows = listProducts(db, { after: query.after, archived: query.archived !== undefined, text: query.q, limit: pageSize + 1 });
    const hasMore = rows.length > pageSize;
    const page = rows.slice(0, pageSize).map(presentProduct);
    res.render('tools/products', {
      title: req.t('tools.products.title'),
      products: page,
      query,
      lowStock: listLowStock(db, 1).length > 0,
      nextAfter: hasMore ? page[page.length - 1]!.sku : null,
      productPath,
    });
  });

  router.get('/low-stock', (req, res) => {
    res.render('products/low-stock', { title: req.t('products.lowStock.title'), products: listLowStock(db, 1000).map(presentProduct), productPath });
  });

  const newModel = (req: Request) => ({ title: req.t('products.new'), product: null, action: '/tools/products/new', currency: config.currency, productPath });
  router.get('/new', (req, res) => res.render('products/form', { ...newModel(req), values: { vatRate: '25', trackStock: '1' } }));
  router.post('/new', (req, res) => {
    try {
      const input = parse(newProductForm, formFields(req));
      const product = saveProduct(db, { create: input.sku }, input, clock());
      setFlash(req, 'success', 'products.created', { sku: product.sku });
      res.redirect(303, productPath(product.sku));
    } catch (err) {
      renderForm(req, res, err, 'products/form', newModel(req));
    }
  });

  router.get('/sku/:sku', (req, res) => {
    const product = getProduct(db, req.params.sku);
    const query = parse(ledgerQuery, req.query);
    const ledger = listLedger(db, product.id, { limit: LEDGER_PAGE + 1, beforeId: query.before });
    res.render('products/show', {
      title: `${product.sku} ${product.name}`,
      product: {
        ...presentProduct(product),
        archivedAt: product.archivedAt,
        lowStock: product.trackStock && product.lowStockThreshold !== null && product.onHand <= product.lowStockThreshold,
      },
      currency: config.currency,
      ledger: ledger.slice(0, LEDGER_PAGE),
      nextBefore: ledger.length > LEDGER_PAGE ? ledger[LEDGER_PAGE - 1]!.id : null,
      productPath,
    });
  });

  const editModel = (req: Request, product: ProductRow) => ({
    title: req.t('products.edit', { sku: product.sku }),
    product,
    action: `${productPath(product.sku)}/edit`,
    currency: config.currency,
    productPath,
  });
  router.get('/sku/:sku/edit', (req, res) => {
    const product = getProduct(db, req.params.sku);
    res.render('products/form', { ...editModel(req, product), values: formValues(product) });
  });
  router.post('/sku/:sku/edit', (req, res) => {
    const product = getProduct(db, req.params.sku);
    try {
      saveProduct(db, { edit: product.sku }, parse(productForm, formFields(req)), clock());
      setFlash(req, 'success', 'products.saved', { sku: product.sku });
      res.redirect(303, productPath(product.sku));
    } catch (err) {
      renderForm(req, res, err, 'products/form', editModel(req, product));
    }
  });

  for (const [action, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    router.post(`/sku/:sku/${action}`, (req, res) => {
      const product = setArchived(db, req.params.sku, archived, clock());
      setFlash(req, 'success', archived ? 'products.archived' : 'products.unarchived', { sku: product.sku });
      res.redirect(303, productPath(product.sku));
    });
  }

  return router;
}
