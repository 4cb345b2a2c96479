// Shipmondo API v3 (github.com/shipmondo/api_documentation, reference/API v3.yaml): a booking is a
// shipment (POST /shipments), its labels come from GET /shipments/{id}/labels, our reference is the
// shipment's `order_id` (what GET /shipments?order_id= searches), and cancelling is
// PUT /shipments/{id}/cancel_at_carrier, which Shipmondo offers only for some of its carriers.

import { z } from 'zod';
import { carrierCall, joinUrl, readAnswer, refused, shortText, type CarrierHttpAnswer } from './http.js';
import {
  CarrierError,
  type BookedParcel,
  type Booking,
  type CarrierAccountConfig,
  type CarrierAdapter,
  type CarrierDefinition,
  type CarrierField,
  type CarrierProblem,
  type Label,
  type LabelFormat,
  type PartyAddress,
} from './types.js';

const LIVE_URL = 'https://app.shipmondo.com/api/public/v3';
// The sandbox is Shipmondo's separate test system (its own account and API keys); the description
// names only the live host.
const SANDBOX_URL = 'https://sandbox.shipmondo.com/api/public/v3';

/** Our label formats as Shipmondo names them: the 10x19 cm PDF fits the same label printer as ZPL. */
const SHIPMONDO_LABEL_FORMAT: Record<LabelFormat, string> = { zpl: 'zpl', pdf: '10x19_pdf' };

const labelAnswer = z.array(z.object({ base64: z.string().min(1), file_format: z.string().nullish() }));

const shipmentAnswer = z.object({
  id: z.number().int(),
  order_id: z.string().nullish(),
  pkg_no: z.string().nullish(),
  // Not in the v3 description, which names one `pkg_no` per shipment: the live API lists a
  // shipment's parcels with a package number each. Read when given, else the shipment's `pkg_no`.
  parcels: z.array(z.object({ pkg_no: z.string().nullish() })).nullish(),
});
type Shipment = z.infer<typeof shipmentAnswer>;

/** The description's error answer (`Response 404`/`Response 422`): `{ error: "…" }`. */
const errorAnswer = z.object({ error: z.union([z.string(), z.array(z.string())]) });

export const shipmondo: CarrierDefinition = {
  kind: 'shipmondo',
  name: 'Shipmondo',
  credentialFields: ['apiUser', 'apiKey'],
  defaultBaseUrl: (test) => (test ? SANDBOX_URL : LIVE_URL),
  labelFormats: ['zpl', 'pdf'],
  // Product codes from Shipmondo's own examples (GET /products lists an account's codes); any other may be typed.
  services: [
    { code: 'GLSDK_SD', name: 'GLS (DK) Shop Delivery' },
    { code: 'GLSDK_HD', name: 'GLS (DK) Home Delivery' },
    { code: 'PDK_MH', name: 'PostNord (DK) MyPack Home' },
    { code: 'DHLE_EW', name: 'DHL Express Worldwide' },
  ],
  create: (config) => createAdapter(config),
};

function createAdapter(config: CarrierAccountConfig): CarrierAdapter {
  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, signal: AbortSignal, body?: unknown): Promise<CarrierHttpAnswer> => {
    const answer = await carrierCall({ method, url: joinUrl(config.baseUrl, path), headers: { Authorization: basicAuth(config) }, body, signal });
    if (answer.status >= 400) throw refused(answer.status, problemsOf(answer.text));
    return answer;
  };

  /** The shipment's labels: ZPL when asked and the carrier can make it, else the 10x19 PDF. */
  const labelsOf = async (shipmentId: number, format: LabelFormat, signal: AbortSignal): Promise<Label[]> => {
    const fetchLabels = async (f: LabelFormat) =>
      readAnswer(await call('GET', `/shipments/${shipmentId}/labels?format=${SHIPMONDO_LABEL_FORMAT[f]}`, signal), labelAnswer).map((label) =>
        toLabel(label, f),
      );
    if (format === 'pdf') return fetchLabels('pdf');
    try {
      return await fetchLabels('zpl');
    } catch (err) {
      // Not every carrier behind Shipmondo prints ZPL: it refuses the format, and the PDF is the label then.
      if (err instanceof CarrierError && err.failure === 'refused') return fetchLabels('pdf');
      throw err;
    }
  };

  return {
    kind: 'shipmondo',

    async book(request, { signal }) {
      const { product, services } = splitService(request.service);
      const answer = await call('POST', '/shipments', signal, {
        test_mode: request.test || config.test,
        // Shipmondo's own freight agreement; a shop's own carrier contract is chosen in Shipmondo per product.
        own_agreement: false,
        product_code: product,
        service_codes: services,
        // order_id is what GET /shipments searches; reference is what the label prints.
        order_id: request.reference,
        reference: request.reference,
        sender: party(request.sender),
        receiver: party(request.recipient),
        parcels: request.parcels.map((p) => ({ weight: Math.max(1, Math.round(p.weightGrams)) })),
      });
      const shipment = readAnswer(answer, shipmentAnswer);
      try {
        return toBooking(shipment, await labelsOf(shipment.id, request.labelFormat, signal));
      } catch (err) {
        // The shipment exists: whatever kept its labels away, the booking must be looked up, not made again.
        if (err instanceof CarrierError)
          throw new CarrierError('unknown', [{ field: null, message: `booked as shipment ${shipment.id}, labels not read` }, ...err.problems], err.status);
        throw err;
      }
    },

    async findByReference(reference, { signal }) {
      const answer = await call('GET', `/shipments?order_id=${encodeURIComponent(reference)}`, signal);
      // The filter is Shipmondo's; only an exact match is ours, the newest if it was booked twice.
      const found = readAnswer(answer, z.array(shipmentAnswer))
        .filter((s) => s.order_id === reference)
        .sort((a, b) => b.id - a.id)[0];
      if (!found) return null;
      // The lookup does not say which format the booking printed: ZPL first, as labelFormats offers.
      return toBooking(found, await labelsOf(found.id, 'zpl', signal));
    },

    async cancel(carrierRef, { signal }) {
      if (!/^\d+$/.test(carrierRef)) throw refused(400, [{ field: null, message: `not a Shipmondo shipment id: ${shortText(carrierRef, 40)}` }]);
      const answer = await call('PUT', `/shipments/${carrierRef}/cancel_at_carrier`, signal);
      const { cancelled_at_carrier } = readAnswer(answer, z.object({ cancelled_at_carrier: z.boolean() }));
      if (!cancelled_at_carrier)
        throw refused(answer.status, [
          {
            field: null,
            message: `Shipmondo did not cancel shipment ${carrierRef} at the carrier (it can for dao, FedEx, Brink Transport and Danske Fragtmænd); cancel it in Shipmondo`,
          },
        ]);
    },
  };
}

