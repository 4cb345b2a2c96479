// nShift Delivery (formerly Unifaun Online), REST API /rs-extapi/v1, as its RAML describes it
// (test/carriers/nshift/description/README.md names the source).
//
// A booking is two documented calls: POST /stored-shipments (our reference in `orderNo`), then
// POST /stored-shipments/{id}/shipments to print it. The one-call POST /shipments would do both, but
// the only search by `orderNo` the API documents is GET /stored-shipments: storing first is what lets
// `findByReference` find a booking whose answer was lost. Labels come as PDF only (the API's media
// are laser and thermo PDF layouts; it offers no ZPL).
import { z } from 'zod';
import { carrierCall, joinUrl, readAnswer, refused, shortText, type CarrierHttpAnswer } from './http.js';
import {
  CarrierError,
  type Booking,
  type BookingRequest,
  type CallOptions,
  type CarrierAccountConfig,
  type CarrierAdapter,
  type CarrierDefinition,
  type CarrierField,
  type CarrierProblem,
  type Label,
  type LabelFormat,
  type PartyAddress,
} from './types.js';

/** The RAML's Intro names this address; its `baseUri` adds a release folder that the short one serves too. */
const LIVE_BASE_URL = 'https://api.unifaun.com/rs-extapi/v1';

/** One validation message (StatusList.jsonschema; also `statuses` of a stored shipment). */
const statusSchema = z.object({
  type: z.string().nullish(),
  field: z.string().nullish(),
  location: z.string().nullish(),
  messageCode: z.string().nullish(),
  message: z.string().nullish(),
});
type Status = z.infer<typeof statusSchema>;

// The description's examples send null for string fields and ids as strings: read leniently, keep what we use.
const storedSchema = z.object({
  id: z.string(),
  status: z.string().nullish(),
  orderNo: z.string().nullish(),
  statuses: z.array(statusSchema).nullish(),
});
type Stored = z.infer<typeof storedSchema>;

const shipmentSchema = z.object({
  id: z.string(),
  status: z.string().nullish(),
  orderNo: z.string().nullish(),
  parcels: z.array(z.object({ parcelNo: z.string() })).nullish(),
  pdfs: z.array(z.object({ id: z.string(), description: z.string().nullish(), pdf: z.string().nullish() })).nullish(),
});
type Shipment = z.infer<typeof shipmentSchema>;

// The RAML declares `shipmentInfo` (one object) for the print answer but shows an array: take either.
const printAnswerSchema = z.union([z.array(shipmentSchema), shipmentSchema.transform((s) => [s])]);

const errorSchema = z.object({ code: z.string().nullish(), message: z.string().nullish() });

/**
 * The PDF layout (`target1Media`) for the labels. A station that asked for ZPL prints on a thermal
 * printer: it gets the 107 × 251 mm thermo label as a PDF; otherwise an A5 label on A4 paper, which
 * any printer prints. Target 2 takes the A4 documents some services add (waybill, customs).
 */
function pdfConfig(format: LabelFormat) {
  return {
    target1Media: format === 'zpl' ? 'thermo-se' : 'laser-a5',
    target1XOffset: 0,
    target1YOffset: 0,
    target2Media: 'laser-a4',
    target2XOffset: 0,
    target2YOffset: 0,
  };
}

/** A party in the description's shape (Shipment.jsonschema `sender`/`receiver`): absent values are left out, not null. */
function party(address: PartyAddress) {
  return {
    name: address.name,
    address1: address.line1,
    ...(address.line2 && { address2: address.line2 }),
    zipcode: address.postalCode,
    city: address.city,
    country: address.country,
    ...(address.contact && { contact: address.contact }),
    ...(address.phone && { phone: address.phone, mobile: address.phone }),
    ...(address.email && { email: address.email }),
  };
}

/** The stored shipment: one parcel row per parcel (`copies` 1, weight in kg as the API wants). */
export function shipmentBody(request: BookingRequest) {
  return {
    sender: party(request.sender),
    receiver: party(request.recipient),
    service: { id: request.service },
    parcels: request.parcels.map((p) => ({ copies: 1, weight: Math.max(1, p.weightGrams) / 1000, valuePerParcel: true })),
    orderNo: request.reference,
    senderReference: request.orderCode,
    // The API's test flag prints TEST on the label and sends no EDI to the carrier.
    ...(request.test && { test: true }),
  };
}

