import { describe, expect, it } from 'vitest';
import { shipmondo } from '../../src/carriers/shipmondo.js';
import { CarrierError, type BookingRequest, type CarrierAdapter } from '../../src/carriers/types.js';
import { description, startShipmondoFake, validateShipmondo, type ShipmondoFake } from './shipmondo/fake.js';

const credentials = { apiUser: 'd8fb61fe-api-user', apiKey: 'secret-api-key-976ff6f2' };

function request(overrides: Partial<BookingRequest> = {}): BookingRequest {
  return {
    reference: 'K1001-17-1',
    orderCode: 'K1001',
    service: 'GLSDK_HD',
    sender: { name: 'Lager ApS', line1: 'Strandvejen 6B', postalCode: '5240', city: 'Odense NØ', country: 'DK', phone: '70400407', email: 'lager@example.dk' },
    recipient: {
      name: 'Lene Hansen',
      line1: 'Skibhusvej 52',
      line2: null,
      postalCode: '5000',
      city: 'Odense C',
      country: 'dk',
      phone: '12345678',
      email: null,
    },
    parcels: [{ weightGrams: 1250 }],
    labelFormat: 'zpl',
    test: true,
    ...overrides,
  };
}

async function setup(options?: Parameters<typeof startShipmondoFake>[0]): Promise<{ fake: ShipmondoFake; adapter: CarrierAdapter }> {
  const fake = await startShipmondoFake(options);
  return { fake, adapter: shipmondo.create({ baseUrl: fake.baseUrl, credentials, test: true }) };
}

const signal = () => AbortSignal.timeout(10_000);

/** The failure a call ends with (it must fail). */
async function failureOf(promise: Promise<unknown>): Promise<CarrierError> {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof CarrierError)) throw new Error(`expected a CarrierError, got ${String(err)}`);
  return err;
}

