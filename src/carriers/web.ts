import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { requireCapability } from '../web/auth.js';
import { formFields, formRefusal } from '../web/form.js';
import { setFlash } from '../web/render.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { accountView, accountViews, methodView, methodViews, removeAccount, removeMethod, saveAccount, saveMethod, type AccountView } from './accounts.js';
import { CARRIERS, carrierDefinition } from './registry.js';
import { accountSchema, methodSchema } from './schemas.js';
import { CARRIER_KINDS, type CarrierDefinition, type CarrierKind } from './types.js';

const id = z.coerce.number({ error: 'validation.integer' }).int().positive();
const kindOf = z.object({ kind: z.enum(CARRIER_KINDS) });
const LIST = '/settings/shipping/carriers';

/** An account as the list shows it: the API address it calls (the carrier's own when none is set) and the sender in one line. */
function presentAccount(a: AccountView) {
  const definition = carrierDefinition(a.kind);
  const sender = [a.senderName, a.senderLine1, a.senderLine2, `${a.senderPostalCode} ${a.senderCity}`, a.senderCountry].filter(Boolean).join(', ');
  return { ...a, apiAddress: a.baseUrl ?? definition.defaultBaseUrl(a.test), apiAddressIsDefault: a.baseUrl === null, sender };
}

/** The services offered in the method form's list: each carrier an account is with, once. */
function serviceChoices(accounts: readonly AccountView[]) {
  const kinds = [...new Set(accounts.map((a) => a.kind))];
  return kinds.flatMap((kind) => {
    const definition = carrierDefinition(kind);
    return definition.services.map((s) => ({ code: s.code, label: `${definition.name}: ${s.name}` }));
  });
}

/** What a method does, in words: its account and service, pickup, or the station's own parcel IDs. */
function methodKindText(req: Request, m: ReturnType<typeof methodViews>[number]): string {
  if (m.kind === 'pickup') return req.t('carrierSettings.kindPickupText');
  if (m.kind === 'own') return req.t('carrierSettings.kindOwnText');
  if (!m.account) return req.t('carrierSettings.noAccount');
  const known = carrierDefinition(m.account.kind).services.find((s) => s.code === m.service);
  const service = known ? `${known.code} ${known.name}` : (m.service ?? '');
  return `${m.account.name} · ${service}`;
}

/** A form's fields as typed, for re-rendering: the credentials are never written back into a page. */
function withoutCredentials(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => !name.startsWith('credential.')));
}

/** Re-renders a refused form with each field's message and what was typed (credentials left out). */
function refuse(req: Request, res: Response, err: unknown, view: string, model: Record<string, unknown>): void {
  const refusal = formRefusal(req, res, err);
  res.status(refusal.status).render(view, {
    ...model,
    errors: refusal.fields,
    values: withoutCredentials(refusal.values),
    formError: Object.keys(refusal.fields).length ? null : refusal.message,
  });
}

/**
 * Settings → Shipping → Carriers (admin): the carrier accounts (credentials sealed with the
 * server's key, never shown again) and the shop's shipping methods, each mapped to an account and
 * its service, to pickup in store, or to the station's own parcel IDs; one method is the default.
 */
