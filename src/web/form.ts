import type { Request, Response } from 'express';
import { AppError, isOutsideFault, type ErrorCode } from '../errors.js';
import { readerKey } from '../orders/hold.js';
import { localizedParams, translateFields } from '../i18n/refusal.js';
import { setFlash } from './render.js';

/**
 * The submitted form's fields, typed as unknown so that each is checked (by a schema or a
 * comparison) before use. Express types `req.body` as `any`; it is undefined when no body parser
 * ran (no body, another content type), and anything but a plain object has no fields.
 */
export function formFields(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/**
 * A form field as text, exactly as `String(v ?? '')` would give it: empty when absent, a repeated
 * field its values joined by commas. Spelled out so that each kind of value is handled on purpose.
 */
export function fieldText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(fieldText).join(',');
  return Object.prototype.toString.call(v);
}

/** A refused form as a page shows it. Nothing was changed. */
export interface FormRefusal {
  status: number;
  /** The refusal's catalog key and its parameters in the reader's words (for a flash after a redirect). */
  key: string;
  params: Record<string, unknown>;
  /** The refusal in the reader's language, worded as the error page would word it. */
  message: string;
  /** Each field's first message by path, to show next to its input. */
  fields: Record<string, string>;
  /** What the user typed, passwords and the CSRF token left out. */
  values: Record<string, unknown>;
}

/**
 * The one reading of a refused submit for every form: what the user can fix becomes a
 * FormRefusal, everything else (a 5xx, a 403, anything not an AppError, a code in `passOn`) is
 * thrown on to the error handler, which shows its own page. Keeping this in one place keeps every
 * form's words the same as the error page's and the API's.
 */
export function formRefusal(req: Request, res: Response, err: unknown, { passOn = [] }: { passOn?: readonly ErrorCode[] } = {}): FormRefusal {
  if (!(err instanceof AppError) || (err.status >= 500 && !isOutsideFault(err)) || err.status === 403 || passOn.includes(err.code)) throw err;
  // viewLocals puts the shop's time zone here; only a refusal naming a time ("running since") reads it.
  const timeZone = typeof res.locals.timeZone === 'string' ? res.locals.timeZone : 'UTC';
  const params = localizedParams(err, req.t, timeZone);
  const fields: Record<string, string> = {};
  // A field refused with the error's own message says it as the error does (its localized params).
  for (const f of translateFields(
    err.fields.map((f) => (f.key === err.key ? { ...f, params: { ...f.params, ...params } } : f)),
    req.t,
  ))
    fields[f.path] ??= f.message;
  const { password: _p, currentPassword: _c, newPassword: _n, confirmPassword: _cp, _csrf, ...values } = (req.body ?? {}) as Record<string, unknown>;
  // Said to this reader: a packer is not sent to a page only an operator opens (orders/hold.ts).
  const key = readerKey(err, req.user?.role ?? null);
  return { status: err.status, key, params, message: req.t(key, params), fields, values };
}

/**
 * Re-renders a form view after a refused submit: `errors` (each field's message next to its
 * input), `values` (what was typed) and `formError` (the message when no field is to blame).
 */
export function renderForm(req: Request, res: Response, err: unknown, view: string, model: Record<string, unknown>): void {
  const refusal = formRefusal(req, res, err);
  res.status(refusal.status).render(view, {
    ...model,
    errors: refusal.fields,
    values: refusal.values,
    formError: Object.keys(refusal.fields).length ? null : refusal.message,
  });
}

/** For forms answered with a redirect (the shipping station): the refusal becomes the next page's message. */
export function flashRefusal(req: Request, res: Response, err: unknown): void {
  const refusal = formRefusal(req, res, err);
  setFlash(req, 'error', refusal.key, refusal.params);
}
