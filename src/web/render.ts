import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.js';
import { translateFields } from './error-handler.js';
import { baseLocals } from './locals.js';
import type { AppDeps } from './types.js';

/** Locals every view can use: t, fmt, user, nav, flash, the current path. */
export function viewLocals({ config }: AppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const locals = baseLocals(req, config);
    const flash = req.session?.flash;
    if (flash) {
      locals.flash = { kind: flash.kind, message: locals.t(flash.key, flash.params) };
      delete req.session.flash;
    }
    const { csrfToken: _none, ...rest } = locals;
    Object.assign(res.locals, rest);
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
