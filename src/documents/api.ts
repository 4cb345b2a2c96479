import { carrierLabelPdf } from '../shipping/parcel-sources.js';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { LANGUAGES } from '../i18n/index.js';
import { contentDispositionOf } from '../web/download.js';
import { resolveOrderCode } from '../orders/lookup.js';
import { AppError } from '../errors.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { MAX_DOCUMENT_ORDERS, type DocumentKind, type InvoiceInfo } from './model.js';
import { numberInvoice, printDocuments } from './service.js';

/** URL names of the documents of one order, and of the batch documents. */
// Maps, not objects: a name such as `constructor` must not find Object.prototype's.
export const ORDER_DOCUMENTS = new Map<string, DocumentKind>(
  Object.entries({
    'pick-slip.pdf': 'pick_slip',
    'receipt.pdf': 'receipt',
    'pick-slip-receipt.pdf': 'pick_slip_receipt',
    'invoice.pdf': 'invoice',
    'packing-slip.pdf': 'packing_slip',
    'label.pdf': 'label',
  } satisfies Record<string, DocumentKind>),
);
const BATCH_DOCUMENTS = new Map<string, DocumentKind>(
  Object.entries({ 'pick-slips': 'pick_slip', 'batch-pick-list': 'batch_pick_list', receipts: 'receipt' } satisfies Record<string, DocumentKind>),
);

export const langQuery = z.object({ lang: z.enum(LANGUAGES).optional(), parcel: z.string().max(200).optional() });
/** `POST /api/v1/orders/:code/invoice` takes no fields (no body is the same as `{}`). */
export const invoiceBody = z.strictObject({});
export const batchBody = z.strictObject({ orders: z.array(z.string().trim().min(1).max(40)).min(1).max(MAX_DOCUMENT_ORDERS) });

/** Sends a PDF to open in the browser (or to save, with `attachment`) under `fileName`. */
export function sendPdf(res: Response, pdf: Uint8Array, fileName: string, disposition: 'inline' | 'attachment' = 'inline'): void {
  res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': contentDispositionOf(fileName, disposition), 'Cache-Control': 'no-store' });
  res.end(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
}

/** The address of an order's invoice PDF in the API. */
export const invoicePdfPath = (code: string): string => `/api/v1/orders/${code}/documents/invoice.pdf`;

/** The answer of `POST /api/v1/orders/:code/invoice` (docs/api.md § Documents). */
export function presentInvoice(orderCode: string, invoice: InvoiceInfo) {
  return {
    orderCode,
    invoiceNumber: invoice.number,
    /** The payment reference (OCR): the number with a Luhn check digit. */
    reference: invoice.reference,
    issuedAt: new Date(invoice.issuedAt).toISOString(),
    dueAt: new Date(invoice.dueAt).toISOString(),
    pdfUrl: invoicePdfPath(orderCode),
  };
}

/**
 * GET /api/v1/orders/:code/documents/:name.pdf, POST /api/v1/orders/:code/invoice and
 * POST /api/v1/documents/:name (docs/api.md).
 */
export function documentsApi(deps: AppDeps): { orderDocuments: Router; batchDocuments: Router } {
  const docDeps = () => ({ db: deps.db, clock: deps.clock, renderer: deps.documents, timezone: deps.config.timezone });
  const orderDocuments = Router();
  // Numbers the invoice (a POST: a GET never takes a number). The same number on every later call.
  orderDocuments.post('/:code/invoice', (req, res) => {
    parse(invoiceBody, req.body ?? {});
    const { order, invoice, issuedNow } = numberInvoice(deps.db, resolveOrderCode(req.params.code), deps.clock(), req.api!.actor.name, deps.config.timezone);
    const body = presentInvoice(order.code, invoice);
    res
      .status(issuedNow ? 201 : 200)
      .location(body.pdfUrl)
      .json(body);
  });

  orderDocuments.get('/:code/documents/:name', async (req, res, next) => {
    const kind = ORDER_DOCUMENTS.get(req.params.name);
    if (!kind) return next();
    const { lang, parcel } = parse(langQuery, req.query);
    if (kind === 'label' && !parcel)
      throw new AppError('validation_failed', 'errors.validationFailed', { count: 1 }, { fields: [{ path: 'parcel', key: 'validation.required' }] });
    const language = lang ?? deps.config.defaultLanguage;
    const code = resolveOrderCode(req.params.code);
    // A carrier's parcel: the carrier's own label, as it sent it.
    const carrier = kind === 'label' && parcel ? await carrierLabelPdf(deps.db, code, parcel, { actor: req.api!.actor, now: deps.clock() }) : null;
    if (carrier) return sendPdf(res, carrier.pdf, carrier.fileName);
    try {
      const { pdf, fileName } = await printDocuments(docDeps(), {
        kind,
        codes: [code],
        actor: req.api!.actor,
        lang: language,
        customerLang: language,
        sameLanguageForAll: lang !== undefined,
        ...(parcel && { parcelId: parcel }),
      });
      sendPdf(res, pdf, fileName);
    } catch (err) {
      // The pages' message points at Outbound's Print; a program is told which POST numbers it.
      if (err instanceof AppError && err.code === 'invoice_not_numbered') {
        throw new AppError(
          'invoice_not_numbered',
          'errors.invoiceNotNumberedApi',
          { code },
          { orderCode: code, numberWith: `POST /api/v1/orders/${code}/invoice` },
        );
      }
      throw err;
    }
  });

  const batchDocuments = Router();
  batchDocuments.post('/:name', async (req, res, next) => {
    const kind = BATCH_DOCUMENTS.get(req.params.name);
    if (!kind) return next();
    const { lang } = parse(langQuery, req.query);
    const body = parse(batchBody, req.body ?? {});
    const { pdf, fileName } = await printDocuments(docDeps(), {
      kind,
      codes: body.orders.map(resolveOrderCode),
      actor: req.api!.actor,
      lang: lang ?? deps.config.defaultLanguage,
      customerLang: lang ?? deps.config.defaultLanguage,
      sameLanguageForAll: lang !== undefined,
    });
    sendPdf(res, pdf, fileName);
  });
  return { orderDocuments, batchDocuments };
}
