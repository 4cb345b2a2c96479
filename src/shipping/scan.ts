import type { Db } from '../db/client.js';
import { groupCommit } from '../db/group-commit.js';
import type { Actor } from '../domain/actor.js';
import { readOrderCode } from '../domain/order-code.js';
import { AppError } from '../errors.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { findStationOrder } from './repo.js';
import { addParcelIn, cleanParcelId, type ParcelSource } from './drafts.js';
import { recordScanKey } from './station-repo.js';
import { ensureStation, openOrderAt } from './stations.js';

/** What a scan at a station did, in catalog words. */
export interface ScanResult {
  /** ok: done; resent: a scan sent again after a lost answer, already done once. */
  kind: 'ok' | 'resent';
  key: string;
  params: Record<string, unknown>;
  /** An order was opened: the queue changed. */
  opened: boolean;
}

/** Who scans: the user signed in and the station's name on this device. */
export interface ScanWho {
  userId: number;
  stationName: string;
}

/**
 * One scan at a packing station: an order's code opens the order here (refused when it is not
 * packing, on hold, or held by another station); anything else is a parcel ID for the order open
 * here. Saved before the answer, in the group commit with other stations' scans. `key`, given by
 * the page for each scan, makes a resent scan (after a lost answer, or from the offline queue) a
 * no-op: the key is written in the same savepoint as the scan, so a refused scan leaves no key.
 */
export function stationScan(db: Db, who: ScanWho, input: { value: string; source: ParcelSource; key?: string }, ctx: { actor: Actor; now: Date }): Promise<ScanResult> {
  const value = input.value.trim();
  // A ten-digit parcel ID that is no order's code is a parcel: only an existing order's code opens one.
  const reading = readOrderCode(value);
  return groupCommit(db).run((tx) => {
    const station = ensureStation(tx, who.userId, who.stationName, ctx.now);
    if (input.key && !recordScanKey(tx, station.id, input.key, ctx.now)) return { kind: 'resent', key: 'shipping.resent', params: { value }, opened: false };
    const order = reading.kind === 'valid' ? findStationOrder(tx, reading.code) : undefined;
    if (order) {
      if (order.status !== 'packing') throw new AppError('order_not_packing', 'shipping.notOnStation', { code: order.code, status: order.status });
      refuseIfOnHold(tx, order.id);
      openOrderAt(tx, station, order);
      return { kind: 'ok', key: 'shipping.selected', params: { code: order.code }, opened: true };
    }
    if (!station.currentCode) throw new AppError('validation_failed', 'shipping.selectFirst', { value });
    const parcelId = cleanParcelId(value);
    addParcelIn(tx, station.currentCode, parcelId, input.source, { ...ctx, station });
    return { kind: 'ok', key: 'shipping.parcelAdded', params: { parcelId, code: station.currentCode }, opened: false };
  });
}
