import type { NextFunction, Request, Response } from 'express';
import { isStorageError, toAppError } from '../errors.js';
import { localizedParams, translateFields } from '../i18n/refusal.js';
import { readerKey } from '../orders/hold.js';
import { baseLocals } from './locals.js';
import type { AppDeps } from './types.js';

/** The one error middleware: JSON for /api, an error page for everything else. Never a stack trace. */
export function errorHandler({ log, config }: AppDeps) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const appError = toAppError(err);
    if (appError.code === 'internal') {
      log.error('request failed', { method: req.method, url: req.originalUrl, error: err instanceof Error ? err.stack : String(err) });
    } else if (isStorageError(appError)) {
      // Loud: every write is refused until an operator acts (frees disk, fixes permissions).
      log.error(`STORAGE: ${appError.code}: writes are refused, reads go on`, {
        method: req.method,
        url: req.originalUrl,
        sqlite: (err as { code?: string }).code,
        error: String(err),
      });
    }
    const locals = baseLocals(req, config);
    const t = locals.t;
    // Worded for the reader (a packer is not sent to pages only operators open); the API has no user: null.
    const message = t(readerKey(appError, req.user?.role ?? null), localizedParams(appError, t, config.timezone));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(appError.status);
    // Express routes paths case-insensitively: /API/v1/… reaches the API and gets its JSON errors.
    if (/^\/api(\/|\?|$)/i.test(req.originalUrl)) {
      const { fields, ...rest } = appError.details ?? {};
      const details = fields ? { ...rest, fields: translateFields(fields, t) } : appError.details;
      res.json({ error: { code: appError.code, message, ...(details && { details }) } });
      return;
    }
    const view = appError.status === 403 ? 'errors/forbidden' : appError.status === 404 ? 'errors/not-found' : 'errors/error';
    const title = t(`errors.title.${appError.status}`, { defaultValue: t('errors.title.default') });
    res.render(view, { ...locals, ...res.locals, title, message, status: appError.status }, (renderError: Error | null, html?: string) => {
      if (!renderError) {
        res.send(html);
        return;
      }
      // The page itself failed: a plain page with the message, still never a stack trace.
      log.error('error page failed to render', { url: req.originalUrl, error: renderError.stack });
      res
        .type('html')
        .send(
          `<!doctype html><html lang="${locals.lang}"><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">${escapeHtml(t('errors.home'))}</a></p></html>`,
        );
    });
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
