import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { customStatusBody, customStatusCode } from './schemas.js';
import { deleteCustomStatus, listCustomStatusesWithUsage, putCustomStatus } from './service.js';

export function customStatusesApi({ db, clock }: AppDeps): Router {
  const router = Router();

  router.get('/', (_req, res) => {
    res.json({ customStatuses: listCustomStatusesWithUsage(db) });
  });

  router.put('/:code', (req, res) => {
    const code = parse(customStatusCode, req.params.code);
    const { created, status } = putCustomStatus(db, code, parse(customStatusBody, req.body), clock());
    res.status(created ? 201 : 200).json(status);
  });

  router.delete('/:code', (req, res) => {
    const code = parse(customStatusCode, req.params.code);
    const { clear } = parse(z.object({ clear: z.enum(['true', 'false']).optional() }), req.query);
    const result = deleteCustomStatus(db, code, { clear: clear === 'true', actor: req.api!.actor, now: clock() });
    res.json(result);
  });

  return router;
}
