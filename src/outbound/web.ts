import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { orders } from '../db/schema/index.js';
import { sendPdf } from '../documents/api.js';
import { DOCUMENT_KINDS, type DocumentKind } from '../documents/model.js';
import { printMarkers, type PrintMarker } from '../documents/repo.js';
import { printDocuments } from '../documents/service.js';
import { resolveOrderCode } from '../orders/lookup.js';
import { requireCapability } from '../web/auth.js';
import { AppError } from '../errors.js';
import { userActor, type AppDeps } from '../web/types.js';
import { parse } from '../web/validate.js';

/** Orders shown on Outbound and Shipping out at most; the oldest and most urgent come first. */
export const PACKING_LIST_LIMIT = 500;

/** Packing orders not on hold, in the order they should be picked: highest priority, then oldest. */
export function listPackingOrders(db: Db) {
  const rows = db
    .select({
      id: orders.id,
      code: orders.code,
      priority: orders.priority,
      customerName: orders.customerName,
      shipCity: orders.shipCity,
      shipCountry: orders.shipCountry,
      placedAt: orders.placedAt,
      comment: orders.comment,
      paymentMethod: orders.paymentMethod,
      units: sql<number>`(SELECT coalesce(sum(l.quantity - l.shipped_quantity), 0) FROM order_lines l WHERE l.order_id = "orders"."id")`,
      partlyShipped: sql<number>`(SELECT count(*) FROM order_lines l WHERE l.order_id = "orders"."id" AND l.shipped_quantity > 0)`,
    })
    .from(orders)
    .where(and(eq(orders.status, 'packing'), eq(orders.waiting, false)))
    .orderBy(desc(orders.priority), asc(orders.placedAt), asc(orders.id))
    .limit(PACKING_LIST_LIMIT + 1)
    .all();
  return { more: rows.length > PACKING_LIST_LIMIT, orders: rows.slice(0, PACKING_LIST_LIMIT) };
}

/** The list with what was printed for each order (Outbound; Shipping out has no use for it). */
function withPrintMarkers(db: Db, list: ReturnType<typeof listPackingOrders>) {
  const markers = printMarkers(db, list.orders.map((r) => r.id));
  return { ...list, orders: list.orders.map((r) => ({ ...r, printed: markers.get(r.id) ?? ([] as PrintMarker[]) })) };
}

/** The form's `orders` is one code or many. */
const codes = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().trim().min(1).max(40)).max(1000));
const printForm = z.object({ orders: codes, kind: z.string().optional() });

/** URL names of the order documents on the order page. */
const DOCUMENT_NAMES: Record<string, DocumentKind> = {
  'pick-slip.pdf': 'pick_slip',
  'receipt.pdf': 'receipt',
  'pick-slip-receipt.pdf': 'pick_slip_receipt',
  'invoice.pdf': 'invoice',
  'packing-slip.pdf': 'packing_slip',
};

export function outboundWeb(deps: AppDeps): Router {
  const { db, clock, config } = deps;
  const router = Router();
  const docDeps = () => ({ db, clock, renderer: deps.documents!, timezone: config.timezone });

  const renderOutbound = (req: Request, res: Response, status = 200, extra: { error?: string; selected?: string[]; kind?: string } = {}) => {
    const list = withPrintMarkers(db, listPackingOrders(db));
    res.status(status).render('outbound/index', {
      title: req.t('outbound.title'),
      ...list,
      kinds: DOCUMENT_KINDS,
      error: extra.error ?? null,
      selected: new Set(extra.selected ?? []),
      kind: extra.kind ?? '',
    });
  };

  router.get('/outbound', requireCapability('outbound'), (req, res) => renderOutbound(req, res));

  // One PDF for the selected orders; a refusal shows the list again with the selection kept.
  router.post('/outbound/print', requireCapability('outbound'), async (req, res) => {
    const form = parse(printForm, req.body ?? {});
    const kind = DOCUMENT_KINDS.find((k) => k === form.kind);
    const again = (error: string, status: number) => renderOutbound(req, res, status, { error, selected: form.orders, kind: form.kind ?? '' });
    if (!kind) return again(req.t('outbound.noFunction'), 422);
    if (form.orders.length === 0) return again(req.t('outbound.noSelection'), 422);
    try {
      const { pdf, fileName } = await printDocuments(docDeps(), { kind, codes: form.orders, actor: userActor(req.user!), lang: req.lang, customerLang: config.defaultLanguage });
      sendPdf(res, pdf, fileName);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return again(req.t(err.key, err.params), err.status);
      throw err;
    }
  });

  // The order page's document links.
  router.get('/outbound/orders/:code/:name', requireCapability('outbound'), async (req: Request<{ code: string; name: string }>, res, next) => {
    const kind = DOCUMENT_NAMES[req.params.name];
    if (!kind) return next();
    const { pdf, fileName } = await printDocuments(docDeps(), { kind, codes: [resolveOrderCode(req.params.code)], actor: userActor(req.user!), lang: req.lang, customerLang: config.defaultLanguage });
    sendPdf(res, pdf, fileName);
  });

  return router;
}