/**
 * Our field for a carrier message, from its `field`/`location` names (`Address_Zipcode`,
 * `ParcelGroup_Weight` …). Those name the value but not always the party: the receiver is assumed
 * unless they say sender, since the sender is the shop's own, already accepted, address.
 */
export function fieldOf(status: Pick<Status, 'field' | 'location'>): CarrierField | null {
  const text = `${status.field ?? ''} ${status.location ?? ''}`.toLowerCase();
  if (!text.trim()) return null;
  if (/weight/.test(text)) return 'parcels.weight';
  if (/service/.test(text)) return 'service';
  const who = /\bsnd|sender/.test(text) ? 'sender' : 'recipient';
  if (/zip|postal|postcode/.test(text)) return `${who}.postalCode`;
  if (/country/.test(text)) return `${who}.country`;
  if (/city/.test(text)) return `${who}.city`;
  if (/phone|mobile|sms/.test(text)) return `${who}.phone`;
  if (/email/.test(text)) return `${who}.email`;
  if (/name/.test(text)) return `${who}.name`;
  if (/address/.test(text)) return `${who}.line1`;
  return null;
}

/** Validation messages as problems: the errors when there are any, else every message. */
function problemsOf(statuses: Status[]): CarrierProblem[] {
  const errors = statuses.filter((s) => (s.type ?? '').toLowerCase() === 'error');
  return (errors.length ? errors : statuses).map((s) => ({ field: fieldOf(s), message: s.message || s.messageCode || 'invalid value' }));
}

/** A 4xx answer as a refusal: a 422 lists validation messages (StatusList), a 400 is an Error. */
function refusal(answer: CarrierHttpAnswer): CarrierError {
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    return refused(answer.status, answer.text.trim() ? [{ field: null, message: shortText(answer.text) }] : []);
  }
  const statuses = z.array(statusSchema).safeParse(json);
  if (statuses.success) return refused(answer.status, problemsOf(statuses.data));
  const error = errorSchema.safeParse(json);
  if (error.success && (error.data.message || error.data.code))
    return refused(answer.status, [{ field: null, message: [error.data.code, error.data.message].filter(Boolean).join(': ') }]);
  return refused(answer.status, [{ field: null, message: shortText(answer.text) }]);
}

const is2xx = (answer: CarrierHttpAnswer) => answer.status >= 200 && answer.status < 300;

/** The printed shipment as our booking: every parcel number, every document (labels first) as a PDF. */
function bookingOf(shipments: Shipment[], status: number): Booking {
  const main = shipments[0];
  const parcels = shipments.flatMap((s) => s.parcels ?? []);
  const pdfs = shipments.flatMap((s) => s.pdfs ?? []);
  // Without parcels or inline documents the answer is not what `inlinePdf=true` describes; the
  // shipment is printed all the same, so this is a malformed answer, not a refusal.
  if (!main || !parcels.length || !pdfs.length || pdfs.some((p) => !p.pdf))
    throw new CarrierError(
      'unknown',
      [{ field: null, message: 'malformed answer: the printed shipment came without parcel numbers or label documents' }],
      status,
    );
  const labels: Label[] = pdfs.map((p) => ({ format: 'pdf', data: Buffer.from(p.pdf ?? '', 'base64') }));
  // The description documents no public tracking page (tracking links come from each carrier).
  return { carrierRef: main.id, parcels: parcels.map((p) => ({ parcelId: p.parcelNo, trackingUrl: null })), labels };
}

