import { formOnce } from '../../web/form-once.js';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { movesFrom, ORDER_STATUSES, type OrderStatus } from '../../domain/order-status.js';
import { composeOrderMail } from '../../email/compose.js';
import { getEmailSettings } from '../../email/settings.js';
import { statusTemplateOf } from '../../email/queue.js';
import { AppError } from '../../errors.js';
import { fieldText, formFields, formRefusal } from '../../web/form.js';
import { setFlash } from '../../web/render.js';
import type { AppDeps } from '../../web/types.js';
import { parse } from '../../validate.js';
import { changeStatus, loadOrder } from '../service.js';
import { mailEffect, needsConfirmation, stockEffect } from '../status-confirm.js';
import { checkbox, orderCtx, orderUrl, renderOrderPage } from './page.js';

const statusForm = z.object({
  // The form starts on "— choose —": sending it unchosen gets this message next to the select.
  status: z.enum(ORDER_STATUSES, { error: 'orders.statusChange.required' }),
  notifyCustomer: checkbox,
  /** "Edit the e-mail first": show the compose page instead of changing the status. */
  compose: z.string().optional(),
  /** From the compose page: the e-mail as edited for this order. */
  subject: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^\r\n]*$/, { error: 'validation.template.subjectOneLine' })
    .optional(),
  body: z.string().trim().min(1).max(20_000).optional(),
  /** From the confirmation step of a cancel or unpack. */
  confirmed: z.string().optional(),
  /** The status the confirmation was shown for: confirming a page of another status asks again. */
  from: z.string().max(20).optional(),
});

/** The order page's status form: the e-mail compose page, the cancel/unpack confirmation, the change. */
export function orderStatusWeb(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  /** The compose page: the status's e-mail for this order, editable before the change is made. */
  const showCompose = (
    req: Request,
    res: Response,
    code: string,
    to: OrderStatus,
    edited?: { subject?: string; body?: string; errors?: Record<string, string> },
  ) => {
    const order = loadOrder(db, code);
    const template = statusTemplateOf(db, order, to);
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
      const location = formOnce(db, req, deps.clock(), () => {
        const queued: number[] = [];
        changeStatus(db, code, form.status, { ...orderCtx(deps, req), notify, queued });
        setFlash(req, 'success', queued.length ? 'emails.statusChangedMailed' : 'orders.statusChanged', { status: form.status, count: queued.length });
        return orderUrl(code);
      });
      res.redirect(location);
    } catch (err) {
      // A refused edited e-mail goes back to the compose page with the text kept.
      const typed = formFields(req);
      const status = ORDER_STATUSES.find((s) => s === typed.status);
      if (typed.subject !== undefined && err instanceof AppError && err.fields.length && status) {
        const { fields } = formRefusal(req, res, err);
        // What was typed goes back as text; an absent body falls back to the template's.
        return showCompose(req, res, code, status, {
          subject: fieldText(typed.subject),
          body: typed.body === undefined ? undefined : fieldText(typed.body),
          errors: fields,
        });
      }
      renderOrderPage(deps, req, res, code, { form: 'status', error: err });
    }
  });

  return router;
}
