import type { NextFunction, Request, Response } from 'express';
import { can, type Capability } from '../domain/permissions.js';
import { LANGUAGE_NAMES } from '../i18n/index.js';
import { AppError } from './errors.js';
import { translateFields } from './error-handler.js';
import { formatters } from './format.js';
import type { AppDeps } from './types.js';

/** The main navigation: label key, path, and what the user must be able to do to see it. */
export const NAV: { key: string; path: string; capability: Capability }[] = [
  { key: 'nav.orders', path: '/orders', capability: 'orders' },
  { key: 'nav.outbound', path: '/outbound', capability: 'outbound' },
  { key: 'nav.shipping', path: '/shipping', capability: 'shipping' },
  { key: 'nav.tools', path: '/tools', capability: 'tools' },
  { key: 'nav.settings', path: '/settings', capability: 'settings' },
];

/** Locals every view can use: t, fmt, user, nav, flash, the current path. */
export function viewLocals({ config }: AppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.t = req.t;
    res.locals.lang = req.lang;
    res.locals.fmt = formatters(req.lang, config.timezone);
    res.locals.user = req.user ?? null;
    res.locals.can = (capability: Capability) => (req.user ? can(req.user.role, capability) : false);
    res.locals.nav = req.user ? NAV.filter((n) => can(req.user!.role, n.capability)) : [];
    res.locals.currentPath = req.path;
    res.locals.languageNames = LANGUAGE_NAMES;
    res.locals.errors = {};
    res.locals.values = {};
    res.locals.formError = null;
    const flash = req.session?.flash;
    if (flash) {
      res.locals.flash = { kind: flash.kind, message: req.t(flash.key, flash.params) };
      delete req.session.flash;
    } else res.locals.flash = null;
    next();
  };
}

export function setFlash(req: Request, kind: 'success' | 'error', key: string, params?: Record<string, unknown>) {
  req.session.flash = { kind, key, ...(params && { params }) };
}

/**
 * Re-renders a form after a refused submit: each field's message next to its input, the values
 * the user typed kept. Errors that are not about the form go on to the error handler.
 */
export function renderFormError(req: Request, res: Response, err: unknown, view: string, model: Record<string, unknown>) {
  if (!(err instanceof AppError) || err.status >= 500 || err.status === 403) throw err;
  const errors: Record<string, string> = {};
  for (const f of translateFields(err.fields, req.t)) errors[f.path] ??= f.message;
  const { password: _p, currentPassword: _c, newPassword: _n, confirmPassword: _cp, _csrf, ...values } = (req.body ?? {}) as Record<string, unknown>;
  res.status(err.status).render(view, {
    ...model,
    errors,
    values,
    formError: err.fields.length ? null : req.t(err.key, err.params),
  });
}
