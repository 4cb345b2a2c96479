import { Router } from 'express';
import { z } from 'zod';
import { runPackRun } from './in-worker.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { listRuns } from './repo.js';
import { checkOrder, getRun, presentRun } from './service.js';

export const startBody = z.strictObject({ dryRun: z.boolean().optional() });
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.coerce.number().int().positive().optional(),
});

export function packRunsApi(deps: AppDeps): Router {
  const { db, clock, log } = deps;
  const router = Router();
  const jobDeps = () => ({ db, clock, log, onProgress: deps.packHub?.publish });

  router.post('/', async (req, res) => {
    const body = parse(startBody, req.body ?? {});
    const report = await runPackRun(jobDeps(), { trigger: 'api', dryRun: body.dryRun ?? false, actor: req.api!.actor }, { lists: true });
    const row = getRun(db, report.id);
    // A run that succeeded brings its lists as JSON text (made in the worker): this thread puts the
    // run's fields around them instead of reading back and building 100,000 outcomes. A failed run
    // (rare) is read back as GET /:id reads it.
    if (report.listsJson === undefined || report.status !== 'succeeded') return void res.status(201).json(presentRun(db, row, true));
    const fields = JSON.stringify(presentRun(db, row, false));
    res
      .status(201)
      .type('application/json')
      .end(`${fields.slice(0, -1)},${report.listsJson.slice(1, -1)},"detailsKept":true}`);
  });

  router.get('/', (req, res) => {
    const query = parse(listQuery, req.query);
    const rows = listRuns(db, { limit: query.limit + 1, beforeId: query.cursor });
    const page = rows.slice(0, query.limit);
    res.json({ packRuns: page.map((r) => presentRun(db, r, false)), nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.id) : null });
  });

  router.get('/:id', (req, res) => {
    const id = parse(z.coerce.number({ error: 'validation.integer' }).int().positive(), req.params.id);
    res.json(presentRun(db, getRun(db, id), true));
  });

  return router;
}

/** POST /api/v1/orders/:code/pack-check */
export function packCheckApi(deps: AppDeps): Router {
  const router = Router();
  router.post('/:code/pack-check', async (req, res) => {
    // checkOrder throws when the run fails; the error handler answers 500.
    const { result, outcome } = await checkOrder(
      { db: deps.db, clock: deps.clock, log: deps.log, onProgress: deps.packHub?.publish },
      req.params.code,
      req.api!.actor,
    );
    res.json({ ...outcome, runId: result.id });
  });
  return router;
}
