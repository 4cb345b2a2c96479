import { Router } from 'express';
import { mispickDays } from '../shipping/mispicks.js';
import { requireCapability } from '../web/auth.js';
import type { AppDeps } from '../web/types.js';

export function toolsWeb({ db, clock, config }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('tools'));

  router.get('/', (req, res) => res.render('tools/index', { title: req.t('tools.title') }));

  // Refused item scans per packer per day: the mis-pick rate a warehouse watches.
  router.get('/mispicks', (req, res) => {
    res.render('tools/mispicks', { title: req.t('tools.mispicks.title'), days: mispickDays(db, clock(), config.timezone) });
  });

  return router;
}
