import { createHmac } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import { doubleCsrf } from 'csrf-csrf';
import { csrfSync } from 'csrf-sync';
import type { CookieOptions, NextFunction, Request, Response } from 'express';
import { formFields } from './form.js';
import type { AppDeps } from './types.js';

/**
 * A login form's token is taken for one to two of these after the form was shown: a token is
 * signed with the key of the hour it was made in, and the key of the hour before is still taken.
 */
export const LOGIN_TOKEN_HOUR_MS = 60 * 60 * 1000;

/** The token a form or a page script sent: the hidden `_csrf` field, else the X-CSRF-Token header. */
function tokenSent(req: Request): string | undefined {
  const field = formFields(req)._csrf;
  if (typeof field === 'string') return field;
  const header = req.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

/** The login form posts here; its token is checked by the route, which shows the form again when it is refused. */
function isLoginPost(req: Request): boolean {
  return req.method === 'POST' && req.path === '/login';
}

export interface WebCsrf {
  /**
   * Every page request: signed in, the session's synchroniser token (csrf-sync) is the page's
   * `csrfToken` and every form must send it; before login nothing is kept in the session (so a
   * visitor's request writes no session row), and a form must send the login form's token with
   * its cookie. The login post is left to its route.
   */
  protect: (req: Request, res: Response, next: NextFunction) => void;
  /** A new token for a login form, its signed twin in the browser's login cookie (sent with this response). */
  loginToken: (req: Request, res: Response) => string;
  /** The login post sent the token of its own cookie, signed with this hour's key or the last one's. */
  loginTokenValid: (req: Request) => boolean;
  /** Logged in: the session's token takes over and the login cookie goes. */
  endLoginToken: (res: Response) => void;
}

/**
 * CSRF defence for the pages (docs/decisions.md, "CSRF before and after login"). After login a
 * synchroniser token in the session; before it a signed double-submit cookie (csrf-csrf): the
 * token in the form must equal the one in the browser's cookie and carry the server's signature,
 * so another browser's token, a forged one or one older than two hours is refused.
 */
export function webCsrf({ config, clock }: Pick<AppDeps, 'config' | 'clock'>, sessionSecret: string): WebCsrf {
  const sync = csrfSync({ getTokenFromRequest: tokenSent });

  // __Host-: over HTTPS only, and no other host (a sibling name under the same domain) can set it.
  const cookieName = config.cookieSecure ? '__Host-wbo.login' : 'wbo.login';
  const cookieOptions: CookieOptions = { httpOnly: true, sameSite: 'strict', secure: config.cookieSecure, path: '/' };
  // A key of its own per hour, derived from the session secret (which itself signs only the session cookie).
  const hourKey = (hour: number) => createHmac('sha256', sessionSecret).update(`login-csrf:${hour}`).digest('base64url');
  const loginCsrf = doubleCsrf({
    // The first signs new tokens; the others are still taken.
    getSecret: () => {
      const hour = Math.floor(clock().getTime() / LOGIN_TOKEN_HOUR_MS);
      return [hourKey(hour), hourKey(hour - 1)];
    },
    // There is no session before login to bind the token to: the random value in the browser's own
    // cookie is what ties a token to one browser.
    getSessionIdentifier: () => '',
    cookieName,
    cookieOptions: { ...cookieOptions, maxAge: 2 * LOGIN_TOKEN_HOUR_MS },
    getCsrfTokenFromRequest: tokenSent,
  });
  // csrf-csrf reads req.cookies, which Express leaves to a cookie parser.
  const withCookies = (req: Request) => {
    req.cookies ??= parseCookies(req.headers.cookie ?? '');
    return req;
  };

  return {
    protect: (req, res, next) => {
      if (req.user) {
        res.locals.csrfToken = sync.generateToken(req);
        if (isLoginPost(req)) return next();
        return sync.csrfSynchronisedProtection(req, res, next);
      }
      // No token on a visitor's pages: the login form makes its own (loginToken).
      res.locals.csrfToken = '';
      if (isLoginPost(req)) return next();
      loginCsrf.doubleCsrfProtection(withCookies(req), res, next);
    },
    loginToken: (req, res) => loginCsrf.generateCsrfToken(withCookies(req), res, { overwrite: true }),
    loginTokenValid: (req) => loginCsrf.validateRequest(withCookies(req)),
    endLoginToken: (res) => {
      res.clearCookie(cookieName, cookieOptions);
    },
  };
}
