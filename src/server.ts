import { buildAppDeps, createApp } from './app.js';
import { ensureFirstAdmin } from './bootstrap.js';
import { loadConfig } from './config.js';
import { closeDatabase, migrateDatabase, openDatabase } from './db/client.js';
import { startBackgroundCheckpoints } from './db/checkpoints.js';
import { seedDemoData } from './demo/seed.js';
import { consoleLogger } from './log.js';
import { listen, serverTls } from './listen.js';
import { interruptDeadRuns } from './pack/run.js';
import { startPackSchedule } from '../jobs/schedule.js';
import { startWebhookLoop } from './webhooks/service.js';
import { startEmailLoop, smtpTransport } from './email/sender.js';
import { applyShopDefaults } from './email/settings.js';
import { PackRunHub } from './pack/live.js';

/** Opens the database, migrates, seeds, and listens. */
async function main() {
  const config = loadConfig();
  const log = consoleLogger();
  // Before the database: operator's certificate files that cannot be used stop the start with nothing changed.
  const tls = await serverTls(config, log);
  const clock = () => new Date();
  const db = openDatabase(config.databasePath);
  migrateDatabase(db);
  // The generated password: one block on stderr, apart from the JSON log lines on stdout (bootstrap.ts).
  await ensureFirstAdmin(db, config, clock(), log, (block) => process.stderr.write(block));
  // Before the demo data: its orders write e-mails in the shop's language.
  applyShopDefaults(db, config, clock());
  if (config.demoData) {
    const seeded = seedDemoData(db, { now: clock(), currency: config.currency });
    if (seeded) log.info('demo data added to the empty database', seeded);
  }
  // Runs left "running" by a process that died are marked interrupted, unless one is truly running.
  interruptDeadRuns(db, clock());
  // Checkpoints of the WAL in a thread of their own, not inside a request's commit (db/checkpoints.ts).
  const checkpoints =
    config.databasePath === ':memory:'
      ? null
      : startBackgroundCheckpoints(db, config.databasePath, { onError: (message) => log.warn('background checkpoint failed', { message }) });
  const packHub = new PackRunHub();
  const app = createApp(buildAppDeps({ db, config, clock, log, packHub }));
  if (config.schedule) {
    startPackSchedule({ db, clock, log, onProgress: packHub.publish });
    // Webhooks and e-mails: what is due is sent every second, after commit and off the request path.
    startWebhookLoop(db, clock, log);
    const transport = smtpTransport(config.smtpUrl);
    startEmailLoop(db, transport, config.mailFrom, clock, log);
    log.info(transport ? `e-mail through ${transport.describe}` : 'no SMTP_URL: e-mails are kept in the outbox, marked not sent');
  }
  const pruneSessions = setInterval(() => app.sessionStore.prune(), 60 * 60 * 1000);
  pruneSessions.unref();
  app.sessionStore.prune();

  // HTTP, and HTTPS beside it when HTTPS_PORT is set (phones open the camera only over HTTPS).
  const servers = await listen(app, config, log, tls);
  const stop = (signal: string) => {
    log.info('stopping', { signal });
    void servers.close().then(async () => {
      // Its connection first: the last one to close folds the WAL into the file.
      await checkpoints?.stop();
      closeDatabase(db);
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
