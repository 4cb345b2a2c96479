import { writeTransaction, type Db } from '../db/client.js';
import { checkItemIn, type CheckCtx } from '../shipping/checks.js';

/**
 * Outbound's verify view checks one scanned item (or the keyed count) of a packing order, in a write
 * transaction of its own, through the station's checks writer (shipping/checks.ts); what it counted.
 */
export function checkItemAtOutbound(db: Db, code: string, item: Parameters<typeof checkItemIn>[2], ctx: CheckCtx): ReturnType<typeof checkItemIn> {
  return writeTransaction(db, (tx) => checkItemIn(tx, code, item, ctx));
}
