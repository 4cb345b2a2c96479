import { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors.js';
import { answerStationForm } from '../../shipping/web/station-answer.js';
import { requireStationName } from '../../shipping/web/station-cookie.js';
import { requireCapability } from '../../web/auth.js';
import { formFields, formRefusal } from '../../web/form.js';
import { userActor, type AppDeps } from '../../web/types.js';
import { parse } from '../../validate.js';
import { stationPrinterSchema } from '../schemas.js';
import { chooseStationPrinter, printParcelLabel, type PrintDeps, type StationRef } from '../service.js';

type Outcome = { kind: 'ok' | 'error'; key: string; params: Record<string, unknown> };

/** A printer fault: said at the station like any refusal (it is a 502/504, which a form would not show). */
function isPrinterFault(err: unknown): err is AppError {
  return err instanceof AppError && (err.code === 'printer_unreachable' || err.code === 'printer_timeout');
}

/**
 * The station's side of label printers, beside the station's own router at /shipping: the
 * station's choice of label printer, and "print this parcel's label" on it. Both answer as the
 * station's forms do (a fragment for the page's script, else a redirect with the message), and a
 * printer that is off or does not answer is said at the station: nothing was changed, the packer
 * prints again from the parcel.
 */
export function printersStationWeb(deps: AppDeps): Router {
  const { db, clock } = deps;
  const router = Router();
  router.use(requireCapability('shipping'));

  const stationOf = (req: Request): StationRef => ({ userId: req.user!.id, stationName: requireStationName(req) });
  const act = async (req: Request, res: Response, action: () => Outcome | Promise<Outcome>) => {
    let outcome: Outcome;
    try {
      outcome = await action();
    } catch (err) {
      if (isPrinterFault(err)) outcome = { kind: 'error', key: err.key, params: err.params };
      else {
        const refusal = formRefusal(req, res, err);
        outcome = { kind: 'error', key: refusal.key, params: refusal.params };
      }
    }
    answerStationForm(db, req, res, outcome);
  };

  router.post('/printer', (req, res) =>
    act(req, res, () => {
      const form = parse(stationPrinterSchema, formFields(req));
      const printerId = typeof form.printer === 'number' ? form.printer : null;
      const { printer, autoPrint } = chooseStationPrinter(db, stationOf(req), { printerId, autoPrint: form.autoPrint }, clock());
      if (!printer) return { kind: 'ok', key: 'printers.station.chosenPdf', params: {} };
      return { kind: 'ok', key: autoPrint ? 'printers.station.chosenAuto' : 'printers.station.chosen', params: { printer: printer.name } };
    }),
  );

  router.post('/orders/:code/parcels/:parcelId/print', (req: Request<{ code: string; parcelId: string }>, res) =>
    act(req, res, async () => {
      const label = await printParcelLabel(printDeps(deps), {
        code: req.params.code,
        parcelId: req.params.parcelId,
        actor: userActor(req.user!),
        station: stationOf(req),
      });
      return {
        kind: 'ok',
        key: 'printers.station.printed',
        params: { parcelId: label.parcelId, index: label.index, of: label.of, printer: label.printer.name },
      };
    }),
  );
  return router;
}

/** What printing needs from the app: the label speaks the shop's customer language, as the PDF label does at the station. */
export function printDeps(deps: AppDeps): PrintDeps {
  return { db: deps.db, clock: deps.clock, timeoutMs: deps.config.printerTimeoutMs, lang: deps.config.defaultLanguage };
}
