import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiToken } from '../../src/api-tokens/service.js';
import { customStatusBody } from '../../src/custom-statuses/schemas.js';
import { batchBody, invoiceBody } from '../../src/documents/api.js';
import { printBody } from '../../src/printers/api.js';
import { statusBody } from '../../src/orders/api.js';
import { addLineBody, checkoutBody, createOrderBody, detailsPatchBody, lineQuantityBody, paymentBody } from '../../src/orders/schemas.js';
import { startBody } from '../../src/pack/api.js';
import { productBody } from '../../src/products/schemas.js';
import { returnBody } from '../../src/returns/schemas.js';
import { checkBody, deliveryBody, fetchBody, linesBody, parcelBody, reportBody } from '../../src/shipping/api.js';
import { webhookBody } from '../../src/webhooks/service.js';
import {
  buildCancelledOrder,
  buildOrder,
  buildPackingOrder,
  buildPartlyShippedOrder,
  buildPreorder,
  buildProduct,
  buildShippedOrder,
  buildUser,
} from '../builders.js';
import { dbDigest } from '../digest.js';
import { API_TOKEN, makeApp } from '../helpers.js';
import { brokenJson, malformedBody, oddSegment } from './arbitraries.js';

/**
 * API fuzz: malformed and extreme requests, generated for every documented endpoint from the zod
 * schemas its route parses with. The invariant: no 5xx, no stack trace, every refusal is our JSON
 * error with a code, and a refused request changes nothing.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Endpoint {
  method: Method;
  /** As documented; `:name` segments are filled from the pools below or with odd text. */
  path: string;
  body?: z.ZodType;
  /** Query strings to try besides none. */
  query?: string[];
  /** Fewer runs for endpoints that render PDFs. */
  runs?: number;
}

const ENDPOINTS: Endpoint[] = [
  { method: 'put', path: '/api/v1/products/:sku', body: productBody },
  { method: 'get', path: '/api/v1/products/:sku' },
  { method: 'get', path: '/api/v1/products.csv', query: ['separator=tab', 'bom=maybe', 'separator=semicolon&bom=yes', 'separator[]=;'] },
  { method: 'post', path: '/api/v1/orders', body: createOrderBody },
  {
    method: 'get',
    path: '/api/v1/orders',
    query: [
      'to=9999-12-31',
      'from=0000-00-00',
      'limit=1e9',
      'cursor=-1',
      'minTotal=1e400',
      'status=__proto__',
      'q=%00',
      'sku=%ff',
      'paid[]=1&paid[]=0',
      'q=' + 'x'.repeat(5_000),
      'minValue=1,2,3',
    ],
  },
  {
    method: 'get',
    path: '/api/v1/orders.csv',
    query: ['to=9999-12-31', 'status=__proto__', 'q=%00', 'sku=%ff', 'limit=1e9', 'separator=;&bom=1', 'q=' + 'x'.repeat(5_000)],
  },
  { method: 'get', path: '/api/v1/orders/:code' },
  { method: 'get', path: '/api/v1/orders/:code/emails' },
  { method: 'post', path: '/api/v1/orders/:code/checkout', body: checkoutBody },
  { method: 'post', path: '/api/v1/orders/:code/payments', body: paymentBody },
  { method: 'post', path: '/api/v1/orders/:code/status', body: statusBody },
  { method: 'patch', path: '/api/v1/orders/:code', body: detailsPatchBody },
  { method: 'post', path: '/api/v1/orders/:code/lines', body: addLineBody },
  { method: 'patch', path: '/api/v1/orders/:code/lines/:id', body: lineQuantityBody },
  { method: 'delete', path: '/api/v1/orders/:code/lines/:id' },
  { method: 'delete', path: '/api/v1/orders/:code' },
  { method: 'get', path: '/api/v1/custom-statuses' },
  { method: 'put', path: '/api/v1/custom-statuses/:status', body: customStatusBody },
  { method: 'delete', path: '/api/v1/custom-statuses/:status', query: ['clear=true', 'clear=maybe'] },
  { method: 'post', path: '/api/v1/pack-runs', body: startBody.extend({ dryRun: z.literal(true) }) },
  { method: 'get', path: '/api/v1/pack-runs', query: ['limit=0', 'limit=abc', 'cursor=%ff'] },
  { method: 'get', path: '/api/v1/pack-runs/:id' },
  { method: 'post', path: '/api/v1/orders/:code/pack-check' },
  { method: 'get', path: '/api/v1/orders/:code/documents/:document', query: ['lang=xx', 'parcel=%ff', 'lang=sv'], runs: 15 },
  { method: 'post', path: '/api/v1/orders/:code/invoice', body: invoiceBody },
  { method: 'post', path: '/api/v1/documents/:batch', body: batchBody, runs: 15 },
  { method: 'get', path: '/api/v1/orders/:code/delivery' },
  { method: 'get', path: '/api/v1/orders/:code/checks' },
  { method: 'post', path: '/api/v1/orders/:code/checks', body: checkBody },
  { method: 'delete', path: '/api/v1/orders/:code/checks/:id' },
  { method: 'post', path: '/api/v1/orders/:code/parcels', body: parcelBody },
  { method: 'delete', path: '/api/v1/orders/:code/parcels/:parcel' },
  { method: 'post', path: '/api/v1/orders/:code/parcels/fetch', body: fetchBody },
  { method: 'post', path: '/api/v1/orders/:code/parcels/:parcel/label/print', body: printBody },
  { method: 'put', path: '/api/v1/orders/:code/delivery-lines', body: linesBody },
  { method: 'post', path: '/api/v1/deliveries/report', body: reportBody.extend({ orders: z.array(z.string()).min(1).max(3) }) },
  { method: 'post', path: '/api/v1/orders/:code/deliveries', body: deliveryBody },
  { method: 'post', path: '/api/v1/orders/:code/returns', body: returnBody },
  { method: 'get', path: '/api/v1/orders/:code/returns' },
  { method: 'get', path: '/api/v1/orders/:code/returns/:number/:creditNote', query: ['lang=xx', 'lang=sv'], runs: 15 },
  { method: 'post', path: '/api/v1/webhooks', body: webhookBody },
  { method: 'get', path: '/api/v1/webhooks' },
  { method: 'delete', path: '/api/v1/webhooks/:id' },
  { method: 'get', path: '/api/v1/webhooks/:id/deliveries' },
  { method: 'post', path: '/api/v1/webhooks/:id/deliveries/:deliveryId/resend' },
];

