import { randomUUID } from 'node:crypto';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { once } from '../../api/idempotency.js';
import { commandIn, type StationCommand } from '../../domain/station-command.js';
import { readScanned } from '../../scanners/read.js';
import { findOrderByCodeOrThrow, resolveOrderCode } from '../../orders/lookup.js';
import { sendPdf } from '../../documents/api.js';
import { printDocuments } from '../../documents/service.js';
import { requireCapability } from '../../web/auth.js';
import { AppError } from '../../errors.js';
import { formRefusal, formFields, renderForm } from '../../web/form.js';
import { setFlash } from '../../web/render.js';
import { userActor, type AppDeps } from '../../web/types.js';
import { oneOrMany, parse } from '../../web/validate.js';
import { brokerFor } from '../broker.js';
import { presentReportFailure } from '../api.js';
import { commandSheetPdf } from '../command-sheet.js';
import { addSlot, fetchParcels, PARCEL_SOURCES, removeParcel, reportDrafts, restoreParcel, setDeliveryLines, type StationCtx } from '../drafts.js';
import { checkedQuantities, getVerificationMode, uncheckedUnits, undoCheck } from '../checks.js';
import { autoPrintAfterParcel } from '../../printers/service.js';
import { stationScan } from '../scan.js';
import { listStationDrafts, pruneScanKeys } from '../station-repo.js';
import { stationModel } from '../station-view.js';
import { cleanStationName, closeOrderAt, ensureStation, stationFor, takeOverOrder, type StationRow } from '../stations.js';
import { writeTransaction } from '../../db/client.js';

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

/** The cookie that names this device's station: it outlives a sign-out, as a bench's label does. */
const STATION_COOKIE = 'station';
const STATION_COOKIE_MAX_AGE = 365 * 24 * 3600;
/** A page keeps a scan queued while offline for minutes; its key is kept for a week. */
const SCAN_KEY_DAYS = 7;

/** What the station says after an action: a catalog key in one of three tones. */
interface Outcome {
  kind: 'ok' | 'duplicate' | 'error';
  key: string;
  params: Record<string, unknown>;
  /** The queue changed (an order was opened, closed or reported): send it along. */
  queue?: boolean;
  /** The page should open this next: the partial form, or the label to print. */
  open?: 'partial' | 'label';
  /** The order another station holds: the page offers to take it over. */
  takeover?: string;
  /** A parcel just removed: the page offers to put it back. */
  undo?: { code: string; parcelId: string };
}

/**
 * Shipping out: the packing station. A station is one packer's place: the user signed in plus the
 * name this device remembers (a cookie). One scan field drives it: an order's code opens the order
 * here, anything else is a parcel ID for the order open here, saved at once; command barcodes and
 * function keys do the rest. The page's script sends each form in the background with
 * `X-Station: fragment` and gets back only the parts that changed; without the script every form
 * answers with a redirect to the station, so a reload never repeats a scan.
 */
