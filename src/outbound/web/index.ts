import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ORDER_DOCUMENTS, sendPdf } from '../../documents/api.js';
import { DOCUMENT_KINDS, type DocumentKind } from '../../documents/model.js';
import { checkPrint, issueInvoice, printDocuments } from '../../documents/service.js';
import { AppError } from '../../errors.js';
import { holdLinks, holdOf, onHoldError } from '../../orders/hold.js';
import { findOrderByCodeOrThrow, resolveOrderCode } from '../../orders/lookup.js';
import { getVerificationMode } from '../../shipping/checks.js';
import { requireCapability } from '../../web/auth.js';
import { listPackingOrdersWithPrints } from '../repo.js';
import { formRefusal } from '../../web/form.js';
import { userActor, type AppDeps } from '../../web/types.js';
import { oneOrMany, parse } from '../../validate.js';
import { outboundVerifyWeb } from './verify.js';

/** The form's `orders` is one code or many. */
const codeList = z.array(z.string().trim().min(1).max(40)).max(1000);
const codes = z.preprocess(oneOrMany, codeList);
const printForm = z.object({ orders: codes, kind: z.string().optional() });
/** The scan field's question about a code it could not tick. */
const scanQuery = z.object({ code: z.string().trim().min(1).max(200) });
/** The print address's `orders`: the codes separated by commas (one parameter, so any number of them). */
const printQuery = z.object({
  orders: z.preprocess(
    (v) =>
      oneOrMany(v)
        .flatMap((s) => (typeof s === 'string' ? s.split(',') : [s]))
        .filter((s) => s !== ''),
    codeList,
  ),
});

/** URL names of Outbound's documents: `pick_slip` is `pick-slip.pdf`. A Map: no Object.prototype names. */
const PRINT_NAMES = new Map<string, DocumentKind>(DOCUMENT_KINDS.map((k) => [`${k.replace(/_/g, '-')}.pdf`, k]));

/**
 * The address a print opens at: a GET, so the PDF's tab can be reloaded (and printed again), each
 * load recorded as printDocuments records prints (a reprint once the document was printed).
 */
export function printUrl(kind: DocumentKind, orderCodes: readonly string[]): string {
  return `/outbound/documents/${kind.replace(/_/g, '-')}.pdf?orders=${orderCodes.map(encodeURIComponent).join(',')}`;
}

/** The page's script asks for JSON; a form without it gets pages and redirects. */
const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