function world() {
  const ctx = makeApp();
  const { db } = ctx;
  const skus = ['FZ-1', 'FZ-2', 'FZ-3'].map((sku) => buildProduct(db, { sku, onHand: 50 }).sku);
  const lines = [
    { sku: skus[0]!, quantity: 2 },
    { sku: skus[1]!, quantity: 1 },
  ];
  const orders = [
    buildPreorder(db, { lines }),
    buildOrder(db, { lines }),
    buildOrder(db, { lines, body: { paymentMethod: 'invoice' } }),
    buildPackingOrder(db, { lines }),
    buildPartlyShippedOrder(db),
    buildShippedOrder(db, { lines }),
    buildCancelledOrder(db, { lines }),
  ];
  const codes = orders.map((o) => o.code);
  const lineIds = db.$client.prepare('SELECT id FROM order_lines').pluck().all() as number[];
  return { ...ctx, skus, codes, lineIds };
}

/** A path with its `:name` segments filled: a real value most of the time, odd text otherwise. */
function pathArb(path: string, pools: Record<string, string[]>): fc.Arbitrary<string> {
  const parts = path.split('/').map((part) => {
    if (!part.startsWith(':')) return fc.constant(part);
    const pool = pools[part.slice(1)] ?? ['1'];
    return fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 3 }, { arbitrary: oddSegment, weight: 1 });
  });
  return fc.tuple(...parts).map((p) => p.join('/'));
}

type Shape = { kind: 'json'; text: string } | { kind: 'raw'; text: string; contentType: string | null; encoding?: string } | { kind: 'none' };

