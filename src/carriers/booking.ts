import { randomUUID } from 'node:crypto';
import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import { logOrderEvent } from '../events/repo.js';
import { AppError } from '../errors.js';
import { tEn } from '../i18n/index.js';
import { carrierProblemWords } from '../i18n/refusal.js';
import { findOrderByCodeOrThrow } from '../orders/lookup.js';
import { openForBooking, refuseBeforeAsking, recordBookedParcels, removeBookedParcels, type StationCtx } from '../shipping/drafts.js';
import { findDraftId } from '../shipping/repo/drafts.js';
import type { MethodRow } from './repo.js';
import {
  adoptBooking,
  bookingsOfDelivery,
  bookingsOfOrder,
  finishBooking,
  findAccount,
  findBooking,
  insertBooking,
  insertLabel,
  lastAttempt,
  parcelsOfBooking,
  type AccountRow,
  type BookingRow,
  type BookingStatus,
} from './repo.js';
import { carrierDefinition } from './registry.js';
import type { CredentialBox } from './secrets.js';
import { CarrierError, type Booking, type BookingRequest, type CarrierAdapter, type CarrierProblem } from './types.js';

// Booking a delivery with its carrier, once whatever happens. Carriers take no idempotency key, so
// every attempt is recorded (pending, with our own reference) in a commit of its own before the
// carrier is called; an attempt whose answer was lost (`unknown`), or whose process died in the
// call (a pending attempt no live process owns), is looked up by its reference before anything is
// booked again. At most one attempt is pending per delivery (a unique index), so a double press or
// a second station waits for the first. Every call is in the order's history: carrier, reference,
// result and duration, never the credentials.

/** What booking needs besides the database: the credentials' key and how long a call may take. */
export interface CarrierDeps {
  box: CredentialBox;
  timeoutMs: number;
}

/**
 * How long after an attempt started a lookup's "not found" is believed: a carrier may still be
 * making a booking whose answer was lost (a timeout does not stop it), and a lookup that comes too
 * soon must not let the same parcels be booked again.
 */
export function lookupGraceMs(deps: CarrierDeps): number {
  return 3 * deps.timeoutMs;
}

/** This process, as it signs the attempts it makes: a pending attempt of another, dead process was cut off. */
const OWNER = `${process.pid}:${randomUUID()}`;

/** Whether a pending attempt may still be in a carrier call: its process is alive, and the call's time is not over. */
function mayBeInFlight(b: BookingRow, deps: CarrierDeps, now: Date): boolean {
  // Twice the call's timeout: the book call and the lookup after a lost answer.
  if (now.getTime() - b.startedAt.getTime() > 2 * deps.timeoutMs + 5000) return false;
  if (b.owner === OWNER) return true;
  const pid = Number(b.owner.split(':')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err instanceof Error && 'code' in err && err.code === 'EPERM';
  }
}

export type BookingResult = {
  /** `booked`: a new booking; `found`: one an earlier call made, found by its reference. */
  how: 'booked' | 'found';
  code: string;
  bookingId: number;
  carrier: string;
  parcels: { parcelId: string; trackingUrl: string | null }[];
  labelFormats: string[];
};

interface Call {
  db: Db;
  deps: CarrierDeps;
  ctx: StationCtx;
  account: AccountRow;
  adapter: CarrierAdapter;
}

/** The account's adapter, its credentials opened only here, in memory. */
export function adapterFor(account: AccountRow, box: CredentialBox): CarrierAdapter {
  const definition = carrierDefinition(account.kind);
  return definition.create({
    baseUrl: account.baseUrl ?? definition.defaultBaseUrl(account.test),
    credentials: box.open(account.credentials),
    test: account.test,
  });
}

/**
 * "Fetch parcel ID" for an order whose shipping method books with a carrier: `count` parcels
 * (default: the open slots not yet filled) booked on its open delivery, with their labels.
 */
