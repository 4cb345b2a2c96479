import { Router, type Request, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { can } from '../domain/permissions.js';
import { fieldText, formFields } from '../web/form.js';
import { NAV } from '../web/locals.js';
import { SqliteRateLimitStore } from './rate-limit-store.js';
import type { AppDeps, SessionUser } from '../web/types.js';
import { loginForm } from '../users/schemas.js';
import { authenticate } from '../users/service.js';

/** Only local paths: a crafted ?next= must not send a user to another site after login. */
export function safeNext(next: unknown): string | null {
  return typeof next === 'string' && /^\/(?!\/)[^\\\s]*$/.test(next) ? next : null;
}

/** The first page a role can use. */
export function homeFor(user: SessionUser): string {
  return NAV.find((n) => can(user.role, n.capability))?.path ?? '/account';
}

export function authRoutes(deps: AppDeps): Router {
  const { db, clock, config } = deps;
  const router = Router();

  const renderLogin = (req: Request, res: Response, status: number, error: string | null) => {
    const fields = formFields(req);
    res.status(status).render('auth/login', {
      title: req.t('login.title'),
      error,
      values: { email: typeof fields.email === 'string' ? fields.email : '' },
      next: safeNext(fields.next ?? req.query.next) ?? '',
    });
  };

  // Failed logins per address and e-mail; a correct password does not count. Counted in the
  // database: every process on the file shares the count.
  const limiter = rateLimit({
    store: new SqliteRateLimitStore(db, clock, 'login:'),
    windowMs: 15 * 60 * 1000,
    limit: config.loginRateLimit,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${fieldText(formFields(req).email).trim().toLowerCase()}`,
    handler: (req, res) => renderLogin(req, res, 429, req.t('login.tooManyAttempts')),
  });

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(safeNext(req.query.next) ?? homeFor(req.user));
    renderLogin(req, res, 200, null);
  });

  router.post('/login', limiter, async (req, res, next) => {
    const form = loginForm.safeParse(req.body);
    if (!form.success) return renderLogin(req, res, 401, req.t('login.failed'));
    const user = await authenticate(db, form.data.email, form.data.password, clock());
    if (!user) return renderLogin(req, res, 401, req.t('login.failed'));
    // A new session id at login: a session fixed before login is worth nothing after it.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = user.id;
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        const sessionUser = { id: user.id, email: user.email, name: user.name, role: user.role, language: user.language };
        res.redirect(safeNext(form.data.next) ?? homeFor(sessionUser));
      });
    });
  });

  router.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('wbo.sid');
      res.redirect('/login');
    });
  });

  return router;
}