export function shippingWeb(deps: AppDeps): Router {
  const { db, clock, config } = deps;
  const router = Router();
  router.use(requireCapability('shipping'));

  const stationName = (req: Request): string | null => {
    const raw = parseCookies(req.get('cookie') ?? '')[STATION_COOKIE];
    if (!raw) return null;
    try {
      return cleanStationName(raw);
    } catch {
      return null;
    }
  };
  const rememberStation = (res: Response, name: string) =>
    res.append('Set-Cookie', serializeCookie(STATION_COOKIE, name, { path: '/', maxAge: STATION_COOKIE_MAX_AGE, httpOnly: true, sameSite: 'lax' }));
  /** The station of this request; a form sent before the device was named is refused. */
  const requireStation = (req: Request): string => {
    const name = stationName(req);
    if (!name) throw new AppError('validation_failed', 'shipping.nameStationFirst');
    return name;
  };
  const ctxOf = (req: Request): StationCtx => ({ actor: userActor(req.user!), now: clock() });
  /** The context of a station write: the station is made on first use. */
  const stationCtx = (req: Request): StationCtx => {
    const ctx = ctxOf(req);
    const name = requireStation(req);
    return { ...ctx, station: stationFor(db, req.user!.id, name, ctx.now) };
  };

  /** "SKU 1/2" for each line of this station's deliveries (or the ticked ones) with units not checked. */
  const uncheckedOfStation = (station: StationRow, orders: string[]): string[] => {
    const wanted = new Set(orders.map((o) => o.replace(/[\s-]/g, '')));
    return listStationDrafts(db, station.id)
      .filter((d) => d.parcels > 0 && (wanted.size === 0 || wanted.has(d.code)))
      .flatMap((d) => uncheckedUnits(db, d.orderId).map((u) => `${d.code} ${u.sku} ${u.checked}/${u.of}`));
  };

  const fragmentWanted = (req: Request) => req.get('x-station') === 'fragment';

  /** The answer to every station form: the changed parts for the page's script, else a redirect with the message. */
  const answer = (req: Request, res: Response, outcome: Outcome) => {
    if (fragmentWanted(req)) {
      const model = stationModel(db, req.user!.id, stationName(req), { queue: outcome.queue ?? false });
      res.set('Cache-Control', 'no-store');
      return res.render('shipping/fragment', {
        ...model,
        outcome: { kind: outcome.kind, open: outcome.open ?? '', takeover: outcome.takeover ?? '', undo: outcome.undo ?? null, message: req.t(outcome.key, outcome.params) },
      });
    }
    setFlash(req, outcome.kind === 'ok' ? 'success' : 'error', outcome.key, outcome.params);
    const query = new URLSearchParams({
      ...(outcome.open && { open: outcome.open }),
      ...(outcome.takeover && { takeover: outcome.takeover }),
      ...(outcome.undo && { undo: outcome.undo.parcelId }),
    }).toString();
    res.redirect(303, `/shipping${query ? `?${query}` : ''}`);
  };
  /**
   * A refusal as the station says it: a parcel already on this order is a duplicate, not an error.
   * A refusal sends the queue again (it may be refused because the queue moved on: the order was
   * taken, shipped, put on hold), except a duplicate, which is a double scan with nothing changed.
   */
  const refused = (req: Request, res: Response, err: unknown): Outcome => {
    const refusal = formRefusal(req, res, err);
    const duplicate = err instanceof AppError && err.key === 'errors.parcelOnThisOrder';
    const takeover = err instanceof AppError && err.code === 'order_taken' ? String(err.params.code) : undefined;
    return { kind: duplicate ? 'duplicate' : 'error', key: refusal.key, params: refusal.params, ...(takeover && { takeover }), queue: !duplicate };
  };
  /** Runs one station action and answers; an expected refusal is said on the station, not on an error page. */
  const act = async (req: Request, res: Response, action: () => Outcome | Promise<Outcome>) => {
    let outcome: Outcome;
    try {
      outcome = await action();
    } catch (err) {
      outcome = refused(req, res, err);
    }
    answer(req, res, outcome);
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
    const name = stationName(req);
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
      writeTransaction(db, (tx) => ensureStation(tx, req.user!.id, name, clock()));
      setFlash(req, 'success', 'shipping.stationNamed', { name });
      res.redirect(303, '/shipping');
    } catch (err) {
      renderForm(req, res, err, 'shipping/name', { title: req.t('shipping.nameTitle') });
    }
  });

  router.post('/scan', (req, res) =>
    act(req, res, async () => {
      const form = parse(scanForm, req.body ?? {});
      const name = requireStation(req);
      if (!form.value.trim()) return { kind: 'ok', key: 'shipping.ready', params: {} };
      // A scan kept on a shared device is sent only by the user who made it, at its station.
      const shown = form.value.trim();
      if (form.user !== undefined && form.user !== String(req.user!.id)) throw new AppError('scan_meant_elsewhere', 'scan.queue.otherUser', { value: shown });
      if (form.station !== undefined && form.station !== name) throw new AppError('scan_meant_elsewhere', 'scan.queue.otherStation', { value: shown, station: form.station });
      const source = form.source === 'broker' ? 'manual' : form.source;
      const command = commandIn(form.value, source);
      if (command) return runCommand(req, command, form.key);
      const { value } = readScanned(db, form.value, source);
      const result = stationScan(db, { userId: req.user!.id, stationName: name }, { value, source: form.source, key: form.key, order: form.order }, ctxOf(req));
      const outcome: Outcome = { kind: 'ok', key: result.key, params: result.params, queue: result.opened };
      if (result.key !== 'shipping.parcelAdded') return outcome;
      return withAutoPrint(req, outcome, String(result.params.code), [String(result.params.parcelId)]);
    }),
  );

  /** A command barcode, scanned: the same as its key or button. */
  const runCommand = async (req: Request, command: StationCommand, key: string | undefined): Promise<Outcome> => {
    const ctx = stationCtx(req);
    const station = ctx.station!;
    switch (command) {
      case 'REPORT IN':
        return report(req, [], key ?? randomUUID());
      case 'OK':
        // What OK acknowledges (a refusal) or confirms (a takeover) is on the page, which runs it there.
        return { kind: 'ok', key: 'shipping.ready', params: {} };
      case 'CANCEL':
        writeTransaction(db, (tx) => closeOrderAt(tx, station));
        return { kind: 'ok', key: 'shipping.closed', params: {}, queue: true };
      case 'FETCH PARCEL ID':
      case 'NEW PARCEL':
      case 'PARTIAL':
      case 'UNDO CHECK':
      case 'SHIP CHECKED':
      case 'PRINT LABEL': {
        if (!station.currentCode) throw new AppError('validation_failed', 'shipping.openFirst');
        const code = station.currentCode;
        if (command === 'FETCH PARCEL ID') return fetch(req, ctx, code);
        if (command === 'NEW PARCEL') return slot(ctx, code);
        if (command === 'UNDO CHECK') return undo(ctx, code);
        if (command === 'SHIP CHECKED') return shipChecked(ctx, code);
        if (command === 'PARTIAL') return { kind: 'ok', key: 'shipping.partialOpen', params: { code }, open: 'partial' };
        return { kind: 'ok', key: 'shipping.labelOpen', params: { code }, open: 'label' };
      }
    }
  };

  const fetch = async (req: Request, ctx: StationCtx, code: string): Promise<Outcome> => {
    const { parcelIds, source } = await fetchParcels(db, code, undefined, brokerFor(db), ctx);
    return withAutoPrint(req, { kind: 'ok', key: source === 'sscc' ? 'shipping.fetchedSscc' : 'shipping.fetched', params: { count: parcelIds.length, parcelIds: parcelIds.join(', '), code } }, code, parcelIds);
  };

  /**
   * A station that prints automatically prints each new parcel's label on its printer. A printer
   * fault leaves the parcel added and says so (the packer prints again from the parcel).
   */
  // What printing needs (as printers/station-web.ts printDeps): the label speaks the shop's customer language.
  const printing = { db, clock, timeoutMs: config.printerTimeoutMs, lang: config.defaultLanguage };
  const withAutoPrint = async (req: Request, outcome: Outcome, code: string, parcelIds: string[]): Promise<Outcome> => {
    const station = { userId: req.user!.id, stationName: requireStation(req) };
    const printed: string[] = [];
    for (const parcelId of parcelIds) {
      const r = await autoPrintAfterParcel(printing, station, { code, parcelId }, userActor(req.user!));
      if (r.status === 'failed') return { kind: 'error', key: 'printers.station.autoFailed', params: { error: req.t(r.error.key, r.error.params) } };
      if (r.status === 'printed') printed.push(r.label.printer.name);
    }
    if (!printed.length) return outcome;
    return { ...outcome, params: { ...outcome.params, printed: req.t('printers.station.autoPrinted', { printer: printed[0] }) }, key: `${outcome.key}Printed` };
  };
  const slot = (ctx: StationCtx, code: string): Outcome => {
    addSlot(db, code, ctx);
    return { kind: 'ok', key: 'shipping.slotAdded', params: { code } };
  };

  const undo = (ctx: StationCtx, code: string): Outcome => {
    const undone = undoCheck(db, code, 'last', ctx);
    return { kind: 'ok', key: 'shipping.checkUndone', params: { ...undone, code } };
  };
  const shipChecked = (ctx: StationCtx, code: string): Outcome => {
    const order = findOrderByCodeOrThrow(db, code);
    setDeliveryLines(db, code, checkedQuantities(db, order.id), ctx);
    return { kind: 'ok', key: 'shipping.shipChecked', params: { code } };
  };

  const report = (req: Request, orders: string[], key: string): Outcome => {
    const ctx = stationCtx(req);
    // With verification "warn", what is about to go unchecked is read before the report ships it.
    const unchecked = getVerificationMode(db) === 'warn' ? uncheckedOfStation(ctx.station!, orders) : [];
    const reply = once(db, `station:${ctx.station!.id}:report`, key, { orders }, ctx.now, () => ({
      status: 200,
      body: reportDrafts(db, orders.length ? orders : undefined, ctx),
    }));
    const { reported, failed } = reply.body as ReturnType<typeof reportDrafts>;
    const shipped = reported.filter((r) => r.status === 'shipped').length;
    const counts = { count: reported.length, shipped: req.t('shipping.ordersShipped', { count: shipped }), partial: reported.length - shipped };
    if (failed.length) {
      // The rest were reported; each order left out is named with its reason.
      const failures = failed.map((f) => `${f.code}: ${presentReportFailure(f, req.t, config.timezone, req.user!.role).error.message}`).join(' · ');
      return { kind: 'error', key: 'shipping.reportedWithFailures', params: { ...counts, failed: failed.length, failures }, queue: true };
    }
    if (reported.length && unchecked.length) {
      // "Warn": reported, with the units that were not checked named.
      return { kind: 'duplicate', key: 'shipping.reportedUnchecked', params: { ...counts, lines: unchecked.join(', ') }, queue: true };
    }
    return { kind: reported.length ? 'ok' : 'error', key: reported.length ? 'shipping.reported' : 'shipping.nothingToReport', params: counts, queue: true };
  };

  router.post('/report', (req, res) =>
    act(req, res, () => {
      const form = parse(reportForm, req.body ?? {});
      // Old keys go now and then; a page's key lives for minutes.
      pruneScanKeys(db, new Date(clock().getTime() - SCAN_KEY_DAYS * 24 * 3600 * 1000));
      return report(req, form.orders, form.key);
    }),
  );

  router.post('/release', (req, res) =>
    act(req, res, () => {
      const ctx = stationCtx(req);
      writeTransaction(db, (tx) => closeOrderAt(tx, ctx.station!));
      return { kind: 'ok', key: 'shipping.closed', params: {}, queue: true };
    }),
  );

  router.post('/orders/:code/take-over', (req, res) =>
    act(req, res, () => {
      const { code, from } = takeOverOrder(db, req.user!, requireStation(req), req.params.code, ctxOf(req));
      return { kind: 'ok', key: from ? 'shipping.takenOver' : 'shipping.selected', params: { code, from }, queue: true };
    }),
  );

  router.post('/orders/:code/parcels/:parcelId/remove', (req, res) =>
    act(req, res, () => {
      const { code, parcelId } = removeParcel(db, req.params.code, req.params.parcelId, stationCtx(req));
      return { kind: 'ok', key: 'shipping.parcelRemoved', params: { parcelId, code }, undo: { code, parcelId } };
    }),
  );

  // The undo of a removal, offered beside its message: the parcel goes back on the delivery.
  router.post('/orders/:code/parcels/restore', (req, res) =>
    act(req, res, () => {
      const { parcelId } = parse(z.object({ parcelId: z.string().max(35) }), req.body ?? {});
      const { code } = restoreParcel(db, req.params.code, parcelId, stationCtx(req));
      return { kind: 'ok', key: 'scan.parcelRestored', params: { parcelId, code } };
    }),
  );

  router.post('/orders/:code/fetch', (req, res) => act(req, res, () => fetch(req, stationCtx(req), req.params.code)));
  router.post('/orders/:code/checks/undo', (req, res) => act(req, res, () => undo(stationCtx(req), req.params.code)));
  router.post('/orders/:code/ship-checked', (req, res) => act(req, res, () => shipChecked(stationCtx(req), req.params.code)));
  router.post('/orders/:code/slots', (req, res) => act(req, res, () => slot(stationCtx(req), req.params.code)));

  // Partial delivery: one number field per SKU (`qty.<sku>`).
  router.post('/orders/:code/lines', (req, res) =>
    act(req, res, () => {
      const lines = Object.entries(formFields(req))
        .filter(([name]) => name.startsWith('qty.'))
        .map(([name, value]) => ({ sku: name.slice(4), quantity: String(value).trim() === '' ? Number.NaN : Number(value) }));
      const bad = lines.find((l) => !Number.isInteger(l.quantity) || l.quantity < 0);
      if (bad) throw new AppError('validation_failed', 'shipping.quantityInvalid', { sku: bad.sku });
      setDeliveryLines(db, req.params.code, lines, stationCtx(req));
      return { kind: 'ok', key: 'shipping.partialSaved', params: { code: req.params.code } };
    }),
  );

  router.get('/orders/:code/label.pdf', async (req: Request<{ code: string }>, res) => {
    const parcelId = typeof req.query.parcel === 'string' ? req.query.parcel : '';
    const { pdf, fileName } = await printDocuments(
      { db, clock, renderer: deps.documents, timezone: config.timezone },
      { kind: 'label', codes: [resolveOrderCode(req.params.code)], actor: userActor(req.user!), lang: req.lang, customerLang: config.defaultLanguage, parcelId },
    );
    sendPdf(res, pdf, fileName);
  });

  // The A4 sheet of command barcodes, to print and pin up beside the station.
  router.get('/commands.pdf', async (req, res) => {
    sendPdf(res, await commandSheetPdf(req.t, config.documentFontDir), 'station-commands.pdf');
  });

  // The station as it is now, for a page that was offline or is shown on a second device.
  router.get('/fragment', (req, res) => {
    if (!stationName(req)) throw new AppError('validation_failed', 'shipping.nameStationFirst');
    const model = stationModel(db, req.user!.id, stationName(req), { queue: true });
    // Asked every few seconds by an open station, which sends the ETag of what it shows (If-None-Match):
    // an unchanged state is a 304. Kept by no cache: it names customers.
    res.set('Cache-Control', 'no-store');
    res.render('shipping/fragment', { ...model, outcome: { kind: 'ok', open: '', message: '' } });
  });

  // The station's name field, for a device that wants to rename itself.
  router.get('/station', (req, res) => res.render('shipping/name', { title: req.t('shipping.nameTitle'), values: { name: stationName(req) ?? '' }, errors: {} }));

  return router;
}

