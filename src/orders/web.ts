import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { listCustomStatuses } from '../custom-statuses/service.js';
import { linesEditable, movesFrom, ORDER_STATUSES, PAYMENT_METHODS } from '../domain/order-status.js';
import { can } from '../domain/permissions.js';
import { presentProduct } from '../products/present.js';
import { findProductsForInput } from '../products/repo.js';
import { requireCapability } from '../web/auth.js';
import { AppError } from '../errors.js';
import { translateFields } from '../web/error-handler.js';
import { setFlash } from '../web/render.js';
import { checkOrder, holdText, lastOutcome } from '../pack/service.js';
import { userActor, type AppDeps } from '../web/types.js';
import { parse } from '../web/validate.js';
import { applyBulk, BULK_ACTIONS, MAX_BULK } from './bulk.js';
import { addLine, changeLineQuantity, deleteOrder, removeLine, updateOrderDetails } from './edit.js';
import { describeEvent } from './history.js';
import { ADVANCED_FILTERS, listOrders, orderListQuery } from './list.js';
import { presentOrder } from './present.js';
import { findOrderByCode } from './repo.js';
import { quantitySchema, lineIdParam } from './schemas.js';
import { changeStatus, loadOrder } from './service.js';
import { mailEffect, needsConfirmation, stockEffect } from './status-confirm.js';
import { composeOrderMail, listOrderEmails } from '../email/outbox.js';
import { getEmailSettings } from '../email/settings.js';
import { templateForStatus } from '../email/templates.js';
import type { OrderStatus } from '../domain/order-status.js';

const checkbox = z.preprocess((v) => v === 'on' || v === '1' || v === 'true', z.boolean());
const detailsForm = z.object({
  waiting: checkbox,
  reviewed: checkbox,
  priority: z.coerce.number().int().min(1).max(10),
  customStatus: z.preprocess((v) => (v === '' ? null : v), z.string().max(32).nullable()),
  comment: z.string().max(2000),
});
const statusForm = z.object({
  // The form starts on "— choose —": sending it unchosen gets this message next to the select.
  status: z.enum(ORDER_STATUSES, { error: 'orders.statusChange.required' }),
  notifyCustomer: checkbox,
  /** "Edit the e-mail first": show the compose page instead of changing the status. */
  compose: z.string().optional(),
  /** From the compose page: the e-mail as edited for this order. */
  subject: z.string().trim().min(1).max(200).regex(/^[^\r\n]*$/, { error: 'validation.template.subjectOneLine' }).optional(),
  body: z.string().trim().min(1).max(20_000).optional(),
  /** From the confirmation step of a cancel or unpack. */
  confirmed: z.string().optional(),
  /** The status the confirmation was shown for: confirming a page of another status asks again. */
  from: z.string().max(20).optional(),
});
const addLineForm = z.object({ product: z.string().trim().min(1).max(100), quantity: z.coerce.number({ error: 'validation.integer' }).pipe(quantitySchema) });
const lineForm = z.object({ quantity: z.coerce.number({ error: 'validation.integer' }).pipe(quantitySchema) });
const bulkForm = z.object({
  codes: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(20)).max(MAX_BULK)),
  action: z.enum(BULK_ACTIONS),
  customStatus: z.string().max(32).optional(),
  confirmed: z.string().optional(),
  back: z.string().max(2000).optional(),
});

/** Where a form posted from the order page sends the user back to. */
const orderUrl = (code: string, anchor = '') => `/orders/${code}${anchor}`;

/** Only our own list URL may be returned to after a bulk action. */
function safeBack(back: string | undefined): string {
  return back && /^\/orders(\?[^\s\\]*)?$/.test(back) ? back : '/orders';
}