function bodyArb(endpoint: Endpoint): fc.Arbitrary<Shape> {
  const json = endpoint.body ? malformedBody(endpoint.body) : fc.constantFrom('{}', '{"x":1}', '[]');
  return fc.oneof(
    { arbitrary: json.map((text): Shape => ({ kind: 'json', text })), weight: 6 },
    { arbitrary: brokenJson.map((text): Shape => ({ kind: 'json', text })), weight: 1 },
    {
      arbitrary: fc
        .tuple(
          json,
          fc.constantFrom(null, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin-9', 'multipart/form-data; boundary=x'),
        )
        .map(([text, contentType]): Shape => ({ kind: 'raw', text, contentType })),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(json, fc.constantFrom('gzip', 'deflate', 'br', 'identity, gzip', 'x-unknown'))
        .map(([text, encoding]): Shape => ({ kind: 'raw', text, contentType: 'application/json', encoding })),
      weight: 1,
    },
    { arbitrary: fc.constant<Shape>({ kind: 'none' }), weight: 1 },
  );
}

const counts = { requests: 0, refused: 0, succeeded: 0 };
afterAll(() => {
  console.log(
    `API fuzz: ${counts.requests} requests over ${ENDPOINTS.length} endpoints, ${counts.refused} refused (each changed nothing), ${counts.succeeded} accepted, 0 5xx, 0 traces`,
  );
});

describe('API fuzz', () => {
  it('covers every endpoint of docs/api.md', () => {
    const documented = new Set<string>();
    for (const heading of readFileSync('docs/api.md', 'utf8').matchAll(/^###.*$/gm)) {
      for (const m of heading[0].matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/api\/v1\/[^`?\s[]+)/g))
        documented.add(`${m[1]} ${m[2]!.replace(/\{[^}]+\}(\.pdf)?$|[\w-]+\.pdf$/, ':document')}`);
    }
    const normalise = (s: string) => s.replace(/:[\w]+/g, ':x');
    const covered = new Set(ENDPOINTS.map((e) => normalise(`${e.method.toUpperCase()} ${e.path}`)));
    const missing = [...documented].map(normalise).filter((d) => !covered.has(d));
    expect(missing).toEqual([]);
  });

  it.each(ENDPOINTS)('$method $path', async (endpoint) => {
    const w = world();
    const admin = await buildUser(w.db, 'admin');
    const adminToken = createApiToken(w.db, { name: 'fuzz admin', role: 'admin' }, admin.id, w.clock()).token;
    const pools: Record<string, string[]> = {
      code: [...w.codes, `${w.codes[1]!.slice(0, 3)} ${w.codes[1]!.slice(3)}`, w.codes[1]!.slice(0, 9), '1234567890'],
      sku: w.skus.map(encodeURIComponent),
      id: ['1', '2', ...w.lineIds.map(String)],
      deliveryId: ['1', '2'],
      status: ['CALL', 'x'],
      document: ['pick-slip.pdf', 'receipt.pdf', 'invoice.pdf', 'packing-slip.pdf', 'label.pdf', 'nope.pdf'],
      batch: ['pick-slips', 'batch-pick-list', 'receipts', 'nope'],
      parcel: ['PARCEL-1', 'XK1'],
      number: ['1', '2', '0', '-1', '9007199254740993'],
      creditNote: ['credit-note.pdf', 'nope.pdf'],
    };
    const arb = fc.record({
      path: pathArb(endpoint.path, pools),
      query: fc.constantFrom('', ...(endpoint.query ?? [])),
      body: endpoint.method === 'get' ? fc.constant<Shape>({ kind: 'none' }) : bodyArb(endpoint),
      admin: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ path, query, body, admin: asAdmin }) => {
        const before = dbDigest(w.db);
        const url = query ? `${path}?${query}` : path;
        let req = request(w.app)
          [endpoint.method](url)
          .set('Authorization', `Bearer ${asAdmin ? adminToken : API_TOKEN}`);
        if (body.kind === 'json') req = req.set('Content-Type', 'application/json').send(body.text);
        else if (body.kind === 'raw') {
          req = req.send(body.text);
          req = body.contentType === null ? req.unset('Content-Type') : req.set('Content-Type', body.contentType);
          if (body.encoding) req = req.set('Content-Encoding', body.encoding);
        }
        const res = await req;
        counts.requests++;
        // A PDF has no text; everything else is checked for traces.
        const text = res.text ?? '';
        const what = `${endpoint.method.toUpperCase()} ${url.slice(0, 200)} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;
        expect(res.status, what).toBeLessThan(500);
        expect(text, what).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\/src\/\w|\.ts:\d+/);
        if (res.status >= 400) {
          counts.refused++;
          expect(res.headers['content-type'], what).toMatch(/^application\/json/);
          expect((res.body as { error?: unknown }).error, what).toMatchObject({ code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) });
          expect(dbDigest(w.db), `a refused request changed data: ${what}`).toBe(before);
        } else counts.succeeded++;
      }),
      { numRuns: endpoint.runs ?? RUNS },
    );
  });
});