function basicAuth(config: CarrierAccountConfig): string {
  const user = config.credentials.apiUser ?? '';
  const key = config.credentials.apiKey ?? '';
  if (!user || !key) throw new CarrierError('unauthorized', [{ field: 'credentials', message: 'the API user and API key are both needed' }]);
  return `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;
}

/** `PRODUCT` or `PRODUCT:SERVICE,SERVICE` (e.g. `PDK_MH:EMAIL_NT,SMS_NT`): Shipmondo books both. */
function splitService(service: string): { product: string; services: string } {
  const at = service.indexOf(':');
  return at < 0 ? { product: service.trim(), services: '' } : { product: service.slice(0, at).trim(), services: service.slice(at + 1).replace(/\s+/g, '') };
}

/** A sender or receiver as the description's `Sender`/`Receiver`: empty fields left out (it types none as nullable). */
function party(address: PartyAddress): Record<string, string> {
  const fields: Record<string, string | null | undefined> = {
    name: address.name,
    attention: address.contact,
    address1: address.line1,
    address2: address.line2,
    zipcode: address.postalCode,
    city: address.city,
    country_code: address.country.toUpperCase(),
    email: address.email,
    // mobile is where the carriers send their SMS notices; telephone is what the label shows.
    mobile: address.phone,
    telephone: address.phone,
  };
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));
}

function toBooking(shipment: Shipment, labels: Label[]): Booking {
  const listed = (shipment.parcels ?? []).map((p) => p.pkg_no).filter((n): n is string => !!n);
  const numbers = listed.length ? listed : shipment.pkg_no ? [shipment.pkg_no] : [];
  // Shipmondo's answer carries no tracking address, and the page depends on the carrier behind it.
  const parcels: BookedParcel[] = numbers.map((parcelId) => ({ parcelId, trackingUrl: null }));
  return { carrierRef: String(shipment.id), parcels, labels };
}

function toLabel(label: z.infer<typeof labelAnswer>[number], asked: LabelFormat): Label {
  const format = label.file_format == null ? asked : label.file_format === 'zpl' ? 'zpl' : label.file_format === 'pdf' ? 'pdf' : null;
  if (!format) throw new CarrierError('unknown', [{ field: null, message: `label in an unexpected format: ${shortText(label.file_format ?? '', 20)}` }]);
  return { format, data: Buffer.from(label.base64, 'base64') };
}

/** The carrier's reasons, each with our field when its words name one. */
function problemsOf(text: string): CarrierProblem[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.trim() ? [{ field: null, message: shortText(text) }] : [];
  }
  const parsed = errorAnswer.safeParse(json);
  if (!parsed.success) return [{ field: null, message: shortText(text) }];
  const messages = Array.isArray(parsed.data.error) ? parsed.data.error : [parsed.data.error];
  return messages.filter((m) => m.trim()).map((m) => ({ field: fieldOf(m), message: shortText(m) }));
}

// Shipmondo's messages name its own fields (receiver zipcode, sender country_code, product_code …),
// in English or Danish.
const PARTY_FIELDS: [RegExp, 'name' | 'line1' | 'postalCode' | 'city' | 'country' | 'phone' | 'email'][] = [
  [/zip|postal|post ?code|postnummer|postnr/, 'postalCode'],
  [/country|landekode|\bland\b/, 'country'],
  [/mobile|phone|telefon|mobil/, 'phone'],
  [/e-?mail/, 'email'],
  [/address|street|adresse|vej/, 'line1'],
  // Not Danish "by" (city): it is an English word in the carrier's messages too.
  [/city|town/, 'city'],
  [/name|navn/, 'name'],
];

function fieldOf(message: string): CarrierField | null {
  const text = message.toLowerCase();
  const side = /receiver|recipient|modtager/.test(text) ? 'recipient' : /sender|afsender/.test(text) ? 'sender' : null;
  if (side) {
    const part = PARTY_FIELDS.find(([pattern]) => pattern.test(text))?.[1];
    if (part) return `${side}.${part}`;
  }
  if (/weight|vægt/.test(text)) return 'parcels.weight';
  if (/product|service|produkt/.test(text)) return 'service';
  return null;
}
