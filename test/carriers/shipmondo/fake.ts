// Shipmondo played from its own description (description/api-v3.subset.yaml): each request is
// checked against the described operation (path, auth, parameters, JSON body) and answered from the
// description's examples, with only the ids, our reference and the parcels made per request.

import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { parse } from 'yaml';
import { startFakeCarrier, type FakeCarrier, type FakeReply, type FakeRequest } from '../fake-carrier.js';

type Schema = Record<string, unknown>;
interface Parameter extends Schema {
  name: string;
  in: 'path' | 'query' | 'body' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  security?: Record<string, unknown>[];
}
interface Description {
  basePath: string;
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, Schema>;
}

export const description = parse(readFileSync(new URL('./description/api-v3.subset.yaml', import.meta.url), 'utf8')) as Description;

const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS with a default export: typed as the module, called as its default.
const addFormats = (addFormatsModule as unknown as { default: (a: Ajv) => Ajv }).default;
addFormats(ajv);
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addSchema({ definitions: description.definitions }, 'shipmondo');

const compiled = new Map<Schema, ValidateFunction>();
function check(schema: Schema, value: unknown, where: string): string[] {
  let validate = compiled.get(schema);
  if (!validate) {
    // Refs in the description point into its definitions; compiled against the document added above.
    validate = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/definitions\//g, '"shipmondo#/definitions/')) as Schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? 'is invalid'}`);
}

function resolve(schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const target = description.definitions[ref.replace('#/definitions/', '')];
  if (!target) throw new Error(`the description has no ${ref}`);
  return resolve(target);
}

/**
 * Keys the body carries that none of `schemas` describes (at any depth): the description leaves
 * additionalProperties open, so ajv alone would let a misspelt field through.
 */
function undescribed(value: unknown, schemas: Schema[], where: string): string[] {
  const objects = schemas.map(resolve);
  if (Array.isArray(value)) {
    const items = objects.map((s) => s.items).filter((s): s is Schema => !!s && typeof s === 'object');
    return items.length ? value.flatMap((v, i) => undescribed(v, items, `${where}/${i}`)) : [];
  }
  if (!value || typeof value !== 'object') return [];
  const propertiesOf = objects.map((s) => (s.properties ?? {}) as Record<string, Schema>);
  return Object.entries(value).flatMap(([key, v]) => {
    const described = propertiesOf.map((p) => p[key]).filter((s): s is Schema => !!s);
    return described.length ? undescribed(v, described, `${where}/${key}`) : [`${where}/${key} is not in the description`];
  });
}

/** An operation's body may also use the description's "advanced model", which it documents beside the simple one. */
const ALSO_DESCRIBED_BY: Record<string, string[]> = { shipments_post: ['Create Shipment Advanced'] };

/** The problems of a request against the description: none when it conforms. */
export function validateShipmondo(req: Pick<FakeRequest, 'method' | 'path' | 'query' | 'headers' | 'body' | 'rawBody'>): string[] {
  if (!req.path.startsWith(`${description.basePath}/`)) return [`${req.path} is outside ${description.basePath}`];
  const path = req.path.slice(description.basePath.length);
  const found = Object.entries(description.paths)
    .map(([template, ops]) => ({ template, ops, match: new RegExp(`^${template.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`).exec(path) }))
    .find((p) => p.match);
  const operation = found?.ops[req.method.toLowerCase()];
  if (!found?.match || !operation) return [`${req.method} ${path} is not described`];
  const problems: string[] = [];

  if (operation.security?.some((s) => 'basicAuth' in s)) {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    const pair = token ? Buffer.from(token, 'base64').toString('utf8') : '';
    if (scheme !== 'Basic' || !/^[^:]+:.+$/.test(pair)) problems.push('no HTTP Basic Authorization with API user and API key');
  }

  const parameters = operation.parameters ?? [];
  for (const p of parameters.filter((p) => p.in === 'path' || p.in === 'query')) {
    const raw = p.in === 'path' ? found.match.groups?.[p.name] : (req.query.get(p.name) ?? undefined);
    if (raw === undefined) {
      if (p.required) problems.push(`${p.in} parameter ${p.name} is required`);
      continue;
    }
    const { name: _n, in: _i, required: _r, description: _d, ...schema } = p;
    const value =
      schema.type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : schema.type === 'boolean' && /^(true|false)$/.test(raw) ? raw === 'true' : raw;
    problems.push(...check(schema, value, `${p.in} ${p.name}`));
  }
  for (const name of req.query.keys())
    if (!parameters.some((p) => p.in === 'query' && p.name === name)) problems.push(`query parameter ${name} is not described`);

  const bodyParameter = parameters.find((p) => p.in === 'body');
  if (!bodyParameter) {
    if (req.rawBody) problems.push('a body the operation does not take');
  } else if (req.body === undefined) {
    if (bodyParameter.required) problems.push('the JSON body is required');
  } else if (bodyParameter.schema) {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) problems.push('the body is not sent as application/json');
    const alsoBy = (ALSO_DESCRIBED_BY[operation.operationId] ?? []).map((name) => ({ $ref: `#/definitions/${name}` }));
    problems.push(...check(bodyParameter.schema, req.body, 'body'));
    for (const other of alsoBy) problems.push(...check(other, req.body, 'body'));
    problems.push(...undescribed(req.body, [bodyParameter.schema, ...alsoBy], 'body'));
  }
  return problems;
}

