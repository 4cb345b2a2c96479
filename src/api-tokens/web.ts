import { Router, type Request } from 'express';
import { z } from 'zod';
import { requireCapability } from '../web/auth.js';
import { renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { createApiToken, listApiTokens, revokeApiToken } from './service.js';

const tokenForm = z.object({ name: z.string().trim().min(1).max(100), role: z.enum(['integration', 'admin']) });

/** Settings → API tokens (admin). A new token is shown once, on the page that made it. */
export function apiTokensWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));
  const model = (req: Request) => ({ title: req.t('apiTokens.title'), tokens: listApiTokens(db), newToken: null });

  router.get('/', (req, res) => res.render('settings/api-tokens', { ...model(req), values: { role: 'integration' } }));

  router.post('/', (req, res) => {
    try {
      const { token, row } = createApiToken(db, parse(tokenForm, req.body), req.user!.id, clock());
      // Rendered, not redirected: the token must not sit in a session or a URL.
      res.status(201).render('settings/api-tokens', { ...model(req), newToken: { token, name: row.name }, values: { role: 'integration' } });
    } catch (err) {
      renderForm(req, res, err, 'settings/api-tokens', model(req));
    }
  });

  router.post('/:id/revoke', (req, res) => {
    revokeApiToken(db, parse(z.coerce.number().int().positive(), req.params.id), clock());
    setFlash(req, 'success', 'apiTokens.revoked');
    res.redirect('/settings/api-tokens');
  });

  return router;
}
