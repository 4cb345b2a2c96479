import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { asStored, preparedQuery, type Conn, type Tx } from '../db/client.js';
import { carrierAccounts, carrierBookings, carrierLabels, deliveryParcels, orders, shippingMethods } from '../db/schema/index.js';
import type { LabelFormat } from './types.js';

// Statements of carrier accounts, shipping methods, booking attempts and their labels. No rules
// here: accounts.ts and booking.ts decide.

export type AccountRow = typeof carrierAccounts.$inferSelect;
export type MethodRow = typeof shippingMethods.$inferSelect;
export type BookingRow = typeof carrierBookings.$inferSelect;
export type BookingStatus = BookingRow['status'];

/** An account as written by Settings (the credentials box apart). */
export type AccountFields = Omit<AccountRow, 'id' | 'credentials' | 'createdAt' | 'updatedAt'>;
export type MethodFields = Pick<MethodRow, 'code' | 'name' | 'kind' | 'carrierAccountId' | 'service' | 'isDefault'>;

const accountColumns = {
  name: asStored('name'),
  kind: asStored('kind'),
  test: asStored('test'),
  baseUrl: asStored('baseUrl'),
  labelFormat: asStored('labelFormat'),
  parcelWeightGrams: asStored('parcelWeightGrams'),
  senderName: asStored('senderName'),
  senderLine1: asStored('senderLine1'),
  senderLine2: asStored('senderLine2'),
  senderPostalCode: asStored('senderPostalCode'),
  senderCity: asStored('senderCity'),
  senderCountry: asStored('senderCountry'),
  senderPhone: asStored('senderPhone'),
  senderEmail: asStored('senderEmail'),
  updatedAt: asStored('at'),
};

const accountReads = preparedQuery((conn) => ({
  all: conn
    .select()
    .from(carrierAccounts)
    .orderBy(sql`${carrierAccounts.name} COLLATE NOCASE`, carrierAccounts.id)
    .prepare(),
  byId: conn
    .select()
    .from(carrierAccounts)
    .where(eq(carrierAccounts.id, sql.placeholder('id')))
    .prepare(),
  uses: conn
    .select({
      methods: sql<number>`(SELECT count(*) FROM ${shippingMethods} WHERE ${shippingMethods.carrierAccountId} = ${sql.placeholder('id')})`,
      bookings: count(),
    })
    .from(carrierBookings)
    .where(eq(carrierBookings.accountId, sql.placeholder('id')))
    .prepare(),
}));

const accounts = preparedQuery((conn) => ({
  insert: conn
    .insert(carrierAccounts)
    .values({ ...accountColumns, credentials: sql.placeholder('credentials'), createdAt: asStored('at') })
    .returning({ id: carrierAccounts.id })
    .prepare(),
  update: conn
    .update(carrierAccounts)
    .set(accountColumns)
    .where(eq(carrierAccounts.id, sql.placeholder('id')))
    .prepare(),
  setCredentials: conn
    .update(carrierAccounts)
    .set({ credentials: asStored('credentials'), updatedAt: asStored('at') })
    .where(eq(carrierAccounts.id, sql.placeholder('id')))
    .prepare(),
  remove: conn
    .delete(carrierAccounts)
    .where(eq(carrierAccounts.id, sql.placeholder('id')))
    .prepare(),
}));

type AccountParams = Omit<AccountFields, 'test'> & { test: number };
const accountParams = (f: AccountFields): AccountParams => ({ ...f, test: f.test ? 1 : 0 });

