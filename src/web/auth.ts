import type { NextFunction, Request, Response } from 'express';
import { can, type Capability } from '../domain/permissions.js';
import { negotiateLanguage, translator } from '../i18n/index.js';
import { findUserById } from '../users/repo.js';
import { AppError } from '../errors.js';
import type { AppDeps } from './types.js';

/**
 * Loads the logged-in user on every request, so a disabled account or a new role takes effect at
 * once, and picks the page language: the user's own, else the browser's.
 */
export function loadUser({ db, config }: AppDeps) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const userId = req.session?.userId;
    if (userId) {
      const row = findUserById(db, userId);
      if (row && !row.disabledAt) {
        req.user = { id: row.id, email: row.email, name: row.name, role: row.role, language: row.language, soundsMuted: row.soundsMuted };
      } else {
        delete req.session.userId;
      }
    }
    req.lang = req.user?.language ?? negotiateLanguage(req.headers['accept-language'], config.defaultLanguage);
    req.t = translator(req.lang);
    next();
  };
}

/** Pages behind the login: a visitor is sent to /login and brought back afterwards. */
export function requireLogin(req: Request, res: Response, next: NextFunction) {
  if (req.user) return next();
  const nextUrl = req.method === 'GET' ? req.originalUrl : '/';
  res.redirect(`/login?next=${encodeURIComponent(nextUrl)}`);
}

/** A page that needs a capability: others get the 403 page. */
export function requireCapability(capability: Capability) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) throw new AppError('unauthorized', 'errors.loginRequired');
    if (!can(req.user.role, capability)) throw new AppError('forbidden', 'errors.forbidden');
    next();
  };
}
