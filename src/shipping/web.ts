import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { once } from '../api/idempotency.js';
import { readOrderCode } from '../domain/order-code.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { resolveOrderCode } from '../orders/lookup.js';
import { findOrderByCode } from '../orders/repo.js';
import { sendPdf } from '../documents/api.js';
import { printDocuments } from '../documents/service.js';
import { listPackingOrders } from '../outbound/repo.js';
import { requireCapability } from '../web/auth.js';
import { AppError } from '../errors.js';
import { flashRefusal } from '../web/form.js';
import { setFlash } from '../web/render.js';
import { userActor, type AppDeps } from '../web/types.js';
import { oneOrMany, parse } from '../web/validate.js';
import { brokerFor } from './broker.js';
import { presentReportFailure } from './api.js';
import { addParcel, addSlot, draftViews, fetchParcels, PARCEL_SOURCES, removeParcel, reportDrafts, setDeliveryLines } from './drafts.js';

const scanForm = z.object({
  value: z.string().max(200).default(''),
  selected: z.string().max(20).default(''),
  source: z.enum(PARCEL_SOURCES).catch('scanner'),
});
const codes = z.preprocess(oneOrMany, z.array(z.string().max(20)).max(1000));
const reportForm = z.object({ key: z.string().min(1).max(100), orders: codes });

/**
 * Shipping out: the packing station. One scan field drives it: an order's code selects the order,
 * anything else is a parcel ID for the selected order's open delivery, saved at once. Every form
 * answers with a redirect back to the station (so a reload never repeats a scan); the page's script
 * sends the same forms in the background and keeps the scan field focused.
 */
export function shippingWeb(deps: AppDeps): Router {
  const { db, clock, config } = deps;
  const router = Router();
  router.use(requireCapability('shipping'));
  const ctx = (req: Request) => ({ actor: userActor(req.user!), now: clock() });
  const back = (res: Response, selected: string) => res.redirect(303, `/shipping${selected ? `?selected=${encodeURIComponent(selected)}#order-${selected}` : ''}`);

  router.get('/', (req, res) => {
    const list = listPackingOrders(db);
    const drafts = draftViews(
      db,
      list.orders.map((o) => o.id),
    );
    const selected = typeof req.query.selected === 'string' && list.orders.some((o) => o.code === req.query.selected) ? req.query.selected : '';
    res.render('shipping/index', {
      title: req.t('shipping.title'),
      ...list,
      drafts,
      selected,
      // One key per page view: a double click or a resent form reports nothing twice.
      reportKey: randomUUID(),
    });
  });

  router.post('/scan', async (req, res) => {
    const form = parse(scanForm, req.body ?? {});
    const value = form.value.trim();
    if (!value) return back(res, form.selected);
    // An order's code selects the order (a ten-digit parcel ID that is no order's code is a parcel).
    const reading = readOrderCode(value);
    const order = reading.kind === 'valid' ? findOrderByCode(db, reading.code) : undefined;
    if (order) {
      if (order.status !== 'packing') {
        setFlash(req, 'error', 'shipping.notOnStation', { code: order.code, status: order.status });
        return back(res, form.selected);
      }
      try {
        // Selecting writes nothing, but a held order is said to be held here, in the writers' words.
        refuseIfOnHold(db, order.id);
      } catch (err) {
        flashRefusal(req, res, err);
        return back(res, form.selected);
      }
      setFlash(req, 'success', 'shipping.selected', { code: order.code });
      return back(res, order.code);
    }
    if (!form.selected) {
      setFlash(req, 'error', 'shipping.selectFirst', { value });
      return back(res, '');
    }
    try {
      const draft = await addParcel(db, form.selected, value, form.source, ctx(req));
      setFlash(req, 'success', 'shipping.parcelAdded', { parcelId: draft.parcels[draft.parcels.length - 1]?.parcelId ?? value, code: form.selected, count: draft.parcels.length });
    } catch (err) {
      flashRefusal(req, res, err);
    }
    back(res, form.selected);
  });

  router.post('/orders/:code/parcels/:parcelId/remove', (req, res) => {
    try {
      removeParcel(db, req.params.code, req.params.parcelId, ctx(req));
      setFlash(req, 'success', 'shipping.parcelRemoved', { parcelId: req.params.parcelId, code: req.params.code });
    } catch (err) {
      flashRefusal(req, res, err);
    }
    back(res, req.params.code);
  });

  router.get('/orders/:code/label.pdf', async (req: Request<{ code: string }>, res) => {
    const parcelId = typeof req.query.parcel === 'string' ? req.query.parcel : '';
    const { pdf, fileName } = await printDocuments(
      { db, clock, renderer: deps.documents, timezone: config.timezone },
      { kind: 'label', codes: [resolveOrderCode(req.params.code)], actor: userActor(req.user!), lang: req.lang, customerLang: config.defaultLanguage, parcelId },
    );
    sendPdf(res, pdf, fileName);
  });

  router.post('/orders/:code/fetch', async (req, res) => {
    try {
      const { parcelIds } = await fetchParcels(db, req.params.code, undefined, brokerFor(db), ctx(req));
      setFlash(req, 'success', 'shipping.fetched', { parcelIds: parcelIds.join(', '), code: req.params.code });
    } catch (err) {
      flashRefusal(req, res, err);
    }
    back(res, req.params.code);
  });

  router.post('/orders/:code/slots', (req, res) => {
    try {
      addSlot(db, req.params.code, ctx(req));
    } catch (err) {
      flashRefusal(req, res, err);
    }
    back(res, req.params.code);
  });

  // Partial delivery: one number field per SKU (`qty.<sku>`).
  router.post('/orders/:code/lines', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lines = Object.entries(body)
      .filter(([name]) => name.startsWith('qty.'))
      .map(([name, value]) => ({ sku: name.slice(4), quantity: String(value).trim() === '' ? Number.NaN : Number(value) }));
    try {
      const bad = lines.find((l) => !Number.isInteger(l.quantity) || l.quantity < 0);
      if (bad) throw new AppError('validation_failed', 'shipping.quantityInvalid', { sku: bad.sku });
      setDeliveryLines(db, req.params.code, lines, ctx(req));
      setFlash(req, 'success', 'shipping.partialSaved', { code: req.params.code });
    } catch (err) {
      flashRefusal(req, res, err);
    }
    back(res, req.params.code);
  });

  router.post('/report', (req, res) => {
    const form = parse(reportForm, req.body ?? {});
    const actor = userActor(req.user!);
    try {
      const reply = once(db, `user:${actor.id}:report`, form.key, { orders: form.orders }, clock(), () => ({
        status: 200,
        body: reportDrafts(db, form.orders.length ? form.orders : undefined, ctx(req)),
      }));
      const { reported, failed } = reply.body as ReturnType<typeof reportDrafts>;
      const shipped = reported.filter((r) => r.status === 'shipped').length;
      const counts = { count: reported.length, shipped, partial: reported.length - shipped };
      if (failed.length) {
        // The rest were reported; each order left out is named with its reason.
        const failures = failed.map((f) => `${f.code}: ${presentReportFailure(f, req.t, config.timezone).error.message}`).join(' · ');
        setFlash(req, 'error', 'shipping.reportedWithFailures', { ...counts, failed: failed.length, failures });
      } else setFlash(req, 'success', reported.length ? 'shipping.reported' : 'shipping.nothingToReport', counts);
    } catch (err) {
      flashRefusal(req, res, err);
    }
    back(res, '');
  });

  return router;
}
