import { readScanned, scanSourceOf } from '../../scanners/read.js';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { resolveOrderCode } from '../../orders/lookup.js';
import { checkOneItem, checkState, recordRefusedCheck, undoCheck, type CheckCtx } from '../../shipping/checks.js';
import { stationHolding, takeOverFromOutbound } from '../../shipping/stations.js';
import { requireCapability } from '../../web/auth.js';
import { flashRefusal, formRefusal } from '../../web/form.js';
import { setFlash } from '../../web/render.js';
import { userActor, type AppDeps } from '../../web/types.js';
import { parse } from '../../validate.js';
import { findVerifyOrder } from '../repo.js';

// Outbound's verify view: pick-and-pack checks each unit of one order by scanning it, away from a
// packing station. The checks are the station's (shipping/checks.ts: the same rule, the same rows,
// the same refusals kept for the mis-pick figures); only the page is Outbound's. Every form answers
// with a redirect; the page's script (src/browser/outbound.ts) sends them with `X-Outbound: fragment`
// and gets the lines and the message back instead.
// An order a packing station holds (open there, or its open delivery is that station's) is the
// station's work: the checks' writer refuses it here (`order_at_station`, inside the write), the
// view says where it is and offers "Take over" (stations.ts: takeOverFromOutbound), a form of its own.

const checkForm = z.object({
  barcode: z.string().trim().max(200),
  source: z.string().max(10).optional(),
  // Empty: one unit, or the count keyed before the barcode ("5*barcode").
  quantity: z.preprocess((v) => (v === '' || v === undefined ? undefined : Number(v)), z.number().optional()),
});

interface Message {
  kind: 'ok' | 'error';
  text: string;
}

/** Pick-and-pack verification, under the Outbound router (paths below /outbound). */
export function outboundVerifyWeb(deps: AppDeps): Router {
  const { db, clock } = deps;
  const router = Router();
  const ctxOf = (req: Request): CheckCtx => ({ actor: userActor(req.user!), now: clock(), outbound: true });
  const fragment = (req: Request) => req.get('X-Outbound') === 'fragment';

  const render = (req: Request, res: Response, code: string, status = 200, message: Message | null = null) => {
    const order = findVerifyOrder(db, code);
    if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code });
    const state = checkState(db, order.code);
    // Read for the page only: the writes decide again inside their own transaction.
    const holder = order.status === 'packing' ? stationHolding(db, order.id) : undefined;
    res.status(status).render(fragment(req) ? 'outbound/verify-state' : 'outbound/verify', {
      title: req.t('outbound.verifyTitle', { code: order.code }),
      order,
      state,
      message,
      held: holder ? { station: holder.name, packer: holder.userName } : null,
    });
  };

  /** A form's answer: the fragment for the script, else a redirect to the view with the message. */
  const answer = (req: Request, res: Response, code: string, outcome: { key: string; params: Record<string, unknown> } | { err: unknown }) => {
    if ('err' in outcome) {
      if (fragment(req)) {
        const refusal = formRefusal(req, res, outcome.err);
        return render(req, res, code, refusal.status, { kind: 'error', text: refusal.message });
      }
      flashRefusal(req, res, outcome.err);
    } else {
      if (fragment(req)) return render(req, res, code, 200, { kind: 'ok', text: req.t(outcome.key, outcome.params) });
      setFlash(req, 'success', outcome.key, outcome.params);
    }
    res.redirect(303, `/outbound/orders/${code}/verify`);
  };

  router.get('/orders/:code/verify', requireCapability('outbound'), (req: Request<{ code: string }>, res) => {
    render(req, res, resolveOrderCode(req.params.code));
  });

  // One scan: a unit (or the keyed count) of its line, through the checks' writer. A refusal is kept
  // for the mis-pick figures, as at the station.
  router.post('/orders/:code/checks', requireCapability('outbound'), (req: Request<{ code: string }>, res) => {
    const code = resolveOrderCode(req.params.code);
    const ctx = ctxOf(req);
    let barcode = '';
    try {
      const form = parse(checkForm, req.body ?? {});
      // Read as the page read it: suffix, AIM identifier, GS, a scanner's keyboard layout.
      if (form.barcode) barcode = readScanned(db, form.barcode, scanSourceOf(form.source), 'barcode').value;
      if (!barcode) throw new AppError('validation_failed', 'outbound.verifyNothing', {}, { fields: [{ path: 'barcode', key: 'outbound.verifyNothing' }] });
      const checked = checkOneItem(db, code, { barcode, ...(form.quantity !== undefined && { quantity: form.quantity }) }, ctx);
      answer(req, res, code, { key: 'shipping.checked', params: { ...checked, code } });
    } catch (err) {
      if (barcode) recordRefusedCheck(db, code, barcode, err, ctx);
      answer(req, res, code, { err });
    }
  });

  router.post('/orders/:code/checks/undo', requireCapability('outbound'), (req: Request<{ code: string }>, res) => {
    const code = resolveOrderCode(req.params.code);
    try {
      const undone = undoCheck(db, code, 'last', ctxOf(req));
      answer(req, res, code, { key: 'shipping.checkUndone', params: { ...undone, code } });
    } catch (err) {
      answer(req, res, code, { err });
    }
  });

  // "Take over": the order leaves the station that holds it (logged), then this view checks it.
  router.post('/orders/:code/take-over', requireCapability('outbound'), (req: Request<{ code: string }>, res) => {
    const code = resolveOrderCode(req.params.code);
    try {
      const { from } = takeOverFromOutbound(db, code, ctxOf(req));
      setFlash(req, 'success', from ? 'outbound.verifyTakenOver' : 'outbound.verifyNotHeld', { code, from });
    } catch (err) {
      flashRefusal(req, res, err);
    }
    res.redirect(303, `/outbound/orders/${code}/verify`);
  });

  return router;
}
