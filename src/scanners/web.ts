import { Router, type Request } from 'express';
import { z } from 'zod';
import { sendPdf } from '../documents/api.js';
import { requireCapability } from '../web/auth.js';
import { renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../web/validate.js';
import { getScannerSettings, putScannerSettings, scannerSettingsSchema } from './settings.js';
import { scannerSheetPdf } from './sheet.js';

/** The form as typed: nothing trimmed, since a space in a GS substitute is refused, not dropped. */
const form = z.object({ gsSubstitute: scannerSettingsSchema.shape.gsSubstitute });

/** Settings → Scanners (admin): the GS substitute, the check sheet and the way to the scanner check. */
export function scannerSettingsWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));
  const title = (req: Request) => req.t('scannerSettings.title');
  router.get('/', (req, res) => res.render('settings/scanners', { title: title(req), values: getScannerSettings(db) }));
  router.post('/', (req, res) => {
    try {
      const settings = parse(form, req.body ?? {});
      putScannerSettings(db, settings, clock(), req.user!.name);
      setFlash(req, 'success', 'scannerSettings.saved');
      res.redirect('/settings/scanners');
    } catch (err) {
      renderForm(req, res, err, 'settings/scanners', { title: title(req) });
    }
  });
  return router;
}

/** The scanner check sheet, for anyone signed in: a packer prints it at the station (mounted at /scanners). */
export function scannerSheetWeb({ config }: AppDeps): Router {
  const router = Router();
  router.get('/sheet.pdf', async (req, res) => {
    sendPdf(res, await scannerSheetPdf(req.t, config.documentFontDir), 'scanner-check.pdf');
  });
  return router;
}
