import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { bring, bringField } from '../../src/carriers/bring.js';
import { CarrierError, type BookingRequest, type CarrierAdapter } from '../../src/carriers/types.js';
import { startFakeBring, validateBringRequest, type FakeBring } from './bring/fake.js';

const credentials = {
  apiUid: 'shop@example.org',
  apiKey: 'secret-api-key-123',
  customerNumber: 'PARCELS_NORWAY-00012345678',
  clientUrl: 'https://shop.example.org',
};

function request(parcels: number, labelFormat: 'pdf' | 'zpl' = 'pdf', reference = `WO-1001-7-${parcels}`): BookingRequest {
  return {
    reference,
    orderCode: 'WO-1001',
    service: '5800',
    sender: { name: 'Lager AS', line1: 'Industriveien 1', postalCode: '0581', city: 'OSLO', country: 'NO', phone: '+4722000000', email: 'lager@example.org' },
    recipient: {
      name: 'Kari Nordmann',
      line1: 'Storgata 5',
      line2: 'Leilighet H0201',
      postalCode: '0155',
      city: 'OSLO',
      country: 'no',
      phone: '+4791234567',
      email: 'kari@example.org',
    },
    parcels: Array.from({ length: parcels }, (_, i) => ({ weightGrams: 1200 + i * 250 })),
    labelFormat,
    test: true,
  };
}

const signal = () => AbortSignal.timeout(5_000);
const isBooking = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/booking/api/booking';

async function setup(): Promise<{ fake: FakeBring; adapter: CarrierAdapter }> {
  const fake = await startFakeBring();
  return { fake, adapter: bring.create({ baseUrl: `${fake.url}/booking/api`, credentials, test: true }) };
}

async function failure(promise: Promise<unknown>): Promise<CarrierError> {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof CarrierError)) throw new Error(`expected a CarrierError, got ${String(err)}`);
  return err;
}

