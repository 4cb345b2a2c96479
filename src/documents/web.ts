import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { requireCapability } from '../web/auth.js';
import { renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import type { AppDeps } from '../web/types.js';
import { formNumber, parse } from '../validate.js';
import { lastNumber } from '../series/repo.js';
import { getSeller, putSeller, sellerSchema } from './settings.js';

const settingsForm = z.object({
  name: z.string().default(''),
  address: z.string().default(''),
  orgNumber: z.string().default(''),
  vatNumber: z.string().default(''),
  email: z.string().default(''),
  phone: z.string().default(''),
  bankAccount: z.string().default(''),
  paymentTermsDays: formNumber(),
  shippingVatPercent: formNumber().pipe(z.number().min(0).max(100)),
  firstInvoiceNumber: formNumber().optional(),
});

/** The last invoice number taken, if any invoice was made: the series start is fixed from then on. */
function lastInvoiceNumber(db: Db): number | undefined {
  return lastNumber(db, 'invoice');
}

/** Settings → Documents (admin): the seller on invoices and receipts, payment terms, the invoice series. */
export function documentSettingsWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));
  const model = (req: Request) => ({ title: req.t('docSettings.title'), lastInvoice: lastInvoiceNumber(db) ?? null });
  const show = (req: Request, res: Response) => {
    const seller = getSeller(db);
    res.render('settings/documents', { ...model(req), values: { ...seller, shippingVatPercent: seller.shippingVatRate / 100 } });
  };
  router.get('/', show);
  router.post('/', (req, res) => {
    try {
      const form = parse(settingsForm, req.body ?? {});
      const current = getSeller(db);
      const seller = parse(sellerSchema, {
        ...form,
        shippingVatRate: Math.round(form.shippingVatPercent * 100),
        // Once an invoice exists the series continues from it.
        firstInvoiceNumber: lastInvoiceNumber(db) === undefined ? (form.firstInvoiceNumber ?? current.firstInvoiceNumber) : current.firstInvoiceNumber,
      });
      putSeller(db, seller, clock(), req.user!.name);
      setFlash(req, 'success', 'docSettings.saved');
      res.redirect('/settings/documents');
    } catch (err) {
      renderForm(req, res, err, 'settings/documents', model(req));
    }
  });
  return router;
}
