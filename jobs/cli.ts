/**
 * npm run pack-script -- [--dry-run] [--batch-size N] [--language en|sv|nb|fr] [--verbose]
 * Runs the pack script once against DATABASE_PATH and prints the same summary as the Tools page,
 * then every order it examined with its verdict and checks, as the run's page words them.
 * Exit code 0 on success, 1 when the run failed or another run holds the lease.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { closeDatabase, migrateDatabase, openDatabase } from '../src/db/client.js';
import { applyShopDefaults } from '../src/email/settings.js';
import { isLanguage, LANGUAGES, translator } from '../src/i18n/index.js';
import { AppError } from '../src/errors.js';
import { localizedParams } from '../src/i18n/refusal.js';
import { consoleLogger } from '../src/log.js';
import { listSteps } from '../src/pack/repo.js';
import { runPackScript } from '../src/pack/run.js';
import { explainStep } from '../src/pack/steps.js';

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    'batch-size': { type: 'string' },
    language: { type: 'string', default: 'en' },
    verbose: { type: 'boolean', default: false },
  },
});
if (!isLanguage(values.language)) {
  process.stderr.write(`--language must be one of ${LANGUAGES.join(', ')}, not ${values.language}\n`);
  process.exit(1);
}
const t = translator(values.language);
const dryRun = values['dry-run'];
const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
  process.stderr.write(`--batch-size must be a whole number of at least 1, not ${values['batch-size']}\n`);
  process.exit(1);
}
const config = loadConfig();
const db = openDatabase(config.databasePath);
migrateDatabase(db);
applyShopDefaults(db, config, new Date());
const out = (line: string) => process.stdout.write(`${line}\n`);

try {
  const result = await runPackScript(
    {
      db,
      clock: () => new Date(),
      log: consoleLogger({ silent: !values.verbose }),
      onProgress: (e) => {
        if (e.type === 'started') out(t('pack.cli.started', { id: e.runId, count: e.total }));
        if (e.type === 'batch') out(`  ${t(dryRun ? 'pack.cli.progressDry' : 'pack.cli.progress', e)}`);
      },
    },
    { trigger: 'cli', dryRun, actor: { type: 'system', id: null, name: 'cli' }, batchSize, lists: false },
  );
  const counts = {
    id: result.id,
    status: t(`pack.status.${result.status}`).toLocaleLowerCase(values.language),
    examined: result.examined,
    promoted: result.promotedCount,
    held: result.heldCount,
  };
  out('');
  out(t(dryRun ? 'pack.cli.finishedDry' : 'pack.cli.finished', counts));
  for (const [reason, count] of Object.entries(result.summary.held)) out(`  ${t('pack.cli.heldBy', { reason: t(`pack.reason.${reason}`), count })}`);
  const short = Object.entries(result.summary.waitingForStock).sort((a, b) => b[1] - a[1]);
  if (short.length) {
    const skus =
      short
        .slice(0, 20)
        .map(([sku, n]) => `${sku} (${n})`)
        .join(', ') + (short.length > 20 ? ` ${t('pack.moreSkus', { count: short.length - 20 })}` : '');
    out(`  ${t('pack.cli.waitingForStock', { skus })}`);
  }
  // Every order the run looked at, from its record, a page at a time.
  if (result.examined > 0) {
    out('');
    out(t('pack.cli.orders'));
    for (let after = 0; ;) {
      const page = listSteps(db, result.id, { after, limit: 1000 });
      for (const step of page) {
        const { verdict, checks } = explainStep(t, step, dryRun);
        out(`  ${step.position}. ${step.code}  ${verdict} · ${checks}`);
      }
      if (page.length < 1000) break;
      after = page[page.length - 1]!.position;
    }
  }
  if (result.status === 'failed') {
    out(t('pack.cli.failed', { step: result.errorStep, error: result.error }));
    process.exitCode = 1;
  }
} catch (err) {
  if (!(err instanceof AppError)) throw err;
  out(t(err.key, localizedParams(err, t, config.timezone)));
  process.exitCode = 1;
} finally {
  closeDatabase(db);
}
