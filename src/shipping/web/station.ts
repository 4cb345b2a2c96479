import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { commandIn } from '../../domain/station-command.js';
import { readScanned } from '../../scanners/read.js';
import { resolveOrderCode } from '../../orders/lookup.js';
import { sendPdf } from '../../documents/api.js';
import { printDocuments } from '../../documents/service.js';
import { requireCapability } from '../../web/auth.js';
import { AppError } from '../../errors.js';
import { formRefusal, formFields, renderForm } from '../../web/form.js';
import { setFlash } from '../../web/render.js';
import { userActor, type AppDeps } from '../../web/types.js';
import { oneOrMany, parse } from '../../validate.js';
import { presentReportFailure } from '../api.js';
import { commandSheetPdf } from '../command-sheet.js';
import { runCommand } from '../commands.js';
import { PARCEL_SOURCES } from '../drafts.js';
import {
  addParcelSlot,
  closeOrderHere,
  fetchParcelIds,
  ready,
  removeParcelHere,
  reportIn,
  restoreParcelHere,
  saveDeliveryLines,
  scanAt,
  shipCheckedUnits,
  takeOverHere,
  undoLastCheck,
  type StationActionCtx,
  type StationDesk,
  type StationOutcome,
} from '../station-actions.js';
import { nameStation } from '../station-service.js';
import { stationModel } from '../station-view.js';
import { cleanStationName, stationFor } from '../stations.js';
import { answerStationForm, type StationAnswer } from './station-answer.js';
import { carrierLabelPdf } from '../parcel-sources.js';
import { rememberStation, requireStationName, stationNameOf } from './station-cookie.js';

const scanForm = z.object({
  value: z.string().max(200).default(''),
  source: z.enum(PARCEL_SOURCES).catch('scanner'),
  key: z.string().max(100).optional(),
  // Sent by the page's script with each scan it keeps on the device: whose scan it is, at which
  // station, and the order that was open when it was made ('' for none).
  order: z.string().max(20).optional(),
  user: z.string().max(20).optional(),
  station: z.string().max(100).optional(),
});
const codes = z.preprocess(oneOrMany, z.array(z.string().max(20)).max(1000));
const reportForm = z.object({ key: z.string().min(1).max(100), orders: codes });

/**
 * Shipping out: the packing station. A station is one packer's place: the user signed in plus the
 * name this device remembers (a cookie). One scan field drives it: an order's code opens the order
 * here, anything else is a parcel ID for the order open here, saved at once; command barcodes and
 * function keys do the rest (shipping/commands.ts). The page's script sends each form in the
 * background with `X-Station: fragment` and gets back only the parts that changed; without the
 * script every form answers with a redirect to the station, so a reload never repeats a scan.
 * Each route reads its request, calls one station action (shipping/station-actions.ts) and answers.
 */