export const listAccounts = (conn: Conn): AccountRow[] => accountReads(conn).all.all();
export const findAccount = (conn: Conn, id: number): AccountRow | undefined => accountReads(conn).byId.get({ id });
export function insertAccount(tx: Tx, fields: AccountFields, credentials: string, at: Date): number {
  return accounts(tx).insert.get({ ...accountParams(fields), credentials, at: at.getTime() }).id;
}
export function updateAccount(tx: Tx, id: number, fields: AccountFields, at: Date): void {
  accounts(tx).update.run({ ...accountParams(fields), id, at: at.getTime() });
}
export function setAccountCredentials(tx: Tx, id: number, credentials: string, at: Date): void {
  accounts(tx).setCredentials.run({ id, credentials, at: at.getTime() });
}
export function deleteAccount(tx: Tx, id: number): void {
  accounts(tx).remove.run({ id });
}
/** How many shipping methods and booking attempts name the account (it can be deleted only when none do). */
export function accountUses(conn: Conn, id: number): { methods: number; bookings: number } {
  return accountReads(conn).uses.get({ id }) ?? { methods: 0, bookings: 0 };
}

const methodColumns = {
  code: asStored('code'),
  name: asStored('name'),
  kind: asStored('kind'),
  carrierAccountId: asStored('carrierAccountId'),
  service: asStored('service'),
  isDefault: asStored('isDefault'),
  updatedAt: asStored('at'),
};

const methodReads = preparedQuery((conn) => ({
  all: conn
    .select()
    .from(shippingMethods)
    .orderBy(sql`${shippingMethods.name} COLLATE NOCASE`, shippingMethods.id)
    .prepare(),
  byId: conn
    .select()
    .from(shippingMethods)
    .where(eq(shippingMethods.id, sql.placeholder('id')))
    .prepare(),
  byCode: conn
    .select()
    .from(shippingMethods)
    .where(eq(shippingMethods.code, sql.placeholder('code')))
    .prepare(),
  byDefault: conn.select().from(shippingMethods).where(eq(shippingMethods.isDefault, true)).prepare(),
}));

const methods = preparedQuery((conn) => ({
  insert: conn
    .insert(shippingMethods)
    .values({ ...methodColumns, createdAt: asStored('at') })
    .returning({ id: shippingMethods.id })
    .prepare(),
  update: conn
    .update(shippingMethods)
    .set(methodColumns)
    .where(eq(shippingMethods.id, sql.placeholder('id')))
    .prepare(),
  clearDefault: conn
    .update(shippingMethods)
    .set({ isDefault: false, updatedAt: asStored('at') })
    .where(and(eq(shippingMethods.isDefault, true), sql`${shippingMethods.id} <> ${sql.placeholder('id')}`))
    .prepare(),
  remove: conn
    .delete(shippingMethods)
    .where(eq(shippingMethods.id, sql.placeholder('id')))
    .prepare(),
}));

const methodParams = (f: MethodFields) => ({ ...f, isDefault: f.isDefault ? 1 : 0 });

export const listMethods = (conn: Conn): MethodRow[] => methodReads(conn).all.all();
export const findMethod = (conn: Conn, id: number): MethodRow | undefined => methodReads(conn).byId.get({ id });
export const methodByCode = (conn: Conn, code: string): MethodRow | undefined => methodReads(conn).byCode.get({ code });
export const defaultMethod = (conn: Conn): MethodRow | undefined => methodReads(conn).byDefault.get();
export function insertMethod(tx: Tx, fields: MethodFields, at: Date): number {
  // The mark leaves the old default first: the unique index allows one at a time.
  if (fields.isDefault) methods(tx).clearDefault.run({ id: 0, at: at.getTime() });
  return methods(tx).insert.get({ ...methodParams(fields), at: at.getTime() }).id;
}
/** Writes a method; made the default, it takes the mark from the one that had it (in the caller's transaction). */
export function updateMethod(tx: Tx, id: number, fields: MethodFields, at: Date): void {
  if (fields.isDefault) methods(tx).clearDefault.run({ id, at: at.getTime() });
  methods(tx).update.run({ ...methodParams(fields), id, at: at.getTime() });
}
export function deleteMethod(tx: Tx, id: number): void {
  methods(tx).remove.run({ id });
}

