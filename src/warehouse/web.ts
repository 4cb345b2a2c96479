import { Router, type Request } from 'express';
import { requireCapability } from '../web/auth.js';
import { formFields, renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { getWarehouseSettings, putWarehouseSettings, warehouseSettingsSchema } from './settings.js';

/** Zones as typed: separated by commas, semicolons, spaces or lines. */
function zonesOf(text: unknown): string[] {
  return typeof text === 'string' ? text.split(/[\s,;]+/).filter(Boolean) : [];
}

/** Settings → Warehouse (admin): the zones in walking order, and whether aisles are walked in a serpentine. */
export function warehouseSettingsWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));
  const title = (req: Request) => req.t('warehouseSettings.title');
  router.get('/', (req, res) => {
    const settings = getWarehouseSettings(db);
    res.render('settings/warehouse', { title: title(req), values: { zoneOrder: settings.zoneOrder.join(', '), serpentine: settings.serpentine } });
  });
  router.post('/', (req, res) => {
    const fields = formFields(req);
    try {
      const settings = parse(warehouseSettingsSchema, { zoneOrder: zonesOf(fields.zoneOrder), serpentine: fields.serpentine === 'on' });
      putWarehouseSettings(db, settings, clock(), req.user!.name);
      setFlash(req, 'success', 'warehouseSettings.saved');
      res.redirect(303, '/settings/warehouse');
    } catch (err) {
      renderForm(req, res, err, 'settings/warehouse', { title: title(req) });
    }
  });
  return router;
}
