import { z } from 'zod';
import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import { gtinVariants, invalidScanParams, readItemScan, splitCount, type ItemScan } from '../domain/item-scan.js';
import { logOrderEvent } from '../events/repo.js';
import { AppError, fieldError } from '../errors.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { resolveOrderCode } from '../orders/lookup.js';
import { settingsGroup } from '../settings/service.js';
import { findDraftId, findStationOrder, insertDraft } from './repo/drafts.js';
import {
  checkLines,
  deleteCheck,
  findCheck,
  findItemByBarcodes,
  findItemBySkuOrBarcode,
  insertCheck,
  insertRefusedCheck,
  lastCheckId,
  listChecks,
  otherStationOrderWith,
  type CheckLineRow,
  type ItemRow,
} from './repo/checks.js';
import { claimOrder, refuseIfAtStation, type StationRow } from './stations.js';

// Scan-to-verify: each unit packed is checked by scanning its barcode (or SKU) before the parcel
// closes. A check counts units of one order line into the order's open delivery; a wrong item or one
// too many is refused at once, with the reason, and the refusal is kept (the mis-pick rate). With
// verification "required", shipDelivery refuses a delivery whose units are not all checked.

export const VERIFICATION_MODES = ['off', 'warn', 'required'] as const;
export type VerificationMode = (typeof VERIFICATION_MODES)[number];
const verificationSchema = z.object({ mode: z.enum(VERIFICATION_MODES) });
const group = settingsGroup('verification', verificationSchema, { mode: 'off' });

export const getVerificationMode = (conn: Conn): VerificationMode => group.get(conn).mode;
export const putVerificationMode = (db: Db, mode: VerificationMode, now: Date, by: string): void => group.put(db, { mode }, now, by);

/** One line of the open delivery: what goes now (`quantity`), what remains unshipped, what is checked. */
export type CheckLine = CheckLineRow;

export interface CheckRecord {
  id: number;
  sku: string;
  quantity: number;
  barcode: string;
  batch: string | null;
  expiry: string | null;
  serial: string | null;
  checkedBy: string;
  checkedAt: string;
}

/** The open delivery's check state, as the station and the API show it. */
export interface CheckState {
  orderCode: string;
  deliveryId: number | null;
  mode: VerificationMode;
  lines: CheckLine[];
  checks: CheckRecord[];
  /** Every unit going now is checked. */
  complete: boolean;
}

/** The product a scan names, by GTIN (in any stored length) or by SKU / barcode text. */
function findItem(conn: Conn, scan: ItemScan): ItemRow | undefined {
  if (scan.kind === 'gtin') return findItemByBarcodes(conn, gtinVariants(scan.gtin));
  if (scan.kind === 'text') return findItemBySkuOrBarcode(conn, scan.text);
  return undefined;
}

/**
 * A keyed count in front of a code ("5*7350053850019"), unless the whole text is a product's SKU or
 * barcode: "3XL-TEE" is that shirt, not 3 × "L-TEE".
 */
function countedScan(conn: Conn, input: string): { quantity: number; code: string } {
  const whole = input.trim();
  const counted = splitCount(whole);
  if (counted.code !== whole && findItem(conn, readItemScan(whole))) return { quantity: 1, code: whole };
  return counted;
}

/**
 * Whether a station scan is an item to check rather than a parcel ID: a GS1 element string (it
 * names its GTIN with (01), so it is an item even when no product has it), or a GTIN, SKU or
 * barcode that a product has. A bare number that no product has stays a parcel ID: carriers' numeric
 * tracking numbers pass a GS1 check digit one time in ten. Only asked when verification is on.
 */
export function isItemScan(conn: Conn, input: string): boolean {
  const code = countedScan(conn, input).code;
  const scan = readItemScan(code);
  if (scan.kind === 'gtin' && !/^\d+$/.test(code)) return true;
  if (scan.kind === 'invalid') return !/^\d+$/.test(code);
  return findItem(conn, scan) !== undefined;
}

/** The open delivery's lines and checks. */
export function checkState(conn: Conn, code: string): CheckState {
  const order = findStationOrder(conn, resolveOrderCode(code));
  if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code });
  const deliveryId = findDraftId(conn, order.id) ?? null;
  const lines = checkLines(conn, order.id).filter((l) => l.remaining > 0);
  const checks = deliveryId === null ? [] : listChecks(conn, deliveryId);
  return {
    orderCode: order.code,
    deliveryId,
    mode: getVerificationMode(conn),
    lines,
    checks: checks.map((c) => ({ ...c, checkedAt: c.checkedAt.toISOString() })),
    complete: lines.every((l) => l.checked >= l.quantity),
  };
}

