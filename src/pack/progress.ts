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
  | { type: 'finished'; runId: number; result: PackRunResult }
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
  promoted: string[];
  /** `sku`, `need`, `available`: the line that stopped an order waiting for stock. */
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
