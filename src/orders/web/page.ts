import { settleByHand, unsettledBookingsOf } from '../../carriers/booking.js';
import { formOnce } from '../../web/form-once.js';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { shippingMethodLabel } from '../../carriers/methods.js';
import { listCustomStatuses } from '../../custom-statuses/service.js';
import { linesEditable, movesFrom } from '../../domain/order-status.js';
import { awaitsApproval } from '../../domain/hold.js';
import { can } from '../../domain/permissions.js';
import { listOrderEmails } from '../../email/store.js';
import { getEmailSettings } from '../../email/settings.js';
import { statusTemplateOf } from '../../email/queue.js';
import { AppError } from '../../errors.js';
import { checkOrder, holdText, lastOutcome } from '../../pack/service.js';
import { getPackSettings } from '../../pack/settings.js';
import type { presentProduct } from '../../products/present.js';
import { formRefusal } from '../../web/form.js';
import { setFlash } from '../../web/render.js';
import { userActor, type AppDeps } from '../../web/types.js';
import { parse } from '../../validate.js';
import { updateOrderDetails } from '../edit.js';
import { describeEvent } from '../history.js';
import { presentOrder } from '../present.js';
import { loadOrder } from '../service.js';
import { resolveOrderCode } from '../lookup.js';
import { dueBeforeShipping, releaseUnpaid } from '../payment-due.js';

/** A form's checkbox: ticked is "on" (or "1"/"true" from the page's script). */
export const checkbox = z.preprocess((v) => v === 'on' || v === '1' || v === 'true', z.boolean());
const detailsForm = z.object({
  waiting: checkbox,
  reviewed: checkbox,
  priority: z.coerce.number().int().min(1).max(10),
  customStatus: z.preprocess((v) => (v === '' ? null : v), z.string().max(32).nullable()),
  comment: z.string().max(2000),
});

/** Where a form posted from the order page sends the user back to. */
export const orderUrl = (code: string, anchor = '') => `/orders/${code}${anchor}`;

/** Who changes the order, when, and the shop's currency: what every order-page write takes. */
export const orderCtx = ({ clock, config }: AppDeps, req: Request) => ({ actor: userActor(req.user!), now: clock(), currency: config.currency });

/** A refused form of the order page: which form, the error, and products to choose from (add line). */
export interface OrderPageProblem {
  form: string;
  error: unknown;
  candidates?: ReturnType<typeof presentProduct>[];
}

/** The order page; with a problem, the refused form's message and typed values next to that form. */
export function renderOrderPage(deps: AppDeps, req: Request, res: Response, code: string, problem?: OrderPageProblem): void {
  const { db } = deps;
  const row = loadOrder(db, code);
  const order = presentOrder(db, row);
  let formProblem = null;
  if (problem) {
    // A missing order is the error page's 404, not a message next to a form.
    const refusal = formRefusal(req, res, problem.error, { passOn: ['order_not_found'] });
    formProblem = {
      form: problem.form,
      message: Object.values(refusal.fields).join(' ') || refusal.message,
      fields: refusal.fields,
      values: refusal.values,
      candidates: problem.candidates ?? [],
    };
    res.status(refusal.status);
  }
  const manualMoves = movesFrom(order.status, { manualOnly: true });
  const modes = getEmailSettings(db).modes;
  const customStatuses = listCustomStatuses(db);
  const statusLabels = new Map(customStatuses.map((s) => [s.code, s.label]));
  res.render('orders/show', {
    title: req.t('orders.orderTitle', { code: order.code }),
    order,
    shippingMethod: shippingMethodLabel(db, row.shippingMethod),
    history: order.events.map((e) => ({ ...e, text: describeEvent(e, req.t, res.locals.fmt, order.currency, { statusLabels }) })),
    // Each move with its e-mail's mode: the tick is offered, ticked or not shown accordingly.
    moves: manualMoves.map((m) => ({ ...m, mail: ((t) => (t ? modes[t] : 'never'))(statusTemplateOf(db, row, m.to)) })),
    emails: listOrderEmails(db, row.id),
    editable: linesEditable(order.status),
    customStatuses,
    canDelete: can(req.user!.role, 'deleteOrders'),
    awaitingApproval: awaitsApproval(row, getPackSettings(db)),
    due: ((d) => (d && d.due > 0 ? { ...d, money: (minor: number) => ({ minor, currency: d.currency }) } : null))(dueBeforeShipping(db, row.id)),
    lastPackOutcome: ((o) => (o ? { ...o, text: holdText(req.t, o) } : null))(
      stillCurrent(lastOutcome(db, { code: order.code, createdAt: new Date(order.createdAt) }), order.events),
    ),
    unsettledBookings: unsettledBookingsOf(db, row.id),
    problem: formProblem,
  });
}

