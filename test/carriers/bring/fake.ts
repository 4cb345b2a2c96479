// A fake of Bring's Booking API (and of the logged-in Tracking API's search) played from Bring's
// own description in ./description: requests are checked against the RAML, answers are built from
// the description's examples. See ./description/README.md for how the RAML becomes a JSON Schema.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { startFakeCarrier, type FakeCarrier, type FakeReply, type FakeRequest } from '../fake-carrier.js';

const dir = new URL('./description/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');
/** RAML's `!include` is kept as the included file's name: the fake reads the examples itself. */
const raml = (name: string) => parse(read(name), { customTags: [{ tag: '!include', resolve: (file: string) => ({ include: file }) }] }) as RamlDoc;

interface RamlParam {
  type?: string;
  required?: boolean;
  enum?: unknown[];
  pattern?: string;
  description?: string;
}
interface RamlMethod {
  headers?: Record<string, RamlParam>;
  queryParameters?: Record<string, RamlParam>;
}
interface RamlResource {
  uriParameters?: Record<string, RamlParam>;
  get?: RamlMethod;
  post?: RamlMethod;
}
type RamlDoc = { baseUri: string } & Record<string, RamlResource>;

const bookingRaml = raml('booking-api.raml');
const trackingRaml = raml('tracking-api.raml');
const bookingExample: unknown = JSON.parse(read('basicRequestNew.json'));
const trackingFound = JSON.parse(read('tracking-notification_received.json')) as { consignmentSet: Record<string, unknown>[] };
const trackingNotFound: unknown = JSON.parse(read('tracking-unsuccessful.json'));
const successXml = read('successfulResponse.xml');

type Schema = Record<string, unknown>;

// RAML's scalar types as JSON Schema; a dateTime is, for a JSON request, milliseconds or a date text
// (the description's own example: "2016-07-26T06:24:09 or 1469494449000 (… for json req)").
const RAML_TYPES: Record<string, Schema> = {
  string: { type: 'string' },
  boolean: { type: 'boolean' },
  integer: { type: 'integer' },
  double: { type: 'number' },
  decimal: { type: 'number' },
  number: { type: 'number' },
  dateTime: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
};

interface Shape {
  schema: Schema;
  /** Must be present (and not null) in its parent. */
  required: boolean;
  /** Makes its containers required too: false for a field the description says may be left out ("optional when …"). */
  propagates: boolean;
  /** An object's own schema, before it is made nullable. */
  object?: Schema;
}

const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });

/** A leaf the RAML declares: its type, enum, and the lengths its description states. */
function declaredLeaf(param: RamlParam, example: unknown): Shape {
  const schema: Schema = { ...(RAML_TYPES[param.type?.trim() ?? ''] ?? {}) };
  if (param.enum) schema.enum = param.enum;
  const text = param.description ?? '';
  const max = /maximum (\d+) characters? long/i.exec(text);
  const exact = /must be (\d+) characters? long/i.exec(text);
  if (schema.type === 'string' && max) schema.maxLength = Number(max[1]);
  if (schema.type === 'string' && exact) schema.minLength = schema.maxLength = Number(exact[1]);
  // A declared pattern that the description's own example violates is an error in the description
  // (the email "pattern" rejects every address): it is not applied.
  if (param.pattern && (typeof example !== 'string' || new RegExp(param.pattern).test(example))) schema.pattern = param.pattern;
  const required = param.required === true && example !== null;
  return { schema: required ? schema : nullable(schema), required, propagates: required && !/optional when/i.test(text) };
}

/** Items of an array: every key any example item has, required only where every item requires it. */
function mergeItems(shapes: Shape[]): Shape {
  const objects = shapes.flatMap((s) => (s.object ? [s.object] : []));
  if (!objects.length) return shapes[0] ?? { schema: {}, required: false, propagates: false };
  const properties: Record<string, Schema> = {};
  for (const o of objects) Object.assign(properties, o.properties as Record<string, Schema>);
  const required = Object.keys(properties).filter((k) => objects.every((o) => (o.required as string[]).includes(k)));
  const object: Schema = { type: 'object', properties, required };
  const propagates = required.length > 0;
  return { schema: propagates ? object : nullable(object), object, required: propagates, propagates };
}

/**
 * The request's JSON Schema: its shape (objects, arrays, where each field sits) from the
 * description's example request, each field's type, enum, length and whether it is required from
 * the RAML's declaration of that name. A container is required when a field in it is.
 */
