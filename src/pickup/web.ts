import { Router, type Request, type Response } from 'express';
import { AppError } from '../errors.js';
import { readScanned, scanSourceOf } from '../scanners/read.js';
import { can, type Role } from '../domain/permissions.js';
import { readerKey } from '../orders/hold.js';
import { requireCapability } from '../web/auth.js';
import { fieldText, formFields, formRefusal } from '../web/form.js';
import { formOnce } from '../web/form-once.js';
import { setFlash } from '../web/render.js';
import { userActor, type AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { handOverForm, pickupSettingsSchema } from './schemas.js';
import { cancelUncollected, handedOver, handOver, pickupShelf, putPickupSettings, remindPickup } from './service.js';

// The pickup shelf and its counter (/pickup, packers and up): scanning or typing an order's code
// hands it over; orders not collected after Settings' days get a reminder or are cancelled
// (cancel: operators); the days are an admin's setting on the same page.

/** A refusal of the counter, said at its scan field in its reader's words (a hold's: readerKey, so a packer is told to ask an operator). */
function atField(err: unknown, path: string, role: Role): unknown {
  if (!(err instanceof AppError) || err.fields.length) return err;
  return new AppError(err.code, err.key, err.params, { ...err.details, fields: [{ path, key: readerKey(err, role), params: err.params }] });
}

export function pickupWeb(deps: AppDeps): Router {
  const { db, clock } = deps;
  const router = Router();
  router.use(requireCapability('pickup'));

  const render = (req: Request, res: Response, state: { error?: unknown; settingsError?: unknown } = {}) => {
    const shelf = pickupShelf(db, clock());
    const handedCode = typeof req.query.handed === 'string' ? req.query.handed : '';
    let handed: ReturnType<typeof handedOver> = null;
    try {
      handed = handedCode ? handedOver(db, handedCode) : null;
    } catch {
      handed = null;
    }
    const model = {
      title: req.t('pickup.title'),
      shelf,
      handed,
      offerPayment: null as { code: string; due: { minor: number; currency: string } } | null,
      canCancel: can(req.user!.role, 'orders'),
      canSettings: can(req.user!.role, 'settings'),
      errors: {} as Record<string, string>,
      values: {} as Record<string, unknown>,
      formError: null as string | null,
    };
    let status = 200;
    for (const err of [state.error, state.settingsError]) {
      if (!err) continue;
      const refusal = formRefusal(req, res, err);
      status = refusal.status;
      Object.assign(model.errors, refusal.fields);
      model.values = { ...model.values, ...refusal.values };
      if (!Object.keys(refusal.fields).length) model.formError = refusal.message;
      // A pay-at-pickup order not yet paid: the counter may take the money and hand it over in one go.
      if (err instanceof AppError && err.details?.payAtCounter === true && typeof err.details.due === 'number' && typeof err.details.currency === 'string') {
        model.offerPayment = { code: String(err.params.code), due: { minor: err.details.due, currency: err.details.currency } };
      }
    }
    res.status(status).render('pickup/index', model);
  };

  router.get('/', (req, res) => render(req, res));

  router.post('/hand-over', (req, res) => {
    try {
      const body = parse(handOverForm, formFields(req));
      const raw = body.code.trim();
      if (!raw) throw new AppError('validation_failed', 'validation.required', {}, { fields: [{ path: 'code', key: 'validation.required' }] });
      // Read as the page read it: suffix, AIM identifier, a scanner's keyboard layout.
      const code = readScanned(db, raw, scanSourceOf(body.source), 'code').value;
      // Once per form: a resent form (or a second Enter) goes where the first went and hands nothing over again.
      const location = formOnce(db, req, clock(), () => {
        const paid = { paidAtCounter: body.paidAtCounter === '1', ...(body.due !== undefined && { shownDue: body.due }) };
        const done = handOver(db, code, paid, { actor: userActor(req.user!), now: clock() });
        setFlash(req, 'success', 'pickup.handedOverFlash', { code: done.code });
        return `/pickup?handed=${encodeURIComponent(done.code)}`;
      });
      res.redirect(location);
    } catch (err) {
      render(req, res, { error: atField(err, 'code', req.user!.role) });
    }
  });

  router.post('/orders/:code/remind', (req, res) => {
    try {
      const location = formOnce(db, req, clock(), () => {
        const sent = remindPickup(db, req.params.code, { actor: userActor(req.user!), now: clock() });
        setFlash(req, 'success', sent > 0 ? 'pickup.reminded' : 'pickup.remindedNoMail', { code: req.params.code });
        return '/pickup#not-collected';
      });
      res.redirect(location);
    } catch (err) {
      render(req, res, { error: err });
    }
  });

  router.post('/orders/:code/cancel', requireCapability('orders'), (req, res) => {
    const code = fieldText(req.params.code);
    try {
      const location = formOnce(db, req, clock(), () => {
        cancelUncollected(db, code, { actor: userActor(req.user!), now: clock() });
        setFlash(req, 'success', 'pickup.cancelled', { code });
        return '/pickup#not-collected';
      });
      res.redirect(location);
    } catch (err) {
      render(req, res, { error: err });
    }
  });

  router.post('/settings', requireCapability('settings'), (req, res) => {
    try {
      const settings = parse(pickupSettingsSchema, formFields(req));
      putPickupSettings(db, settings, clock(), req.user!.name);
      setFlash(req, 'success', 'pickup.settingsSaved');
      res.redirect('/pickup#settings');
    } catch (err) {
      render(req, res, { settingsError: err });
    }
  });

  return router;
}
