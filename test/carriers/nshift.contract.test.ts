// The nShift adapter against a fake nShift built from the API's own schemas: every request the
// adapter sends must conform (fake.violations stays empty), and each failure is sorted as types.ts says.
import { describe, expect, it } from 'vitest';
import { nshift } from '../../src/carriers/nshift.js';
import { CarrierError, type BookingRequest, type CarrierAdapter } from '../../src/carriers/types.js';
import type { FakeRequest } from './fake-carrier.js';
import { startNshiftFake, statusListExample, validateNshiftRequest, type NshiftFake } from './nshift/fake.js';

const signal = () => AbortSignal.timeout(10_000);

function request(parcels: number, labelFormat: 'zpl' | 'pdf' = 'pdf', reference = 'A1001-7-1'): BookingRequest {
  return {
    reference,
    orderCode: 'A1001',
    service: 'P15',
    sender: {
      name: 'Lagret AB',
      line1: 'Skeppsbron 5',
      postalCode: '41121',
      city: 'Göteborg',
      country: 'SE',
      phone: '+46 31 725 35 00',
      email: 'lager@example.se',
    },
    recipient: {
      name: 'Anna Svensson',
      line1: 'Tegnérgatan 34',
      line2: 'lgh 1102',
      postalCode: '113 59',
      city: 'Stockholm',
      country: 'SE',
      phone: '+46 70 123 45 67',
      email: null,
    },
    parcels: Array.from({ length: parcels }, (_, i) => ({ weightGrams: 1500 + i * 250 })),
    labelFormat,
    test: true,
  };
}

async function setup(): Promise<{ fake: NshiftFake; adapter: CarrierAdapter }> {
  const fake = await startNshiftFake();
  const adapter = nshift.create({ baseUrl: fake.url, credentials: { apiKeyId: 'ABCDEFGHIJKLMNOP', apiKeySecret: 'abcdefghijklmnopqrstuvwx' }, test: true });
  return { fake, adapter };
}

/** The adapter's promise as its CarrierError (fails the test when it resolves or throws something else). */
async function failure(promise: Promise<unknown>): Promise<CarrierError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CarrierError);
  return err as CarrierError;
}

const storing = (req: FakeRequest) => req.method === 'POST' && req.path === '/stored-shipments';
const printing = (req: FakeRequest) => req.method === 'POST' && /\/shipments$/.test(req.path) && req.path.startsWith('/stored-shipments/');