export function shippingWeb(deps: AppDeps): Router {
  const { db, clock, config } = deps;
  const router = Router();
  router.use(requireCapability('shipping'));

  // What printing needs (as printers/web/station.ts printDeps): the label speaks the shop's customer language.
  const printing = { db, clock, timeoutMs: config.printerTimeoutMs, lang: config.defaultLanguage };
  /** Who acts, at which station; a form sent before the device was named is refused. */
  const deskOf = (req: Request): StationDesk => ({
    db,
    user: req.user!,
    actor: userActor(req.user!),
    stationName: requireStationName(req),
    now: clock(),
    t: req.t,
    printing,
    carriers: deps.carriers,
  });
  /** The context of a station write: the station is made on first use. */
  const actionCtx = (req: Request): StationActionCtx => {
    const desk = deskOf(req);
    return { ...desk, station: stationFor(db, desk.user.id, desk.stationName, desk.now) };
  };

  /** The orders Report in left out, named in the reader's words (a packer is told whom to ask). */
  const worded = (req: Request, { failures, ...outcome }: StationOutcome): StationAnswer => {
    if (!failures) return outcome;
    const text = failures.map((f) => `${f.code}: ${presentReportFailure(f, req.t, config.timezone, req.user!.role).error.message}`).join(' · ');
    return { ...outcome, params: { ...outcome.params, failures: text } };
  };
  /**
   * A refusal as the station says it: a parcel already on this order is a duplicate, not an error.
   * A refusal sends the queue again (it may be refused because the queue moved on: the order was
   * taken, shipped, put on hold), except a duplicate, which is a double scan with nothing changed.
   */
  const refused = (req: Request, res: Response, err: unknown): StationOutcome => {
    const refusal = formRefusal(req, res, err);
    const duplicate = err instanceof AppError && err.key === 'errors.parcelOnThisOrder';
    const takeover = err instanceof AppError && err.code === 'order_taken' ? String(err.params.code) : undefined;
    return { kind: duplicate ? 'duplicate' : 'error', key: refusal.key, params: refusal.params, ...(takeover && { takeover }), queue: !duplicate };
  };
  /** Runs one station action and answers; an expected refusal is said on the station, not on an error page. */
  const act = async (req: Request, res: Response, action: () => StationOutcome | Promise<StationOutcome>) => {
    let outcome: StationOutcome;
    try {
      outcome = await action();
    } catch (err) {
      outcome = refused(req, res, err);
    }
    answerStationForm(db, req, res, worded(req, outcome));
  };

  router.get('/', (req, res) => {
    // The QR code on another device's station opens this page with ?station=…: this device becomes that station.
    if (typeof req.query.station === 'string') {
      try {
        rememberStation(res, cleanStationName(req.query.station));
        return res.redirect(303, '/shipping');
      } catch (err) {
        return renderForm(req, res, err, 'shipping/name', { title: req.t('shipping.nameTitle'), values: { name: req.query.station } });
      }
    }
    const name = stationNameOf(req);
    if (!name) return res.render('shipping/name', { title: req.t('shipping.nameTitle'), values: {}, errors: {} });
    const model = stationModel(db, req.user!.id, name, { queue: true });
    // The message of the last form goes in the station's status line, not above the page.
    const statusFlash: unknown = res.locals.flash;
    res.locals.flash = null;
    const undo = typeof req.query.undo === 'string' && model.current ? { code: model.current.code, parcelId: req.query.undo.slice(0, 35) } : null;
    res.render('shipping/index', {
      title: req.t('shipping.title'),
      ...model,
      statusFlash,
      open: req.query.open === 'partial' || req.query.open === 'label' ? req.query.open : '',
      takeover: typeof req.query.takeover === 'string' && /^\d{1,20}$/.test(req.query.takeover) ? req.query.takeover : '',
      undo,
      // One key per page view: a double press or a resent form reports nothing twice.
      reportKey: randomUUID(),
    });
  });

  router.post('/station', (req, res) => {
    try {
      const name = cleanStationName(formFields(req).name);
      rememberStation(res, name);
      nameStation(db, req.user!.id, name, clock());
      setFlash(req, 'success', 'shipping.stationNamed', { name });
      res.redirect(303, '/shipping');
    } catch (err) {
      renderForm(req, res, err, 'shipping/name', { title: req.t('shipping.nameTitle') });
    }
  });

  router.post('/scan', (req, res) =>
    act(req, res, async () => {
      const form = parse(scanForm, req.body ?? {});
      const name = requireStationName(req);
      if (!form.value.trim()) return ready();
      // A scan kept on a shared device is sent only by the user who made it, at its station.
      const shown = form.value.trim();
      if (form.user !== undefined && form.user !== String(req.user!.id)) throw new AppError('scan_meant_elsewhere', 'scan.queue.otherUser', { value: shown });
      if (form.station !== undefined && form.station !== name)
        throw new AppError('scan_meant_elsewhere', 'scan.queue.otherStation', { value: shown, station: form.station });
      const source = form.source === 'broker' ? 'manual' : form.source;
      // A command barcode, scanned: the same as its key or button.
      const command = commandIn(form.value, source);
      if (command) return runCommand(command, { ...actionCtx(req), scan: { key: form.key } });
      const { value } = readScanned(db, form.value, source);
      return scanAt(deskOf(req), { value, source: form.source, key: form.key, order: form.order });
    }),
  );

  router.post('/report', (req, res) =>
    act(req, res, () => {
      const form = parse(reportForm, req.body ?? {});
      return reportIn(actionCtx(req), { orders: form.orders, key: form.key, pruneKeys: true });
    }),
  );

  router.post('/release', (req, res) => act(req, res, () => closeOrderHere(actionCtx(req))));
  router.post('/orders/:code/take-over', (req, res) => act(req, res, () => takeOverHere(deskOf(req), req.params.code)));
  router.post('/orders/:code/parcels/:parcelId/remove', (req, res) =>
    act(req, res, () => removeParcelHere(actionCtx(req), req.params.code, req.params.parcelId)),
  );

  // The undo of a removal, offered beside its message: the parcel goes back on the delivery.
  router.post('/orders/:code/parcels/restore', (req, res) =>
    act(req, res, () => {
      const { parcelId } = parse(z.object({ parcelId: z.string().max(35) }), req.body ?? {});
      return restoreParcelHere(actionCtx(req), req.params.code, parcelId);
    }),
  );

  router.post('/orders/:code/fetch', (req, res) => act(req, res, () => fetchParcelIds(actionCtx(req), req.params.code)));
  router.post('/orders/:code/checks/undo', (req, res) => act(req, res, () => undoLastCheck(actionCtx(req), req.params.code)));
  router.post('/orders/:code/ship-checked', (req, res) => act(req, res, () => shipCheckedUnits(actionCtx(req), req.params.code)));
  router.post('/orders/:code/slots', (req, res) => act(req, res, () => addParcelSlot(actionCtx(req), req.params.code)));

  // Partial delivery: one number field per SKU (`qty.<sku>`).
  router.post('/orders/:code/lines', (req, res) =>
    act(req, res, () => {
      const lines = Object.entries(formFields(req))
        .filter(([name]) => name.startsWith('qty.'))
        .map(([name, value]) => ({ sku: name.slice(4), quantity: String(value).trim() === '' ? Number.NaN : Number(value) }));
      const bad = lines.find((l) => !Number.isInteger(l.quantity) || l.quantity < 0);
      if (bad) throw new AppError('validation_failed', 'shipping.quantityInvalid', { sku: bad.sku });
      return saveDeliveryLines(actionCtx(req), req.params.code, lines);
    }),
  );

  router.get('/orders/:code/label.pdf', async (req: Request<{ code: string }>, res) => {
    const parcelId = typeof req.query.parcel === 'string' ? req.query.parcel : '';
    // A carrier's parcel: the carrier's own label, as it sent it.
    const carrier = await carrierLabelPdf(db, resolveOrderCode(req.params.code), parcelId, { actor: userActor(req.user!), now: clock() });
    if (carrier) return sendPdf(res, carrier.pdf, carrier.fileName);
    const { pdf, fileName } = await printDocuments(
      { db, clock, renderer: deps.documents, timezone: config.timezone },
      {
        kind: 'label',
        codes: [resolveOrderCode(req.params.code)],
        actor: userActor(req.user!),
        lang: req.lang,
        customerLang: config.defaultLanguage,
        parcelId,
      },
    );
    sendPdf(res, pdf, fileName);
  });

  // The A4 sheet of command barcodes, to print and pin up beside the station.
  router.get('/commands.pdf', async (req, res) => {
    sendPdf(res, await commandSheetPdf(req.t, config.documentFontDir), 'station-commands.pdf');
  });

  // The station as it is now, for a page that was offline or is shown on a second device.
  router.get('/fragment', (req, res) => {
    const name = requireStationName(req);
    const model = stationModel(db, req.user!.id, name, { queue: true });
    // Asked every few seconds by an open station, which sends the ETag of what it shows (If-None-Match):
    // an unchanged state is a 304. Kept by no cache: it names customers.
    res.set('Cache-Control', 'no-store');
    res.render('shipping/fragment', { ...model, outcome: { kind: 'ok', open: '', message: '' } });
  });

  // The station's name field, for a device that wants to rename itself.
  router.get('/station', (req, res) =>
    res.render('shipping/name', { title: req.t('shipping.nameTitle'), values: { name: stationNameOf(req) ?? '' }, errors: {} }),
  );

  return router;
}