export async function bookDelivery(
  db: Db,
  deps: CarrierDeps,
  code: string,
  method: Pick<MethodRow, 'name' | 'carrierAccountId' | 'service'>,
  count: number | undefined,
  ctx: StationCtx,
): Promise<BookingResult> {
  const order = findOrderByCodeOrThrow(db, code);
  if (order.status !== 'packing') throw new AppError('order_not_packing', 'errors.parcelNeedsPacking', { code: order.code, status: order.status });
  // Before the carrier is asked: a held order books nothing, and an order at another station is theirs.
  refuseBeforeAsking(db, order, ctx);
  const account = method.carrierAccountId === null ? undefined : findAccount(db, method.carrierAccountId);
  if (!account || !method.service) throw new AppError('carrier_refused', 'errors.carrierNotSetUp', { method: method.name });
  const call: Call = { db, deps, ctx, account, adapter: adapterFor(account, deps.box) };

  // What an earlier call left open is settled first: found at the carrier, it is this press's answer.
  const draftId = findDraftId(db, order.id);
  if (draftId !== undefined) {
    const found = await settleOpenAttempts(call, draftId);
    if (found) return found;
  }

  const attempt = writeTransaction(db, (tx) => {
    const open = openForBooking(tx, order.code, count, ctx);
    const next = lastAttempt(tx, open.deliveryId) + 1;
    try {
      return insertBooking(
        tx,
        {
          orderId: open.order.id,
          deliveryId: open.deliveryId,
          accountId: account.id,
          carrierKind: account.kind,
          service: method.service!,
          reference: `${open.order.code}-${open.deliveryId}-${next}`,
          attempt: next,
          parcelCount: open.count,
          owner: OWNER,
          createdBy: ctx.actor.name,
        },
        ctx.now,
      );
    } catch (err) {
      if (err instanceof Error && /UNIQUE constraint failed: carrier_bookings\.delivery_id/.test(err.message)) throw inProgress(order.code);
      throw err;
    }
  });

  const request: BookingRequest = {
    reference: attempt.reference,
    orderCode: order.code,
    service: attempt.service,
    sender: {
      name: account.senderName,
      line1: account.senderLine1,
      line2: account.senderLine2,
      postalCode: account.senderPostalCode,
      city: account.senderCity,
      country: account.senderCountry,
      phone: account.senderPhone,
      email: account.senderEmail,
    },
    recipient: {
      name: order.customerName ?? '',
      line1: order.shipLine1 ?? '',
      line2: order.shipLine2,
      postalCode: order.shipPostalCode ?? '',
      city: order.shipCity ?? '',
      country: order.shipCountry ?? '',
      phone: order.customerPhone,
      email: order.customerEmail,
    },
    parcels: Array.from({ length: attempt.parcelCount }, () => ({ weightGrams: account.parcelWeightGrams })),
    labelFormat: account.labelFormat,
    test: account.test,
  };

  const started = Date.now();
  let booking: Booking;
  try {
    booking = await call.adapter.book(request, { signal: AbortSignal.timeout(deps.timeoutMs) });
  } catch (err) {
    const failure = asCarrierError(err);
    settle(call, attempt, 'pending', failure.failure === 'unknown' ? 'unknown' : failure.failure === 'refused' ? 'refused' : 'not_booked', {
      call: 'book',
      durationMs: Date.now() - started,
      failure,
    });
    if (failure.failure !== 'unknown') throw refusal(account, failure);
    // The answer was lost: the carrier may have booked. Look it up now, so the packer rarely has to press again.
    const found = await lookUp(call, attempt);
    if (found) return found;
    throw new AppError('carrier_answer_lost', 'errors.carrierAnswerLost', {
      carrier: carrierDefinition(account.kind).name,
      message: problemText(failure.problems),
    });
  }
  return adopt(call, attempt, 'pending', booking, { call: 'book', durationMs: Date.now() - started }, 'booked');
}

/** A booking of the delivery is in a carrier call now. */
function inProgress(code: string): AppError {
  return new AppError('booking_in_progress', 'errors.bookingInProgress', { code });
}

/**
 * Settles the delivery's attempts that may have booked: one in flight refuses this press; an
 * `unknown` one, or a pending one cut off by a restart, is looked up by its reference. Found, it is
 * the booking (returned); not found, it is `not_booked`, and a new attempt may go.
 */
async function settleOpenAttempts(call: Call, deliveryId: number): Promise<BookingResult | null> {
  for (const b of bookingsOfDelivery(call.db, deliveryId)) {
    if (b.status !== 'pending' && b.status !== 'unknown') continue;
    if (b.status === 'pending' && mayBeInFlight(b, call.deps, call.ctx.now)) throw inProgress(orderCodeOf(b));
    const found = await lookUp(call, b);
    if (found) return found;
  }
  return null;
}

