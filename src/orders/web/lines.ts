import { Router, type Request } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { presentProduct } from '../../products/present.js';
import { findProductsForInput } from '../../products/repo.js';
import { setFlash } from '../../web/render.js';
import type { AppDeps } from '../../web/types.js';
import { formFields } from '../../web/form.js';
import { parse } from '../../validate.js';
import { addLine, changeLineQuantity, removeLine } from '../edit.js';
import { dueBeforeShipping } from '../payment-due.js';
import type { OrderRow } from '../repo/orders.js';
import { lineIdParam, quantitySchema } from '../schemas.js';
import { orderCtx, orderUrl, renderOrderPage } from './page.js';

const addLineForm = z.object({ product: z.string().trim().min(1).max(100), quantity: z.coerce.number({ error: 'validation.integer' }).pipe(quantitySchema) });
const lineForm = z.object({ quantity: z.coerce.number({ error: 'validation.integer' }).pipe(quantitySchema) });

/** The order page's line forms: add a line (by SKU, barcode or name), change a quantity, remove. */
export function orderLinesWeb(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  /** A line raised on an order paid before shipping leaves it short: said at once, with the amount. An order not paid at all yet is not "short". */
  const warnIfShort = (req: Request, order: OrderRow): boolean => {
    if (order.paidAmount === 0) return false;
    const due = dueBeforeShipping(db, order.id);
    if (!due || due.mayShip) return false;
    const money = (minor: number) => ({ minor, currency: order.currency });
    setFlash(req, 'error', order.paymentMethod === 'pickup' ? 'orders.due.afterEditPickup' : 'orders.due.afterEdit', {
      code: order.code,
      due: money(due.due),
      received: money(order.paidAmount),
      total: money(order.total),
      paymentMethod: order.paymentMethod,
    });
    return true;
  };

  router.post('/:code/lines', (req, res) => {
    const code = String(req.params.code);
    try {
      const form = parse(addLineForm, req.body);
      const { exact, matches } = findProductsForInput(db, form.product);
      if (!exact) {
        const error = matches.length
          ? new AppError('validation_failed', 'orders.lineEdit.choose', { text: form.product })
          : new AppError('product_not_found', 'orders.lineEdit.noMatch', { text: form.product });
        return renderOrderPage(deps, req, res, code, { form: 'addLine', error, candidates: matches.map(presentProduct) });
      }
      const order = addLine(db, code, { sku: exact.sku, quantity: form.quantity }, orderCtx(deps, req));
      if (!warnIfShort(req, order)) setFlash(req, 'success', 'orders.lineEdit.added', { sku: exact.sku, quantity: form.quantity });
      res.redirect(orderUrl(code, '#lines'));
    } catch (err) {
      renderOrderPage(deps, req, res, code, { form: 'addLine', error: err });
    }
  });

  router.post('/:code/lines/:id', (req, res) => {
    const code = String(req.params.code);
    const id = parse(lineIdParam, req.params.id);
    try {
      if (formFields(req).remove !== undefined) removeLine(db, code, id, orderCtx(deps, req));
      else warnIfShort(req, changeLineQuantity(db, code, id, parse(lineForm, req.body).quantity, orderCtx(deps, req)));
      res.redirect(orderUrl(code, '#lines'));
    } catch (err) {
      renderOrderPage(deps, req, res, code, { form: `line-${id}`, error: err });
    }
  });

  return router;
}
