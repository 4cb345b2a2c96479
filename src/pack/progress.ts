import type { HoldReason } from '../domain/allocation.js';
import type { OrderOutcome } from './steps.js';

/** What started a run; kept on its record. */
export type PackTrigger = 'cron' | 'manual' | 'cli' | 'api' | 'check';

/** What a run reports as it goes (PackScriptDeps.onProgress): the live view and the CLI show it. */
export type PackProgress =
  | { type: 'created'; runId: number }
  | { type: 'started'; runId: number; total: number }
  /** `orders`: the batch's last outcomes (at most LIVE_ORDERS in run.ts), for the live view; the run's record has them all. */
  | { type: 'batch'; runId: number; done: number; total: number; promoted: number; held: number; orders: OrderOutcome[] }
  /** `result` without the order lists: they are in the run's record (listSteps), and a large run's would cost every watcher a copy. */
  | { type: 'finished'; runId: number; result: PackRunReport }
  | { type: 'failed'; runId: number; error: string; step: string };

/** A finished run, as runPackScript returns it (and the live view's last event carries it). */
export interface PackRunResult {
  id: number;
  trigger: PackTrigger;
  dryRun: boolean;
  status: 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string;
  examined: number;
  promotedCount: number;
  heldCount: number;
  /** The orders promoted, in the rule's order; empty when the run was asked for no lists (`PackRunOptions.lists`). */
  promoted: string[];
  /** `sku`, `need`, `available`: the line that stopped an order waiting for stock. Empty when the run was asked for no lists. */
  held: { code: string; reason: string; detail: string; sku?: string; need?: number; available?: number | null }[];
  summary: PackSummary;
  error?: string;
  errorStep?: string;
}

export interface PackSummary {
  /** Held orders by reason. */
  held: Partial<Record<HoldReason | 'changed', number>>;
  /** Orders waiting for stock, by the SKU that stopped them. */
  waitingForStock: Record<string, number>;
  /** Longest single write transaction, ms. */
  longestWriteMs: number;
}

/**
 * A finished run as it reaches the server thread (runPackRun): its figures, with counts in place of
 * the order lists, which stay in the run's record (listSteps). A run over 100,000 candidates has
 * 100,000 outcomes: copying them from the worker and rebuilding them as objects would hold up the
 * server for about a second. `listsJson`, when the caller asked for it: the lists as the API's
 * JSON text, `{"promoted":[…],"held":[…]}`, built by the thread that ran the run.
 */
export interface PackRunReport extends Omit<PackRunResult, 'promoted' | 'held'> {
  listsJson?: string;
}

/** The report of a run's result; `withLists` adds the lists as JSON text (the run must have kept them). */
export function reportOf(result: PackRunResult, withLists = false): PackRunReport {
  const { promoted, held, ...figures } = result;
  return { ...figures, ...(withLists && { listsJson: JSON.stringify({ promoted, held }) }) };
}
