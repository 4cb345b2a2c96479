// One interface for every carrier and freight broker the station can book with. The adapters
// (nshift.ts, shipmondo.ts, bring.ts) turn it into the carrier's own API; nothing outside
// src/carriers/ knows a carrier's field names.

export const CARRIER_KINDS = ['nshift', 'shipmondo', 'bring'] as const;
export type CarrierKind = (typeof CARRIER_KINDS)[number];

export type LabelFormat = 'zpl' | 'pdf';

/** A sender or recipient as the carriers take it. `country` is ISO 3166-1 alpha-2 (SE, NO, DK …). */
export interface PartyAddress {
  name: string;
  line1: string;
  line2?: string | null;
  postalCode: string;
  city: string;
  country: string;
  phone?: string | null;
  email?: string | null;
  /** A person to ask for, when the name is a company. */
  contact?: string | null;
}

/** One booking: a shipment (consignment) of one or more parcels for one delivery. */
export interface BookingRequest {
  /**
   * Our own reference, unique per attempt: `<order code>-<delivery id>-<attempt>`. The adapter sends
   * it where the carrier keeps and can search it (nShift `orderNo`, Shipmondo `reference`/`order_id`,
   * Bring `customerReference`), so `findByReference` finds the booking after a lost answer.
   */
  reference: string;
  orderCode: string;
  /** The carrier's own service (product) code, from the shipping method's mapping. */
  service: string;
  sender: PartyAddress;
  recipient: PartyAddress;
  /** One entry per parcel; weight in grams (the carriers want at least 1). */
  parcels: { weightGrams: number }[];
  labelFormat: LabelFormat;
  /** The account is in the carrier's test mode: nothing is really sent or billed. */
  test: boolean;
}

export interface BookedParcel {
  /** The carrier's parcel number (what its label's barcode holds, what tracking reads). */
  parcelId: string;
  trackingUrl: string | null;
}

/** A label document as the carrier sent it: ZPL is sent to the printer as is, a PDF opens in the browser. */
export interface Label {
  format: LabelFormat;
  data: Buffer;
}

export interface Booking {
  /** The carrier's id of the shipment: what `cancel` and a label fetch take. */
  carrierRef: string;
  parcels: BookedParcel[];
  labels: Label[];
}

/** What every call takes: the account's address, credentials and mode, and a signal that ends it. */
export interface CallOptions {
  signal: AbortSignal;
}

/**
 * Who an adapter books with: a carrier account's carrier, or the station's own source of parcel IDs
 * (the shop's SSCC series, the generic HTTP broker of Settings → Shipping), which sell nothing and
 * so need no booking record: they look nothing up and cancel nothing.
 */
export type AdapterKind = CarrierKind | 'sscc' | 'broker';

export interface CarrierAdapter {
  readonly kind: AdapterKind;
  /** Books the shipment. Never retried inside: a lost answer is resolved with `findByReference`. */
  book(request: BookingRequest, options: CallOptions): Promise<Booking>;
  /** The booking the carrier holds under our reference, with its parcels and labels, or null. */
  findByReference(reference: string, options: CallOptions): Promise<Booking | null>;
  /** Cancels (voids) the whole booking at the carrier. Cancelling one already cancelled is not an error. */
  cancel(carrierRef: string, options: CallOptions): Promise<void>;
}

/** An account's settings as an adapter needs them (credentials decrypted, only in memory). */
export interface CarrierAccountConfig {
  /** The API's base address; the carrier's own by default, another for a test system or a proxy. */
  baseUrl: string;
  credentials: Record<string, string>;
  test: boolean;
}

/** The fields of our booking a carrier's refusal can name; the station says which one in words. */
export const CARRIER_FIELDS = [
  'recipient.name',
  'recipient.line1',
  'recipient.postalCode',
  'recipient.city',
  'recipient.country',
  'recipient.phone',
  'recipient.email',
  'sender.name',
  'sender.line1',
  'sender.postalCode',
  'sender.city',
  'sender.country',
  'sender.phone',
  'sender.email',
  'service',
  'parcels.weight',
  'credentials',
] as const;
export type CarrierField = (typeof CARRIER_FIELDS)[number];

export interface CarrierProblem {
  /** Our field the carrier's message is about, or null when it names none we know. */
  field: CarrierField | null;
  /** The carrier's own words (kept short; never the credentials). */
  message: string;
}

/**
 * How a call failed, which decides what may happen next:
 * - `refused`: the carrier answered no (4xx with its reasons): nothing was booked; fix and book again.
 * - `unauthorized`: the credentials were refused (401/403): nothing was booked.
 * - `unavailable`: the request was not taken (429, connection refused): nothing was booked.
 * - `unknown`: the request may have been taken (timeout after sending, 5xx, a malformed answer,
 *   a connection lost mid-answer): look the reference up before booking again.
 */
export type CarrierFailure = 'refused' | 'unauthorized' | 'unavailable' | 'unknown';

export class CarrierError extends Error {
  constructor(
    readonly failure: CarrierFailure,
    readonly problems: CarrierProblem[],
    /** The HTTP status, when there was an answer. */
    readonly status: number | null = null,
  ) {
    super(`${failure}: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ') || 'no message'}`);
    this.name = 'CarrierError';
  }
}

/** What Settings → Shipping → Carriers and the booking service know of a carrier, one per adapter module. */
export interface CarrierDefinition {
  kind: CarrierKind;
  /** The carrier's name as people know it. */
  name: string;
  /** The credentials an account needs, by name (their labels are in the catalogs: `carrierSettings.credential.<name>`). */
  credentialFields: readonly string[];
  /** The carrier's API address for live or test mode. */
  defaultBaseUrl(test: boolean): string;
  /** The label formats the carrier can send; ZPL first when it offers it. */
  labelFormats: readonly LabelFormat[];
  /** Common services (product codes) offered in the mapping form; any other code may be typed. */
  services: readonly { code: string; name: string }[];
  create(config: CarrierAccountConfig): CarrierAdapter;
}