export function carriersWeb(deps: AppDeps): Router {
  const { db, clock } = deps;
  const box = deps.carriers.box;
  const router = Router();
  router.use(requireCapability('settings'));

  const listModel = (req: Request) => {
    const accounts = accountViews(db);
    return {
      title: req.t('carrierSettings.title'),
      accounts: accounts.map(presentAccount),
      methods: methodViews(db).map((m) => ({ ...m, kindText: methodKindText(req, m) })),
      carriers: CARRIER_KINDS.map((kind) => ({ kind, name: CARRIERS[kind].name })),
      services: serviceChoices(accounts),
    };
  };
  const newMethod = { kind: 'carrier', carrierAccountId: '', service: '', isDefault: false };

  router.get('/', (req, res) => res.render('settings/carriers', { ...listModel(req), values: newMethod, errors: {}, formError: null }));

  // Accounts.
  const accountModel = (req: Request, definition: CarrierDefinition, account: AccountView | null) => ({
    title: req.t('carrierSettings.title'),
    definition,
    account,
  });
  const newAccount = (definition: CarrierDefinition) => ({
    name: '',
    kind: definition.kind,
    test: true,
    baseUrl: '',
    labelFormat: definition.labelFormats[0],
    parcelWeightGrams: 1000,
  });

  router.get('/accounts/new', (req, res) => {
    const definition = carrierDefinition(parse(kindOf, req.query).kind);
    res.render('settings/carriers-account', { ...accountModel(req, definition, null), values: newAccount(definition), errors: {}, formError: null });
  });

  router.post('/accounts', (req, res) => {
    const fields = formFields(req);
    // The carrier decides which form is shown again; a form of no carrier is refused as a whole.
    const kind: CarrierKind = parse(kindOf, fields).kind;
    const model = accountModel(req, carrierDefinition(kind), null);
    try {
      const account = saveAccount(db, box, null, parse(accountSchema, fields), fields, clock());
      setFlash(req, 'success', 'carrierSettings.accountCreated', { name: account.name });
      res.redirect(303, LIST);
    } catch (err) {
      refuse(req, res, err, 'settings/carriers-account', model);
    }
  });

  router.get('/accounts/:id', (req, res) => {
    const account = accountView(db, parse(id, req.params.id));
    res.render('settings/carriers-account', {
      ...accountModel(req, carrierDefinition(account.kind), account),
      values: { ...account, baseUrl: account.baseUrl ?? '' },
      errors: {},
      formError: null,
    });
  });

  router.post('/accounts/:id', (req, res) => {
    const accountId = parse(id, req.params.id);
    const account = accountView(db, accountId);
    const model = accountModel(req, carrierDefinition(account.kind), account);
    const fields = formFields(req);
    try {
      const saved = saveAccount(db, box, accountId, parse(accountSchema, fields), fields, clock());
      setFlash(req, 'success', 'carrierSettings.accountSaved', { name: saved.name });
      res.redirect(303, LIST);
    } catch (err) {
      refuse(req, res, err, 'settings/carriers-account', model);
    }
  });

  router.post('/accounts/:id/delete', (req, res) => {
    try {
      const account = removeAccount(db, parse(id, req.params.id));
      setFlash(req, 'success', 'carrierSettings.accountDeleted', { name: account.name });
    } catch (err) {
      // An account a method or a booking names stays; the list says which.
      if (!(err instanceof AppError && err.code === 'conflict')) throw err;
      setFlash(req, 'error', err.key, err.params);
    }
    res.redirect(303, LIST);
  });

  // Shipping methods.
  router.post('/methods', (req, res) => {
    try {
      const method = saveMethod(db, null, parse(methodSchema, formFields(req)), clock());
      setFlash(req, 'success', 'carrierSettings.methodCreated', { name: method.name });
      res.redirect(303, LIST);
    } catch (err) {
      refuse(req, res, err, 'settings/carriers', listModel(req));
    }
  });

  const methodModel = (req: Request, methodId: number) => {
    const accounts = accountViews(db);
    return { title: req.t('carrierSettings.title'), method: methodView(db, methodId), accounts, services: serviceChoices(accounts) };
  };

  router.get('/methods/:id', (req, res) => {
    const model = methodModel(req, parse(id, req.params.id));
    res.render('settings/carriers-method', {
      ...model,
      values: { ...model.method, carrierAccountId: model.method.carrierAccountId ?? '' },
      errors: {},
      formError: null,
    });
  });

  router.post('/methods/:id', (req, res) => {
    const methodId = parse(id, req.params.id);
    const model = methodModel(req, methodId);
    try {
      const method = saveMethod(db, methodId, parse(methodSchema, formFields(req)), clock());
      setFlash(req, 'success', 'carrierSettings.methodSaved', { name: method.name });
      res.redirect(303, LIST);
    } catch (err) {
      refuse(req, res, err, 'settings/carriers-method', model);
    }
  });

  router.post('/methods/:id/delete', (req, res) => {
    const method = removeMethod(db, parse(id, req.params.id));
    setFlash(req, 'success', 'carrierSettings.methodDeleted', { name: method.name });
    res.redirect(303, LIST);
  });
  return router;
}
