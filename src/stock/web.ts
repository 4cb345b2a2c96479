import { formOnce } from '../web/form-once.js';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { splitCount } from '../domain/item-scan.js';
import { MAX_ON_HAND } from '../products/schemas.js';
import { findProductForScan } from '../products/repo.js';
import { productPath } from '../products/web.js';
import { readScanned, scanSourceOf } from '../scanners/read.js';
import { requireCapability } from '../web/auth.js';
import { formFields, renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import { userActor, type AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { fieldError, toAppError } from '../errors.js';
import { shortPackingOrders, unpackShortOrders } from './short.js';
import {
  countSheet,
  discardCount,
  finishCount,
  finishGoodsIn,
  productFor,
  getCount,
  getGoodsIn,
  receiveItem,
  recordCount,
  startCount,
  startGoodsIn,
} from './service.js';
import { goodsInLines, listCounts, listGoodsIns } from './repo.js';

const id = z.coerce.number({ error: 'validation.integer' }).int().positive();
const quantity = (min: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : undefined), z.int().min(min).max(MAX_ON_HAND));
const goodsInForm = z.object({ reference: z.string().trim().min(1).max(100) });
const countForm = z.object({ location: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().max(32).optional()) });
const codeField = z.string().trim().min(1).max(200);
const receiveForm = z.object({ code: codeField, quantity: quantity(1) });
const countItemForm = z.object({ code: codeField, counted: quantity(0) });

/**
 * The scan field as the product takes it: read as the page read it (scanners/read.ts: suffix, AIM
 * identifier, GS, a scanner's keyboard layout); a keyed count before the code ("12*7350053850019")
 * counts as the quantity.
 */
function scannedFields(db: AppDeps['db'], fields: Record<string, unknown>, quantityField: string): Record<string, unknown> {
  if (typeof fields.code !== 'string' || fields.code.trim() === '') return fields;
  const read = readScanned(db, fields.code, scanSourceOf(fields.source), 'code').value;
  const { quantity: n, code } = splitCount(read);
  if (code === read.trim()) return { ...fields, code: read };
  // A SKU or barcode that reads as a keyed count ("3XL-TEE" as 3 × "L-TEE") is that product, with the figure typed.
  if (findProductForScan(db, read.trim())) return { ...fields, code: read.trim() };
  if (code === fields.code.trim()) return fields;
  return { ...fields, code, [quantityField]: String(n) };
}

/**
 * Refuses a code that is no product before anything else is checked, so the quantity is not asked
 * (or keyed) for nothing; the form is shown again with what was typed.
 */
function refuseUnknownCode(db: AppDeps['db'], fields: Record<string, unknown>): Record<string, unknown> {
  const code = typeof fields.code === 'string' ? fields.code.trim() : '';
  if (code) productFor(db, code);
  return fields;
}

/**
 * Tools → Stock (operators and admins): goods in (inleverans) and stock counts (inventering). Both
 * are scan-first pages: the scan field keeps the focus, Enter moves on, the page works on a phone.
 */
