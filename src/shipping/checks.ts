import { z } from 'zod';
import { preparedFor, writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import { actorLabel, type Actor } from '../domain/actor.js';
import { gtinVariants, invalidScanParams, readItemScan, splitCount, type ItemScan } from '../domain/item-scan.js';
import { logOrderEvent } from '../events/repo.js';
import { AppError, fieldError } from '../errors.js';
import { refuseIfOnHold } from '../orders/hold.js';
import { resolveOrderCode } from '../orders/lookup.js';
import { settingsGroup } from '../settings/service.js';
import { findDraftId, findStationOrder, insertDraft } from './repo.js';
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

/** A product as a check finds it by barcode or SKU. */
interface ItemRow {
  id: number;
  sku: string;
  trackStock: number;
  barcode: string | null;
}

/** One line of the open delivery with what goes now and what is checked. */
export interface CheckLine {
  orderLineId: number;
  productId: number | null;
  sku: string;
  name: string;
  /** Units going in this delivery: the chosen quantity of a partial delivery, else all that remains. */
  quantity: number;
  /** Units not yet shipped: the most a line can have checked. */
  remaining: number;
  checked: number;
}

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

const stmts = preparedFor((sqlite) => ({
  byBarcode: sqlite.prepare('SELECT id, sku, track_stock AS trackStock, barcode FROM products WHERE barcode IN (SELECT value FROM json_each(?))'),
  bySku: sqlite.prepare('SELECT id, sku, track_stock AS trackStock, barcode FROM products WHERE sku = ? OR barcode = ?'),
  lines: sqlite.prepare(
    `SELECT l.id AS orderLineId, l.product_id AS productId, l.sku, l.name, l.quantity - l.shipped_quantity AS remaining,
            CASE WHEN d.partial = 1 THEN coalesce(dl.quantity, 0) ELSE l.quantity - l.shipped_quantity END AS quantity,
            coalesce((SELECT sum(c.quantity) FROM delivery_checks c WHERE c.delivery_id = d.id AND c.order_line_id = l.id), 0) AS checked
       FROM order_lines l
       LEFT JOIN deliveries d ON d.order_id = l.order_id AND d.status = 'draft'
       LEFT JOIN delivery_lines dl ON dl.delivery_id = d.id AND dl.order_line_id = l.id
      WHERE l.order_id = ? ORDER BY l.id`,
  ),
  checks: sqlite.prepare(
    `SELECT c.id, l.sku, c.quantity, c.barcode, c.batch, c.expiry, c.serial, c.checked_by AS checkedBy, c.created_at AS checkedAt
       FROM delivery_checks c JOIN order_lines l ON l.id = c.order_line_id WHERE c.delivery_id = ? ORDER BY c.id`,
  ),
  insert: sqlite.prepare(
    `INSERT INTO delivery_checks (delivery_id, order_line_id, quantity, barcode, gtin, batch, expiry, serial, station_id, checked_by, checked_by_user_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  find: sqlite.prepare('SELECT c.id, c.quantity, l.sku FROM delivery_checks c JOIN order_lines l ON l.id = c.order_line_id WHERE c.id = ? AND c.delivery_id = ?'),
  last: sqlite.prepare('SELECT max(id) FROM delivery_checks WHERE delivery_id = ?').pluck(),
  remove: sqlite.prepare('DELETE FROM delivery_checks WHERE id = ?'),
  refused: sqlite.prepare('INSERT INTO refused_checks (order_id, barcode, reason, user_id, checked_by, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
  /** Another order of this station (open here, or with a delivery here) that has the product. */
  otherOrder: sqlite.prepare(
    `SELECT o.code FROM orders o JOIN order_lines l ON l.order_id = o.id
      WHERE o.id <> ? AND o.status = 'packing' AND l.product_id = ? AND l.quantity > l.shipped_quantity
        AND (o.id IN (SELECT d.order_id FROM deliveries d WHERE d.station_id = ? AND d.status = 'draft')
             OR o.id IN (SELECT current_order_id FROM stations WHERE id = ?))
      LIMIT 1`,
  ).pluck(),
}));

/** The product a scan names, by GTIN (in any stored length) or by SKU / barcode text. */
function findItem(db: Db, scan: ItemScan): ItemRow | undefined {
  if (scan.kind === 'gtin') return stmts(db).byBarcode.get(JSON.stringify(gtinVariants(scan.gtin))) as ItemRow | undefined;
  if (scan.kind === 'text') return stmts(db).bySku.get(scan.text, scan.text) as ItemRow | undefined;
  return undefined;
}

/**
 * A keyed count in front of a code ("5*7350053850019"), unless the whole text is a product's SKU or
 * barcode: "3XL-TEE" is that shirt, not 3 × "L-TEE".
 */
function countedScan(db: Db, input: string): { quantity: number; code: string } {
  const whole = input.trim();
  const counted = splitCount(whole);
  if (counted.code !== whole && findItem(db, readItemScan(whole))) return { quantity: 1, code: whole };
  return counted;
}

/**
 * Whether a station scan is an item to check rather than a parcel ID: a GS1 element string (it
 * names its GTIN with (01), so it is an item even when no product has it), or a GTIN, SKU or
 * barcode that a product has. A bare number that no product has stays a parcel ID: carriers' numeric
 * tracking numbers pass a GS1 check digit one time in ten. Only asked when verification is on.
 */
export function isItemScan(db: Db, input: string): boolean {
  const code = countedScan(db, input).code;
  const scan = readItemScan(code);
  if (scan.kind === 'gtin' && !/^\d+$/.test(code)) return true;
  if (scan.kind === 'invalid') return !/^\d+$/.test(code);
  return findItem(db, scan) !== undefined;
}

function checkLines(db: Db, orderId: number): CheckLine[] {
  return stmts(db).lines.all(orderId) as CheckLine[];
}

/** The open delivery's lines and checks. */
export function checkState(db: Db, code: string): CheckState {
  const order = findStationOrder(db, resolveOrderCode(code));
  if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code });
  const deliveryId = findDraftId(db, order.id) ?? null;
  const lines = checkLines(db, order.id).filter((l) => l.remaining > 0);
  const checks = deliveryId === null ? [] : (stmts(db).checks.all(deliveryId) as (Omit<CheckRecord, 'checkedAt'> & { checkedAt: number })[]);
  return {
    orderCode: order.code,
    deliveryId,
    mode: getVerificationMode(db),
    lines,
    checks: checks.map((c) => ({ ...c, checkedAt: new Date(c.checkedAt).toISOString() })),
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

function refusal(code: 'item_not_on_order' | 'item_over_quantity' | 'barcode_unknown' | 'item_on_other_order' | 'item_not_tracked', key: string, params: Record<string, unknown>): AppError {
  return new AppError(code, key, params, params);
}

/** The write of one check; call inside a transaction. Returns the SKU and units counted. */
export function checkItemIn(tx: Tx, code: string, input: { barcode: string; quantity?: number }, ctx: CheckCtx): { sku: string; quantity: number; checked: number; of: number } {
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
  if (scan.kind === 'invalid') throw refusal('barcode_unknown', scan.reason === 'check_digit' ? 'errors.check.checkDigit' : 'errors.check.unreadable', { barcode, ...invalidScanParams(scan) });
  const item = findItem(tx, scan);
  if (!item) throw refusal('barcode_unknown', 'errors.check.unknown', { barcode });
  if (!item.trackStock) throw refusal('item_not_tracked', 'errors.check.notTracked', { barcode, sku: item.sku });
  const line = checkLines(tx, order.id).find((l) => (l.productId !== null ? l.productId === item.id : l.sku === item.sku) && l.remaining > 0);
  if (!line) {
    const other = ctx.station ? (stmts(tx).otherOrder.get(order.id, item.id, ctx.station.id, ctx.station.id) as string | undefined) : undefined;
    if (other) throw refusal('item_on_other_order', 'errors.check.otherOrder', { barcode, sku: item.sku, code: order.code, otherCode: other });
    throw refusal('item_not_on_order', 'errors.check.notOnOrder', { barcode, sku: item.sku, code: order.code });
  }
  if (line.checked + quantity > line.remaining) {
    throw refusal('item_over_quantity', 'errors.check.overQuantity', { barcode, sku: line.sku, checked: line.checked, of: line.remaining, quantity });
  }
  const deliveryId = findDraftId(tx, order.id) ?? insertDraft(tx, order.id, ctx.station?.id ?? null, ctx.now);
  const gtin = scan.kind === 'gtin' ? scan : undefined;
  stmts(tx).insert.run(
    deliveryId,
    line.orderLineId,
    quantity,
    input.barcode,
    gtin?.gtin ?? null,
    gtin?.batch ?? null,
    gtin?.expiry ?? null,
    gtin?.serial ?? null,
    ctx.station?.id ?? null,
    actorLabel(ctx.actor),
    ctx.actor.type === 'user' ? ctx.actor.id : null,
    ctx.now.getTime(),
  );
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
    stmts(tx).refused.run(order?.id ?? null, barcode, err.code, ctx.actor.type === 'user' ? ctx.actor.id : null, actorLabel(ctx.actor), ctx.now.getTime());
  });
}

/**
 * One check in its own transaction (the API). A refusal changes nothing, as every refused API call:
 * the mis-pick figures count the packers' scans at the stations (scan.ts keeps those).
 */
export function checkItem(db: Db, code: string, input: { barcode: string; quantity?: number }, ctx: CheckCtx): CheckState {
  writeTransaction(db, (tx) => checkItemIn(tx, code, input, ctx));
  return checkState(db, code);
}

/** Undoes a check (by id, else the order's last one); logged. */
export function undoCheck(db: Db, code: string, id: number | 'last', ctx: CheckCtx): { sku: string; quantity: number } {
  return writeTransaction(db, (tx) => {
    const order = findStationOrder(tx, resolveOrderCode(code));
    if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code });
    refuseIfHeldElsewhere(tx, order, ctx);
    const deliveryId = findDraftId(tx, order.id);
    const checkId = id === 'last' ? (deliveryId === undefined ? null : (stmts(tx).last.get(deliveryId) as number | null)) : id;
    const found = checkId === null || deliveryId === undefined ? undefined : (stmts(tx).find.get(checkId, deliveryId) as { id: number; quantity: number; sku: string } | undefined);
    if (!found) throw new AppError('check_not_found', 'errors.check.notFound', { code: order.code });
    stmts(tx).remove.run(found.id);
    logOrderEvent(tx, order, 'check_undone', ctx.actor, ctx.now.getTime(), { sku: found.sku, quantity: found.quantity });
    return { sku: found.sku, quantity: found.quantity };
  });
}

/**
 * The verification rule, for the writer that ships: with "required", every unit going in the
 * delivery must be checked, else `delivery_not_verified` naming the lines. Call inside the
 * transaction that ships; `going` is what the delivery ships by order line.
 */
export function refuseIfNotVerified(tx: Tx, order: { id: number; code: string }, deliveryId: number | null, going: { orderLineId: number; sku: string; quantity: number }[]): void {
  if (getVerificationMode(tx) !== 'required') return;
  const checked = new Map<number, number>();
  if (deliveryId !== null) for (const l of checkLines(tx, order.id)) checked.set(l.orderLineId, l.checked);
  const short = going.filter((g) => (checked.get(g.orderLineId) ?? 0) < g.quantity).map((g) => ({ sku: g.sku, checked: checked.get(g.orderLineId) ?? 0, of: g.quantity }));
  if (short.length) {
    throw new AppError('delivery_not_verified', 'errors.check.notVerified', { code: order.code, lines: short.map((s) => `${s.sku} ${s.checked}/${s.of}`).join(', ') }, { lines: short });
  }
}

/** The units a delivery ships that are not checked yet (for "warn"), by SKU. */
export function uncheckedUnits(db: Db, orderId: number): { sku: string; checked: number; of: number }[] {
  return checkLines(db, orderId)
    .filter((l) => l.quantity > 0 && l.checked < l.quantity)
    .map((l) => ({ sku: l.sku, checked: l.checked, of: l.quantity }));
}

/** "Ship what is checked": the checked units become the delivery's quantities (a partial delivery). */
export function checkedQuantities(db: Db, orderId: number): { sku: string; quantity: number }[] {
  return checkLines(db, orderId)
    .filter((l) => l.remaining > 0)
    .map((l) => ({ sku: l.sku, quantity: l.checked }));
}
