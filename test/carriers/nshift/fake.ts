// A fake nShift (Unifaun) REST API v1 on loopback: requests are checked against the description's
// own JSON schemas (./description), answers are built in the shape of the RAML's examples and
// checked against its answer schemas, and bookings are kept in memory.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { startFakeCarrier, type FakeCarrier, type FakeReply, type FakeRequest } from '../fake-carrier.js';

// ajv-formats is CommonJS with a default export; under NodeNext its callable sits on `.default`.
const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv };

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);

/** A description schema, verbatim on disk; its draft-04 `$schema` is dropped for ajv 8 (same keywords in draft-07). */
function schema(file: string): ValidateFunction {
  const parsed = JSON.parse(readFileSync(new URL(`./description/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
  delete parsed.$schema;
  return ajv.compile(parsed);
}

const requestSchemas = { shipment: schema('Shipment.jsonschema'), pdfConfig: schema('PdfConfig.jsonschema') };
const answerSchemas = {
  storedShipmentInfo: schema('StoredShipmentInfo.jsonschema'),
  storedShipmentInfoList: schema('StoredShipmentInfoList.jsonschema'),
  shipmentInfo: schema('ShipmentInfo.jsonschema'),
  statusList: schema('StatusList.jsonschema'),
  error: schema('Error.jsonschema'),
};

/**
 * The resources the adapter uses, as root-resource-v1.raml declares them (commit 2b93147…): method,
 * path, the body's schema and the query parameters with their enums (the RAML is not vendored: no licence).
 */
const routes: { method: string; path: RegExp; body: ValidateFunction | null; query: Record<string, readonly string[] | null> }[] = [
  {
    method: 'GET',
    path: /^\/stored-shipments$/,
    body: null,
    query: {
      searchField: ['orderNo', 'reference', 'shipmentNo'],
      searchOp: ['equals', 'contains', 'startsWith', 'endsWith'],
      searchValue: null,
      dateType: ['created', 'ship'],
      dateFrom: null,
      dateTo: null,
      status: ['ready', 'invalid', 'failed', 'warned'],
    },
  },
  { method: 'POST', path: /^\/stored-shipments$/, body: requestSchemas.shipment, query: {} },
  { method: 'DELETE', path: /^\/stored-shipments\/[^/]+$/, body: null, query: {} },
  // `inlinePdf` is described in the method's text ("a query parameter named inlinePdf with the value set to true").
  { method: 'POST', path: /^\/stored-shipments\/[^/]+\/shipments$/, body: requestSchemas.pdfConfig, query: { inlinePdf: ['true', 'false'] } },
  { method: 'DELETE', path: /^\/shipments\/[^/]+$/, body: null, query: {} },
];

/** The description's problems with a request: none when it conforms. */
export function validateNshiftRequest(req: FakeRequest): string[] {
  const route = routes.find((r) => r.method === req.method && r.path.test(req.path));
  if (!route) return [`${req.method} ${req.path} is not in the description`];
  const problems: string[] = [];
  // The RAML's `secured` trait: "Bearer XXXXXXXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXX" (API key id, dash, secret).
  const auth = req.headers.authorization;
  if (!auth) problems.push('Authorization header missing');
  else if (!/^Bearer \S+-\S+$/.test(auth)) problems.push('Authorization is not "Bearer <id>-<secret>"');
  for (const [name, value] of req.query) {
    if (!(name in route.query)) problems.push(`query parameter ${name} is not described`);
    else if (route.query[name] && !route.query[name].includes(value))
      problems.push(`query parameter ${name}=${value} is not one of ${route.query[name].join(', ')}`);
  }
  if (route.body) {
    if (req.body === undefined) problems.push('JSON body missing');
    else if (!route.body(req.body)) problems.push(...(route.body.errors ?? []).map((e) => `body${e.instancePath} ${e.message ?? 'invalid'}`));
  } else if (req.rawBody) problems.push('a body where the description has none');
  return problems;
}

interface Party {
  name: string;
  zipcode?: string;
  city: string;
  country: string;
}
interface ShipmentBody {
  sender: Party;
  receiver: Party;
  service: { id: string };
  parcels: { copies: number; weight?: number }[];
  orderNo?: string;
  senderReference?: string;
  test?: boolean;
}

export interface FakeStored {
  id: string;
  status: 'READY' | 'INVALID' | 'PRINTED';
  body: ShipmentBody;
  /** The shipment printed from it, once printed. */
  shipmentId: string | null;
}
export interface FakeShipment {
  id: string;
  storedId: string;
  status: 'PRINTED' | 'CANCELLED';
  parcelNos: string[];
  media: string;
}

export interface NshiftFake extends FakeCarrier {
  stored: Map<string, FakeStored>;
  shipments: Map<string, FakeShipment>;
  /** Shipment ids a DELETE /shipments/{id} cancelled, in order (a repeat is listed again). */
  cancelled: string[];
  /** Stored shipment ids a DELETE /stored-shipments/{id} removed. */
  discarded: string[];
  /** The PDF every label document holds. */
  labelPdf: Buffer;
}

/** A small valid PDF, the same for every label (the station only opens a PDF label). */
async function labelPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([303, 711]); // 107 × 251 mm
  page.drawText('nShift fake label', { x: 20, y: 680, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save());
}

/** Postal codes the fake refuses as the RAML's example does ("Not valid postal code", field Address_Zipcode). */
const validZip: Record<string, RegExp> = { SE: /^\d{3} ?\d{2}$/, NO: /^\d{4}$/, DK: /^\d{4}$/, FI: /^\d{5}$/ };

export async function startNshiftFake(): Promise<NshiftFake> {
  const stored = new Map<string, FakeStored>();
  const shipments = new Map<string, FakeShipment>();
  const cancelled: string[] = [];
  const discarded: string[] = [];
  const pdf = await labelPdf();
  let nextStored = 4127538; // ids and numbers in the style of the RAML's examples
  let nextShipment = 5666303;
  let nextParcel = 6956305368;
  let base = '';
  const now = () => new Date().toISOString();

  const storedInfo = (s: FakeStored) => ({
    href: `${base}/stored-shipments/${s.id}`,
    id: s.id,
    sndName: s.body.sender.name,
    sndZipcode: s.body.sender.zipcode,
    sndCity: s.body.sender.city,
    sndCountry: s.body.sender.country,
    rcvName: s.body.receiver.name,
    rcvZipcode: s.body.receiver.zipcode,
    rcvCity: s.body.receiver.city,
    rcvCountry: s.body.receiver.country,
    serviceId: s.body.service.id,
    orderNo: s.body.orderNo,
    reference: s.body.senderReference,
    parcelCount: s.body.parcels.reduce((n, p) => n + p.copies, 0),
    normalShipment: true,
    returnShipment: false,
    status: s.status,
    shipDate: now(),
    created: now(),
    changed: now(),
    ...(s.status === 'INVALID' && {
      statuses: [{ message: 'Not valid postal code', messageCode: 'ZipCode', field: 'Address_Zipcode', location: '', type: 'error' }],
    }),
  });

  /** The answer, checked against the description's answer schema first: a fake that drifts fails loudly. */
  const answer = (status: number, check: ValidateFunction, body: unknown): FakeReply => {
    if (!check(body)) throw new Error(`fake nShift answer does not match its schema: ${ajv.errorsText(check.errors)}`);
    return { status, body };
  };
  const error = (status: number, code: string, message: string) => answer(status, answerSchemas.error, { code, message });

  const handle = (req: FakeRequest): FakeReply => {
    const parts = req.path.split('/').filter(Boolean);
    if (req.method === 'POST' && req.path === '/stored-shipments') {
      const body = req.body as ShipmentBody;
      const zip = validZip[body.receiver.country];
      const s: FakeStored = {
        id: String(nextStored++),
        status: zip && !zip.test(body.receiver.zipcode ?? '') ? 'INVALID' : 'READY',
        body,
        shipmentId: null,
      };
      stored.set(s.id, s);
      return answer(201, answerSchemas.storedShipmentInfo, storedInfo(s));
    }
    if (req.method === 'GET' && req.path === '/stored-shipments') {
      const field = req.query.get('searchField');
      const value = req.query.get('searchValue') ?? '';
      const op = req.query.get('searchOp') ?? 'equals';
      const of = (s: FakeStored) => (field === 'orderNo' ? s.body.orderNo : field === 'reference' ? s.body.senderReference : undefined) ?? '';
      const hit = (s: FakeStored) =>
        !field ||
        (op === 'equals' ? of(s) === value : op === 'contains' ? of(s).includes(value) : op === 'startsWith' ? of(s).startsWith(value) : of(s).endsWith(value));
      // "Please note that a maxium of 50 stored shipments will be returned."
      return answer(200, answerSchemas.storedShipmentInfoList, [...stored.values()].filter(hit).slice(0, 50).map(storedInfo));
    }
    if (req.method === 'DELETE' && parts[0] === 'stored-shipments') {
      const id = parts[1] ?? '';
      if (!stored.delete(id)) return { status: 404 };
      discarded.push(id);
      return { status: 204 };
    }
    if (req.method === 'POST' && parts[0] === 'stored-shipments' && parts[2] === 'shipments') {
      const s = stored.get(parts[1] ?? '');
      if (!s) return error(400, 'ILLEGAL', 'Illegal stored shipment id argument');
      if (s.status !== 'READY') return { status: 422 };
      const inline = req.query.get('inlinePdf') === 'true';
      const shipment: FakeShipment = {
        id: String(nextShipment++),
        storedId: s.id,
        status: 'PRINTED',
        parcelNos: s.body.parcels.flatMap((p) => Array.from({ length: p.copies }, () => `${nextParcel++}SE`)),
        media: (req.body as { target1Media: string }).target1Media,
      };
      shipments.set(shipment.id, shipment);
      s.status = 'PRINTED';
      s.shipmentId = shipment.id;
      const info = {
        ...storedInfo(s),
        href: `${base}/shipments/${shipment.id}`,
        id: shipment.id,
        shipmentNo: shipment.parcelNos[0],
        parcelCount: shipment.parcelNos.length,
        parcels: shipment.parcelNos.map((parcelNo) => ({ parcelNo })),
        normalShipment: false,
        consolidated: false,
        pdfs: [
          {
            href: `${base}/shipments/${shipment.id}/pdfs/${shipment.id}1`,
            id: `${shipment.id}1`,
            description: 'Label',
            ...(inline && { pdf: pdf.toString('base64') }),
          },
        ],
      };
      if (!answerSchemas.shipmentInfo(info))
        throw new Error(`fake nShift shipment does not match its schema: ${ajv.errorsText(answerSchemas.shipmentInfo.errors)}`);
      return { status: 201, body: [info] };
    }
    if (req.method === 'DELETE' && parts[0] === 'shipments') {
      const shipment = shipments.get(parts[1] ?? '');
      if (!shipment) return { status: 404 };
      // "After a successful call to this entry point the shipment will get a cancelled status."
      shipment.status = 'CANCELLED';
      cancelled.push(shipment.id);
      return { status: 204 };
    }
    return error(400, 'ILLEGAL', `no such resource: ${req.method} ${req.path}`);
  };

  const fake = await startFakeCarrier({ handle, validate: validateNshiftRequest });
  base = fake.url;
  return Object.assign(fake, { stored, shipments, cancelled, discarded, labelPdf: pdf });
}

/** The RAML's 422 example for a shipment whose data did not validate (StatusList). */
export const statusListExample = [
  { message: 'maximum value (35) exceeded', messageCode: 'MaximumFlt', field: 'ParcelGroup_Weight', location: 'ParcelGroupWeight', type: 'ignorable' },
  { message: 'Not valid postal code', messageCode: 'ZipCode', field: 'Address_Zipcode', location: '', type: 'error' },
];
