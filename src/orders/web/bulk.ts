import { formOnce } from '../../web/form-once.js';
import { Router } from 'express';
import { z } from 'zod';
import { setFlash } from '../../web/render.js';
import type { AppDeps } from '../../web/types.js';
import { oneOrMany, parse } from '../../validate.js';
import { applyBulk, BULK_ACTIONS, MAX_BULK } from '../bulk.js';
import { findOrderByCode } from '../repo/orders.js';
import { orderCtx } from './page.js';

const bulkForm = z.object({
  codes: z.preprocess(oneOrMany, z.array(z.string().max(20)).max(MAX_BULK)),
  action: z.enum(BULK_ACTIONS),
  customStatus: z.string().max(32).optional(),
  confirmed: z.string().optional(),
  back: z.string().max(2000).optional(),
});

/** Only our own list URL may be returned to after a bulk action. */
function safeBack(back: string | undefined): string {
  return back && /^\/orders(\?[^\s\\]*)?$/.test(back) ? back : '/orders';
}

/** The list's bulk actions on the ticked orders; a cancel asks first. */
export function orderBulkWeb(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

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
    // Sent twice (the list's one-time key), the action is applied once.
    const location = formOnce(db, req, deps.clock(), () => {
      const result = applyBulk(db, form.codes, form.action, { ...orderCtx(deps, req), customStatus: form.customStatus || null });
      if (result.failed.length) {
        const reasons = result.failed.map((f) => `${f.code}: ${req.t(f.error.key, f.error.params)}`).join(' · ');
        setFlash(req, 'error', 'orders.bulk.partly', { count: result.done.length, failed: result.failed.length, reasons });
      } else setFlash(req, 'success', 'orders.bulk.done', { count: result.done.length });
      return back;
    });
    res.redirect(location);
  });

  return router;
}
