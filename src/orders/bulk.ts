import type { Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { AppError } from '../errors.js';
import { toAppError } from '../errors.js';
import { updateOrderDetails } from './edit.js';
import { changeStatus } from './service.js';

export const BULK_ACTIONS = ['custom_status', 'waiting_on', 'waiting_off', 'reviewed', 'approve', 'cancel'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const MAX_BULK = 500;

export interface BulkResult {
  done: string[];
  failed: { code: string; error: AppError }[];
}

/**
 * Applies one action to many orders, each in its own transaction with its own event: one order
 * that cannot be changed (a shipped order cannot be cancelled) does not stop the others, and the
 * result says which failed and why.
 */
export function applyBulk(
  db: Db,
  codes: string[],
  action: BulkAction,
  opts: { customStatus?: string | null; actor: Actor; now: Date; currency: string },
): BulkResult {
  const result: BulkResult = { done: [], failed: [] };
  for (const code of new Set(codes)) {
    try {
      switch (action) {
        case 'custom_status':
          updateOrderDetails(db, code, { customStatus: opts.customStatus ?? null }, opts);
          break;
        case 'waiting_on':
        case 'waiting_off':
          updateOrderDetails(db, code, { waiting: action === 'waiting_on' }, opts);
          break;
        case 'reviewed':
          updateOrderDetails(db, code, { reviewed: true }, opts);
          break;
        case 'approve':
          updateOrderDetails(db, code, { approved: true }, opts);
          break;
        case 'cancel':
          changeStatus(db, code, 'cancelled', { actor: opts.actor, now: opts.now, currency: opts.currency });
          break;
      }
      result.done.push(code);
    } catch (err) {
      const error = toAppError(err);
      if (error.code === 'internal') throw err;
      result.failed.push({ code, error });
    }
  }
  return result;
}
