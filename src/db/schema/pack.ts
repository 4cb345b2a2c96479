import type { PackTrigger } from '../../pack/progress.js';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { flag, timestamp } from './common.js';

/** One run of the pack script, whoever started it. Summary columns are kept forever; steps are pruned. */
export const packRuns = sqliteTable(
  'pack_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** cron, manual, cli, api */
    trigger: text('trigger').$type<PackTrigger>().notNull(),
    dryRun: flag('dry_run').notNull().default(false),
    /** running, succeeded, failed, interrupted */
    status: text('status').notNull(),
    startedBy: text('started_by').notNull(),
    startedAt: timestamp('started_at').notNull(),
    finishedAt: timestamp('finished_at'),
    examined: integer('examined').notNull().default(0),
    promoted: integer('promoted').notNull().default(0),
    held: integer('held').notNull().default(0),
    /** JSON: held counts grouped by reason. */
    summary: text('summary', { mode: 'json' }).$type<Record<string, unknown>>(),
    error: text('error'),
    errorStep: text('error_step'),
  },
  (t) => [index('pack_runs_started_idx').on(t.startedAt)],
);

/**
 * What a run decided for each order, one row per written batch (a large run examines 100,000 orders:
 * a row per order would cost more than the promotions). `steps` is a JSON array with one compact
 * entry per order, written by src/pack/writer.ts with `encodeStep` and read with `decodeStep`; `codes`
 * holds the batch's order codes between spaces, so an order's latest outcome is found with instr().
 */
export const packRunBatches = sqliteTable(
  'pack_run_batches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id')
      .notNull()
      .references(() => packRuns.id, { onDelete: 'cascade' }),
    /** Position in the run of the batch's first order, from 0. */
    firstIndex: integer('first_index').notNull(),
    count: integer('count').notNull(),
    createdAt: timestamp('created_at').notNull(),
    // The two long texts last: SQLite reads the columns before them without walking their overflow pages.
    codes: text('codes').notNull(),
    steps: text('steps').notNull(),
  },
  (t) => [index('pack_run_batches_run_idx').on(t.runId, t.firstIndex)],
);

/** A named lock with an expiry, so one pack run at a time across processes; a dead holder's lease runs out. */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  holderLabel: text('holder_label').notNull(),
  acquiredAt: timestamp('acquired_at').notNull(),
  expiresAt: timestamp('expires_at').notNull(),
});