const isBooking = (r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith('/shipments');

describe('Shipmondo adapter against the described API', () => {
  it('books one parcel with a ZPL label whose barcode holds the package number', async () => {
    const { fake, adapter } = await setup();
    const booking = await adapter.book(request(), { signal: signal() });

    expect(fake.violations).toEqual([]);
    expect(booking.parcels).toHaveLength(1);
    const parcelId = booking.parcels[0]?.parcelId ?? '';
    expect(booking.carrierRef).toBe(String([...fake.bookings.keys()][0]));
    expect(booking.labels).toHaveLength(1);
    expect(booking.labels[0]?.format).toBe('zpl');
    expect(booking.labels[0]?.data.toString('utf8')).toMatch(new RegExp(`^\\^XA.*\\^BC.*\\^FD${parcelId}\\^FS.*\\^XZ$`));

    const sent = fake.requests.find(isBooking)?.body;
    expect(sent).toMatchObject({
      test_mode: true,
      product_code: 'GLSDK_HD',
      service_codes: '',
      order_id: 'K1001-17-1',
      reference: 'K1001-17-1',
      receiver: { name: 'Lene Hansen', address1: 'Skibhusvej 52', zipcode: '5000', city: 'Odense C', country_code: 'DK', mobile: '12345678' },
      parcels: [{ weight: 1250 }],
    });
    expect(sent).not.toHaveProperty('receiver.address2');
    const auth = fake.requests[0]?.headers.authorization ?? '';
    expect(Buffer.from(auth.replace('Basic ', ''), 'base64').toString()).toBe(`${credentials.apiUser}:${credentials.apiKey}`);
  });

  it('books three parcels with PDF labels, weights in grams, and services after the product code', async () => {
    const { fake, adapter } = await setup();
    const booking = await adapter.book(
      request({ service: 'PDK_MH:EMAIL_NT, SMS_NT', labelFormat: 'pdf', parcels: [{ weightGrams: 500 }, { weightGrams: 2000.4 }, { weightGrams: 0 }] }),
      { signal: signal() },
    );

    expect(fake.violations).toEqual([]);
    expect(booking.parcels.map((p) => p.parcelId)).toEqual(fake.bookings.get(Number(booking.carrierRef))?.packageNumbers);
    expect(new Set(booking.parcels.map((p) => p.parcelId)).size).toBe(3);
    expect(booking.labels.map((l) => l.format)).toEqual(['pdf', 'pdf', 'pdf']);
    expect(booking.labels[0]?.data.subarray(0, 5).toString()).toBe('%PDF-');
    expect(fake.requests.find(isBooking)?.body).toMatchObject({
      product_code: 'PDK_MH',
      service_codes: 'EMAIL_NT,SMS_NT',
      parcels: [{ weight: 500 }, { weight: 2000 }, { weight: 1 }],
    });
    expect(fake.requests.find((r) => r.path.endsWith('/labels'))?.query.get('format')).toBe('10x19_pdf');
  });

  it('gives PDF labels when the carrier behind the product prints no ZPL', async () => {
    const { fake, adapter } = await setup({ noZpl: ['DHLE_EW'] });
    const booking = await adapter.book(request({ service: 'DHLE_EW' }), { signal: signal() });
    expect(fake.violations).toEqual([]);
    expect(booking.labels.map((l) => l.format)).toEqual(['pdf']);
  });

  it('finds a booking by our reference, with its parcels and labels, and null for another reference', async () => {
    const { fake, adapter } = await setup();
    await adapter.book(request({ reference: 'K1001-17-1' }), { signal: signal() });
    const booked = await adapter.book(request({ reference: 'K1001-17-2', parcels: [{ weightGrams: 100 }, { weightGrams: 200 }] }), { signal: signal() });

    const found = await adapter.findByReference('K1001-17-2', { signal: signal() });
    expect(found).toEqual(booked);
    expect(fake.requests.find((r) => r.method === 'GET' && r.path.endsWith('/shipments'))?.query.get('order_id')).toBe('K1001-17-2');
    expect(await adapter.findByReference('K1001-17-9', { signal: signal() })).toBeNull();
    expect(fake.violations).toEqual([]);
  });

  it('cancels a booking, and cancelling it again is no error', async () => {
    const { fake, adapter } = await setup();
    const booking = await adapter.book(request(), { signal: signal() });
    await adapter.cancel(booking.carrierRef, { signal: signal() });
    await adapter.cancel(booking.carrierRef, { signal: signal() });
    expect(fake.cancelled).toEqual([Number(booking.carrierRef), Number(booking.carrierRef)]);
    expect(fake.violations).toEqual([]);
  });

  it('refuses when Shipmondo cannot cancel at the carrier, or knows no such shipment', async () => {
    const { fake, adapter } = await setup();
    const booking = await adapter.book(request(), { signal: signal() });
    fake.failNext((r) => r.method === 'PUT', { kind: 'status', status: 200, body: { cancelled_at_carrier: false } });
    const notCancelled = await failureOf(adapter.cancel(booking.carrierRef, { signal: signal() }));
    expect(notCancelled.failure).toBe('refused');
    expect(notCancelled.message).toContain('did not cancel');

    const unknown = await failureOf(adapter.cancel('999999', { signal: signal() }));
    expect(unknown).toMatchObject({ failure: 'refused', status: 404, problems: [{ field: null, message: 'Invalid or not found parameter(s)' }] });
    expect(fake.violations).toEqual([]);
  });

  it('maps a refusal naming a field to our field, keeping Shipmondo’s words', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(isBooking, { kind: 'status', status: 422, body: { error: 'Receiver zipcode is invalid' } });
    const err = await failureOf(adapter.book(request({ recipient: { ...request().recipient, postalCode: '99999' } }), { signal: signal() }));
    expect(err).toMatchObject({ failure: 'refused', status: 422, problems: [{ field: 'recipient.postalCode', message: 'Receiver zipcode is invalid' }] });

    fake.failNext(isBooking, { kind: 'status', status: 422, body: { error: ['Product code XX_NONE is not available', 'Sender mobile is missing'] } });
    const two = await failureOf(adapter.book(request({ service: 'XX_NONE' }), { signal: signal() }));
    expect(two.problems.map((p) => p.field)).toEqual(['service', 'sender.phone']);
    expect(fake.bookings.size).toBe(0);
  });

  it('sorts 401, 429 and 500 by whether the booking may exist, never showing the credentials', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(isBooking, { kind: 'status', status: 401, body: { error: 'Invalid API User or API Key' } });
    const unauthorized = await failureOf(adapter.book(request(), { signal: signal() }));
    expect(unauthorized).toMatchObject({ failure: 'unauthorized', problems: [{ field: 'credentials' }] });
    expect(unauthorized.message).not.toContain(credentials.apiKey);

    fake.failNext(isBooking, { kind: 'status', status: 429 });
    expect((await failureOf(adapter.book(request(), { signal: signal() }))).failure).toBe('unavailable');
    fake.failNext(isBooking, { kind: 'status', status: 500, body: { error: 'Internal Server Error' } });
    expect((await failureOf(adapter.book(request(), { signal: signal() }))).failure).toBe('unknown');
  });

  it('calls a booking whose answer never came unknown, and finds it by reference after', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(isBooking, { kind: 'hang-after' });
    const err = await failureOf(adapter.book(request({ reference: 'K1001-17-3' }), { signal: AbortSignal.timeout(300) }));
    expect(err.failure).toBe('unknown');
    expect([...fake.bookings.values()].map((b) => b.orderId)).toEqual(['K1001-17-3']);
    const found = await adapter.findByReference('K1001-17-3', { signal: signal() });
    expect(found?.carrierRef).toBe(String([...fake.bookings.keys()][0]));
    expect(found?.labels[0]?.format).toBe('zpl');
  });

  it('calls a dropped connection, a malformed answer and a label fetch failing after the booking unknown', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(isBooking, { kind: 'drop-after' });
    expect((await failureOf(adapter.book(request(), { signal: signal() }))).failure).toBe('unknown');
    fake.failNext(isBooking, { kind: 'malformed' });
    expect((await failureOf(adapter.book(request(), { signal: signal() }))).failure).toBe('unknown');
    // ZPL refused, then the PDF too: the shipment exists all the same.
    for (let i = 0; i < 2; i++)
      fake.failNext((r) => r.path.endsWith('/labels'), { kind: 'status', status: 404, body: { error: 'Invalid or not found parameter(s)' } });
    const labelsLost = await failureOf(adapter.book(request(), { signal: signal() }));
    expect(labelsLost.failure).toBe('unknown');
    expect(fake.bookings.size).toBe(3);
  });

  it('has a validator that refuses what the description does not allow', () => {
    const path = `${description.basePath}/shipments`;
    const auth = { authorization: `Basic ${Buffer.from('user:key').toString('base64')}`, 'content-type': 'application/json' };
    const base = { method: 'POST', path, query: new URLSearchParams(), headers: auth, rawBody: '{}' };
    const body = {
      own_agreement: false,
      product_code: 'GLSDK_HD',
      service_codes: '',
      sender: { name: 'a', address1: 'b', zipcode: '5240', city: 'c', country_code: 'DK' },
      receiver: { name: 'a', address1: 'b', zipcode: '5000', city: 'c', country_code: 'DK' },
      parcels: [{ weight: 1000 }],
    };
    expect(validateShipmondo({ ...base, body })).toEqual([]);

    const { receiver: _receiver, ...noReceiver } = body;
    expect(validateShipmondo({ ...base, body: noReceiver })).toContain("body must have required property 'receiver'");
    expect(validateShipmondo({ ...base, body: { ...body, parcels: [{ weight: 1.5 }] } })).toContain('body/parcels/0/weight must be integer');
    expect(validateShipmondo({ ...base, body: { ...body, orderNo: 'x' } })).toContain('body/orderNo is not in the description');
    expect(validateShipmondo({ ...base, headers: { 'content-type': 'application/json' }, body })).toContain(
      'no HTTP Basic Authorization with API user and API key',
    );
    const labels = { ...base, method: 'GET', path: `${path}/12/labels`, query: new URLSearchParams({ format: 'a5' }), body: undefined, rawBody: '' };
    expect(validateShipmondo(labels)).toEqual([expect.stringContaining('query format must be equal to one of the allowed values')]);
    expect(validateShipmondo({ ...labels, path: `${path}/abc/labels`, query: new URLSearchParams() })).toEqual(['path id must be integer']);
    expect(validateShipmondo({ ...labels, method: 'DELETE', path: `${path}/12` })).toEqual([`DELETE /shipments/12 is not described`]);
  });
});