function shapeOf(value: unknown, params: Record<string, RamlParam>, name: string | null): Shape {
  if (Array.isArray(value)) {
    const items = mergeItems(value.map((v) => shapeOf(v, params, null)));
    return { schema: { type: 'array', minItems: items.propagates ? 1 : 0, items: items.schema }, required: items.propagates, propagates: items.propagates };
  }
  if (value !== null && typeof value === 'object') {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    let propagates = false;
    for (const [key, child] of Object.entries(value)) {
      const shape = shapeOf(child, params, key);
      properties[key] = shape.schema;
      if (shape.required) required.push(key);
      propagates ||= shape.propagates;
    }
    const object: Schema = { type: 'object', properties, required };
    return { schema: propagates ? object : nullable(object), object, required: propagates, propagates };
  }
  const param = name === null ? undefined : params[name];
  if (param) return declaredLeaf(param, value);
  // A field the RAML does not declare: typed as the example has it, never required.
  const type = value === null ? null : typeof value === 'number' ? 'number' : typeof value;
  return { schema: type ? nullable({ type }) : {}, required: false, propagates: false };
}

const bookingPost = bookingRaml['/booking']?.post ?? {};
/** JSON Schema of a booking request, built from the RAML and the example (see above). */
export const bookingRequestSchema = shapeOf(bookingExample, bookingPost.queryParameters ?? {}, null).schema;
const ajv = new Ajv({ allErrors: true, strict: false });
const validateBooking: ValidateFunction = ajv.compile(bookingRequestSchema);

/** The booking path: the base URI's path and the resource. */
const BOOKING_PATH = `${new URL(bookingRaml.baseUri).pathname}/booking`;
/** Headers every booking call carries: the ones the description declares required (the API key headers are declared on /ws). */
const REQUIRED_HEADERS = Object.entries({ ...bookingRaml['/ws']?.post?.headers, ...bookingPost.headers })
  .filter(([, h]) => h.required)
  .map(([name, h]) => ({ name: name.toLowerCase(), enum: h.enum }));
const AUTH_HEADERS = Object.keys(trackingRaml['/{version}/tracking{mediaTypeExtension}']?.get?.headers ?? {}).map((h) => h.toLowerCase());

/** The logged-in tracking path (`https://api.bring.com/tracking/api/…`, the description's Authentication section) and its template. */
const trackingResource = trackingRaml['/{version}/tracking{mediaTypeExtension}'] ?? {};
const TRACKING_PATH = new RegExp(
  `^/tracking/api/(${(trackingResource.uriParameters?.version?.enum ?? []).map(String).join('|')})/tracking(${(
    trackingResource.uriParameters?.mediaTypeExtension?.enum ?? []
  )
    .map((e) => String(e).replace('.', '\\.'))
    .join('|')})$`,
);

/** Checks one request against the description: the problems, none when it conforms. */
export function validateBringRequest(req: Pick<FakeRequest, 'method' | 'path' | 'headers' | 'body' | 'query'>): string[] {
  const problems: string[] = [];
  if (req.method === 'POST' && req.path === BOOKING_PATH) {
    for (const h of REQUIRED_HEADERS) {
      const value = req.headers[h.name];
      if (typeof value !== 'string' || !value) problems.push(`header ${h.name} is required`);
      else if (h.enum && !h.enum.includes(value.split(';')[0]?.trim())) problems.push(`header ${h.name} must be one of ${h.enum.join(', ')}`);
    }
    if (!validateBooking(req.body)) problems.push(...(validateBooking.errors ?? []).map((e) => `body${e.instancePath} ${e.message ?? ''}`));
    return problems;
  }
  if (req.method === 'GET' && TRACKING_PATH.test(req.path)) {
    for (const h of AUTH_HEADERS) if (!req.headers[h]) problems.push(`header ${h} is required on the logged-in tracking`);
    for (const [name, p] of Object.entries(trackingResource.get?.queryParameters ?? {}))
      if (p.required && !req.query.get(name)) problems.push(`query ${name} is required`);
    return problems;
  }
  // The label link of the answer, and the storage it redirects to (the description: "a HTTP 302 redirect").
  if (req.method === 'GET' && /^\/labels\/id\/[\w-]+\.pdf$/.test(req.path)) return problems;
  if (req.method === 'GET' && /^\/storage\/[\w-]+\.pdf$/.test(req.path)) {
    if (req.headers['x-mybring-api-key'] || req.headers['x-mybring-api-uid']) problems.push('the Mybring API key was sent to the label storage host');
    return problems;
  }
  return [`${req.method} ${req.path} is not in the description`];
}

