import { Router, type Request } from 'express';
import { requireCapability } from '../web/auth.js';
import { AppError } from '../errors.js';
import { formFields, renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import { userActor, type AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { customStatusBody, customStatusCode } from './schemas.js';
import { deleteCustomStatus, listCustomStatusesWithUsage, putCustomStatus } from './service.js';

/** Settings → Status (seed 001 "Egen status"). */
export function customStatusesWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));
  const model = (req: Request) => ({ title: req.t('customStatuses.title'), statuses: listCustomStatusesWithUsage(db), inUse: null });

  router.get('/', (req, res) => res.render('settings/statuses', { ...model(req), values: { color: '#1f6feb' } }));

  router.post('/', (req, res) => {
    try {
      const fields = formFields(req);
      const code = parse(customStatusCode, fields.code ?? '');
      if (listCustomStatusesWithUsage(db).some((s) => s.code === code)) {
        throw new AppError(
          'validation_failed',
          'errors.validationFailed',
          { count: 1 },
          { fields: [{ path: 'code', key: 'validation.customStatusExists', params: { code } }] },
        );
      }
      putCustomStatus(db, code, parse(customStatusBody, { label: fields.label, color: fields.color }), clock());
      setFlash(req, 'success', 'customStatuses.created', { code });
      res.redirect('/settings/statuses');
    } catch (err) {
      renderForm(req, res, err, 'settings/statuses', model(req));
    }
  });

  router.post('/:code', (req, res) => {
    const code = parse(customStatusCode, req.params.code);
    try {
      const fields = formFields(req);
      putCustomStatus(db, code, parse(customStatusBody, { label: fields.label, color: fields.color }), clock());
      setFlash(req, 'success', 'customStatuses.saved', { code });
      res.redirect('/settings/statuses');
    } catch (err) {
      renderForm(req, res, err, 'settings/statuses', { ...model(req), editing: code });
    }
  });

  router.post('/:code/delete', (req, res) => {
    const code = parse(customStatusCode, req.params.code);
    try {
      const { cleared } = deleteCustomStatus(db, code, { clear: formFields(req).clear === 'yes', actor: userActor(req.user!), now: clock() });
      if (cleared) setFlash(req, 'success', 'customStatuses.clearedAndDeleted', { code, count: cleared });
      else setFlash(req, 'success', 'customStatuses.deleted', { code });
      res.redirect('/settings/statuses');
    } catch (err) {
      // In use: offer to take it off those orders, on the same page.
      if (err instanceof AppError && err.code === 'custom_status_in_use') {
        return res.status(409).render('settings/statuses', { ...model(req), values: {}, inUse: { code, count: err.params.count } });
      }
      throw err;
    }
  });

  return router;
}
