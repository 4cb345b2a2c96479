import { Router, type Request } from 'express';
import { z } from 'zod';
import { idempotentWithKey } from '../api/idempotency.js';
import { negotiateLanguage, translator, type Translate } from '../i18n/index.js';
import { readerKey } from '../orders/hold.js';
import type { Role } from '../domain/permissions.js';
import { localizedParams, translateFields } from '../i18n/refusal.js';
import { AppError } from '../errors.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { fetchParcelIdsFor, removeParcelFrom } from './parcel-sources.js';
import { addParcel, draftView, PARCEL_SOURCES, reportDrafts, setDeliveryLines, type ReportFailure } from './drafts.js';
import { checkItem, checkState, undoCheck } from './checks.js';
import { shipOneCallDelivery } from './delivery-service.js';

export const parcelBody = z.strictObject({ parcelId: z.string().max(200), source: z.enum(PARCEL_SOURCES).optional() });
export const checkBody = z.strictObject({ barcode: z.string().min(1).max(200), quantity: z.int().min(1).max(999).optional() });
export const fetchBody = z.strictObject({ count: z.int().min(1).max(4).optional() });
export const linesBody = z.strictObject({
  lines: z
    .array(z.strictObject({ sku: z.string().min(1).max(64), quantity: z.int().min(0) }))
    .min(1)
    .max(500),
});
const key = z.string().min(1).max(200).optional();
export const reportBody = z.strictObject({ orders: z.array(z.string().min(1).max(40)).min(1).max(1000).optional(), idempotencyKey: key });
export const deliveryBody = z.strictObject({
  parcels: z.array(z.string().max(200)).min(1).max(4),
  lines: z
    .array(z.strictObject({ sku: z.string().min(1).max(64), quantity: z.int().min(0) }))
    .min(1)
    .max(500)
    .optional(),
  idempotencyKey: key,
});

/**
 * An order Report in left out, as the API error body reads: `{ code, error: { code, message, details? } }`
 * with the message in the reader's language, as the error handler would have written it.
 */
export function presentReportFailure(f: ReportFailure, t: Translate, timeZone: string, role: Role | null = null) {
  const err = new AppError(f.error.code, f.error.key, f.error.params, f.error.details);
  const { fields, ...rest } = err.details ?? {};
  const details = fields ? { ...rest, fields: translateFields(fields, t) } : err.details;
  // `role`: the station's reader (a packer is told whom to ask); the API has none.
  return { code: f.code, error: { code: err.code, message: t(readerKey(err, role), localizedParams(err, t, timeZone)), ...(details && { details }) } };
}

/** Parcels, open deliveries and Report in under /api/v1 (docs/api.md § Shipping). */
export function shippingApi(deps: AppDeps): { orders: Router; deliveries: Router } {
  const { db, clock } = deps;
  /** The caller's language (Accept-Language), as the error handler words its refusals. */
  const apiT = (req: Request): Translate => req.t ?? translator(negotiateLanguage(req.headers['accept-language'], deps.config.defaultLanguage));
  const ctx = (req: Request) => ({ actor: req.api!.actor, now: clock() });
  const orders = Router();

  orders.get('/:code/delivery', (req, res) => {
    res.json(draftView(db, req.params.code));
  });

  // Scan-to-verify: units checked into the open delivery (docs/api.md § Item checks).
  orders.get('/:code/checks', (req, res) => {
    res.json(checkState(db, req.params.code));
  });
  orders.post('/:code/checks', (req, res) => {
    const body = parse(checkBody, req.body ?? {});
    res.status(201).json(checkItem(db, req.params.code, body, ctx(req)));
  });
  orders.delete('/:code/checks/:id', (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new AppError('check_not_found', 'errors.check.notFound', { code: req.params.code });
    undoCheck(db, req.params.code, id, ctx(req));
    res.json(checkState(db, req.params.code));
  });

  orders.post('/:code/parcels', async (req, res) => {
    const body = parse(parcelBody, req.body ?? {});
    res.status(201).json(await addParcel(db, req.params.code, body.parcelId, body.source ?? 'manual', ctx(req)));
  });

  orders.post('/:code/parcels/fetch', async (req, res) => {
    const body = parse(fetchBody, req.body ?? {});
    const fetched = await fetchParcelIdsFor(db, deps.carriers, req.params.code, body.count, ctx(req));
    const draft = draftView(db, req.params.code);
    res.status(201).json({
      parcelIds: fetched.parcelIds,
      source: fetched.source,
      ...(fetched.booking && {
        booking: { carrier: fetched.booking.carrier, how: fetched.booking.how, parcels: fetched.booking.parcels, labelFormats: fetched.booking.labelFormats },
      }),
      ...draft,
    });
  });

  orders.delete('/:code/parcels/:parcelId', async (req, res) => {
    const removed = await removeParcelFrom(db, deps.carriers, req.params.code, req.params.parcelId, ctx(req));
    const carrier = removed.carrier && {
      carrier: removed.carrier.carrier,
      cancelled: removed.carrier.cancelled,
      problem: removed.carrier.problem,
      rebooked: removed.carrier.rebooked?.parcels ?? null,
      // The booking's other parcels were cancelled with it and could not be booked again: fetch them.
      rebookFailed: removed.carrier.rebookFailed && {
        code: removed.carrier.rebookFailed.code,
        message: apiT(req)(removed.carrier.rebookFailed.key, localizedParams(removed.carrier.rebookFailed, apiT(req), deps.config.timezone)),
      },
    };
    res.json({ ...draftView(db, removed.code), ...(carrier && { booking: carrier }) });
  });

  orders.put('/:code/delivery-lines', (req, res) => {
    const body = parse(linesBody, req.body ?? {});
    res.json(setDeliveryLines(db, req.params.code, body.lines, ctx(req)));
  });

  // One delivery in one call: what integrations use.
  orders.post('/:code/deliveries', (req: Request<{ code: string }>, res) => {
    const body = parse(deliveryBody, req.body ?? {});
    const reply = idempotentWithKey(db, req, body.idempotencyKey ?? req.get('Idempotency-Key'), clock(), () => ({
      status: 201,
      body: shipOneCallDelivery(db, req.params.code, { parcels: body.parcels, ...(body.lines && { lines: body.lines }) }, ctx(req)),
    }));
    res.status(reply.status).json(reply.body);
  });

  const deliveries = Router();
  deliveries.post('/report', (req, res) => {
    const body = parse(reportBody, req.body ?? {});
    const t = apiT(req);
    const reply = idempotentWithKey(db, req, body.idempotencyKey ?? req.get('Idempotency-Key'), clock(), () => {
      const { reported, failed } = reportDrafts(db, body.orders, ctx(req));
      return { status: 200, body: { reported, failed: failed.map((f) => presentReportFailure(f, t, deps.config.timezone)) } };
    });
    res.status(reply.status).json(reply.body);
  });
  return { orders, deliveries };
}
