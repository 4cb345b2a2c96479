import cron, { type ScheduledTask } from 'node-cron';
import { lastScheduledRunStart } from '../src/pack/repo.js';
import { getPackSettings } from '../src/pack/settings.js';
import { AppError } from '../src/errors.js';
import type { PackScriptDeps } from '../src/pack/run.js';
import { runPackRun } from '../src/pack/in-worker.js';

/**
 * The only cron schedule. It wakes every minute and starts a pack run when the pack script is
 * switched on and the interval set in Settings has passed since the last scheduled run: a change
 * in Settings takes effect within a minute, without a restart, in every process. The database
 * lease keeps two processes from running at once.
 */
export function startPackSchedule(deps: PackScriptDeps): ScheduledTask {
  return cron.schedule('* * * * *', () => tick(deps), { name: 'pack-script', noOverlap: true });
}

/** One wake-up of the schedule; exported for tests. */
export async function tick(deps: PackScriptDeps): Promise<void> {
  const { db, clock, log } = deps;
  const settings = getPackSettings(db);
  if (!settings.enabled) return;
  const last = lastScheduledRunStart(db);
  // Half a minute of slack: the minute ticks do not land on the exact millisecond.
  if (last && clock().getTime() - last.getTime() < settings.intervalMinutes * 60_000 - 30_000) return;
  try {
    await runPackRun(deps, { trigger: 'cron', dryRun: false, actor: { type: 'pack_script', id: null, name: 'pack script' } });
  } catch (err) {
    if (err instanceof AppError && err.code === 'pack_run_in_progress') log.info('scheduled pack run skipped: another run holds the lease', err.params);
    else log.error('scheduled pack run failed to start', { error: err instanceof Error ? err.stack : String(err) });
  }
}
