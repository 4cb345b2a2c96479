/**
 * npm run pack-script -- [--dry-run] [--batch-size N] [--verbose]
 * Runs the pack script once against DATABASE_PATH and prints the same summary as the Tools page.
 * Exit code 0 on success, 1 when the run failed or another run holds the lease.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { applyShopDefaults } from '../src/email/settings.js';
import { tEn } from '../src/i18n/index.js';
import { AppError } from '../src/errors.js';
import { localizedParams } from '../src/web/error-handler.js';
import { consoleLogger } from '../src/log.js';
import { runPackScript } from '../src/pack/run.js';

const { values } = parseArgs({
  options: { 'dry-run': { type: 'boolean', default: false }, 'batch-size': { type: 'string' }, verbose: { type: 'boolean', default: false } },
});
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
        if (e.type === 'started') out(`run ${e.runId}: ${e.total} candidate order(s)`);
        if (e.type === 'batch') out(`  ${e.done}/${e.total} examined · ${e.promoted} promoted · ${e.held} held`);
      },
    },
    { trigger: 'cli', dryRun: values['dry-run'], actor: { type: 'system', id: null, name: 'cli' }, batchSize },
  );
  out('');
  out(`${result.dryRun ? 'Dry run' : 'Run'} ${result.id} ${result.status}: ${result.examined} examined, ${result.promoted.length} promoted, ${result.held.length} held`);
  for (const [reason, count] of Object.entries(result.summary.held)) out(`  held, ${reason.replace('_', ' ')}: ${count}`);
  const short = Object.entries(result.summary.waitingForStock).sort((a, b) => b[1] - a[1]);
  if (short.length) out(`  waiting for stock: ${short.slice(0, 20).map(([sku, n]) => `${sku} (${n})`).join(', ')}${short.length > 20 ? ` and ${short.length - 20} more SKUs` : ''}`);
  if (result.status === 'failed') {
    out(`failed while ${result.errorStep}: ${result.error}`);
    process.exitCode = 1;
  }
} catch (err) {
  if (!(err instanceof AppError)) throw err;
  out(tEn(err.key, localizedParams(err, tEn, config.timezone)));
  process.exitCode = 1;
} finally {
  db.$client.close();
}
