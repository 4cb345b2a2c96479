import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { printParcelLabel } from './service.js';
import { printDeps } from './web/station.js';

export const printBody = z.strictObject({ printer: z.int({ error: 'validation.integer' }).positive() });

/** POST /api/v1/orders/:code/parcels/:parcelId/label/print (docs/api.md): a parcel's label as ZPL on a network printer. */
export function printersApi(deps: AppDeps): Router {
  const router = Router();
  router.post('/:code/parcels/:parcelId/label/print', async (req, res) => {
    const body = parse(printBody, req.body ?? {});
    try {
      const label = await printParcelLabel(printDeps(deps), {
        code: req.params.code,
        parcelId: req.params.parcelId,
        actor: req.api!.actor,
        printerId: body.printer,
      });
      res.json(label);
    } catch (err) {
      // The printer's address and socket error map the LAN (a refused port from a timeout): for admin
      // tokens only, as webhooks' failures are. The order's history keeps them for staff.
      if (err instanceof AppError && (err.code === 'printer_unreachable' || err.code === 'printer_timeout') && req.api?.role !== 'admin') {
        throw new AppError(err.code, 'errors.printerFailedApi', { printer: err.params.printer }, { printer: err.params.printer });
      }
      throw err;
    }
  });
  return router;
}