const bookings = preparedQuery((conn) => ({
  insertLabel: conn
    .insert(carrierLabels)
    .values({ bookingId: sql.placeholder('bookingId'), format: sql.placeholder('format'), data: sql.placeholder('data') })
    .prepare(),
  insert: conn
    .insert(carrierBookings)
    .values({
      orderId: sql.placeholder('orderId'),
      deliveryId: sql.placeholder('deliveryId'),
      accountId: sql.placeholder('accountId'),
      carrierKind: sql.placeholder('carrierKind'),
      service: sql.placeholder('service'),
      reference: sql.placeholder('reference'),
      attempt: sql.placeholder('attempt'),
      status: 'pending',
      parcelCount: sql.placeholder('parcelCount'),
      owner: sql.placeholder('owner'),
      startedAt: asStored('at'),
      createdBy: sql.placeholder('createdBy'),
    })
    .returning()
    .prepare(),
  adopt: conn
    .update(carrierBookings)
    .set({ status: 'booked', carrierRef: asStored('carrierRef'), problem: sql`NULL`, finishedAt: asStored('at') })
    .where(and(eq(carrierBookings.id, sql.placeholder('id')), inArray(carrierBookings.status, ['pending', 'unknown', 'not_booked'])))
    .prepare(),
  finish: conn
    .update(carrierBookings)
    .set({ status: asStored('status'), carrierRef: asStored('carrierRef'), problem: asStored('problem'), finishedAt: asStored('at') })
    .where(and(eq(carrierBookings.id, sql.placeholder('id')), eq(carrierBookings.status, sql.placeholder('from'))))
    .prepare(),
}));

const bookingReads = preparedQuery((conn) => ({
  ofDelivery: conn
    .select()
    .from(carrierBookings)
    .where(eq(carrierBookings.deliveryId, sql.placeholder('deliveryId')))
    .orderBy(asc(carrierBookings.attempt))
    .prepare(),
  ofOrder: conn
    .select()
    .from(carrierBookings)
    .where(eq(carrierBookings.orderId, sql.placeholder('orderId')))
    .orderBy(desc(carrierBookings.id))
    .prepare(),
  byId: conn
    .select()
    .from(carrierBookings)
    .where(eq(carrierBookings.id, sql.placeholder('id')))
    .prepare(),
  lastAttempt: conn
    .select({ attempt: sql<number | null>`max(${carrierBookings.attempt})` })
    .from(carrierBookings)
    .where(eq(carrierBookings.deliveryId, sql.placeholder('deliveryId')))
    .prepare(),
  labels: conn
    .select({ id: carrierLabels.id, format: carrierLabels.format, data: carrierLabels.data })
    .from(carrierLabels)
    .where(eq(carrierLabels.bookingId, sql.placeholder('bookingId')))
    .orderBy(asc(carrierLabels.id))
    .prepare(),
  parcels: conn
    .select({ id: deliveryParcels.id, parcelId: deliveryParcels.parcelId, trackingUrl: deliveryParcels.trackingUrl, deliveryId: deliveryParcels.deliveryId })
    .from(deliveryParcels)
    .where(eq(deliveryParcels.bookingId, sql.placeholder('bookingId')))
    .orderBy(asc(deliveryParcels.id))
    .prepare(),
}));

export interface NewBooking {
  orderId: number;
  deliveryId: number;
  accountId: number;
  carrierKind: BookingRow['carrierKind'];
  service: string;
  reference: string;
  attempt: number;
  parcelCount: number;
  owner: string;
  createdBy: string;
}

/** Records an attempt as pending, before the carrier is called; the unique index refuses a second pending one for the delivery. */
export function insertBooking(tx: Tx, booking: NewBooking, at: Date): BookingRow {
  return bookings(tx).insert.get({ ...booking, at: at.getTime() });
}
/** Moves an attempt on from `from` (guarded: a result that arrives after another process settled it writes nothing). Whether it moved. */
export function finishBooking(
  tx: Tx,
  id: number,
  from: BookingStatus,
  to: BookingStatus,
  result: { carrierRef?: string | null; problem?: string | null },
  at: Date,
): boolean {
  return (
    bookings(tx).finish.run({ id, from, status: to, carrierRef: result.carrierRef ?? null, problem: result.problem ?? null, at: at.getTime() }).changes === 1
  );
}
/**
 * Marks an attempt booked with the carrier's shipment id, from whatever it was left at while no
 * answer was known (pending, unknown, or not_booked by a lookup that came too soon): the carrier has
 * the booking, so it is recorded. Whether it moved (false: it was booked already, or refused).
 */