/** The values of the description's successful booking answer (the XML example; see README for why not JSON). */
function fromXml(tag: string): string {
  const value = new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`).exec(successXml)?.[1];
  if (!value) throw new Error(`successfulResponse.xml has no <${tag}>`);
  return value;
}
const EXAMPLE = {
  consignmentNumber: fromXml('consignmentNumber'),
  labels: fromXml('labels'),
  tracking: fromXml('tracking'),
  expectedDelivery: fromXml('expectedDelivery'),
  packageNumber: fromXml('packageNumber'),
};

/** A tiny, valid, all-ASCII PDF (the fake's answers are text): one page naming the parcels. */
export function labelPdf(text: string): string {
  const content = `BT /F1 12 Tf 20 100 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  return `${pdf}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
}

export interface FakeBringBooking {
  /** Our reference, as the sender's `reference`. */
  reference: string | null;
  consignmentNumber: string;
  packageNumbers: string[];
  labelId: string;
  request: unknown;
}

export interface FakeBring extends FakeCarrier {
  bookings: FakeBringBooking[];
  /** Always empty: Bring's Booking API has no cancellation; kept so a test can say nothing was voided. */
  cancelled: string[];
  /** A refusal as Bring's booking answers it (booking-v1.xsd's ErrorResponseType in JSON). */
  errorAnswer(code: string, message: string): unknown;
}

interface BookingBody {
  correlationId?: string;
  consignments?: { correlationId?: string; parties?: { sender?: { reference?: string } }; packages?: { correlationId?: string }[] }[];
}

/** Starts the fake on 127.0.0.1. */
export async function startFakeBring(): Promise<FakeBring> {
  const bookings: FakeBringBooking[] = [];
  let serial = 0;

  const book = (req: FakeRequest): FakeReply => {
    const consignment = (req.body as BookingBody).consignments?.[0] ?? {};
    serial += 1;
    // Numbers of the example's length, made unique per booking.
    const consignmentNumber = EXAMPLE.consignmentNumber.slice(0, -4) + String(serial).padStart(4, '0');
    const packages = consignment.packages ?? [];
    const packageNumbers = packages.map((_, i) => EXAMPLE.packageNumber.slice(0, -6) + String(serial * 100 + i).padStart(6, '0'));
    const labelId = randomUUID();
    bookings.push({ reference: consignment.parties?.sender?.reference ?? null, consignmentNumber, packageNumbers, labelId, request: req.body });
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    return {
      status: 200,
      body: {
        consignments: [
          {
            correlationId: consignment.correlationId ?? null,
            confirmation: {
              consignmentNumber,
              productSpecificData: null,
              links: {
                labels: EXAMPLE.labels.replace(/^https:\/\/api\.bring\.com/, origin).replace(/[\w-]+\.pdf$/, `${labelId}.pdf`),
                tracking: EXAMPLE.tracking.replace(EXAMPLE.consignmentNumber, consignmentNumber),
              },
              dateAndTimes: { earliestPickup: null, expectedDelivery: EXAMPLE.expectedDelivery },
              packages: packageNumbers.map((packageNumber, i) => ({ correlationId: packages[i]?.correlationId ?? null, packageNumber })),
            },
            errors: null,
          },
        ],
      },
    };
  };

  const track = (req: FakeRequest): FakeReply => {
    const q = req.query.get('q') ?? '';
    const found = bookings.filter((b) => b.reference === q || b.consignmentNumber === q || b.packageNumbers.includes(q));
    if (!found.length) return { status: 200, body: trackingNotFound };
    const [template] = trackingFound.consignmentSet;
    const packageTemplate = (template?.packageSet as Record<string, unknown>[] | undefined)?.[0] ?? {};
    return {
      status: 200,
      body: {
        ...trackingFound,
        consignmentSet: found.map((b) => ({
          ...template,
          consignmentId: b.consignmentNumber,
          senderReference: b.reference ?? '',
          packageSet: b.packageNumbers.map((packageNumber) => ({ ...packageTemplate, packageNumber })),
        })),
      },
    };
  };

  const handle = (req: FakeRequest): FakeReply => {
    if (req.method === 'POST' && req.path === BOOKING_PATH) return book(req);
    if (req.method === 'GET' && TRACKING_PATH.test(req.path)) return track(req);
    const label = /^\/labels\/id\/([\w-]+)\.pdf$/.exec(req.path);
    if (label) return { status: 302, headers: { Location: `/storage/${label[1]}.pdf` } };
    const stored = /^\/storage\/([\w-]+)\.pdf$/.exec(req.path);
    const booking = stored && bookings.find((b) => b.labelId === stored[1]);
    if (booking) return { status: 200, headers: { 'Content-Type': 'application/pdf' }, body: labelPdf(`Bring ${booking.packageNumbers.join(' ')}`) };
    return { status: 404, body: '' };
  };

  const fake = await startFakeCarrier({ handle, validate: validateBringRequest });
  return Object.assign(fake, {
    bookings,
    cancelled: [] as string[],
    errorAnswer: (code: string, message: string) => ({
      consignments: [{ correlationId: null, confirmation: null, errors: [{ uniqueId: randomUUID(), code, messages: [{ lang: 'en', message }] }] }],
    }),
  });
}
