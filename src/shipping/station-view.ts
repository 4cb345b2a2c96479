import type { MoneyParam } from '../i18n/numbers.js';
import { dueBeforeShipping, unpaidKey } from '../orders/payment-due.js';
import type { Db } from '../db/client.js';
import { COMMAND_KEYS } from '../domain/station-command.js';
import { holdReason } from '../domain/hold.js';
import { findOrderByCode } from '../orders/repo/orders.js';
import { getPackSettings } from '../pack/settings.js';
import { stationPrinterChoice, stationPrinterModel } from '../printers/service.js';
import { checkState, getVerificationMode, type VerificationMode } from './checks.js';
import { draftView, type DraftView } from './drafts.js';
import { findStationByName, listStationDrafts, stationQueue, type QueueRow, type StationDraftRow, type StationRow } from './repo/stations.js';
import { stationLabel } from './stations.js';

/** Orders shown in the station's queue: enough to see what comes next, small enough for a phone. */
export const QUEUE_LENGTH = 25;

/** The order open at the station, as its card shows it. */
export interface CurrentOrder {
  code: string;
  customerName: string;
  shipTo: string;
  priority: number;
  partlyShipped: boolean;
  /** Why the order is held (domain/hold.ts), when it is. */
  hold: string | null;
  /** An order paid before shipping that is short (orders/payment-due.ts): Report in refuses it unless let go. */
  unpaid: { key: string; code: string; due: MoneyParam; received: MoneyParam; total: MoneyParam; paymentMethod: string | null } | null;
  draft: DraftView;
  /** The newest parcel: what "Print label" prints. */
  lastParcel: string | null;
  /** Scan-to-verify, when it is on: units checked per SKU, and whether any check can be undone. */
  checks: { mode: VerificationMode; bySku: Record<string, { checked: number; of: number }>; any: boolean; complete: boolean } | null;
}

/** The station's page and the fragment a scan answers with. */
export interface StationModel {
  station: { name: string; label: string } | null;
  current: CurrentOrder | null;
  mine: (StationDraftRow & { current: boolean })[];
  /** Only when asked for (the page, or a scan that changed the queue). */
  queue: { rows: (QueueRow & { here: boolean })[]; total: number; more: boolean } | null;
  keys: typeof COMMAND_KEYS;
  /** The station's label printer (null: the PDF in the browser) and the page's printer chooser. */
  printer: { name: string } | null;
  labelPrinter: ReturnType<typeof stationPrinterModel> | null;
}

function currentOrder(db: Db, station: StationRow): CurrentOrder | null {
  if (!station.currentCode) return null;
  const order = findOrderByCode(db, station.currentCode);
  // An order unpacked or cancelled while open here is no longer on the station.
  if (!order || order.status !== 'packing') return null;
  const draft = draftView(db, order.code);
  const mode = getVerificationMode(db);
  let checks: CurrentOrder['checks'] = null;
  if (mode !== 'off') {
    const state = checkState(db, order.code);
    checks = {
      mode,
      bySku: Object.fromEntries(state.lines.map((l) => [l.sku, { checked: l.checked, of: l.quantity }])),
      any: state.checks.length > 0,
      complete: state.complete,
    };
  }
  return {
    code: order.code,
    customerName: order.customerName ?? '',
    shipTo: [order.shipPostalCode, order.shipCity, order.shipCountry].filter(Boolean).join(' '),
    priority: order.priority,
    partlyShipped: draft.lines.some((l) => l.shipped > 0),
    hold: holdReason({ waiting: order.waiting, approved: order.approved, paid: order.paid, paymentMethod: order.paymentMethod }, getPackSettings(db)),
    unpaid: unpaidOf(db, order),
    draft,
    lastParcel: draft.parcels.at(-1)?.parcelId ?? null,
    checks,
  };
}

/** What a short order owes, as the station says it (the same words as Report in's refusal). */
function unpaidOf(
  db: Db,
  order: { id: number; code: string; currency: string; total: number; paidAmount: number; paymentMethod: string | null },
): CurrentOrder['unpaid'] {
  const due = dueBeforeShipping(db, order.id);
  if (!due || due.mayShip) return null;
  const money = (minor: number): MoneyParam => ({ minor, currency: order.currency });
  return {
    key: unpaidKey(order.paymentMethod),
    code: order.code,
    due: money(due.due),
    received: money(order.paidAmount),
    total: money(order.total),
    paymentMethod: order.paymentMethod,
  };
}

/** Everything the station shows for this user and station name (a station not used yet shows empty). */
export function stationModel(db: Db, userId: number, stationName: string | null, { queue }: { queue: boolean }): StationModel {
  const station = stationName ? findStationByName(db, userId, stationName) : undefined;
  const current = station ? currentOrder(db, station) : null;
  const mine = station ? listStationDrafts(db, station.id).map((d) => ({ ...d, current: d.code === current?.code })) : [];
  let queueModel: StationModel['queue'] = null;
  if (queue) {
    const q = stationQueue(db, QUEUE_LENGTH, getPackSettings(db));
    queueModel = { total: q.total, more: q.more, rows: q.rows.map((r) => ({ ...r, here: station !== undefined && r.heldById === station.id })) };
  }
  const labelPrinter = stationName && queue ? stationPrinterModel(db, { userId, stationName }) : null;
  const chosen = stationName ? stationPrinterChoice(db, { userId, stationName }).printer : null;
  return {
    printer: chosen ? { name: chosen.name } : null,
    labelPrinter,
    station: stationName ? { name: stationName, label: station ? stationLabel(station) : stationName } : null,
    current,
    mine,
    queue: queueModel,
    keys: COMMAND_KEYS,
  };
}
