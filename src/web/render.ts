import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { getScannerSettings } from '../scanners/settings.js';
import { baseLocals } from './locals.js';
import type { AppDeps } from './types.js';

/** Locals every view can use: t, fmt, user, nav, flash, the current path. */
export function viewLocals({ config, db, newOrders }: AppDeps) {
  // What the shop's scanners send for GS, read when a page with a scan field is rendered (views/partials/scanner.ejs).
  const scannerGs = () => getScannerSettings(db).gsSubstitute;
  // The newest order log row, read when a page with the new-order notice is rendered (views/partials/live-notice.ejs).
  const liveAfter = () => newOrders.newestId();
  return (req: Request, res: Response, next: NextFunction) => {
    // One key per page view for the forms that create or move something (web/form-once.ts).
    let key: string | undefined;
    const formKey = () => (key ??= randomUUID());
    const locals = { ...baseLocals(req, config), scannerGs, liveAfter, formKey };
    const flash = req.session?.flash;
    if (flash) {
      locals.flash = { kind: flash.kind, message: locals.t(flash.key, flash.params) };
      delete req.session.flash;
    }
    const { csrfToken: _none, ...rest } = locals;
    // The shop's time zone, for the form helper's wording of a refusal that names a time.
    Object.assign(res.locals, rest, { timeZone: config.timezone });
    next();
  };
}

/** One message for the next page the user sees (after a redirect), translated there. */
export function setFlash(req: Request, kind: 'success' | 'error', key: string, params?: Record<string, unknown>) {
  req.session.flash = { kind, key, ...(params && { params }) };
}