/**
 * The station this device is named as (its cookie), or null: for routers beside the station's
 * own that answer the station's forms (printers/station-web.ts).
 */
export function stationNameOf(req: Request): string | null {
  const raw = parseCookies(req.get('cookie') ?? '')[STATION_COOKIE];
  if (!raw) return null;
  try {
    return cleanStationName(raw);
  } catch {
    return null;
  }
}

/**
 * Answers a form sent from the station as the station's own forms are answered: the fragment of
 * the station for the page's script (`X-Station: fragment`), else a redirect to the station with
 * the message. For routers beside the station's own (printers/station-web.ts).
 */
export function answerStationForm(db: AppDeps['db'], req: Request, res: Response, outcome: { kind: 'ok' | 'error'; key: string; params: Record<string, unknown> }): void {
  if (req.get('x-station') === 'fragment') {
    const model = stationModel(db, req.user!.id, stationNameOf(req), { queue: false });
    res.set('Cache-Control', 'no-store');
    return res.render('shipping/fragment', { ...model, outcome: { kind: outcome.kind, open: '', takeover: '', message: req.t(outcome.key, outcome.params) } });
  }
  setFlash(req, outcome.kind === 'ok' ? 'success' : 'error', outcome.key, outcome.params);
  res.redirect(303, '/shipping');
}
