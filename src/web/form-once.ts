import type { Request } from 'express';
import { canonicalResource, once } from '../api/idempotency.js';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { formFields } from './form.js';
import { setFlash } from './render.js';

/** The hidden field of a form that creates or moves something: one key per page view (`formKey()` in views). */
export const FORM_KEY_FIELD = 'formKey';

/**
 * Does a form's write once per one-time key, as Report in does: `work` writes and answers where to
 * go next; a resent form (a double click, the browser's "resend", a retry after a lost answer) is
 * sent there again with a notice, and nothing is done twice. The key is kept per user, method and
 * resource (an order code however it is spelt) in the transaction of the work, so a refusal keeps
 * none and the corrected form can be sent again. A form without a key (an older page) just writes;
 * the same key with other fields is refused (`idempotency_key_reused`, shown on the form).
 */
export function formOnce(db: Db, req: Request, now: Date, work: () => string): string {
  const { [FORM_KEY_FIELD]: key, _csrf: _token, ...fields } = formFields(req);
  if (typeof key !== 'string' || !/^[\x21-\x7E]{1,200}$/.test(key)) return work();
  const scope = `form:${req.user?.id ?? ''}:${req.method.toUpperCase()} ${canonicalResource(`${req.baseUrl}${req.path}`)}`;
  let replayed = true;
  let reply;
  try {
    reply = once(db, scope, key, fields, now, () => {
      replayed = false;
      return { status: 303, body: work() };
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'idempotency_key_reused') throw new AppError('idempotency_key_reused', 'errors.formAlreadySent');
    throw err;
  }
  if (replayed) setFlash(req, 'success', 'common.formResent');
  return typeof reply.body === 'string' ? reply.body : '/';
}