/** The Outbound pages, mounted at /outbound (src/app.ts): the list, printing, and the verification pages. */
export function outboundWeb(deps: AppDeps): Router {
  const { db, clock, config } = deps;
  const router = Router();
  const docDeps = () => ({ db, clock, renderer: deps.documents, timezone: config.timezone });

  /**
   * The pages that release a held order, for a reader who may open them (orders/hold.ts): beside a
   * hold refusal, so an operator is one click from the order page and a packer is sent nowhere.
   */
  const releaseLinks = (req: Request, err: unknown) => {
    if (!(err instanceof AppError) || err.code !== 'order_on_hold') return [];
    const reason = err.details?.reason;
    if (reason !== 'waiting' && reason !== 'approval') return [];
    const code = String(err.params.code);
    return holdLinks(reason, code, req.user!.role).map((l) => ({ href: l.href, text: req.t(l.key, { code }) }));
  };

  const renderOutbound = (
    req: Request,
    res: Response,
    status = 200,
    extra: { error?: string; errorLinks?: { href: string; text: string }[]; selected?: readonly string[]; kind?: string } = {},
  ) => {
    const list = listPackingOrdersWithPrints(db);
    res.status(status).render('outbound/index', {
      title: req.t('outbound.title'),
      ...list,
      kinds: DOCUMENT_KINDS,
      verifying: getVerificationMode(db) !== 'off',
      error: extra.error ?? null,
      errorLinks: extra.errorLinks ?? [],
      selected: new Set(extra.selected ?? []),
      kind: extra.kind ?? '',
    });
  };

  /** A refused print, where the packer pressed Print: the list with the message and the selection kept, or JSON for the script. */
  const refuse = (req: Request, res: Response, err: unknown, selected: readonly string[], kind: string) => {
    const refusal = formRefusal(req, res, err);
    if (wantsJson(req)) {
      const code = err instanceof AppError ? err.code : 'validation_failed';
      const details = err instanceof AppError ? (err.details ?? {}) : {};
      res.status(refusal.status).json({ error: { code, message: refusal.message, details, links: releaseLinks(req, err) } });
      return;
    }
    renderOutbound(req, res, refusal.status, { error: refusal.message, errorLinks: releaseLinks(req, err), selected, kind });
  };

  router.get('/', requireCapability('outbound'), (req, res) => renderOutbound(req, res));

  // The scan field asks here about a code it found no box for: why the order cannot be selected
  // (on hold, and who can release it; not packing), in the reader's words. A code of no order
  // keeps the page's own "not in this list".
  router.get('/scan', requireCapability('outbound'), (req, res) => {
    const { code } = parse(scanQuery, req.query);
    const answer = (message: string, links: { href: string; text: string }[] = []) => res.set('Cache-Control', 'no-store').json({ message, links });
    try {
      const order = findOrderByCodeOrThrow(db, code);
      if (order.status !== 'packing') return answer(req.t('outbound.scanNotPacking', { code: order.code, status: order.status }));
      const held = holdOf(db, order.id);
      if (held?.reason) {
        const err = onHoldError(order.code, held.reason);
        return answer(formRefusal(req, res, err).message, releaseLinks(req, err));
      }
      return answer(req.t('outbound.scanUnknown', { code: order.code }));
    } catch (err) {
      if (err instanceof AppError && (err.code === 'order_not_found' || err.code === 'order_code_invalid'))
        return answer(req.t('outbound.scanUnknown', { code: code.slice(0, 40) }));
      throw err;
    }
  });

  // Print: checked here, printed at its GET address (303 there; the script gets the address as JSON
  // and opens it in a new tab). A refusal shows on this page with the selection kept.
  router.post('/print', requireCapability('outbound'), (req, res) => {
    const form = parse(printForm, req.body ?? {});
    const kind = DOCUMENT_KINDS.find((k) => k === form.kind);
    try {
      if (form.orders.length === 0)
        throw new AppError('validation_failed', 'outbound.noSelection', {}, { fields: [{ path: 'orders', key: 'outbound.noSelection' }] });
      if (!kind) throw new AppError('validation_failed', 'outbound.noFunction', {}, { fields: [{ path: 'kind', key: 'outbound.noFunction' }] });
      const orders = checkPrint(db, kind, form.orders);
      // The invoice's number is taken here, by the POST; its GET address only shows it (a link on
      // another site could make a signed-in browser load that address).
      if (kind === 'invoice') issueInvoice(db, orders[0]!, clock(), req.user!.name, config.timezone);
      const url = printUrl(kind, [...new Set(form.orders)]);
      if (wantsJson(req)) res.json({ url });
      else res.redirect(303, url);
    } catch (err) {
      refuse(req, res, err, form.orders, form.kind ?? '');
    }
  });

  // The PDF: printed and recorded on every load. Refused (the orders moved on since), the list says why.
  router.get('/documents/:name', requireCapability('outbound'), async (req: Request<{ name: string }>, res, next) => {
    const kind = PRINT_NAMES.get(req.params.name);
    if (!kind) return next();
    const { orders } = parse(printQuery, req.query);
    try {
      if (orders.length === 0)
        throw new AppError('validation_failed', 'outbound.noSelection', {}, { fields: [{ path: 'orders', key: 'outbound.noSelection' }] });
      const { pdf, fileName } = await printDocuments(docDeps(), {
        kind,
        codes: orders,
        actor: userActor(req.user!),
        lang: req.lang,
        customerLang: config.defaultLanguage,
      });
      sendPdf(res, pdf, fileName);
    } catch (err) {
      refuse(req, res, err, orders, kind);
    }
  });

  // The order page's Print invoice: numbers the invoice (a POST), then shows it at its GET address.
  router.post('/orders/:code/invoice', requireCapability('outbound'), (req: Request<{ code: string }>, res) => {
    const [order] = checkPrint(db, 'invoice', [resolveOrderCode(req.params.code)]);
    issueInvoice(db, order!, clock(), req.user!.name, config.timezone);
    res.redirect(303, `/outbound/orders/${order!.code}/invoice.pdf`);
  });

  // The order page's document links (an invoice only once numbered: see the POST above).
  router.get('/orders/:code/:name', requireCapability('outbound'), async (req: Request<{ code: string; name: string }>, res, next) => {
    // The same names as the API's; a label needs its parcel and is printed from the station.
    const kind = ORDER_DOCUMENTS.get(req.params.name);
    if (!kind || kind === 'label') return next();
    const { pdf, fileName } = await printDocuments(docDeps(), {
      kind,
      codes: [resolveOrderCode(req.params.code)],
      actor: userActor(req.user!),
      lang: req.lang,
      customerLang: config.defaultLanguage,
    });
    sendPdf(res, pdf, fileName);
  });

  router.use(outboundVerifyWeb(deps));
  return router;
}