export interface CheckCtx {
  actor: Actor;
  now: Date;
  /** The packing station checking: the order must be free or its own (claimOrder). */
  station?: StationRow;
  /**
   * Outbound's verify view: it has no station, so an order any station holds is refused
   * (`order_at_station`) until taken over. The API has neither and checks any open delivery.
   */
  outbound?: true;
}

/** The station rule for the writer checking: a station claims the order, Outbound needs it free of stations. */
function refuseIfHeldElsewhere(tx: Tx, order: { id: number; code: string }, ctx: CheckCtx): void {
  if (ctx.station) claimOrder(tx, ctx.station, order);
  else if (ctx.outbound) refuseIfAtStation(tx, order);
}

function refusal(
  code: 'item_not_on_order' | 'item_over_quantity' | 'barcode_unknown' | 'item_on_other_order' | 'item_not_tracked',
  key: string,
  params: Record<string, unknown>,
): AppError {
  return new AppError(code, key, params, params);
}

/** The write of one check; call inside a transaction. Returns the SKU and units counted. */
export function checkItemIn(
  tx: Tx,
  code: string,
  input: { barcode: string; quantity?: number },
  ctx: CheckCtx,
): { sku: string; quantity: number; checked: number; of: number } {
  const counted = countedScan(tx, input.barcode);
  const quantity = input.quantity ?? counted.quantity;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 999) throw fieldError('quantity', 'validation.checkQuantity');
  const barcode = counted.code;
  const order = findStationOrder(tx, resolveOrderCode(code));
  if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code });
  if (order.status !== 'packing') throw new AppError('order_not_packing', 'errors.parcelNeedsPacking', { code: order.code, status: order.status });
  refuseIfOnHold(tx, order.id);
  refuseIfHeldElsewhere(tx, order, ctx);

  const scan = readItemScan(barcode);
  if (scan.kind === 'invalid')
    throw refusal('barcode_unknown', scan.reason === 'check_digit' ? 'errors.check.checkDigit' : 'errors.check.unreadable', {
      barcode,
      ...invalidScanParams(scan),
    });
  const item = findItem(tx, scan);
  if (!item) throw refusal('barcode_unknown', 'errors.check.unknown', { barcode });
  if (!item.trackStock) throw refusal('item_not_tracked', 'errors.check.notTracked', { barcode, sku: item.sku });
  const line = checkLines(tx, order.id).find((l) => (l.productId !== null ? l.productId === item.id : l.sku === item.sku) && l.remaining > 0);
  if (!line) {
    const other = ctx.station ? otherStationOrderWith(tx, order.id, item.id, ctx.station.id) : undefined;
    if (other) throw refusal('item_on_other_order', 'errors.check.otherOrder', { barcode, sku: item.sku, code: order.code, otherCode: other });
    throw refusal('item_not_on_order', 'errors.check.notOnOrder', { barcode, sku: item.sku, code: order.code });
  }
  if (line.checked + quantity > line.remaining) {
    throw refusal('item_over_quantity', 'errors.check.overQuantity', { barcode, sku: line.sku, checked: line.checked, of: line.remaining, quantity });
  }
  const deliveryId = findDraftId(tx, order.id) ?? insertDraft(tx, order.id, ctx.station?.id ?? null, ctx.now);
  const gtin = scan.kind === 'gtin' ? scan : undefined;
  insertCheck(tx, {
    deliveryId,
    orderLineId: line.orderLineId,
    quantity,
    barcode: input.barcode,
    gtin: gtin?.gtin ?? null,
    batch: gtin?.batch ?? null,
    expiry: gtin?.expiry ?? null,
    serial: gtin?.serial ?? null,
    stationId: ctx.station?.id ?? null,
    checkedBy: actorLabel(ctx.actor),
    checkedByUserId: ctx.actor.type === 'user' ? ctx.actor.id : null,
    createdAt: ctx.now,
  });
  logOrderEvent(tx, order, 'item_checked', ctx.actor, ctx.now.getTime(), {
    sku: line.sku,
    quantity,
    barcode: input.barcode,
    ...(gtin?.batch && { batch: gtin.batch }),
    ...(gtin?.expiry && { expiry: gtin.expiry }),
    ...(gtin?.serial && { serial: gtin.serial }),
  });
  return { sku: line.sku, quantity, checked: line.checked + quantity, of: line.quantity };
}