/** The description's example of a schema, built from its `example` values. */
function exampleOf(schema: Schema): unknown {
  const s = resolve(schema);
  if ('example' in s) return s.example;
  if (s.type === 'array' && s.items) return [exampleOf(s.items as Schema)];
  if (s.properties) return Object.fromEntries(Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => [k, exampleOf(v)]));
  return s.type === 'object' ? {} : null;
}

export interface StoredShipment {
  id: number;
  orderId: string | null;
  productCode: string;
  packageNumbers: string[];
  /** The answer POST /shipments gave, as GET /shipments gives it again. */
  answer: Record<string, unknown>;
}

export interface ShipmondoFake extends FakeCarrier {
  /** The fake's base URL with the description's basePath: what an account's baseUrl is set to. */
  baseUrl: string;
  bookings: Map<number, StoredShipment>;
  /** The shipment ids each PUT cancel_at_carrier was for, in order. */
  cancelled: number[];
}

export interface ShipmondoFakeOptions {
  /** Products whose carrier prints no ZPL: a ZPL label request is answered 422 (default: none). */
  noZpl?: string[];
}

/** A ZPL label whose Code 128 barcode holds the package number, as a label printer reads it. */
export function zplLabel(packageNumber: string): string {
  return `^XA^CI28^FO50,30^A0N,40,40^FDShipmondo test^FS^BY3^FO50,100^BCN,150,Y,N,N^FD${packageNumber}^FS^XZ`;
}

/** Shipmondo played on 127.0.0.1, closed after each test. */
export async function startShipmondoFake(options: ShipmondoFakeOptions = {}): Promise<ShipmondoFake> {
  const bookings = new Map<number, StoredShipment>();
  const cancelled: number[] = [];
  const pdf = await tinyPdf();
  const example = exampleOf({ $ref: '#/definitions/Shipment' }) as Record<string, unknown>;
  const notFound = exampleOf({ $ref: '#/definitions/Response 404' });
  let nextId = Number(example.id);
  let nextPackage = Number(example.pkg_no);

  const handle = (req: FakeRequest): FakeReply => {
    const path = req.path.slice(description.basePath.length);
    const byId = /^\/shipments\/(\d+)\//.exec(path);
    const shipment = byId ? bookings.get(Number(byId[1])) : undefined;
    if (req.method === 'POST' && path === '/shipments') {
      const body = req.body as { order_id?: string; reference?: string; product_code: string; service_codes: string; parcels: { weight: number }[] };
      const id = ++nextId;
      const packageNumbers = body.parcels.map(() => String(++nextPackage));
      const answer = {
        ...example,
        id,
        product_code: body.product_code,
        service_codes: body.service_codes,
        order_id: body.order_id ?? null,
        reference: body.reference ?? null,
        pkg_no: packageNumbers[0],
        // Not in the description (one pkg_no per shipment): the live API lists each parcel's number.
        parcels: body.parcels.map((p, i) => ({ weight: p.weight, pkg_no: packageNumbers[i] })),
      };
      bookings.set(id, { id, orderId: body.order_id ?? null, productCode: body.product_code, packageNumbers, answer });
      return { status: 200, body: answer };
    }
    if (req.method === 'GET' && path === '/shipments') {
      const orderId = req.query.get('order_id');
      return { status: 200, body: [...bookings.values()].filter((b) => orderId === null || b.orderId === orderId).map((b) => b.answer) };
    }
    if (!shipment) return { status: 404, body: notFound };
    if (req.method === 'GET' && path.endsWith('/labels')) {
      const format = req.query.get('format') ?? 'a4_pdf';
      if (format === 'zpl' && options.noZpl?.includes(shipment.productCode))
        return { status: 422, body: { error: `Label format zpl is not available for ${shipment.productCode}` } };
      const labels = shipment.packageNumbers.map((n) =>
        format === 'zpl'
          ? { base64: Buffer.from(zplLabel(n)).toString('base64'), file_format: 'zpl' }
          : { base64: Buffer.from(pdf).toString('base64'), file_format: 'pdf' },
      );
      return { status: 200, body: labels };
    }
    if (req.method === 'PUT' && path.endsWith('/cancel_at_carrier')) {
      cancelled.push(shipment.id);
      return { status: 200, body: exampleOf({ $ref: '#/definitions/Shipment Cancelled' }) };
    }
    return { status: 404, body: notFound };
  };

  const fake = await startFakeCarrier({ handle, validate: validateShipmondo });
  return Object.assign(fake, { baseUrl: `${fake.url}${description.basePath}`, bookings, cancelled });
}

/** A one-page 10x19 cm PDF, as a label opens in the browser. */
async function tinyPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([283, 538]);
  page.drawText('Shipmondo test label', { x: 20, y: 500, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save();
}