describe('nShift adapter (contract)', () => {
  it('books one parcel: stores it under our reference, prints it, and returns the parcel number and the PDF label', async () => {
    const { fake, adapter } = await setup();
    const booking = await adapter.book(request(1), { signal: signal() });

    expect(fake.violations).toEqual([]);
    const [stored] = [...fake.stored.values()];
    expect(stored?.body.orderNo).toBe('A1001-7-1');
    expect(stored?.body.parcels).toEqual([{ copies: 1, weight: 1.5, valuePerParcel: true }]);
    expect(stored?.body.receiver).toMatchObject({ name: 'Anna Svensson', address1: 'Tegnérgatan 34', address2: 'lgh 1102', zipcode: '113 59', country: 'SE' });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer ABCDEFGHIJKLMNOP-abcdefghijklmnopqrstuvwx');

    const shipment = fake.shipments.get(booking.carrierRef);
    expect(shipment?.media).toBe('laser-a5');
    expect(booking.parcels).toEqual([{ parcelId: shipment?.parcelNos[0], trackingUrl: null }]);
    expect(booking.labels).toHaveLength(1);
    expect(booking.labels[0]?.format).toBe('pdf');
    expect(booking.labels[0]?.data.equals(fake.labelPdf)).toBe(true);
    expect(booking.labels[0]?.data.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('books three parcels; asked for ZPL it returns the thermo label as PDF (nShift offers no ZPL)', async () => {
    const { fake, adapter } = await setup();
    const booking = await adapter.book(request(3, 'zpl'), { signal: signal() });

    expect(fake.violations).toEqual([]);
    expect([...fake.stored.values()][0]?.body.parcels.map((p) => p.weight)).toEqual([1.5, 1.75, 2]);
    const shipment = fake.shipments.get(booking.carrierRef);
    expect(shipment?.media).toBe('thermo-se');
    expect(booking.parcels.map((p) => p.parcelId)).toEqual(shipment?.parcelNos);
    expect(new Set(booking.parcels.map((p) => p.parcelId)).size).toBe(3);
    expect(booking.labels.every((l) => l.format === 'pdf' && l.data.subarray(0, 5).toString() === '%PDF-')).toBe(true);
    expect(nshift.labelFormats).toEqual(['pdf']);
  });

  it('finds a booking by our reference, and answers null for a reference it does not hold', async () => {
    const { fake, adapter } = await setup();
    await adapter.book(request(1, 'pdf', 'A1001-7-1'), { signal: signal() });
    // Printed bookings: the stored shipment says PRINTED, and the API cannot lead from it to the shipment.
    const printed = await failure(adapter.findByReference('A1001-7-1', { signal: signal() }));
    expect(printed.failure).toBe('unknown');
    expect(printed.message).toContain('A1001-7-1');

    expect(await adapter.findByReference('A1001-7-2', { signal: signal() })).toBeNull();
    expect(fake.requests.filter((r) => r.method === 'GET').map((r) => Object.fromEntries(r.query))).toContainEqual({
      searchField: 'orderNo',
      searchOp: 'equals',
      searchValue: 'A1001-7-2',
    });
    expect(fake.violations).toEqual([]);
  });

  it('cancels a booking, and cancelling it again is no error', async () => {
    const { fake, adapter } = await setup();
    const booking = await adapter.book(request(2), { signal: signal() });

    await adapter.cancel(booking.carrierRef, { signal: signal() });
    expect(fake.shipments.get(booking.carrierRef)?.status).toBe('CANCELLED');
    await adapter.cancel(booking.carrierRef, { signal: signal() });
    expect(fake.cancelled).toEqual([booking.carrierRef, booking.carrierRef]);
    // A shipment the account does not hold: nothing is left to void there.
    await adapter.cancel('999999', { signal: signal() });
    expect(fake.violations).toEqual([]);
  });

  it('maps a 422 validation answer to our field, keeping nShift’s words', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(storing, { kind: 'status', status: 422, body: statusListExample });
    const err = await failure(adapter.book(request(1), { signal: signal() }));

    expect(err.failure).toBe('refused');
    expect(err.status).toBe(422);
    // Only the error, not the ignorable warning.
    expect(err.problems).toEqual([{ field: 'recipient.postalCode', message: 'Not valid postal code' }]);
    expect(fake.violations).toEqual([]);
  });

  it('refuses a stored shipment that nShift marks INVALID, and deletes it so nothing half-made stays', async () => {
    const { fake, adapter } = await setup();
    const bad = request(1);
    bad.recipient.postalCode = '1135';
    const err = await failure(adapter.book(bad, { signal: signal() }));

    expect(err.failure).toBe('refused');
    expect(err.problems).toEqual([{ field: 'recipient.postalCode', message: 'Not valid postal code' }]);
    expect(fake.discarded).toHaveLength(1);
    expect(fake.stored.size).toBe(0);
    expect(fake.shipments.size).toBe(0);
    expect(fake.violations).toEqual([]);
  });

  it('maps a 400 Error answer with its code and message', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(storing, { kind: 'status', status: 400, body: { code: 'MISSING', message: 'Missing shipment data in body' } });
    const err = await failure(adapter.book(request(1), { signal: signal() }));
    expect(err.failure).toBe('refused');
    expect(err.problems).toEqual([{ field: null, message: 'MISSING: Missing shipment data in body' }]);
  });

  it('sorts 401 as unauthorized, 429 as unavailable and 500 as unknown, never showing the credentials', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(storing, { kind: 'status', status: 401 });
    const unauthorized = await failure(adapter.book(request(1), { signal: signal() }));
    expect(unauthorized.failure).toBe('unauthorized');
    expect(unauthorized.message).not.toContain('abcdefghijklmnopqrstuvwx');

    fake.failNext(storing, { kind: 'status', status: 429 });
    expect((await failure(adapter.book(request(1), { signal: signal() }))).failure).toBe('unavailable');

    fake.failNext(storing, { kind: 'status', status: 500, body: { code: 'INTERNAL', message: 'Internal error' } });
    expect((await failure(adapter.book(request(1), { signal: signal() }))).failure).toBe('unknown');
    expect(fake.stored.size).toBe(0);
  });

  it('a timeout after nShift stored the booking is unknown, and findByReference then finds it and prints it', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(storing, { kind: 'hang-after' });
    const err = await failure(adapter.book(request(2, 'pdf', 'A1001-7-1'), { signal: AbortSignal.timeout(300) }));
    expect(err.failure).toBe('unknown');
    expect([...fake.stored.values()].map((s) => s.body.orderNo)).toEqual(['A1001-7-1']);

    const found = await adapter.findByReference('A1001-7-1', { signal: signal() });
    expect(found?.parcels).toHaveLength(2);
    expect(found?.carrierRef).toBe([...fake.shipments.keys()][0]);
    expect(found?.labels[0]?.data.equals(fake.labelPdf)).toBe(true);
    expect(fake.stored.size).toBe(1);
    expect(fake.violations).toEqual([]);
  });

  it('a timeout while printing is unknown, and findByReference says so rather than inviting a second booking', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(printing, { kind: 'hang-after' });
    const err = await failure(adapter.book(request(1), { signal: AbortSignal.timeout(300) }));
    expect(err.failure).toBe('unknown');
    expect(fake.shipments.size).toBe(1);

    const lookup = await failure(adapter.findByReference('A1001-7-1', { signal: signal() }));
    expect(lookup.failure).toBe('unknown');
    expect(fake.shipments.size).toBe(1);
  });

  it('a dropped connection is unknown', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(printing, { kind: 'drop-after' });
    expect((await failure(adapter.book(request(1), { signal: signal() }))).failure).toBe('unknown');
    expect(fake.shipments.size).toBe(1);
  });

  it('a malformed 200 is unknown', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(storing, { kind: 'malformed' });
    expect((await failure(adapter.book(request(1), { signal: signal() }))).failure).toBe('unknown');
    fake.failNext(printing, { kind: 'malformed', body: '[{"id": "5666303", "parcels": []}]' });
    expect((await failure(adapter.book(request(1), { signal: signal() }))).failure).toBe('unknown');
  });

  it('the validator is not vacuous: a request off the description gets problems', () => {
    const base: FakeRequest = {
      method: 'POST',
      path: '/stored-shipments',
      query: new URLSearchParams(),
      headers: { authorization: 'Bearer ABCDEFGHIJKLMNOP-abcdefghijklmnopqrstuvwx' },
      rawBody: '',
      body: undefined,
    };
    // No receiver (required), a weight as a string, copies 0 (minimum 1).
    const body = { sender: { name: 'Lagret AB', city: 'Göteborg', country: 'SE' }, service: { id: 'P15' }, parcels: [{ copies: 0, weight: '1.5' }] };
    const problems = validateNshiftRequest({ ...base, body, rawBody: JSON.stringify(body) });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("must have required property 'receiver'"),
        expect.stringContaining('/parcels/0/copies'),
        expect.stringContaining('/parcels/0/weight'),
      ]),
    );
    expect(validateNshiftRequest({ ...base, headers: {}, body: { ...body }, rawBody: '{}' })).toContain('Authorization header missing');
    expect(validateNshiftRequest({ ...base, method: 'GET', query: new URLSearchParams({ searchField: 'customer' }) })).toEqual([
      'query parameter searchField=customer is not one of orderNo, reference, shipmentNo',
    ]);
    expect(
      validateNshiftRequest({ ...base, method: 'POST', path: '/stored-shipments/1/shipments', body: { target2Media: 'laser-a4' }, rawBody: '{}' }),
    ).toEqual(["body must have required property 'target1Media'"]);
    expect(validateNshiftRequest({ ...base, method: 'PUT' })).toEqual(['PUT /stored-shipments is not in the description']);
  });
});
