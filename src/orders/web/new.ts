import { formOnce } from '../../web/form-once.js';
import { Router, type Request, type Response } from 'express';
import { fieldText, formFields, formRefusal } from '../../web/form.js';
import { setFlash } from '../../web/render.js';
import type { AppDeps } from '../../web/types.js';
import { oneOrMany, parse } from '../../validate.js';
import {
  addScannedLine,
  EMPTY_MANUAL_ORDER,
  fillCustomer,
  findCustomer,
  MANUAL_ORDER_CHOICES,
  manualOrderBody,
  priceManualOrder,
  productForScan,
  type ManualOrderForm,
  type ManualOrderPrices,
} from '../manual.js';
import { createOrderBody } from '../schemas.js';
import { createOrder } from '../service.js';
import { orderCtx, orderUrl } from './page.js';

/** The manual-order form as posted: each field read as text (a refused form shows it as typed). */
function readForm(req: Request): ManualOrderForm {
  const f = formFields(req);
  const text = (name: string) => fieldText(Array.isArray(f[name]) ? (f[name] as unknown[])[0] : f[name]);
  const skus = oneOrMany(f.lineSku).map(fieldText);
  const quantities = oneOrMany(f.lineQty).map(fieldText);
  return {
    find: text('find'),
    customerType: text('customerType') === 'account' ? 'account' : 'guest',
    email: text('email'),
    name: text('name'),
    phone: text('phone'),
    line1: text('line1'),
    line2: text('line2'),
    postalCode: text('postalCode'),
    city: text('city'),
    country: text('country'),
    language: text('language'),
    scan: text('scan'),
    lines: skus.map((sku, i) => ({ sku, quantity: quantities[i] ?? '' })),
    paymentMethod: text('paymentMethod'),
    paid: ['on', '1', 'true'].includes(text('paid')),
    priority: text('priority'),
    comment: text('comment'),
  };
}

interface View {
  errors?: Record<string, string>;
  formError?: string | null;
  notice?: string | null;
  /** The field the cursor goes to: the scan field after a line, the e-mail after a lookup. */
  focus?: string;
}

function render(req: Request, res: Response, form: ManualOrderForm, prices: ManualOrderPrices, view: View = {}) {
  res.render('orders/new', {
    title: req.t('orders.manual.title'),
    form,
    prices,
    choices: MANUAL_ORDER_CHOICES,
    errors: view.errors ?? {},
    formError: view.formError ?? null,
    notice: view.notice ?? null,
    focus: view.focus ?? (form.lines.length ? 'scan' : 'find'),
  });
}

/**
 * New order (phone or counter sale), at /orders/new. One form with several buttons: Find fills the
 * customer from their latest order, Add (and Enter anywhere but the find field, which a scanner
 * sends) adds the scanned line or one more of it, ✕ removes a line, and only Create order writes:
 * through the API's schema and createOrder, so rules, validation and e-mails are the same.
 */
export function orderNewWeb(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();
  // Every render shows the lines with their products' current prices (never a price from the form).
  const show = (req: Request, res: Response, form: ManualOrderForm, view: View = {}) =>
    render(req, res, form, priceManualOrder(db, form, deps.config.currency), view);

  router.get('/new', (req, res) => show(req, res, { ...EMPTY_MANUAL_ORDER, lines: [] }));

  router.post('/new', (req, res) => {
    const form = readForm(req);
    const op = fieldText(formFields(req).op);
    // Enter in a field submits with the form's first button ("enter"): what it means depends on
    // where something was typed, so a scanner's Enter adds its line and never creates the order.
    const action = op === 'enter' ? (form.scan.trim() ? 'add' : form.find.trim() ? 'find' : 'none') : op;
    try {
      if (action === 'find') {
        const found = findCustomer(db, form.find);
        if (!found) return show(req, res.status(404), form, { errors: { find: req.t('orders.manual.notFound', { text: form.find.trim() }) }, focus: 'email' });
        fillCustomer(form, found, deps.config.defaultLanguage);
        form.find = '';
        return show(req, res, form, { notice: req.t('orders.manual.found', { name: found.name, email: found.email }), focus: 'scan' });
      }
      if (action === 'add') {
        if (!form.scan.trim()) return show(req, res, form, { focus: 'scan' });
        const found = productForScan(db, form.scan);
        const quantity = addScannedLine(form, found);
        form.scan = '';
        return show(req, res, form, { notice: req.t('orders.manual.added', { sku: found.sku, name: found.name, quantity }), focus: 'scan' });
      }
      const remove = /^remove:(\d{1,3})$/.exec(action);
      if (remove) {
        form.lines.splice(Number(remove[1]), 1);
        return show(req, res, form, { focus: 'scan' });
      }
      if (action !== 'create') return show(req, res, form);
      const input = parse(createOrderBody, manualOrderBody(form));
      const location = formOnce(db, req, deps.clock(), () => {
        const order = createOrder(db, input, { ...orderCtx(deps, req), source: `web:${req.user!.name}` });
        setFlash(req, 'success', 'orders.manual.created', { code: order.code });
        return orderUrl(order.code);
      });
      res.redirect(location);
    } catch (err) {
      const refusal = formRefusal(req, res, err);
      res.status(refusal.status);
      const fieldsShown = Object.keys(refusal.fields).length > 0;
      show(req, res, form, { errors: refusal.fields, formError: fieldsShown ? null : refusal.message, focus: Object.keys(refusal.fields)[0] ?? 'scan' });
    }
  });

  return router;
}
