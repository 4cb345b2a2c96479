import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { requireCapability } from '../../web/auth.js';
import { formFields, renderForm } from '../../web/form.js';
import { setFlash } from '../../web/render.js';
import type { AppDeps } from '../../web/types.js';
import { parse } from '../../validate.js';
import { printerSchema } from '../schemas.js';
import { getPrinterOrThrow, printersWithStations, removePrinter, savePrinter, testPrint } from '../service.js';
import { DPIS } from '../zpl.js';

const id = z.coerce.number({ error: 'validation.integer' }).int().positive();

/** A printer fault (refused, unknown host, timeout) as the message of the next page: the printer is named in it. */
function isPrinterFault(err: unknown): err is AppError {
  return err instanceof AppError && (err.code === 'printer_unreachable' || err.code === 'printer_timeout');
}

/**
 * Settings → Printers (admin): the network label printers (raw ZPL on TCP), added, changed,
 * deleted and tried with a test label. "PDF (browser)" is listed first: it is always there.
 */
export function printersWeb(deps: AppDeps): Router {
  const { db, clock, config } = deps;
  const router = Router();
  router.use(requireCapability('settings'));
  const listModel = (req: Request) => ({ title: req.t('printers.title'), printers: printersWithStations(db), dpis: DPIS });

  router.get('/', (req, res) => res.render('settings/printers', { ...listModel(req), values: { port: 9100, dpi: 203 }, errors: {}, formError: null }));

  router.post('/', (req, res) => {
    try {
      const printer = savePrinter(db, null, parse(printerSchema, formFields(req)), clock());
      setFlash(req, 'success', 'printers.created', { name: printer.name });
      res.redirect(303, '/settings/printers');
    } catch (err) {
      renderForm(req, res, err, 'settings/printers', listModel(req));
    }
  });

  const editModel = (req: Request, printerId: number) => ({ title: req.t('printers.title'), printer: getPrinterOrThrow(db, printerId), dpis: DPIS });

  router.get('/:id', (req, res) => {
    const model = editModel(req, parse(id, req.params.id));
    res.render('settings/printer', { ...model, values: model.printer, errors: {}, formError: null });
  });

  router.post('/:id', (req, res) => {
    const printerId = parse(id, req.params.id);
    const model = editModel(req, printerId);
    try {
      const printer = savePrinter(db, printerId, parse(printerSchema, formFields(req)), clock());
      setFlash(req, 'success', 'printers.saved', { name: printer.name });
      res.redirect(303, '/settings/printers');
    } catch (err) {
      renderForm(req, res, err, 'settings/printer', model);
    }
  });

  router.post('/:id/delete', (req, res) => {
    const { name, stations } = removePrinter(db, parse(id, req.params.id));
    setFlash(req, 'success', stations ? 'printers.deletedStations' : 'printers.deleted', { name, count: stations });
    res.redirect(303, '/settings/printers');
  });

  router.post('/:id/test', async (req: Request, res: Response) => {
    const printerId = parse(id, req.params.id);
    try {
      const printer = await testPrint({ db, timeoutMs: config.printerTimeoutMs }, printerId, req.lang);
      setFlash(req, 'success', 'printers.testSent', { name: printer.name });
    } catch (err) {
      if (!isPrinterFault(err)) throw err;
      setFlash(req, 'error', err.key, err.params);
    }
    res.redirect(303, '/settings/printers');
  });
  return router;
}
