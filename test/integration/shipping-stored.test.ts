import { describe, expect, it } from 'vitest';
import { writeTransaction } from '../../src/db/client.js';
import { AppError } from '../../src/errors.js';
import { checkItem, putVerificationMode, recordRefusedCheck } from '../../src/shipping/checks.js';
import { addSlot, reportDrafts, setDeliveryLines } from '../../src/shipping/drafts.js';
import { stationScan } from '../../src/shipping/scan.js';
import { deleteScanKeysBefore } from '../../src/shipping/repo/stations.js';
import { nameStation } from '../../src/shipping/station-service.js';
import { createUser } from '../../src/users/service.js';
import { buildPackingOrder, buildProduct } from '../builders.js';
import { makeDb, PASSWORD } from '../helpers.js';

// The shipping repos bind times and flags through drizzle placeholders, some through the column's
// mapping (insert values) and some as given (set(), WHERE): what is stored must be what the schema
// says, epoch ms integers and 0/1, whichever way a value went.
describe('what the station writes is stored as the schema says', () => {
  it('times as epoch ms, flags as 0/1, on every table a scan, a check, a slot, a partial delivery and Report in write', async () => {
    const db = makeDb();
    const product = buildProduct(db, { onHand: 100, barcode: '5901234123457' });
    const order = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 3 }] });
    const user = await createUser(db, { email: 'pia@example.com', name: 'Pia', role: 'packer', language: 'en', password: PASSWORD }, new Date());
    const actor = { type: 'user' as const, id: user.id, name: 'Pia' };
    const opened = new Date('2026-12-01T10:00:00Z');
    const later = new Date('2026-12-01T10:05:00Z');
    const who = { userId: user.id, stationName: 'Bench 1' };

    stationScan(db, who, { value: order.code, source: 'scanner', key: 'k1' }, { actor, now: opened });
    putVerificationMode(db, 'warn', opened, 'test');
    const station = nameStation(db, user.id, 'Bench 1', later);
    checkItem(db, order.code, { barcode: '5901234123457' }, { actor, now: opened, station });
    recordRefusedCheck(db, order.code, '123', new AppError('barcode_unknown', 'errors.check.unknown', {}), { actor, now: opened, station });
    stationScan(db, who, { value: '00012345678901234560', source: 'scanner', key: 'k2', order: order.code }, { actor, now: later });
    addSlot(db, order.code, { actor, now: later, station });
    setDeliveryLines(db, order.code, [{ sku: product.sku, quantity: 1 }], { actor, now: later, station });
    const row = (sql: string) => db.$client.prepare(sql).get();

    expect(row('SELECT partial, parcel_slots, created_at, updated_at FROM deliveries')).toEqual({
      partial: 1,
      parcel_slots: 2,
      created_at: opened.getTime(),
      updated_at: later.getTime(),
    });
    expect(row('SELECT created_at, last_seen_at FROM stations')).toEqual({ created_at: opened.getTime(), last_seen_at: later.getTime() });
    expect(row('SELECT created_at FROM delivery_parcels')).toEqual({ created_at: later.getTime() });
    expect(row('SELECT created_at FROM delivery_checks')).toEqual({ created_at: opened.getTime() });
    expect(row('SELECT created_at FROM refused_checks')).toEqual({ created_at: opened.getTime() });

    expect(reportDrafts(db, undefined, { actor, now: later, station }).reported).toHaveLength(1);
    expect(row('SELECT status, partial, reported_at, updated_at FROM deliveries')).toEqual({
      status: 'reported',
      partial: 1,
      reported_at: later.getTime(),
      updated_at: later.getTime(),
    });
    // Keys strictly older than the time given go: the first scan's, not the second's.
    expect(writeTransaction(db, (tx) => deleteScanKeysBefore(tx, later))).toBe(1);
  });
});
