// Bring (Posten Norge) through its Booking API (https://developer.bring.com/api/booking/): one POST
// books a consignment and answers with the consignment number, the package numbers and a link to a
// PDF label. The Booking API has no search and no cancellation: a lost answer is looked up in the
// logged-in Tracking API by our reference (kept as the sender's `reference`), and `cancel` refuses.
import { z } from 'zod';
import { carrierCall, MAX_ANSWER_BYTES, readCapped, joinUrl, readAnswer, refused, shortText } from './http.js';
import {
  CarrierError,
  type Booking,
  type BookingRequest,
  type CarrierAccountConfig,
  type CarrierAdapter,
  type CarrierDefinition,
  type CarrierField,
  type CarrierProblem,
  type PartyAddress,
} from './types.js';

/** Booking and logged-in tracking share this host; test mode is the `testIndicator` flag, not another host. */
const BOOKING_BASE_URL = 'https://api.bring.com/booking/api';

/** The public tracking page, as the booking answer's own `links.tracking` shows it. */
export const BRING_TRACKING_PAGE = 'https://sporing.bring.no/sporing.html?q=';

// The booking answer, as booking-v1.xsd's BookingResponseType reads in JSON (lists as arrays).
const errorSchema = z.object({
  uniqueId: z.string().nullish(),
  code: z.string(),
  messages: z.array(z.object({ lang: z.string().nullish(), message: z.string() })).nullish(),
});
type BringError = z.infer<typeof errorSchema>;

const bookingAnswer = z.object({
  consignments: z.array(
    z.object({
      correlationId: z.string().nullish(),
      confirmation: z
        .object({
          consignmentNumber: z.string().min(1),
          links: z.object({ labels: z.string().min(1), tracking: z.string().nullish() }),
          packages: z.array(z.object({ packageNumber: z.string().min(1), correlationId: z.string().nullish() })).min(1),
        })
        .nullish(),
      errors: z.array(errorSchema).nullish(),
    }),
  ),
});

/** What a 4xx carries: the same answer with errors per consignment, or errors alone. */
const errorAnswer = z.object({
  consignments: z.array(z.object({ errors: z.array(errorSchema).nullish() }).passthrough()).nullish(),
  errors: z.array(errorSchema).nullish(),
});

// The Tracking API's Consignment type (tracking api.raml): a "no shipments" search is a 200 whose
// consignmentSet holds an `error` entry instead of a consignment.
const trackingAnswer = z.object({
  consignmentSet: z
    .array(
      z.object({
        consignmentId: z.string().nullish(),
        senderReference: z.string().nullish(),
        packageSet: z.array(z.object({ packageNumber: z.string() })).nullish(),
        error: z.object({ code: z.union([z.number(), z.string()]).nullish(), message: z.string().nullish() }).nullish(),
      }),
    )
    .nullish(),
});

/** Our field for a party field Bring names by error code (errors.json; "suffixable" codes end in -SENDER/-RECIPIENT). */
const PARTY_CODES: Record<string, 'name' | 'line1' | 'city' | 'country' | 'postalCode'> = {
  'BOOK-INPUT-014': 'name',
  'BOOK-INPUT-015': 'line1',
  'BOOK-INPUT-016': 'city',
  'BOOK-INPUT-017': 'country',
  'BOOK-INPUT-028': 'country',
  'BOOK-INPUT-057': 'postalCode',
  'BOOK-VALIDATION-003': 'country',
};
/** Codes about one field whatever the party. */
const FIELD_CODES: Record<string, CarrierField> = {
  'BOOK-INPUT-002': 'parcels.weight',
  'BOOK-INPUT-008': 'service',
  'BOOK-INPUT-018': 'service',
  'BOOK-INPUT-020': 'service',
  'BOOK-INPUT-022': 'service',
  'BOOK-INPUT-025': 'service',
  'BOOK-INPUT-070': 'service',
  'BOOK-INPUT-019': 'credentials',
  'BOOK-INPUT-021': 'credentials',
  'BOOK-INPUT-029': 'credentials',
  'BOOK-INPUT-072': 'recipient.phone',
  'BOOK-VALIDATION-002': 'recipient.phone',
  'BOOK-VALIDATION-011': 'recipient.phone',
};