/** Looks an attempt up at the carrier by its reference: found, it is adopted; not found, it is `not_booked`; a failed lookup changes nothing. */
async function lookUp(call: Call, before: BookingRow): Promise<BookingResult | null> {
  const started = Date.now();
  // As it stands now (the failed call just settled it `unknown`).
  const attempt = findBooking(call.db, before.id) ?? before;
  // The account the attempt was made with (a method remapped since does not move it).
  const account = attempt.accountId === call.account.id ? call.account : findAccount(call.db, attempt.accountId);
  const adapter = account === call.account || !account ? call.adapter : adapterFor(account, call.deps.box);
  const lookupCall: Call = { ...call, account: account ?? call.account, adapter };
  let found: Booking | null;
  try {
    found = await adapter.findByReference(attempt.reference, { signal: AbortSignal.timeout(call.deps.timeoutMs) });
  } catch (err) {
    const failure = asCarrierError(err);
    logCall(call.db, attempt, lookupCall.account, call.ctx, {
      call: 'lookup',
      result: failure.failure,
      durationMs: Date.now() - started,
      problem: problemText(failure.problems),
    });
    throw new AppError('carrier_answer_lost', 'errors.carrierLookupFailed', {
      carrier: carrierDefinition(lookupCall.account.kind).name,
      reference: attempt.reference,
      message: problemText(failure.problems),
    });
  }
  const from: BookingStatus = attempt.status === 'pending' ? 'pending' : 'unknown';
  if (found) return adopt(lookupCall, attempt, from, found, { call: 'lookup', durationMs: Date.now() - started }, 'found');
  if (call.ctx.now.getTime() - attempt.startedAt.getTime() < lookupGraceMs(call.deps)) {
    // Too soon to believe: the carrier may still be making it. Kept `unknown`, asked again later.
    settle(lookupCall, attempt, from, 'unknown', { call: 'lookup', durationMs: Date.now() - started, result: 'not_found_yet' });
    throw new AppError('carrier_answer_lost', 'errors.carrierNotFoundYet', {
      carrier: carrierDefinition(lookupCall.account.kind).name,
      reference: attempt.reference,
      seconds: Math.ceil(lookupGraceMs(call.deps) / 1000),
    });
  }
  settle(lookupCall, attempt, from, 'not_booked', { call: 'lookup', durationMs: Date.now() - started, result: 'not_found' });
  return null;
}

/**
 * A booking the carrier has, written onto its delivery with its labels and the call in the history,
 * from whatever the attempt was left at (a lookup may have called it not booked too soon): the
 * carrier has it, so it is recorded. One the carrier answered without parcel numbers is not a
 * booking this product can ship: it stays `unknown`, to be looked up again.
 */
function adopt(
  call: Call,
  attempt: BookingRow,
  from: BookingStatus,
  booking: Booking,
  log: { call: 'book' | 'lookup'; durationMs: number },
  how: 'booked' | 'found',
): BookingResult {
  if (booking.parcels.length === 0) {
    settle(call, attempt, from, 'unknown', {
      ...log,
      failure: new CarrierError('unknown', [{ field: null, message: 'the carrier answered without parcel numbers' }]),
    });
    throw new AppError('carrier_answer_lost', 'errors.carrierAnswerLost', { carrier: carrierDefinition(call.account.kind).name, message: 'no parcel numbers' });
  }
  const parcels = writeTransaction(call.db, (tx) => {
    if (!adoptBooking(tx, attempt.id, booking.carrierRef, call.ctx.now)) {
      // Recorded already (another process found the same booking): what it wrote stands.
      return parcelsOfBooking(tx, attempt.id).map((p) => ({ parcelId: p.parcelId, trackingUrl: p.trackingUrl }));
    }
    const order = { id: attempt.orderId, code: orderCodeOf(attempt) };
    const written = recordBookedParcels(tx, order, attempt.deliveryId, attempt.id, booking.parcels, call.ctx);
    for (const label of booking.labels) insertLabel(tx, attempt.id, label.format, label.data);
    logCallIn(tx, attempt, call.account, call.ctx, {
      call: log.call,
      result: how,
      durationMs: log.durationMs,
      carrierRef: booking.carrierRef,
      parcels: written,
      ...(booking.labels.length === 0 && { problem: 'no labels' }),
    });
    return booking.parcels.map((p, i) => ({ parcelId: written[i] ?? p.parcelId, trackingUrl: p.trackingUrl }));
  });
  return {
    how,
    code: orderCodeOf(attempt),
    bookingId: attempt.id,
    carrier: carrierDefinition(call.account.kind).name,
    parcels,
    labelFormats: [...new Set(booking.labels.map((l) => l.format))],
  };
}

