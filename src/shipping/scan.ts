import { writeTransaction, type Db, type Tx } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { readOrderCode } from '../domain/order-code.js';
import { AppError } from '../errors.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { findStationOrder } from './repo/drafts.js';
import { checkItemIn, getVerificationMode, isItemScan, recordRefusedCheck } from './checks.js';
import { addParcelIn, cleanParcelId, type ParcelSource } from './drafts.js';
import { recordScanKey } from './repo/stations.js';
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

/**
 * One scan as the station's page sent it, once read (scanners/read.ts). `order` is the order the
 * page had open when the scan was made ('' for none): a scan sent later (from the device's queue
 * after an outage, or after a reload) goes to that order or nowhere.
 */
export interface ScanInput {
  value: string;
  source: ParcelSource;
  key?: string;
  order?: string;
}

/** Who scans: the user signed in and the station's name on this device. */
export interface ScanWho {
  userId: number;
  stationName: string;
}

/**
 * One scan at a packing station: an order's code opens the order here (refused when it is not
 * packing, on hold, or held by another station); anything else is a parcel ID for the order open
 * here. Saved before the answer, in a write transaction of its own, run at once: a packer waits
 * for this answer, so it does not wait for a group of other stations' scans to gather and commit
 * (docs/decisions.md, "A station scan commits alone"). `key`, given by the page for each scan,
 * makes a resent scan (after a lost answer, or from the offline queue) a no-op: the key is written
 * in the same transaction as the scan, so a refused scan leaves no key.
 */
export function stationScan(db: Db, who: ScanWho, input: ScanInput, ctx: { actor: Actor; now: Date }): ScanResult {
  const value = input.value.trim();
  // A ten-digit parcel ID that is no order's code is a parcel: only an existing order's code opens one.
  const reading = readOrderCode(value);
  // Set when the scan was an item check: its refusal is kept after the rollback of the scan.
  let checking: string | null = null;
  try {
    return writeTransaction(db, (tx) => scanIn(tx, reading, value, input, who, ctx, (code) => (checking = code)));
  } catch (err) {
    if (checking) recordRefusedCheck(db, checking, value, err, ctx);
    throw err;
  }
}

function scanIn(
  tx: Tx,
  reading: ReturnType<typeof readOrderCode>,
  value: string,
  input: ScanInput,
  who: ScanWho,
  ctx: { actor: Actor; now: Date },
  checking: (code: string) => void,
): ScanResult {
  const station = ensureStation(tx, who.userId, who.stationName, ctx.now);
  if (input.key && !recordScanKey(tx, station.id, input.key, ctx.now)) return { kind: 'resent', key: 'shipping.resent', params: { value }, opened: false };
  const order = reading.kind === 'valid' ? findStationOrder(tx, reading.code) : undefined;
  if (order) {
    if (order.status !== 'packing') throw new AppError('order_not_packing', 'shipping.notOnStation', { code: order.code, status: order.status });
    refuseIfOnHold(tx, order.id);
    openOrderAt(tx, station, order);
    return { kind: 'ok', key: 'shipping.selected', params: { code: order.code }, opened: true };
  }
  if (input.order !== undefined) refuseIfMeantElsewhere(value, input.order, station.currentCode);
  if (!station.currentCode) throw new AppError('validation_failed', 'shipping.selectFirst', { value });
  // With verification on, an item's barcode (or SKU) checks a unit of the open order.
  if (getVerificationMode(tx) !== 'off' && isItemScan(tx, value)) {
    checking(station.currentCode);
    const checked = checkItemIn(tx, station.currentCode, { barcode: value }, { ...ctx, station });
    return { kind: 'ok', key: 'shipping.checked', params: { ...checked, code: station.currentCode }, opened: false };
  }
  const parcelId = cleanParcelId(value);
  addParcelIn(tx, station.currentCode, parcelId, input.source, { ...ctx, station });
  return { kind: 'ok', key: 'shipping.parcelAdded', params: { parcelId, code: station.currentCode }, opened: false };
}

/**
 * A scan made for one order goes to that order only: when the station has another open now (a
 * takeover, a second device, a Report in meanwhile), or none, it is refused with both named.
 */
function refuseIfMeantElsewhere(value: string, meantFor: string, current: string | null): void {
  if ((current ?? '') === meantFor) return;
  if (!meantFor) throw new AppError('scan_meant_elsewhere', 'scan.queue.meantForNone', { value, current });
  if (!current) throw new AppError('scan_meant_elsewhere', 'scan.queue.meantForClosed', { value, order: meantFor });
  throw new AppError('scan_meant_elsewhere', 'scan.queue.meantFor', { value, order: meantFor, current });
}