export function ordersWeb(deps: AppDeps): Router {
  const { db, clock, config } = deps;
  const router = Router();
  router.use(requireCapability('orders'));
  const ctx = (req: Request) => ({ actor: userActor(req.user!), now: clock(), currency: config.currency });

  router.get('/', (req, res) => {
    // Unlike the API, a bad filter on the page is shown next to the form, not as an error page.
    const raw: Record<string, unknown> = { ...req.query, limit: '50' };
    const parsed = orderListQuery.safeParse(raw);
    let filterErrors: { path: string; message: string }[] = [];
    let query;
    if (parsed.success) query = parsed.data;
    else {
      // Search with the filters that are right; say which are not.
      filterErrors = translateFields(toFields(parsed.error), req.t);
      for (const f of filterErrors) delete raw[f.path.split('.')[0]!];
      query = orderListQuery.parse(raw);
    }
    const page = listOrders(db, query, config.timezone);
    const reading = page.codeReading;
    if (page.codeMatched && reading?.kind === 'valid' && page.orders.length === 1 && !query.cursor) {
      // A scanned or typed order code opens the order.
      return res.redirect(orderUrl(page.orders[0]!.code));
    }
    const notice =
      reading?.kind === 'bad_check'
        ? req.t('errors.orderCodeBadCheck', { input: query.q })
        : reading?.kind === 'missing_check' && page.codeMatched
          ? req.t('orders.search.missingCheck', { code: reading.code })
          : reading?.kind === 'valid' && !page.codeMatched
            ? req.t('errors.orderNotFound', { code: reading.code })
            : null;
    const params = new URLSearchParams(Object.entries(req.query).filter(([k, v]) => k !== 'cursor' && typeof v === 'string' && v !== '') as [string, string][]);
    res.render('orders/list', {
      title: req.t('orders.title'),
      orders: page.orders,
      nextCursor: page.nextCursor,
      query,
      raw: req.query,
      filterErrors,
      advancedOpen: ADVANCED_FILTERS.some((f) => typeof req.query[f] === 'string' && req.query[f] !== '') || filterErrors.length > 0,
      statuses: ORDER_STATUSES,
      paymentMethods: PAYMENT_METHODS,
      customStatuses: listCustomStatuses(db),
      notice,
      baseParams: params.toString(),
      currentUrl: req.originalUrl,
    });
  });

  router.post('/bulk', (req, res) => {
    const form = parse(bulkForm, req.body);
    const back = safeBack(form.back);
    if (form.codes.length === 0) {
      setFlash(req, 'error', 'orders.bulk.noneSelected');
      return res.redirect(back);
    }
    if (form.action === 'cancel' && form.confirmed !== 'yes') {
      const orders = form.codes.map((code) => findOrderByCode(db, code)).filter((o) => o !== undefined);
      return res.render('orders/bulk-cancel', { title: req.t('orders.bulk.confirmCancelTitle'), orders, back });
    }
    const result = applyBulk(db, form.codes, form.action, { ...ctx(req), customStatus: form.customStatus || null });
    if (result.failed.length) {
      const reasons = result.failed.map((f) => `${f.code}: ${req.t(f.error.key, f.error.params)}`).join(' · ');
      setFlash(req, 'error', 'orders.bulk.partly', { done: result.done.length, failed: result.failed.length, reasons });
    } else setFlash(req, 'success', 'orders.bulk.done', { count: result.done.length });
    res.redirect(back);
  });

  const showOrder = (req: Request, res: Response, code: string, problem?: { form: string; error: unknown; values?: Record<string, unknown>; candidates?: ReturnType<typeof presentProduct>[] }) => {
    const row = loadOrder(db, code);
    const order = presentOrder(db, row);
    let formProblem = null;
    if (problem) {
      const err = problem.error;
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 403 || err.code === 'order_not_found') throw err;
      const fields = translateFields(err.fields, req.t);
      formProblem = {
        form: problem.form,
        message: fields.length ? fields.map((f) => f.message).join(' ') : req.t(err.key, err.params),
        fields: Object.fromEntries(fields.map((f) => [f.path, f.message])),
        values: problem.values ?? {},
        candidates: problem.candidates ?? [],
      };
      res.status(err.status);
    }
    const manualMoves = movesFrom(order.status, { manualOnly: true });
    const modes = getEmailSettings(db).modes;
    res.render('orders/show', {
      title: req.t('orders.orderTitle', { code: order.code }),
      order,
      history: order.events.map((e) => ({ ...e, text: describeEvent(e, req.t, res.locals.fmt, order.currency) })),
      // Each move with its e-mail's mode: the tick is offered, ticked or not shown accordingly.
      moves: manualMoves.map((m) => ({ ...m, mail: ((t) => (t ? modes[t] : 'never'))(templateForStatus(m.to)) })),
      emails: listOrderEmails(db, row.id),
      editable: linesEditable(order.status),
      customStatuses: listCustomStatuses(db),
      canDelete: can(req.user!.role, 'deleteOrders'),
      lastPackOutcome: ((o) => (o ? { ...o, text: holdText(req.t, o) } : null))(lastOutcome(db, { code: order.code, createdAt: new Date(order.createdAt) })),
      problem: formProblem,
    });
  };

  router.get('/:code', (req, res) => {
    try {
      showOrder(req, res, req.params.code);
    } catch (err) {
      if (err instanceof AppError && err.code === 'order_code_invalid') throw new AppError('not_found', err.key, err.params);
      throw err;
    }
  });

  /** Runs a change from the order page: back to the order on success, the page with the error next to the form otherwise. */
  const orderAction = (form: string, anchor: string, run: (req: Request, code: string) => void) => (req: Request, res: Response) => {
    const code = String(req.params.code);
    try {
      run(req, code);
      res.redirect(orderUrl(code, anchor));
    } catch (err) {
      showOrder(req, res, code, { form, error: err, values: req.body });
    }
  };

  /** The compose page: the status's e-mail for this order, editable before the change is made. */
  const showCompose = (req: Request, res: Response, code: string, to: OrderStatus, edited?: { subject?: string; body?: string; errors?: Record<string, string> }) => {
    const order = loadOrder(db, code);
    const template = templateForStatus(to);
    if (!template) throw new AppError('validation_failed', 'emails.noMailForStatus', { status: to });
    if (!order.customerEmail) throw new AppError('validation_failed', 'emails.noCustomerEmail');
    if (getEmailSettings(db).modes[template] === 'never') throw new AppError('validation_failed', 'emails.mailOff', { status: to });
    const mail = composeOrderMail(db, order.id, template, { status: to });
    res.status(edited?.errors ? 422 : 200).render('orders/email-compose', {
      title: req.t('emails.compose.title', { code: order.code }),
      order: { code: order.code, email: order.customerEmail, status: order.status },
      to,
      language: mail.language,
      subject: edited?.subject ?? mail.subject,
      body: edited?.body ?? mail.text,
      errors: edited?.errors ?? {},
    });
  };

  router.post('/:code/status', (req, res) => {
    const code = String(req.params.code);
    try {
      const form = parse(statusForm, req.body);
      if (form.compose) return showCompose(req, res, code, form.status);
      const edited = form.subject !== undefined || form.body !== undefined;
      const notify = edited ? { subject: form.subject!, body: form.body! } : form.notifyCustomer;
      const order = loadOrder(db, code);
      // An illegal move has no entry here and is refused by changeStatus with its message.
      const move = movesFrom(order.status, { manualOnly: true }).find((m) => m.to === form.status);
      if (move && needsConfirmation(move) && (form.confirmed !== 'yes' || form.from !== order.status)) {
        return res.render('orders/status-confirm', {
          title: req.t(`orders.statusConfirm.title.${move.action}`, { code: order.code }),
          order: { code: order.code, status: order.status },
          move,
          // Confirmed on a page shown for another status: what happens now may differ, so ask again.
          changedMeanwhile: form.confirmed === 'yes',
          stock: stockEffect(db, order, move),
          mail: mailEffect(db, order, move, notify),
          keep: { status: form.status, notifyCustomer: form.notifyCustomer, subject: form.subject, body: form.body },
        });
      }
      const queued: number[] = [];
      changeStatus(db, code, form.status, { ...ctx(req), notify, queued });
      setFlash(req, 'success', queued.length ? 'emails.statusChangedMailed' : 'orders.statusChanged', { status: form.status, count: queued.length });
      res.redirect(orderUrl(code));
    } catch (err) {
      // A refused edited e-mail goes back to the compose page with the text kept.
      if (req.body?.subject !== undefined && err instanceof AppError && err.fields.length && ORDER_STATUSES.includes(req.body.status)) {
        const errors: Record<string, string> = {};
        for (const f of translateFields(err.fields, req.t)) errors[f.path] ??= f.message;
        return showCompose(req, res, code, req.body.status, { subject: req.body.subject, body: req.body.body, errors });
      }
      showOrder(req, res, code, { form: 'status', error: err, values: req.body });
    }
  });

  router.post(
    '/:code/details',
    orderAction('details', '', (req, code) => {
      const form = parse(detailsForm, req.body);
      updateOrderDetails(db, code, form, ctx(req));
      setFlash(req, 'success', 'orders.saved');
    }),
  );

  router.post('/:code/lines', (req, res) => {
    const code = String(req.params.code);
    try {
      const form = parse(addLineForm, req.body);
      const { exact, matches } = findProductsForInput(db, form.product);
      if (!exact) {
        const error = matches.length ? new AppError('validation_failed', 'orders.lineEdit.choose', { text: form.product }) : new AppError('product_not_found', 'orders.lineEdit.noMatch', { text: form.product });
        return showOrder(req, res, code, { form: 'addLine', error, values: req.body, candidates: matches.map(presentProduct) });
      }
      addLine(db, code, { sku: exact.sku, quantity: form.quantity }, ctx(req));
      setFlash(req, 'success', 'orders.lineEdit.added', { sku: exact.sku, quantity: form.quantity });
      res.redirect(orderUrl(code, '#lines'));
    } catch (err) {
      showOrder(req, res, code, { form: 'addLine', error: err, values: req.body });
    }
  });

  router.post('/:code/lines/:id', (req, res) => {
    const code = String(req.params.code);
    const id = parse(lineIdParam, req.params.id);
    try {
      if (req.body?.remove !== undefined) removeLine(db, code, id, ctx(req));
      else changeLineQuantity(db, code, id, parse(lineForm, req.body).quantity, ctx(req));
      res.redirect(orderUrl(code, '#lines'));
    } catch (err) {
      showOrder(req, res, code, { form: `line-${id}`, error: err, values: req.body });
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
      showOrder(req, res, code, { form: 'status', error: err });
    }
  });

  router.get('/:code/delete', requireCapability('deleteOrders'), (req, res) => {
    const order = presentOrder(db, loadOrder(db, String(req.params.code)));
    res.render('orders/delete', { title: req.t('orders.delete.title', { code: order.code }), order });
  });

  router.post('/:code/delete', requireCapability('deleteOrders'), (req, res) => {
    const { code } = deleteOrder(db, String(req.params.code), ctx(req));
    setFlash(req, 'success', 'orders.delete.done', { code });
    res.redirect('/orders');
  });

  return router;
}

function toFields(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), key: i.message.startsWith('validation.') ? i.message : 'validation.invalid' }));
}

