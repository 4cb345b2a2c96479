import type { NextFunction, Request, Response } from 'express';
import { IllegalMoveError } from '../domain/order-status.js';
import { negotiateLanguage, translator, type Translate } from '../i18n/index.js';
import { AppError, type FieldError } from './errors.js';
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
  const e = err as { type?: string; code?: string; status?: number };
  if (e?.type === 'entity.too.large') return new AppError('payload_too_large', 'errors.payloadTooLarge');
  if (e?.type === 'entity.parse.failed') return new AppError('bad_request', 'errors.invalidJson');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return new AppError('bad_request', 'errors.badEncoding');
  if (e?.code === 'EBADCSRFTOKEN') return new AppError('csrf_invalid', 'errors.csrf');
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) return new AppError('conflict', 'errors.concurrentChange');
  if (e?.code === 'SQLITE_BUSY') return new AppError('conflict', 'errors.busy');
  return new AppError('internal', 'errors.internal');
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
    }
    const t = req.t ?? translator(negotiateLanguage(req.headers['accept-language'], config.defaultLanguage));
    const message = t(appError.key, localizedParams(appError, t, config.timezone));
    if (res.headersSent) return res.end();
    res.status(appError.status);
    if (req.originalUrl.startsWith('/api/')) {
      const { fields, ...rest } = appError.details ?? {};
      const details = fields ? { ...rest, fields: translateFields(fields, t) } : appError.details;
      return res.json({ error: { code: appError.code, message, ...(details && { details }) } });
    }
    const view = appError.status === 403 ? 'errors/forbidden' : appError.status === 404 ? 'errors/not-found' : 'errors/error';
    res.render(view, { title: t(`errors.title.${appError.status}`, { defaultValue: t('errors.title.default') }), message, status: appError.status });
  };
}