/** Bring's error code to our field: codes are spelt with `-` or `_` alike (BOOK_INPUT-057-RECIPIENT). */
export function bringField(code: string): CarrierField | null {
  const match = /^(BOOK-(?:INPUT|VALIDATION)-\d{3})(?:-(SENDER|RECIPIENT))?$/.exec(code.toUpperCase().replace(/_/g, '-'));
  if (!match?.[1]) return null;
  const party = PARTY_CODES[match[1]];
  if (party) return `${match[2] === 'SENDER' ? 'sender' : 'recipient'}.${party}`;
  return FIELD_CODES[match[1]] ?? null;
}

function problemOf(error: BringError): CarrierProblem {
  const messages = error.messages ?? [];
  const text = (messages.find((m) => m.lang === 'en') ?? messages[0])?.message ?? '';
  return { field: bringField(error.code), message: text ? `${text} (${error.code})` : error.code };
}

/** A 4xx (or a 2xx with errors and no confirmation): nothing was booked. */
function refusal(status: number, text: string): CarrierError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refused(status, text.trim() ? [{ field: null, message: shortText(text) }] : []);
  }
  const parsed = errorAnswer.safeParse(json);
  if (!parsed.success) return refused(status, [{ field: null, message: shortText(text) }]);
  const errors = [...(parsed.data.errors ?? []), ...(parsed.data.consignments ?? []).flatMap((c) => c.errors ?? [])];
  return refused(status, errors.map(problemOf));
}

/** A party as Bring's booking takes it; empty optional fields are left out. */
function party(address: PartyAddress, reference: string | null) {
  return {
    name: address.name,
    addressLine: address.line1,
    ...(address.line2 && { addressLine2: address.line2 }),
    postalCode: address.postalCode,
    city: address.city,
    countryCode: address.country.toUpperCase(),
    ...(reference && { reference }),
    contact: {
      name: address.contact || address.name,
      ...(address.email && { email: address.email }),
      ...(address.phone && { phoneNumber: address.phone }),
    },
  };
}

/** The tracking page of one parcel: the answer's link with the parcel's number, else the documented page. */
function trackingUrl(link: string | null | undefined, consignmentNumber: string, parcelId: string): string {
  if (link?.includes(consignmentNumber)) return link.replace(consignmentNumber, encodeURIComponent(parcelId));
  return `${BRING_TRACKING_PAGE}${encodeURIComponent(parcelId)}`;
}

/** The logged-in Tracking API beside the booking API on the same host (`…/booking/api` → `…/tracking/api`). */
function trackingBase(bookingBase: string): string {
  const url = new URL(bookingBase);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = /\/booking\/api$/.test(path) ? path.replace(/\/booking\/api$/, '/tracking/api') : '/tracking/api';
  return url.toString().replace(/\/+$/, '');
}

