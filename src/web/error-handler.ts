import type { NextFunction, Request, Response } from 'express';
import { IllegalMoveError } from '../domain/order-status.js';
import type { Translate } from '../i18n/index.js';
import { AppError, type FieldError } from './errors.js';
import { baseLocals } from './locals.js';
import type { AppDeps } from './types.js';

/** Turns anything thrown into an AppError; unknown errors become `internal`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof IllegalMoveError) {
    return new AppError(
      'illegal_status_move',
      'errors.illegalMove',
      { from: err.from, to: err.to, allowed: err.allowed.join(', ') || '—' },
      { from: err.from, to: err.to, allowed: err.allowed },
    );
  }
  const e = err as { type?: string; code?: string; status?: unknown };
  if (e?.type === 'entity.too.large') return new AppError('payload_too_large', 'errors.payloadTooLarge');
  if (e?.type === 'parameters.too.many') return new AppError('payload_too_large', 'errors.tooManyFields');
  if (e?.type === 'entity.parse.failed') return new AppError('bad_request', 'errors.invalidJson');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return new AppError('unsupported_media_type', 'errors.badEncoding');
  if (e?.code === 'EBADCSRFTOKEN') return new AppError('csrf_invalid', 'errors.csrf');
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) {
    const storage = storageError(e.code);
    if (storage) return storage;
    if (e.code.startsWith('SQLITE_CONSTRAINT')) return new AppError('conflict', 'errors.concurrentChange');
    if (e.code === 'SQLITE_BUSY') return new AppError('conflict', 'errors.busy');
  }
  // Errors the HTTP layer made itself (a body that claims gzip but is not, a path with broken
  // %-encoding, an aborted upload) carry their 4xx status: the client sent something wrong.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return httpClientError(e.status, err instanceof URIError);
  return new AppError('internal', 'errors.internal');
}

/** The disk is full, read-only or failing: the server goes on serving reads, and says so on writes. */
function storageError(code: string): AppError | null {
  if (code === 'SQLITE_FULL') return new AppError('storage_full', 'errors.storageFull');
  if (code.startsWith('SQLITE_READONLY')) return new AppError('storage_read_only', 'errors.storageReadOnly');
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CORRUPT' || code === 'SQLITE_CANTOPEN') return new AppError('storage_failed', 'errors.storageFailed');
  return null;
}

function httpClientError(status: number, badPath: boolean): AppError {
  switch (status) {
    case 401:
      return new AppError('unauthorized', 'errors.loginRequired');
    case 403:
      return new AppError('forbidden', 'errors.forbidden');
    case 404:
      return new AppError('not_found', 'errors.pageNotFound');
    case 413:
      return new AppError('payload_too_large', 'errors.payloadTooLarge');
    case 415:
      return new AppError('unsupported_media_type', 'errors.badEncoding');
    default:
      return new AppError('bad_request', badPath ? 'errors.malformedPath' : 'errors.malformedRequest');
  }
}

/** True for the errors that say the database cannot take writes: worth an operator's attention at once. */
export function isStorageError(appError: AppError): boolean {
  return appError.code === 'storage_full' || appError.code === 'storage_read_only' || appError.code === 'storage_failed';
}

/** Parameters shown in the reader's language: statuses by name, times as HH:MM in the shop's zone. */
export function localizedParams(appError: AppError, t: Translate, timeZone: string): Record<string, unknown> {
  const params = { ...appError.params };
  const allowed = appError.details?.allowed;
  if (Array.isArray(allowed)) params.allowed = allowed.map((s) => t(`status.${String(s)}`)).join(', ') || '—';
  const since = appError.details?.since;
  if (typeof since === 'string') params.since = new Intl.DateTimeFormat('sv-SE', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(since));
  return params;
}

export function translateFields(fields: FieldError[], t: Translate) {
  return fields.map((f) => ({ path: f.path, message: t(f.key, f.params) }));
}

/** The one error middleware: JSON for /api, an error page for everything else. Never a stack trace. */
export function errorHandler({ log, config }: AppDeps) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(err);
    if (appError.code === 'internal') {
      log.error('request failed', { method: req.method, url: req.originalUrl, error: err instanceof Error ? err.stack : String(err) });
    } else if (isStorageError(appError)) {
      // Loud: every write is refused until an operator acts (frees disk, fixes permissions).
      log.error(`STORAGE: ${appError.code}: writes are refused, reads go on`, { method: req.method, url: req.originalUrl, sqlite: (err as { code?: string }).code, error: String(err) });
    }
    const locals = baseLocals(req, config);
    const t = locals.t;
    const message = t(appError.key, localizedParams(appError, t, config.timezone));
    if (res.headersSent) return res.end();
    res.status(appError.status);
    if (req.originalUrl.startsWith('/api/')) {
      const { fields, ...rest } = appError.details ?? {};
      const details = fields ? { ...rest, fields: translateFields(fields, t) } : appError.details;
      return res.json({ error: { code: appError.code, message, ...(details && { details }) } });
    }
    const view = appError.status === 403 ? 'errors/forbidden' : appError.status === 404 ? 'errors/not-found' : 'errors/error';
    const title = t(`errors.title.${appError.status}`, { defaultValue: t('errors.title.default') });
    res.render(view, { ...locals, ...res.locals, title, message, status: appError.status }, (renderError: Error | null, html?: string) => {
      if (!renderError) return res.send(html);
      // The page itself failed: a plain page with the message, still never a stack trace.
      log.error('error page failed to render', { url: req.originalUrl, error: renderError.stack });
      res.type('html').send(`<!doctype html><html lang="${locals.lang}"><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">${escapeHtml(t('errors.home'))}</a></p></html>`);
    });
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
