import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ORDER_DOCUMENTS, sendPdf } from '../documents/api.js';
import { DOCUMENT_KINDS } from '../documents/model.js';
import { printDocuments } from '../documents/service.js';
import { resolveOrderCode } from '../orders/lookup.js';
import { requireCapability } from '../web/auth.js';
import { listPackingOrdersWithPrints } from './repo.js';
import { formRefusal } from '../web/form.js';
import { userActor, type AppDeps } from '../web/types.js';
import { oneOrMany, parse } from '../web/validate.js';

/** The form's `orders` is one code or many. */
const codes = z.preprocess(oneOrMany, z.array(z.string().trim().min(1).max(40)).max(1000));
const printForm = z.object({ orders: codes, kind: z.string().optional() });

export function outboundWeb(deps: AppDeps): Router {
  const { db, clock, config } = deps;
  const router = Router();
  const docDeps = () => ({ db, clock, renderer: deps.documents, timezone: config.timezone });

  const renderOutbound = (req: Request, res: Response, status = 200, extra: { error?: string; selected?: string[]; kind?: string } = {}) => {
    const list = listPackingOrdersWithPrints(db);
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
      const refusal = formRefusal(req, res, err);
      again(refusal.message, refusal.status);
    }
  });

  // The order page's document links.
  router.get('/outbound/orders/:code/:name', requireCapability('outbound'), async (req: Request<{ code: string; name: string }>, res, next) => {
    // The same names as the API's; a label needs its parcel and is printed from the station.
    const kind = ORDER_DOCUMENTS.get(req.params.name);
    if (!kind || kind === 'label') return next();
    const { pdf, fileName } = await printDocuments(docDeps(), { kind, codes: [resolveOrderCode(req.params.code)], actor: userActor(req.user!), lang: req.lang, customerLang: config.defaultLanguage });
    sendPdf(res, pdf, fileName);
  });

  return router;
}
