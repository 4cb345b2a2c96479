import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { PACK_LEASE } from './run.js';
import { runPackRun } from './in-worker.js';
import type { PackProgress } from './progress.js';
import { requireCapability } from '../web/auth.js';
import { AppError } from '../errors.js';
import { formFields, formRefusal, renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import { openEventStream } from '../web/sse.js';
import { userActor, type AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { leaseHolder } from './lease.js';
import { listRuns, listSteps } from './repo.js';
import { getRun, presentRun } from './service.js';
import { getPackSettings, packSettingsSchema, putPackSettings } from './settings.js';
import { explainStep } from './steps.js';

const runId = z.coerce.number({ error: 'validation.integer' }).int().positive();
const stepsQuery = z.object({ outcome: z.enum(['promoted', 'held']).optional(), after: z.coerce.number().int().min(0).optional() });
const STEPS_PAGE = 500;

/** Tools → Pack script: run it by hand, watch it live, read every run afterwards. */
export function packWeb(deps: AppDeps): Router {
  const { db, clock, log } = deps;
  const hub = deps.packHub;
  const router = Router();
  router.use(requireCapability('packScript'));

  const renderIndex = (req: Request, res: Response, error: string | null = null) =>
    res.status(error ? 409 : 200).render('pack/index', {
      title: req.t('pack.title'),
      settings: getPackSettings(db),
      lease: leaseHolder(db, PACK_LEASE, clock()),
      runs: listRuns(db, { limit: 30 }).map((r) => presentRun(db, r, false)),
      error,
    });

  router.get('/', (req, res) => renderIndex(req, res));

  router.post('/runs', async (req, res) => {
    const dryRun = formFields(req).dryRun === '1';
    let created: (runId: number) => void = () => {};
    const started = new Promise<number>((resolve) => (created = resolve));
    const running = runPackRun(
      {
        db,
        clock,
        log,
        onProgress: (e) => {
          if (e.type === 'created') created(e.runId);
          hub.publish(e);
        },
      },
      { trigger: 'manual', dryRun, actor: userActor(req.user!) },
    );
    // A run that started goes on in the background while the page watches it; one refused (the
    // lease is taken) settles before it makes a record.
    try {
      const id = await Promise.race([started, running.then((r) => r.id)]);
      running.catch((err: unknown) => log.error('manual pack run failed', { error: String(err) }));
      res.redirect(303, `/tools/pack-script/runs/${id}`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'pack_run_in_progress') {
        // Who holds the run, in the reader's words (the API keeps the label as stored).
        const { fmt } = res.locals;
        const shown = new AppError(err.code, err.key, { ...err.params, by: fmt.actor(String(err.params.by)) }, err.details);
        return renderIndex(req, res, formRefusal(req, res, shown).message);
      }
      throw err;
    }
  });

  router.get('/runs/:id', (req, res) => {
    const run = getRun(db, parse(runId, req.params.id));
    const query = parse(stepsQuery, req.query);
    const steps = listSteps(db, run.id, { outcome: query.outcome, after: query.after, limit: STEPS_PAGE + 1 });
    const view = presentRun(db, run, false);
    const live = run.status === 'running' ? (hub.state(run.id) ?? null) : null;
    // Every order the run looked at, each with its verdict and the checks behind it (pack/steps.ts).
    const explained = <S extends Parameters<typeof explainStep>[1]>(s: S) => ({ ...s, ...explainStep(req.t, s, run.dryRun) });
    res.render('pack/run', {
      title: req.t('pack.runTitle', { id: run.id }),
      run: view,
      live: live && { ...live, recent: live.recent.map(explained) },
      steps: steps.slice(0, STEPS_PAGE).map(explained),
      nextAfter: steps.length > STEPS_PAGE ? steps[STEPS_PAGE - 1]!.position : null,
      outcome: query.outcome ?? '',
    });
  });

  // Server-sent events: the progress of a running run, then one "finished" event.
  router.get('/runs/:id/events', (req, res) => {
    const id = parse(runId, req.params.id);
    getRun(db, id);
    const stream = openEventStream(req, res);
    const finish = () => {
      if (stream.closed) return;
      stream.send('finished', presentRun(db, getRun(db, id), false));
      stream.end();
    };
    const state = hub.state(id);
    if (state) stream.send('state', state);
    stream.onClose(
      hub.subscribe(id, (e: PackProgress) => {
        if (e.type === 'batch') stream.send('batch', e);
        if (e.type === 'finished' || e.type === 'failed') finish();
      }),
    );
    // A run in another process (cron on a second server, the CLI) is followed through its row.
    const poll = setInterval(() => {
      const run = getRun(db, id);
      if (run.status !== 'running') finish();
      else if (!hub.state(id)) stream.send('counts', { examined: run.examined, promoted: run.promoted, held: run.held });
    }, 1000);
    stream.onClose(() => clearInterval(poll));
    if (getRun(db, id).status !== 'running') finish();
  });

  return router;
}

const settingsForm = z.object({
  enabled: z.preprocess((v) => v === 'on', z.boolean()),
  intervalMinutes: z.coerce.number({ error: 'validation.integer' }).pipe(z.int().min(1).max(1440)),
  requireApproval: z.preprocess((v) => v === 'on', z.boolean()),
});

/** Settings → Pack script (admin): on/off, interval, approval of invoice and cash-on-delivery orders. */
export function packSettingsWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));
  router.get('/', (req, res) => res.render('settings/pack-script', { title: req.t('pack.settings.title'), values: getPackSettings(db) }));
  router.post('/', (req, res) => {
    try {
      const settings = packSettingsSchema.parse(parse(settingsForm, req.body ?? {}));
      putPackSettings(db, settings, clock(), req.user!.name);
      setFlash(req, 'success', 'pack.settings.saved');
      res.redirect('/settings/pack-script');
    } catch (err) {
      renderForm(req, res, err, 'settings/pack-script', { title: req.t('pack.settings.title') });
    }
  });
  return router;
}