export function stockWeb({ db, clock, config }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('tools'));

  const renderIndex = (req: Request, res: Response, err?: unknown) => {
    const model = { title: req.t('stock.title'), goodsIns: listGoodsIns(db, 20), counts: listCounts(db, 20), short: shortPackingOrders(db) };
    if (err) return renderForm(req, res, err, 'stock/index', model);
    res.render('stock/index', model);
  };
  router.get('/', (req, res) => renderIndex(req, res));

  // The scan field asks before moving to the quantity: an unknown code is refused at once (stock.js).
  router.get('/code', (req, res) => {
    const raw = typeof req.query.code === 'string' ? req.query.code : '';
    try {
      const fields = scannedFields(db, { code: raw, source: req.query.source }, 'quantity');
      const code = typeof fields.code === 'string' ? fields.code.trim() : '';
      if (!code) throw fieldError('code', 'stock.unknownItem', { code });
      const product = productFor(db, code);
      res.json({ ok: true, sku: product.sku, name: product.name });
    } catch (err) {
      // The same refusal the form's post gives: unknown, a keyboard layout's reading, a GS1 rule.
      const refusal = toAppError(err);
      res
        .status(refusal.status === 422 ? 404 : refusal.status)
        .json({ ok: false, message: req.t(refusal.fields[0]?.key ?? refusal.key, refusal.fields[0]?.params ?? refusal.params) });
    }
  });

  // ── Goods in ──
  router.post('/goods-in', (req, res) => {
    try {
      const { reference } = parse(goodsInForm, formFields(req));
      res.redirect(
        303,
        formOnce(db, req, clock(), () => `/tools/stock/goods-in/${startGoodsIn(db, reference, userActor(req.user!), clock()).id}`),
      );
    } catch (err) {
      renderIndex(req, res, err);
    }
  });

  const goodsInModel = (req: Request, goodsInId: number) => {
    const goodsIn = getGoodsIn(db, goodsInId);
    const lines = goodsInLines(db, goodsInId);
    return {
      title: req.t('stock.goodsIn.title', { reference: goodsIn.reference }),
      goodsIn,
      lines,
      units: lines.reduce((n, l) => n + l.delta, 0),
      productPath,
    };
  };
  router.get('/goods-in/:id', (req, res) => {
    res.render('stock/goods-in', { ...goodsInModel(req, parse(id, req.params.id)), values: { quantity: '1' } });
  });
  router.post('/goods-in/:id/items', (req, res) => {
    const goodsInId = parse(id, req.params.id);
    try {
      const input = parse(receiveForm, refuseUnknownCode(db, scannedFields(db, formFields(req), 'quantity')));
      const location = formOnce(db, req, clock(), () => {
        const { product, onHand } = receiveItem(db, goodsInId, input, userActor(req.user!), clock());
        setFlash(req, 'success', 'stock.goodsIn.received', { quantity: input.quantity, sku: product.sku, name: product.name, onHand });
        return `/tools/stock/goods-in/${goodsInId}`;
      });
      res.redirect(303, location);
    } catch (err) {
      renderForm(req, res, err, 'stock/goods-in', goodsInModel(req, goodsInId));
    }
  });
  router.post('/goods-in/:id/finish', async (req, res) => {
    const goodsInId = parse(id, req.params.id);
    await finishGoodsIn(db, goodsInId, clock());
    res.redirect(303, `/tools/stock/goods-in/${goodsInId}`);
  });

  // ── Stock counts ──
  router.post('/counts', (req, res) => {
    try {
      const { location } = parse(countForm, formFields(req));
      const count = startCount(db, location ?? null, userActor(req.user!), clock());
      res.redirect(303, `/tools/stock/counts/${count.id}`);
    } catch (err) {
      renderIndex(req, res, err);
    }
  });

  const countModel = (req: Request, countId: number) => {
    const count = getCount(db, countId);
    const sheet = countSheet(db, count);
    // A finished count that left packing orders short names them, with the move back to Order.
    const short = count.finishedAt ? shortPackingOrders(db, new Set(sheet.map((l) => l.productId))) : [];
    return { title: req.t('stock.count.title', { id: count.id }), count, sheet, short, productPath };
  };
  router.get('/counts/:id', (req, res) => res.render('stock/count', { ...countModel(req, parse(id, req.params.id)), values: {} }));
  router.post('/counts/:id/items', (req, res) => {
    const countId = parse(id, req.params.id);
    try {
      const input = parse(countItemForm, refuseUnknownCode(db, scannedFields(db, formFields(req), 'counted')));
      const product = recordCount(db, countId, input, clock());
      setFlash(req, 'success', 'stock.count.recorded', { counted: input.counted, sku: product.sku, name: product.name });
      res.redirect(303, `/tools/stock/counts/${countId}`);
    } catch (err) {
      renderForm(req, res, err, 'stock/count', countModel(req, countId));
    }
  });
  router.post('/counts/:id/finish', (req, res) => {
    const countId = parse(id, req.params.id);
    try {
      const { changed, counted } = finishCount(db, countId, userActor(req.user!), clock());
      setFlash(req, 'success', 'stock.count.done', { changed, count: counted });
      res.redirect(303, `/tools/stock/counts/${countId}`);
    } catch (err) {
      renderForm(req, res, err, 'stock/count', countModel(req, countId));
    }
  });
  // Short packing orders back to Order: their allocation is released; the next pack run takes them again.
  router.post('/short/unpack', (req, res) => {
    const { orders, back } = parse(
      z.object({
        orders: z.union([z.string(), z.array(z.string())]).default([]),
        back: z
          .string()
          .regex(/^\/tools\/stock(\/[\w/-]*)?$/)
          .default('/tools/stock'),
      }),
      formFields(req),
    );
    const codes = typeof orders === 'string' ? [orders] : orders;
    const location = formOnce(db, req, clock(), () => {
      const moved = unpackShortOrders(db, codes, { actor: userActor(req.user!), now: clock(), currency: config.currency });
      setFlash(req, 'success', 'stock.short.moved', { count: moved.length, codes: moved.join(', ') });
      return back;
    });
    res.redirect(303, location);
  });
  router.post('/counts/:id/discard', (req, res) => {
    discardCount(db, parse(id, req.params.id));
    setFlash(req, 'success', 'stock.count.discarded');
    res.redirect(303, '/tools/stock');
  });

  return router;
}
