import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { flag, timestamp } from './common.js';

/** One run of the pack script, whoever started it. Summary columns are kept forever; steps are pruned. */
export const packRuns = sqliteTable(
  'pack_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** cron, manual, cli, api */
    trigger: text('trigger').notNull(),
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

/** What the run did for each order and step, for the live view and the run's detail page. */
export const packRunSteps = sqliteTable(
  'pack_run_steps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id')
      .notNull()
      .references(() => packRuns.id, { onDelete: 'cascade' }),
    orderCode: text('order_code'),
    step: text('step').notNull(),
    outcome: text('outcome').notNull(),
    /** Compact JSON written by jobs/pack-script.ts encodeStep; read with decodeStep. */
    detail: text('detail', { mode: 'json' }).$type<unknown>(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('pack_run_steps_run_idx').on(t.runId, t.id), index('pack_run_steps_order_idx').on(t.orderCode, t.id)],
);

/** A named lock with an expiry, so one pack run at a time across processes; a dead holder's lease runs out. */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  holderLabel: text('holder_label').notNull(),
  acquiredAt: timestamp('acquired_at').notNull(),
  expiresAt: timestamp('expires_at').notNull(),
});