describe('Bring adapter against a fake built from Bring’s Booking API description', () => {
  it('books one parcel: the request conforms, parcel number and tracking from the answer, the PDF label fetched', async () => {
    const { fake, adapter } = await setup();
    const booking = await adapter.book(request(1), { signal: signal() });

    expect(fake.violations).toEqual([]);
    expect(fake.bookings).toHaveLength(1);
    const [made] = fake.bookings;
    expect(booking.carrierRef).toBe(made?.consignmentNumber);
    expect(booking.parcels).toEqual([{ parcelId: made?.packageNumbers[0], trackingUrl: `https://sporing.bring.no/sporing.html?q=${made?.packageNumbers[0]}` }]);
    expect(booking.labels).toHaveLength(1);
    expect(booking.labels[0]?.format).toBe('pdf');
    const pdf = await PDFDocument.load(booking.labels[0]?.data ?? Buffer.alloc(0));
    expect(pdf.getPageCount()).toBe(1);

    const sent = fake.requests.find(isBooking);
    expect(sent?.headers['x-mybring-api-uid']).toBe(credentials.apiUid);
    expect(sent?.headers['x-bring-client-url']).toBe(credentials.clientUrl);
    expect(sent?.body).toMatchObject({
      testIndicator: true,
      schemaVersion: 1,
      consignments: [
        {
          product: { id: '5800', customerNumber: credentials.customerNumber },
          parties: {
            sender: { reference: 'WO-1001-7-1', countryCode: 'NO' },
            recipient: { postalCode: '0155', countryCode: 'NO', addressLine2: 'Leilighet H0201' },
          },
          packages: [{ weightInKg: 1.2 }],
        },
      ],
    });
    // The label storage got no credentials (the fake's validate would list it).
    expect(fake.requests.some((r) => r.path.startsWith('/storage/'))).toBe(true);
  });

  it('books three parcels asked as ZPL: Bring gives PDF, one label for the shipment, three parcel numbers', async () => {
    const { fake, adapter } = await setup();
    const booking = await adapter.book(request(3, 'zpl'), { signal: signal() });

    expect(fake.violations).toEqual([]);
    expect(booking.parcels.map((p) => p.parcelId)).toEqual(fake.bookings[0]?.packageNumbers);
    expect(new Set(booking.parcels.map((p) => p.parcelId)).size).toBe(3);
    expect(booking.labels.map((l) => l.format)).toEqual(['pdf']);
    expect(booking.labels[0]?.data.subarray(0, 5).toString()).toBe('%PDF-');
    expect(fake.requests.find(isBooking)?.body).toMatchObject({
      consignments: [{ packages: [{ weightInKg: 1.2 }, { weightInKg: 1.45 }, { weightInKg: 1.7 }] }],
    });
  });

  it('finds a booking by our reference through the Tracking API, and null for an unknown reference', async () => {
    const { fake, adapter } = await setup();
    const booked = await adapter.book(request(2), { signal: signal() });

    const found = await adapter.findByReference('WO-1001-7-2', { signal: signal() });
    expect(found).toEqual({ carrierRef: booked.carrierRef, parcels: booked.parcels, labels: [] });
    expect(await adapter.findByReference('WO-9999-1-1', { signal: signal() })).toBeNull();
    expect(fake.violations).toEqual([]);
  });

  it('cancel is refused, again the same: Bring’s Booking API has no cancellation, and nothing is sent', async () => {
    const { fake, adapter } = await setup();
    const booked = await adapter.book(request(1), { signal: signal() });
    const sentBefore = fake.requests.length;

    for (let i = 0; i < 2; i++) {
      const err = await failure(adapter.cancel(booked.carrierRef, { signal: signal() }));
      expect(err.failure).toBe('refused');
      expect(err.problems[0]?.message).toContain('no cancellation');
    }
    expect(fake.requests).toHaveLength(sentBefore);
    expect(fake.cancelled).toEqual([]);
  });

  it('maps a refusal naming the recipient postcode to recipient.postalCode, keeping Bring’s words', async () => {
    const { fake, adapter } = await setup();
    // BOOK_INPUT-057 "Invalid postal Code", suffixable: errors.json in Bring's description.
    fake.failNext(isBooking, { kind: 'status', status: 400, body: fake.errorAnswer('BOOK_INPUT-057-RECIPIENT', 'Invalid postal Code') });
    const err = await failure(adapter.book(request(1), { signal: signal() }));

    expect(err.failure).toBe('refused');
    expect(err.status).toBe(400);
    expect(err.problems).toEqual([{ field: 'recipient.postalCode', message: 'Invalid postal Code (BOOK_INPUT-057-RECIPIENT)' }]);
    expect(err.message).not.toContain(credentials.apiKey);
    expect(fake.bookings).toEqual([]);
  });

  it('reads Bring’s error codes as our fields', () => {
    expect(bringField('BOOK-INPUT-057-SENDER')).toBe('sender.postalCode');
    expect(bringField('BOOK-INPUT-028-RECIPIENT')).toBe('recipient.country');
    expect(bringField('BOOK-INPUT-020')).toBe('service');
    expect(bringField('BOOK-INPUT-002')).toBe('parcels.weight');
    expect(bringField('BOOK-INPUT-072')).toBe('recipient.phone');
    expect(bringField('BOOK-INTERNAL-001')).toBeNull();
  });

  it('401 is unauthorized, 429 unavailable, 500 unknown', async () => {
    const { fake, adapter } = await setup();
    for (const [status, expected] of [
      [401, 'unauthorized'],
      [429, 'unavailable'],
      [500, 'unknown'],
    ] as const) {
      fake.failNext(isBooking, { kind: 'status', status, body: { message: 'no' } });
      const err = await failure(adapter.book(request(1), { signal: signal() }));
      expect(err.failure).toBe(expected);
      expect(err.message).not.toContain(credentials.apiKey);
    }
    expect(fake.bookings).toEqual([]);
  });

  it('a timeout after Bring booked is unknown, and the reference then finds the booking', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(isBooking, { kind: 'hang-after' });
    const err = await failure(adapter.book(request(1, 'pdf', 'WO-1001-8-1'), { signal: AbortSignal.timeout(300) }));

    expect(err.failure).toBe('unknown');
    expect(fake.bookings).toHaveLength(1);
    const found = await adapter.findByReference('WO-1001-8-1', { signal: signal() });
    expect(found?.carrierRef).toBe(fake.bookings[0]?.consignmentNumber);
    expect(found?.parcels.map((p) => p.parcelId)).toEqual(fake.bookings[0]?.packageNumbers);
  });

  it('a dropped connection and a malformed 200 are unknown', async () => {
    const { fake, adapter } = await setup();
    fake.failNext(isBooking, { kind: 'drop-after' });
    expect((await failure(adapter.book(request(1), { signal: signal() }))).failure).toBe('unknown');
    fake.failNext(isBooking, { kind: 'malformed' });
    expect((await failure(adapter.book(request(1), { signal: signal() }))).failure).toBe('unknown');
    fake.failNext(isBooking, { kind: 'malformed', body: '{"consignments":[{"confirmation":{"consignmentNumber":"1"}}]}' });
    expect((await failure(adapter.book(request(1), { signal: signal() }))).failure).toBe('unknown');
  });

  it('the validator built from the description refuses a request that breaks it', async () => {
    const { fake, adapter } = await setup();
    await adapter.book(request(1), { signal: signal() });
    const good = fake.requests.find(isBooking);
    if (!good) throw new Error('no booking request');
    expect(validateBringRequest(good)).toEqual([]);

    const body = structuredClone(good.body) as {
      testIndicator?: boolean;
      consignments: { product: { customerNumber?: string }; parties: { recipient: { countryCode: string } }; packages: { weightInKg: unknown }[] }[];
    };
    delete body.testIndicator;
    const [consignment] = body.consignments;
    if (!consignment) throw new Error('no consignment');
    delete consignment.product.customerNumber;
    consignment.parties.recipient.countryCode = 'NOR';
    consignment.packages[0] = { weightInKg: '1.2' };
    const problems = validateBringRequest({ ...good, body });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("must have required property 'testIndicator'"),
        expect.stringContaining("must have required property 'customerNumber'"),
        expect.stringMatching(/countryCode must NOT have more than 2 characters/),
        expect.stringMatching(/weightInKg must be number/),
      ]),
    );
    const noKey = validateBringRequest({ ...good, headers: { ...good.headers, 'x-mybring-api-key': undefined } });
    expect(noKey).toContain('header x-mybring-api-key is required');
    expect(validateBringRequest({ ...good, method: 'DELETE' })).toEqual(['DELETE /booking/api/booking is not in the description']);
  });

  it('says what an account needs', () => {
    expect(bring.defaultBaseUrl(true)).toBe('https://api.bring.com/booking/api');
    expect(bring.defaultBaseUrl(false)).toBe('https://api.bring.com/booking/api');
    expect(bring.labelFormats).toEqual(['pdf']);
    expect(bring.credentialFields).toEqual(['apiUid', 'apiKey', 'customerNumber', 'clientUrl']);
    expect(bring.services.map((s) => s.code)).toEqual(expect.arrayContaining(['5800', '5600']));
  });
});