export const nshift: CarrierDefinition = {
  kind: 'nshift',
  name: 'nShift Delivery (Unifaun)',
  credentialFields: ['apiKeyId', 'apiKeySecret'],
  // One address: nShift has no separate test system; test bookings carry the `test` flag instead.
  defaultBaseUrl: () => LIVE_BASE_URL,
  labelFormats: ['pdf'],
  // Codes from the description's examples; each account's own list is under Help → Code lists.
  services: [
    { code: 'P15', name: 'PostNord Parcel (SE)' },
    { code: 'BPA', name: 'DB Schenker Parcel' },
    { code: 'BHP', name: 'DB Schenker Ombud Standard' },
  ],
  create(config: CarrierAccountConfig): CarrierAdapter {
    const id = config.credentials.apiKeyId ?? '';
    const secret = config.credentials.apiKeySecret ?? '';
    // The RAML's bearer scheme: "Bearer <API key id>-<secret id>", the combined API key.
    const headers = { Authorization: `Bearer ${id}-${secret}` };
    const url = (path: string, query?: Record<string, string>) => joinUrl(config.baseUrl, path) + (query ? `?${new URLSearchParams(query).toString()}` : '');

    /** Prints a READY stored shipment: the shipment with its parcel numbers and inline PDFs. */
    async function print(storedId: string, format: LabelFormat, signal: AbortSignal): Promise<Booking> {
      const answer = await carrierCall({
        method: 'POST',
        url: url(`stored-shipments/${encodeURIComponent(storedId)}/shipments`, { inlinePdf: 'true' }),
        headers,
        body: pdfConfig(format),
        signal,
      });
      if (!is2xx(answer)) throw refusal(answer);
      return bookingOf(readAnswer(answer, printAnswerSchema), answer.status);
    }

    /** Deletes a stored shipment that will not be printed, so no half-made booking stays in the account. */
    async function discard(storedId: string, signal: AbortSignal): Promise<void> {
      try {
        await carrierCall({ method: 'DELETE', url: url(`stored-shipments/${encodeURIComponent(storedId)}`), headers, signal });
      } catch {
        // Best effort: an unprinted stored shipment is neither sent to the carrier nor billed, and the
        // refusal being reported matters more than this tidying.
      }
    }

    async function search(reference: string, signal: AbortSignal): Promise<Stored[]> {
      const answer = await carrierCall({
        method: 'GET',
        url: url('stored-shipments', { searchField: 'orderNo', searchOp: 'equals', searchValue: reference }),
        headers,
        signal,
      });
      if (!is2xx(answer)) throw refusal(answer);
      // `equals` should be exact already; the check keeps a looser server match from returning another order.
      return readAnswer(answer, z.array(storedSchema)).filter((s) => s.orderNo === reference);
    }

    return {
      kind: 'nshift',

      async book(request, { signal }: CallOptions) {
        const stored = await carrierCall({ method: 'POST', url: url('stored-shipments'), headers, body: shipmentBody(request), signal });
        if (!is2xx(stored)) throw refusal(stored);
        const info = readAnswer(stored, storedSchema);
        // Only a READY stored shipment can be printed; INVALID/WARNED/FAILED carry the reasons.
        if ((info.status ?? '').toUpperCase() !== 'READY') {
          await discard(info.id, signal);
          throw refused(stored.status, problemsOf(info.statuses ?? []));
        }
        try {
          return await print(info.id, request.labelFormat, signal);
        } catch (err) {
          if (err instanceof CarrierError && err.failure === 'refused') await discard(info.id, signal);
          throw err;
        }
      },

      async findByReference(reference, { signal }: CallOptions) {
        const found = await search(reference, signal);
        const printed = found.find((s) => (s.status ?? '').toUpperCase() === 'PRINTED');
        if (printed)
          // The API documents no way from a stored shipment to the shipment printed from it, nor a
          // search of shipments by orderNo (GET /shipments is a TrackBack feed by fetchId). A person
          // must look: saying "not found" would book the parcels twice.
          throw new CarrierError('unknown', [
            {
              field: null,
              message: `nShift printed the shipment stored under order number ${reference} (stored id ${printed.id}), but its API cannot give back the printed shipment; find it in nShift under Shipments by that order number, and reprint or cancel it there`,
            },
          ]);
        // Stored but never printed (the booking's answer was lost after storing): printing it now
        // completes that booking. A station does not know the printer here, so the A4 layout.
        const ready = found.find((s) => (s.status ?? '').toUpperCase() === 'READY');
        if (!ready) return null;
        try {
          return await print(ready.id, 'pdf', signal);
        } catch (err) {
          // Not READY any more: a print of it is under way (the lost answer's); look again later.
          if (err instanceof CarrierError && err.failure === 'refused')
            throw new CarrierError(
              'unknown',
              [{ field: null, message: `the shipment stored under ${reference} could not be printed now: ${err.message}` }],
              err.status,
            );
          throw err;
        }
      },

      async cancel(carrierRef, { signal }: CallOptions) {
        const answer = await carrierCall({ method: 'DELETE', url: url(`shipments/${encodeURIComponent(carrierRef)}`), headers, signal });
        // 204: cancelled (again). 404: the account holds no such shipment, so there is nothing left to void.
        if (is2xx(answer) || answer.status === 404) return;
        throw refusal(answer);
      },
    };
  },
};
