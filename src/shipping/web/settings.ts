import { Router, type Request } from 'express';
import { z } from 'zod';
import { requireCapability } from '../../web/auth.js';
import { fieldError } from '../../errors.js';
import { renderForm } from '../../web/form.js';
import { setFlash } from '../../web/render.js';
import type { AppDeps } from '../../web/types.js';
import { formNumber, parse } from '../../validate.js';
import { brokerSettingsSchema, getBrokerSettings, putBrokerSettings } from '../broker.js';
import { getVerificationMode, putVerificationMode, VERIFICATION_MODES } from '../checks.js';
import { parcelPatternProblem } from '../../domain/parcel-id.js';
import { getParcelPatterns, putParcelPatterns } from '../parcel-rules.js';

const form = z.object({
  kind: z.enum(['sscc', 'http']),
  companyPrefix: z.string().trim(),
  extensionDigit: formNumber(),
  httpUrl: z.string().trim().default(''),
  httpKey: z.string().default(''),
  httpTimeoutMs: formNumber(),
  httpRetries: formNumber(),
});

/** Settings → Shipping (admin): the broker that gives parcel IDs. */
export function shippingSettingsWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));
  const model = (req: Request) => ({
    title: req.t('shippingSettings.title'),
    verification: getVerificationMode(db),
    modes: VERIFICATION_MODES,
    parcelPatterns: getParcelPatterns(db).join('\n'),
  });
  router.get('/', (req, res) => {
    const { httpKey, ...values } = getBrokerSettings(db);
    res.render('settings/shipping', { ...model(req), values: { ...values, httpKey: '', hasKey: httpKey !== '' } });
  });
  // Scan-to-verify: off, warn (Report in says what was not checked) or required (Report in refuses).
  router.post('/verification', (req, res) => {
    try {
      const { mode } = parse(z.object({ mode: z.enum(VERIFICATION_MODES) }), req.body ?? {});
      putVerificationMode(db, mode, clock(), req.user!.name);
      setFlash(req, 'success', 'shippingSettings.saved');
      res.redirect('/settings/shipping');
    } catch (err) {
      const { httpKey, ...values } = getBrokerSettings(db);
      renderForm(req, res, err, 'settings/shipping', { ...model(req), values: { ...values, httpKey: '', hasKey: httpKey !== '' } });
    }
  });
  // The shop's own parcel ID forms: one pattern a line, each matched against the whole ID.
  router.post('/parcel-forms', (req, res) => {
    let text = '';
    try {
      ({ patterns: text } = parse(z.object({ patterns: z.string().max(10_000).default('') }), req.body ?? {}));
      const patterns = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
      if (patterns.length > 20) throw fieldError('patterns', 'validation.parcelPattern.tooMany', { max: 20 });
      patterns.forEach((pattern, i) => {
        const problem = parcelPatternProblem(pattern);
        if (problem) throw fieldError('patterns', `validation.parcelPattern.${problem}`, { pattern, line: i + 1 });
      });
      putParcelPatterns(db, patterns, clock(), req.user!.name);
      setFlash(req, 'success', 'shippingSettings.saved');
      res.redirect('/settings/shipping');
    } catch (err) {
      const { httpKey, ...values } = getBrokerSettings(db);
      renderForm(req, res, err, 'settings/shipping', { ...model(req), parcelPatterns: text, values: { ...values, httpKey: '', hasKey: httpKey !== '' } });
    }
  });
  router.post('/', (req, res) => {
    try {
      const current = getBrokerSettings(db);
      const input = parse(form, req.body ?? {});
      // An empty key field keeps the stored key (it is never shown again).
      const settings = parse(brokerSettingsSchema, { ...input, httpKey: input.httpKey || current.httpKey });
      if (settings.kind === 'http' && !settings.httpUrl) throw fieldError('httpUrl', 'validation.required');
      putBrokerSettings(db, settings, clock(), req.user!.name);
      setFlash(req, 'success', 'shippingSettings.saved');
      res.redirect('/settings/shipping');
    } catch (err) {
      renderForm(req, res, err, 'settings/shipping', model(req));
    }
  });
  return router;
}