export function adoptBooking(tx: Tx, id: number, carrierRef: string, at: Date): boolean {
  return bookings(tx).adopt.run({ id, carrierRef, at: at.getTime() }).changes === 1;
}

const openAttempts = preparedQuery((conn) =>
  conn
    .select({ reference: carrierBookings.reference, status: carrierBookings.status })
    .from(carrierBookings)
    .where(and(eq(carrierBookings.deliveryId, sql.placeholder('deliveryId')), inArray(carrierBookings.status, ['pending', 'unknown'])))
    .prepare(),
);

const standing = preparedQuery((conn) =>
  conn
    .select({ reference: carrierBookings.reference, carrier: carrierBookings.carrierKind })
    .from(carrierBookings)
    .where(and(eq(carrierBookings.deliveryId, sql.placeholder('deliveryId')), inArray(carrierBookings.status, ['booked', 'pending', 'unknown'])))
    .prepare(),
);

/** The delivery's bookings that stand at the carrier or may (booked, in a call, answer lost). */
export function standingBookings(conn: Conn, deliveryId: number): { reference: string; carrier: string }[] {
  return standing(conn).all({ deliveryId });
}

/** The delivery's attempts whose outcome is not known yet: one in a call, or one whose answer was lost. */
export function unsettledAttempts(conn: Conn, deliveryId: number): { reference: string; status: BookingStatus }[] {
  return openAttempts(conn).all({ deliveryId });
}

export const bookingsOfDelivery = (conn: Conn, deliveryId: number): BookingRow[] => bookingReads(conn).ofDelivery.all({ deliveryId });
export const bookingsOfOrder = (conn: Conn, orderId: number): BookingRow[] => bookingReads(conn).ofOrder.all({ orderId });
export const findBooking = (conn: Conn, id: number): BookingRow | undefined => bookingReads(conn).byId.get({ id });
export const lastAttempt = (conn: Conn, deliveryId: number): number => bookingReads(conn).lastAttempt.get({ deliveryId })?.attempt ?? 0;
export function insertLabel(tx: Tx, bookingId: number, format: LabelFormat, data: Buffer): void {
  bookings(tx).insertLabel.run({ bookingId, format, data });
}
const parcelBooking = preparedQuery((conn) =>
  conn
    .select({ bookingId: deliveryParcels.bookingId })
    .from(deliveryParcels)
    .innerJoin(carrierBookings, eq(carrierBookings.id, deliveryParcels.bookingId))
    .where(and(eq(deliveryParcels.parcelId, sql.placeholder('parcelId')), eq(carrierBookings.status, 'booked')))
    .prepare(),
);

const bookingOrder = preparedQuery((conn) =>
  conn
    .select({ code: orders.code })
    .from(carrierBookings)
    .innerJoin(orders, eq(orders.id, carrierBookings.orderId))
    .where(eq(carrierBookings.id, sql.placeholder('bookingId')))
    .prepare(),
);

/** The code of the order a booking is for. */
export function orderCodeOfBooking(conn: Conn, bookingId: number): string {
  const row = bookingOrder(conn).get({ bookingId });
  if (!row) throw new Error(`carrier booking ${bookingId} has no order`);
  return row.code;
}

/** The standing carrier booking a parcel came from, or undefined. */
export function bookingIdOfParcel(conn: Conn, parcelId: string): number | undefined {
  return parcelBooking(conn).get({ parcelId })?.bookingId ?? undefined;
}

export const labelsOf = (conn: Conn, bookingId: number): { id: number; format: LabelFormat; data: Buffer }[] => bookingReads(conn).labels.all({ bookingId });
export const parcelsOfBooking = (conn: Conn, bookingId: number): { id: number; parcelId: string; trackingUrl: string | null; deliveryId: number }[] =>
  bookingReads(conn).parcels.all({ bookingId });
