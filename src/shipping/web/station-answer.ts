import type { Request, Response } from 'express';
import type { Db } from '../../db/client.js';
import { setFlash } from '../../web/render.js';
import type { StationOutcome } from '../station-actions.js';
import { stationModel } from '../station-view.js';
import { stationNameOf } from './station-cookie.js';

/** An outcome as the page is told it: its words are all in `params` (see StationOutcome.failures). */
export type StationAnswer = Omit<StationOutcome, 'failures'>;

/**
 * Answers a form sent from the station: the changed parts of the station for the page's script
 * (`X-Station: fragment`), else a redirect to the station with the message, so a reload never
 * repeats a scan. For the station's own routes and the routers beside them (printers/web/station.ts).
 */
export function answerStationForm(db: Db, req: Request, res: Response, outcome: StationAnswer): void {
  if (req.get('x-station') === 'fragment') {
    const model = stationModel(db, req.user!.id, stationNameOf(req), { queue: outcome.queue ?? false });
    res.set('Cache-Control', 'no-store');
    return res.render('shipping/fragment', {
      ...model,
      outcome: {
        kind: outcome.kind,
        open: outcome.open ?? '',
        takeover: outcome.takeover ?? '',
        undo: outcome.undo ?? null,
        message: req.t(outcome.key, outcome.params),
      },
    });
  }
  setFlash(req, outcome.kind === 'ok' ? 'success' : 'error', outcome.key, outcome.params);
  const query = new URLSearchParams({
    ...(outcome.open && { open: outcome.open }),
    ...(outcome.takeover && { takeover: outcome.takeover }),
    ...(outcome.undo && { undo: outcome.undo.parcelId }),
  }).toString();
  res.redirect(303, `/shipping${query ? `?${query}` : ''}`);
}
