import { Router, type Request, type Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { can } from '../domain/permissions.js';
import { fieldText, formFields } from '../web/form.js';
import { NAV } from '../web/locals.js';
import { LoginThrottle } from './login-throttle.js';
import type { WebCsrf } from '../web/csrf.js';
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

/** Login and logout. The login form's CSRF token is `csrf`'s login token: a visitor has no session to keep one in. */
export function authRoutes(deps: AppDeps, csrf: WebCsrf): Router {
  const { db, clock, config } = deps;
  const router = Router();

  const renderLogin = (req: Request, res: Response, status: number, error: string | null) => {
    const fields = formFields(req);
    res.status(status).render('auth/login', {
      title: req.t('login.title'),
      // A new token with every form shown, so that each is taken for one to two hours from then.
      csrfToken: csrf.loginToken(req, res),
      error,
      values: { email: typeof fields.email === 'string' ? fields.email : '' },
      next: safeNext(fields.next ?? req.query.next) ?? '',
    });
  };

  // Failed logins per address and e-mail, per address and per account; a correct password does
  // not count. Counted in the database: every process on the file shares the count.
  const throttle = new LoginThrottle(db, clock, {
    pair: config.loginRateLimit,
    address: config.loginRateLimitPerAddress,
    account: config.loginRateLimitPerAccount,
  });

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(safeNext(req.query.next) ?? homeFor(req.user));
    renderLogin(req, res, 200, null);
  });

  router.post('/login', async (req, res, next) => {
    // Checked here, not by the page middleware (web/csrf.ts), so that a refused token shows the form
    // again, the e-mail kept, with a new token. Before the login limits: a post without its form's
    // token is no attempt at a password, and was never counted.
    if (!csrf.loginTokenValid(req)) return renderLogin(req, res, 403, req.t('login.expired'));
    const attempt = throttle.attempt(ipKeyGenerator(req.ip ?? ''), fieldText(formFields(req).email));
    if (!attempt.allowed) {
      res.set('Retry-After', String(Math.max(1, Math.ceil((attempt.retryAt.getTime() - clock().getTime()) / 1000))));
      return renderLogin(req, res, 429, req.t('login.tooManyAttempts'));
    }
    const form = loginForm.safeParse(req.body);
    if (!form.success) return renderLogin(req, res, 401, req.t('login.failed'));
    const user = await authenticate(db, form.data.email, form.data.password, clock());
    if (!user) return renderLogin(req, res, 401, req.t('login.failed'));
    throttle.succeeded(attempt);
    csrf.endLoginToken(res);
    // The first session row: a new session id at login (a session fixed before login is worth
    // nothing after it), with the session's own CSRF token from the next page on.
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