const REFUSALS_KEPT = new Set(['item_not_on_order', 'item_over_quantity', 'barcode_unknown', 'item_on_other_order', 'item_not_tracked']);

/**
 * Keeps a refused item scan (who, which barcode, why) in a transaction of its own: the scan's own
 * writes were rolled back, the refusal still counts in the mis-pick figures.
 */
export function recordRefusedCheck(db: Db, code: string, barcode: string, err: unknown, ctx: CheckCtx): void {
  if (!(err instanceof AppError) || !REFUSALS_KEPT.has(err.code)) return;
  writeTransaction(db, (tx) => {
    const order = findStationOrder(tx, code);
    insertRefusedCheck(tx, {
      orderId: order?.id ?? null,
      barcode,
      reason: err.code,
      userId: ctx.actor.type === 'user' ? ctx.actor.id : null,
      checkedBy: actorLabel(ctx.actor),
      createdAt: ctx.now,
    });
  });
}

/**
 * One check in its own transaction (the API, Outbound's verify view); what it counted. A refusal
 * changes nothing: the mis-pick figures count the packers' scans at the stations (scan.ts keeps those).
 */
export function checkOneItem(db: Db, code: string, input: Parameters<typeof checkItemIn>[2], ctx: CheckCtx): ReturnType<typeof checkItemIn> {
  return writeTransaction(db, (tx) => checkItemIn(tx, code, input, ctx));
}

/** One check (checkOneItem), answered with the order's checks as they stand after it (the API). */
export function checkItem(db: Db, code: string, input: { barcode: string; quantity?: number }, ctx: CheckCtx): CheckState {
  checkOneItem(db, code, input, ctx);
  return checkState(db, code);
}

/** Undoes a check (by id, else the order's last one); logged. */
export function undoCheck(db: Db, code: string, id: number | 'last', ctx: CheckCtx): { sku: string; quantity: number } {
  return writeTransaction(db, (tx) => {
    const order = findStationOrder(tx, resolveOrderCode(code));
    if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code });
    refuseIfHeldElsewhere(tx, order, ctx);
    const deliveryId = findDraftId(tx, order.id);
    const checkId = id === 'last' ? (deliveryId === undefined ? null : lastCheckId(tx, deliveryId)) : id;
    const found = checkId === null || deliveryId === undefined ? undefined : findCheck(tx, checkId, deliveryId);
    if (!found) throw new AppError('check_not_found', 'errors.check.notFound', { code: order.code });
    deleteCheck(tx, found.id);
    logOrderEvent(tx, order, 'check_undone', ctx.actor, ctx.now.getTime(), { sku: found.sku, quantity: found.quantity });
    return { sku: found.sku, quantity: found.quantity };
  });
}

/**
 * The verification rule, for the writer that ships: with "required", every unit going in the
 * delivery must be checked, else `delivery_not_verified` naming the lines. Call inside the
 * transaction that ships; `going` is what the delivery ships by order line.
 */
export function refuseIfNotVerified(
  tx: Tx,
  order: { id: number; code: string },
  deliveryId: number | null,
  going: { orderLineId: number; sku: string; quantity: number }[],
): void {
  if (getVerificationMode(tx) !== 'required') return;
  const checked = new Map<number, number>();
  if (deliveryId !== null) for (const l of checkLines(tx, order.id)) checked.set(l.orderLineId, l.checked);
  const short = going
    .filter((g) => (checked.get(g.orderLineId) ?? 0) < g.quantity)
    .map((g) => ({ sku: g.sku, checked: checked.get(g.orderLineId) ?? 0, of: g.quantity }));
  if (short.length) {
    throw new AppError(
      'delivery_not_verified',
      'errors.check.notVerified',
      { code: order.code, lines: short.map((s) => `${s.sku} ${s.checked}/${s.of}`).join(', ') },
      { lines: short },
    );
  }
}

/** The units a delivery ships that are not checked yet (for "warn"), by SKU. */
export function uncheckedUnits(conn: Conn, orderId: number): { sku: string; checked: number; of: number }[] {
  return checkLines(conn, orderId)
    .filter((l) => l.quantity > 0 && l.checked < l.quantity)
    .map((l) => ({ sku: l.sku, checked: l.checked, of: l.quantity }));
}

/** "Ship what is checked": the checked units become the delivery's quantities (a partial delivery). */
export function checkedQuantities(conn: Conn, orderId: number): { sku: string; quantity: number }[] {
  return checkLines(conn, orderId)
    .filter((l) => l.remaining > 0)
    .map((l) => ({ sku: l.sku, quantity: l.checked }));
}