/**
 * The last pack outcome while it still says where the order stands: a move back to Order or to
 * Cancelled since (reopened, unpacked, cancelled) makes it history, kept in the run and the log but
 * no longer shown as the order's outcome ("Promoted to Packing" on a reopened order).
 */
function stillCurrent<T extends { at: Date }>(outcome: T | null, events: { type: string; data: Record<string, unknown>; createdAt: string }[]): T | null {
  if (!outcome) return null;
  const undone = events.some(
    (e) => e.type === 'status_changed' && (e.data.to === 'order' || e.data.to === 'cancelled') && Date.parse(e.createdAt) >= outcome.at.getTime(),
  );
  return undone ? null : outcome;
}

/** The order page itself, its details form and "check this order now". */
export function orderPageWeb(deps: AppDeps): Router {
  const { db, clock } = deps;
  const router = Router();

  router.get('/:code', (req, res) => {
    try {
      renderOrderPage(deps, req, res, req.params.code);
    } catch (err) {
      if (err instanceof AppError && err.code === 'order_code_invalid') throw new AppError('not_found', err.key, err.params);
      throw err;
    }
  });

  router.post('/:code/details', (req, res) => {
    const code = String(req.params.code);
    try {
      const form = parse(detailsForm, req.body);
      updateOrderDetails(db, code, form, orderCtx(deps, req));
      setFlash(req, 'success', 'orders.saved');
      res.redirect(orderUrl(code));
    } catch (err) {
      renderOrderPage(deps, req, res, code, { form: 'details', error: err });
    }
  });

  // Approve a pay-later order for packing: the same service as the API's PATCH and the bulk action.
  router.post('/:code/approve', (req, res) => {
    const code = String(req.params.code);
    try {
      const location = formOnce(db, req, clock(), () => {
        const order = updateOrderDetails(db, code, { approved: true }, orderCtx(deps, req));
        setFlash(req, 'success', 'orders.approve.done', { code: order.code });
        return orderUrl(order.code);
      });
      res.redirect(location);
    } catch (err) {
      renderOrderPage(deps, req, res, code, { form: 'approve', error: err });
    }
  });

  // Let a short order ship: an operator's decision, with the reason kept in the order's history.
  router.post('/:code/release-unpaid', (req, res) => {
    const code = String(req.params.code);
    try {
      const { reason } = parse(z.object({ reason: z.string().max(1000).default('') }), req.body ?? {});
      const location = formOnce(db, req, clock(), () => {
        const due = releaseUnpaid(db, code, { reason }, orderCtx(deps, req));
        setFlash(req, 'success', 'orders.due.done', { code: resolveOrderCode(code), due: { minor: due.due, currency: due.currency } });
        return orderUrl(code);
      });
      res.redirect(location);
    } catch (err) {
      renderOrderPage(deps, req, res, code, { form: 'releaseUnpaid', error: err });
    }
  });

  // A carrier booking whose answer no lookup can give: an operator checked the carrier's portal.
  router.post('/:code/bookings/:id/not-booked', (req, res) => {
    const code = String(req.params.code);
    try {
      const bookingId = parse(z.coerce.number().int().positive(), req.params.id);
      const location = formOnce(db, req, clock(), () => {
        const settled = settleByHand(db, deps.carriers, resolveOrderCode(code), bookingId, orderCtx(deps, req));
        setFlash(req, 'success', 'orders.booking.done', settled);
        return orderUrl(code);
      });
      res.redirect(location);
    } catch (err) {
      renderOrderPage(deps, req, res, code, { form: 'settleBooking', error: err });
    }
  });

  router.post('/:code/pack-check', async (req, res) => {
    const code = String(req.params.code);
    try {
      const { outcome } = await checkOrder({ db, clock, log: deps.log, onProgress: deps.packHub?.publish }, code, userActor(req.user!));
      if (outcome.promoted) setFlash(req, 'success', 'pack.check.promoted', { code: outcome.code });
      else setFlash(req, 'error', 'pack.check.held', { code: outcome.code, detail: holdText(req.t, outcome) });
      res.redirect(orderUrl(code));
    } catch (err) {
      renderOrderPage(deps, req, res, code, { form: 'status', error: err });
    }
  });

  return router;
}
