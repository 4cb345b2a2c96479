import { readScanned, scanSourceOf } from '../scanners/read.js';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { sendPdf } from '../documents/api.js';
import { AppError, type FieldError } from '../errors.js';
import { isLanguage } from '../i18n/index.js';
import { requireCapability } from '../web/auth.js';
import { formFields, renderForm } from '../web/form.js';
import { formOnce } from '../web/form-once.js';
import { setFlash } from '../web/render.js';
import { userActor, type AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { returnNumberParam, WRITE_OFF_REASONS, type ReturnLineInput } from './schemas.js';
import { creditNotePdf, lineForScan, registerReturnIn, returnableOrder, type ReturnableLine } from './service.js';

// The return page of an order (operators and admins): scan each item that came back (a wedge
// scanner types and presses Enter, which adds a unit to restock), or key restock and write-off
// quantities per line, then register. The form carries its quantities, so a scan is a re-render.

const quantity = z.preprocess((v) => (v === '' || v === undefined ? 0 : Number(v)), z.number().int().min(0).max(100_000));
const reason = z.preprocess((v) => (v === '' || v === undefined ? undefined : v), z.enum(WRITE_OFF_REASONS).optional());
const field = (kind: 'restock' | 'writeOff' | 'reason', line: { id: number }) => `${kind}_${line.id}`;

/** The form's quantities per line as return lines, and which form field each came from. */
function readForm(body: Record<string, unknown>, lines: ReturnableLine[]): { input: ReturnLineInput[]; fieldOf: string[] } {
  const input: ReturnLineInput[] = [];
  const fieldOf: string[] = [];
  const fields: FieldError[] = [];
  for (const line of lines.filter((l) => l.shipped > 0)) {
    const values: Record<string, number | undefined> = {};
    for (const name of [field('restock', line), field('writeOff', line)]) {
      const r = quantity.safeParse(body[name]);
      if (r.success) values[name] = r.data;
      else fields.push({ path: name, key: 'validation.integer' });
    }
    const why = reason.safeParse(body[field('reason', line)]);
    if (!why.success) fields.push({ path: field('reason', line), key: 'validation.writeOffReason', params: { sku: line.sku } });
    const restock = values[field('restock', line)] ?? 0;
    const writeOff = values[field('writeOff', line)] ?? 0;
    if (restock > 0) {
      input.push({ sku: line.sku, quantity: restock, disposition: 'restock' });
      fieldOf.push(field('restock', line));
    }
    if (writeOff > 0) {
      input.push({ sku: line.sku, quantity: writeOff, disposition: 'write_off', ...(why.success && why.data && { reason: why.data }) });
      fieldOf.push(field('writeOff', line));
    }
  }
  if (fields.length) throw new AppError('validation_failed', 'errors.validationFailed', { count: fields.length }, { fields });
  if (input.length === 0) throw new AppError('validation_failed', 'returns.nothing');
  return { input, fieldOf };
}

/** A refusal of the service names `lines.<i>.<field>`: the page shows it next to the input it came from. */
function onForm(err: unknown, fieldOf: string[], lines: ReturnableLine[]): unknown {
  if (!(err instanceof AppError) || !err.details?.fields) return err;
  const fields = err.details.fields.map((f) => {
    const [, index, name] = /^lines\.(\d+)\.(\w+)$/.exec(f.path) ?? [];
    if (index === undefined) return f;
    const from = fieldOf[Number(index)] ?? f.path;
    const lineId = from.split('_')[1];
    const line = lines.find((l) => String(l.id) === lineId);
    return { ...f, path: name === 'reason' && line ? field('reason', line) : from };
  });
  return new AppError(err.code, err.key, err.params, { ...err.details, fields });
}

export function returnsWeb(deps: AppDeps): Router {
  const { db, clock, config, documents } = deps;
  const router = Router();
  router.use(requireCapability('orders'));

  const render = (req: Request, res: Response, code: string, state: { values?: Record<string, unknown>; error?: unknown; scanned?: string } = {}) => {
    const { order, lines } = returnableOrder(db, code);
    const model = {
      title: req.t('returns.registerTitle', { code: order.code }),
      order: { code: order.code, status: order.status, currency: order.currency, paymentMethod: order.paymentMethod },
      lines,
      reasons: WRITE_OFF_REASONS,
      scanned: state.scanned ?? null,
    };
    if (state.error) return renderForm(req, res, state.error, 'returns/new', model);
    res.render('returns/new', { ...model, values: state.values ?? {}, errors: {}, formError: null });
  };

  router.get('/:code/returns/new', (req, res) => render(req, res, req.params.code));

  router.post('/:code/returns', (req, res) => {
    const body = formFields(req);
    const { order, lines } = returnableOrder(db, req.params.code);
    if (body.action === 'scan') {
      let raw = typeof body.scan === 'string' ? body.scan.trim() : '';
      let found: ReturnType<typeof lineForScan>;
      try {
        // Read as the page read it: suffix, AIM identifier, GS, a scanner's keyboard layout.
        if (raw) raw = readScanned(db, raw, scanSourceOf(body.source), 'scan').value;
        found = raw ? lineForScan(db, order.id, raw) : undefined;
      } catch (err) {
        return render(req, res, order.code, { error: err });
      }
      const line = found && lines.find((l) => l.id === found.lineId);
      if (!found || !line || line.shipped === 0) {
        const key = raw ? 'returns.scanUnknown' : 'validation.required';
        return render(req, res, order.code, {
          error: new AppError('validation_failed', key, { code: raw }, { fields: [{ path: 'scan', key, params: { code: raw } }] }),
        });
      }
      const name = field('restock', line);
      const current = quantity.safeParse(body[name]);
      const values = { ...body, scan: '', [name]: (current.success ? current.data : 0) + found.quantity };
      return render(req, res, order.code, { values, scanned: req.t('returns.scanned', { sku: line.sku, quantity: values[name] }) });
    }
    let fieldOf: string[] = [];
    try {
      const form = readForm(body, lines);
      fieldOf = form.fieldOf;
      // A form posted twice registers one return: the second answer is the first one's page.
      const location = formOnce(db, req, clock(), () => {
        const ret = registerReturnIn(db, order.code, form.input, { actor: userActor(req.user!), now: clock() });
        setFlash(req, 'success', 'returns.registered', { number: ret.number });
        return `/orders/${order.code}#returns`;
      });
      res.redirect(location);
    } catch (err) {
      render(req, res, order.code, { error: onForm(err, fieldOf, lines) });
    }
  });

  router.get('/:code/returns/:number/credit-note.pdf', async (req, res) => {
    const number = parse(returnNumberParam, req.params.number);
    const { order } = returnableOrder(db, req.params.code);
    const language = isLanguage(order.language) ? order.language : config.defaultLanguage;
    const { pdf, fileName } = await creditNotePdf(
      { db, renderer: documents, timezone: config.timezone },
      order.code,
      number,
      language,
      req.user!.name,
      clock(),
    );
    sendPdf(res, pdf, fileName);
  });
  return router;
}
