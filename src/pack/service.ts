import { runPackScript, type PackScriptDeps } from './run.js';
import type { PackRunResult } from './progress.js';
import { writeTransaction, type Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { appendOrderEvent } from '../events/repo.js';
import { loadOrder } from '../orders/service.js';
import type { Translate } from '../i18n/index.js';
import { AppError } from '../errors.js';
import { findRun, lastStep, listSteps, type PackRunRow } from './repo.js';
import { shortLine } from './steps.js';

/** A run as the API shows it: the summary, and the order lists while its details are kept. */
export function presentRun(db: Db, run: PackRunRow, withOrders: boolean) {
  const base = {
    id: run.id,
    trigger: run.trigger,
    dryRun: run.dryRun,
    status: run.status,
    startedBy: run.startedBy,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
    examined: run.examined,
    promotedCount: run.promoted,
    heldCount: run.held,
    summary: run.summary ?? {},
    error: run.error,
    errorStep: run.errorStep,
  };
  if (!withOrders) return base;
  const steps = listSteps(db, run.id, { limit: 1_000_000 });
  return {
    ...base,
    promoted: steps.filter((s) => s.outcome === 'promoted').map((s) => s.code),
    held: steps.filter((s) => s.outcome === 'held').map((s) => ({ code: s.code, reason: String(s.reason ?? ''), detail: s.detail, ...shortLine(s.lines) })),
    detailsKept: steps.length > 0 || run.examined === 0,
  };
}

export function getRun(db: Db, id: number): PackRunRow {
  const run = findRun(db, id);
  if (!run) throw new AppError('pack_run_not_found', 'errors.packRunNotFound', { id });
  return run;
}

/**
 * "Check now" for one order: the pack rule for that order alone (it is promoted if it passes), its
 * outcome written on the order's history.
 */
export async function checkOrder(
  deps: PackScriptDeps,
  code: string,
  actor: Actor,
): Promise<{ result: PackRunResult; outcome: { code: string; promoted: boolean; reason: string | null; detail: string; status: string } }> {
  const order = loadOrder(deps.db, code);
  const result = await runPackScript(deps, { trigger: 'check', dryRun: false, actor, orderId: order.id });
  if (result.status === 'failed') throw new Error(result.error);
  const promoted = result.promoted.includes(order.code);
  const held = result.held.find((h) => h.code === order.code);
  // Every order in status order is looked at (a waiting one is held `on_hold`); any other is not a candidate.
  const reason = promoted ? null : (held?.reason ?? `status_${order.status}`);
  const detail = promoted ? '' : (held?.detail ?? `the order is ${order.status}, only orders in status order are packed`);
  const short = held ? { sku: held.sku, need: held.need, available: held.available } : {};
  if (!promoted)
    writeTransaction(deps.db, (tx) =>
      appendOrderEvent(tx, order, 'pack_check', actor, deps.clock(), { outcome: 'held', reason, detail, runId: result.id, status: order.status, ...short }),
    );
  return { result, outcome: { code: order.code, promoted, reason, detail, status: promoted ? 'packing' : order.status, ...short } };
}

/** The most recent pack-script outcome recorded for an order, for its page. */
export function lastOutcome(db: Db, order: { code: string; createdAt: Date }) {
  const last = lastStep(db, order.code, order.createdAt);
  if (!last) return null;
  return { runId: last.runId, outcome: last.step.outcome, reason: last.step.reason, at: last.at, ...shortLine(last.step.lines) };
}

/** Why an order was held, in the reader's language ("waiting for stock: TENT-2 needs 3, 1 available"). */
export function holdText(
  t: Translate,
  hold: { reason: string | null; sku?: string | undefined; need?: number | undefined; available?: number | null | undefined; status?: string | undefined },
): string {
  if (!hold.reason) return '';
  if (hold.reason.startsWith('status_')) return t('pack.hold.status', { status: hold.reason.slice('status_'.length) });
  return t(`pack.hold.${hold.reason}`, { sku: hold.sku, need: hold.need, available: Math.max(hold.available ?? 0, 0) });
}