function create(config: CarrierAccountConfig): CarrierAdapter {
  const uid = config.credentials.apiUid ?? '';
  const key = config.credentials.apiKey ?? '';
  const customerNumber = config.credentials.customerNumber ?? '';
  const clientUrl = config.credentials.clientUrl ?? '';
  const auth = { 'X-MyBring-API-Uid': uid, 'X-MyBring-API-Key': key, 'X-Bring-Client-URL': clientUrl };
  const apiOrigin = new URL(config.baseUrl).origin;

  /**
   * The label PDF. http.ts reads answers as text, which would corrupt a PDF's bytes, so this one GET
   * is made here with the same sorting of failures. Bring answers the label link with a 302 to its
   * storage (the description says so): the redirect is followed by hand, so that the API key goes
   * only to Bring's own host and never on to the storage.
   */
  async function fetchLabel(url: string, signal: AbortSignal): Promise<Buffer> {
    let target = url;
    for (let hop = 0; hop < 5; hop++) {
      // Only the answer's own link on Bring's API host gets the key; a redirect's target never does.
      const sameHost = hop === 0 && new URL(target).origin === apiOrigin;
      let res: Response;
      try {
        res = await fetch(target, { headers: { Accept: 'application/pdf', ...(sameHost && auth) }, redirect: 'manual', signal });
      } catch (err) {
        throw new CarrierError('unknown', [{ field: null, message: `label not fetched: ${err instanceof Error ? err.name : 'network error'}` }]);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        target = new URL(location, target).toString();
        continue;
      }
      // Booked, but without its label: book() keeps the booking, recorded without it.
      if (!res.ok) throw new CarrierError('unknown', [{ field: null, message: `label not fetched: HTTP ${res.status}` }], res.status);
      try {
        return await readCapped(res, MAX_ANSWER_BYTES);
      } catch {
        throw new CarrierError('unknown', [{ field: null, message: 'label not fetched: connection lost' }]);
      }
    }
    throw new CarrierError('unknown', [{ field: null, message: 'label not fetched: too many redirects' }]);
  }

  return {
    kind: 'bring',

    async book(request: BookingRequest, { signal }): Promise<Booking> {
      const body = {
        testIndicator: config.test,
        schemaVersion: 1,
        consignments: [
          {
            // Milliseconds since 1970: the description's form of a date for a JSON request.
            shippingDateTime: Date.now(),
            parties: { sender: party(request.sender, request.reference), recipient: party(request.recipient, null) },
            product: { id: request.service, customerNumber },
            correlationId: request.reference,
            packages: request.parcels.map((p, i) => ({
              weightInKg: Math.max(1, Math.round(p.weightGrams)) / 1000,
              correlationId: `${request.reference}-${i + 1}`,
            })),
          },
        ],
      };
      const answer = await carrierCall({ method: 'POST', url: joinUrl(config.baseUrl, 'booking'), headers: auth, body, signal });
      if (answer.status >= 400) throw refusal(answer.status, answer.text);
      const consignment = readAnswer(answer, bookingAnswer).consignments[0];
      if (!consignment?.confirmation) {
        if (consignment?.errors?.length) throw refusal(answer.status, answer.text);
        throw new CarrierError('unknown', [{ field: null, message: `malformed answer: ${shortText(answer.text)}` }], answer.status);
      }
      const { consignmentNumber, links, packages } = consignment.confirmation;
      // Bring sends PDF only (ZPL is for its RFID mailbox parcel alone): a ZPL request gets PDF.
      // Booked is booked: a label that cannot be fetched leaves the booking to be recorded without
      // it (the lookup could not give it back either), never thrown away to be booked again.
      const label = await fetchLabel(links.labels, signal).catch(() => null);
      return {
        carrierRef: consignmentNumber,
        parcels: packages.map((p) => ({ parcelId: p.packageNumber, trackingUrl: trackingUrl(links.tracking, consignmentNumber, p.packageNumber) })),
        labels: label ? [{ format: 'pdf', data: label }] : [],
      };
    },

    async findByReference(reference: string, { signal }): Promise<Booking | null> {
      const url = `${trackingBase(config.baseUrl)}/v2/tracking.json?q=${encodeURIComponent(reference)}`;
      const answer = await carrierCall({ method: 'GET', url, headers: auth, signal });
      if (answer.status === 404) return null;
      if (answer.status >= 400) throw refusal(answer.status, answer.text);
      // Tracking's q also matches other references and numbers: only the sender reference we set counts.
      const found = (readAnswer(answer, trackingAnswer).consignmentSet ?? []).find((c) => !c.error && c.consignmentId && c.senderReference === reference);
      if (!found?.consignmentId) return null;
      const consignmentId = found.consignmentId;
      return {
        carrierRef: consignmentId,
        parcels: (found.packageSet ?? []).map((p) => ({ parcelId: p.packageNumber, trackingUrl: trackingUrl(null, consignmentId, p.packageNumber) })),
        // Tracking holds no label link, and the Booking API cannot hand a label out again.
        labels: [],
      };
    },

    cancel(carrierRef: string): Promise<void> {
      return Promise.reject(
        new CarrierError('refused', [
          {
            field: null,
            message: `Bring's Booking API offers no cancellation: shipment ${carrierRef} stays booked at Bring`,
          },
        ]),
      );
    },
  };
}

export const bring: CarrierDefinition = {
  kind: 'bring',
  name: 'Bring',
  credentialFields: ['apiUid', 'apiKey', 'customerNumber', 'clientUrl'],
  defaultBaseUrl: () => BOOKING_BASE_URL,
  labelFormats: ['pdf'],
  services: [
    { code: '5800', name: 'PickUp Parcel (Pakke til hentested)' },
    { code: '5600', name: 'Home Delivery Parcel (Pakke levert hjem)' },
    { code: '5000', name: 'Business Parcel (Pakke til bedrift)' },
    { code: '3584', name: 'Mailbox Parcel (Pakke i postkassen)' },
    { code: '5100', name: 'Business Groupage (Stykkgods til bedrift)' },
    { code: 'PICKUP_PARCEL', name: 'PickUp Parcel (Sweden, Denmark, Finland)' },
  ],
  create,
};