/** Our reference starts with the order's code (`<code>-<delivery>-<attempt>`). */
function orderCodeOf(attempt: BookingRow): string {
  return attempt.reference.split('-').slice(0, -2).join('-');
}

/** Moves an attempt to what the call said, with the call in the history. */
function settle(
  call: Call,
  attempt: BookingRow,
  from: BookingStatus,
  to: BookingStatus,
  log: { call: 'book' | 'lookup'; durationMs: number; failure?: CarrierError; result?: string },
): void {
  const problem = log.failure ? problemText(log.failure.problems) : null;
  writeTransaction(call.db, (tx) => {
    finishBooking(tx, attempt.id, from, to, { problem }, call.ctx.now);
    logCallIn(tx, attempt, call.account, call.ctx, {
      call: log.call,
      result: log.result ?? log.failure?.failure ?? to,
      durationMs: log.durationMs,
      ...(problem && { problem }),
    });
  });
}

function logCall(db: Db, attempt: BookingRow, account: AccountRow, ctx: StationCtx, data: Record<string, unknown>): void {
  writeTransaction(db, (tx) => logCallIn(tx, attempt, account, ctx, data));
}

/** The `carrier_call` event: carrier, account, service, reference, the call, its result and duration. */
function logCallIn(tx: Tx, attempt: BookingRow, account: AccountRow, ctx: StationCtx, data: Record<string, unknown>): void {
  logOrderEvent(tx, { id: attempt.orderId, code: orderCodeOf(attempt) }, 'carrier_call', ctx.actor, ctx.now.getTime(), {
    carrier: carrierDefinition(account.kind).name,
    account: account.name,
    service: attempt.service,
    reference: attempt.reference,
    test: account.test,
    ...data,
  });
}

/** What a carrier failure tells the packer: the fields in words, the carrier's own message kept. */
function refusal(account: AccountRow, failure: CarrierError): AppError {
  const carrier = carrierDefinition(account.kind).name;
  if (failure.failure === 'refused')
    return new AppError(
      'carrier_refused',
      'errors.carrierRefused',
      { carrier, problems: carrierProblemWords(failure.problems, tEn) },
      { carrier, carrierProblems: failure.problems.map((p) => ({ field: p.field, message: p.message })) },
    );
  if (failure.failure === 'unauthorized') return new AppError('carrier_unavailable', 'errors.carrierCredentials', { carrier, account: account.name });
  return new AppError('carrier_unavailable', 'errors.carrierUnavailable', { carrier, message: problemText(failure.problems) });
}

function asCarrierError(err: unknown): CarrierError {
  if (err instanceof CarrierError) return err;
  if (err instanceof AppError) throw err;
  // A fault in the adapter itself after sending (a bug, a label it could not read): maybe booked.
  return new CarrierError('unknown', [{ field: null, message: err instanceof Error ? err.message : String(err) }]);
}

export function problemText(problems: readonly CarrierProblem[]): string {
  return problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ');
}

/** What removing a carrier's parcel did there. */
export interface RemovalResult {
  carrier: string;
  /** The carrier voided the booking; false: it could not (its words in `problem`), and the booking stands there. */
  cancelled: boolean;
  problem: string | null;
  /** The booking's other parcels, cancelled with it and booked again (their new numbers), or why they could not be. */
  rebooked: BookingResult | null;
  rebookFailed: AppError | null;
}

/**
 * Removing a carrier's parcel before Report in. The carriers void whole shipments, not parcels, so
 * the booking is cancelled at the carrier, its parcels leave the delivery (one slot fewer), and the
 * other parcels are booked again as a new booking with new labels. When the carrier cannot cancel
 * (Bring has no cancellation; Shipmondo only for some carriers) only the removed parcel leaves the
 * delivery, the others keep their labels, and the station and the history say that the booking
 * stands at the carrier. A call that fails otherwise changes nothing: the packer may try again.
 */
export async function removeBookedParcel(db: Db, deps: CarrierDeps, bookingId: number, parcelId: string, ctx: StationCtx): Promise<RemovalResult> {
  const booking = findBooking(db, bookingId);
  const account = booking && findAccount(db, booking.accountId);
  if (!booking || !account || booking.status !== 'booked' || booking.carrierRef === null)
    throw new AppError('parcel_not_found', 'errors.bookingNotFound', { bookingId });
  const carrier = carrierDefinition(account.kind).name;
  const order = { id: booking.orderId, code: orderCodeOf(booking) };
  const started = Date.now();
  let problem: string | null = null;
  try {
    await adapterFor(account, deps.box).cancel(booking.carrierRef, { signal: AbortSignal.timeout(deps.timeoutMs) });
  } catch (err) {
    const failure = asCarrierError(err);
    if (failure.failure !== 'refused') {
      logCall(db, booking, account, ctx, { call: 'cancel', result: failure.failure, durationMs: Date.now() - started, problem: problemText(failure.problems) });
      throw refusal(account, failure);
    }
    problem = problemText(failure.problems);
  }
  const others = writeTransaction(db, (tx) => {
    const all = parcelsOfBooking(tx, booking.id).map((p) => p.parcelId);
    if (problem === null) finishBooking(tx, booking.id, 'booked', 'cancelled', { carrierRef: booking.carrierRef }, ctx.now);
    removeBookedParcels(tx, order, booking.deliveryId, problem === null ? all : [parcelId], ctx);
    logCallIn(tx, booking, account, ctx, {
      call: 'cancel',
      result: problem === null ? 'cancelled' : 'not_cancelled',
      durationMs: Date.now() - started,
      carrierRef: booking.carrierRef,
      parcels: problem === null ? all : [parcelId],
      ...(problem !== null && { problem }),
    });
    return problem === null ? all.filter((p) => p !== parcelId) : [];
  });
  if (others.length === 0) return { carrier, cancelled: problem === null, problem, rebooked: null, rebookFailed: null };
  try {
    const rebooked = await bookDelivery(
      db,
      deps,
      order.code,
      { name: booking.service, carrierAccountId: account.id, service: booking.service },
      others.length,
      ctx,
    );
    return { carrier, cancelled: true, problem, rebooked, rebookFailed: null };
  } catch (err) {
    if (!(err instanceof AppError) || (err.status >= 500 && err.code !== 'carrier_unavailable' && err.code !== 'carrier_answer_lost')) throw err;
    return { carrier, cancelled: true, problem, rebooked: null, rebookFailed: err };
  }
}

/** A parcel's booking, when it was booked with a carrier and the booking stands. */
export function bookingOfParcel(conn: Conn, bookingId: number | null): BookingRow | undefined {
  if (bookingId === null) return undefined;
  const b = findBooking(conn, bookingId);
  return b?.status === 'booked' ? b : undefined;
}

/**
 * An operator's answer for an attempt no lookup can settle (nShift cannot give back a shipment whose
 * print answer was lost; a carrier down for hours): after checking the carrier's portal, the attempt
 * is marked not booked, with who did it in the order's history, and the delivery may be booked again
 * or reported. Refused while a call may still be in flight.
 */
export function settleByHand(db: Db, deps: CarrierDeps, code: string, bookingId: number, ctx: StationCtx): { reference: string; carrier: string } {
  return writeTransaction(db, (tx) => {
    const booking = findBooking(tx, bookingId);
    if (!booking || orderCodeOf(booking) !== code) throw new AppError('not_found', 'errors.bookingNotFound', { bookingId });
    if (booking.status === 'pending' && mayBeInFlight(booking, deps, ctx.now)) throw inProgress(code);
    if (booking.status !== 'pending' && booking.status !== 'unknown') throw new AppError('conflict', 'errors.bookingSettled', { reference: booking.reference });
    const account = findAccount(tx, booking.accountId)!;
    finishBooking(tx, booking.id, booking.status, 'not_booked', { problem: 'checked by hand' }, ctx.now);
    logCallIn(tx, booking, account, ctx, { call: 'manual', result: 'not_booked', durationMs: 0 });
    return { reference: booking.reference, carrier: carrierDefinition(account.kind).name };
  });
}

/** The order's attempts whose answer is not known (shown on the order page with a way to settle them). */
export function unsettledBookingsOf(conn: Conn, orderId: number): { id: number; reference: string; carrier: string; startedAt: Date }[] {
  return bookingsOfOrder(conn, orderId)
    .filter((b) => b.status === 'pending' || b.status === 'unknown')
    .map((b) => ({ id: b.id, reference: b.reference, carrier: carrierDefinition(b.carrierKind).name, startedAt: b.startedAt }));
}
