import fc from 'fast-check';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { paymentBody } from '../../src/orders/schemas.js';
import { buildOrder, buildPaidOrder, buildPreorder, buildProduct } from '../builders.js';
import { dbDigest } from '../digest.js';
import { API_TOKEN, makeApp } from '../helpers.js';
import { expectInvariants } from '../invariants.js';
import { brokenJson, malformedBody, oddValue } from './arbitraries.js';

/**
 * Payments fuzz: `POST /api/v1/orders/:code/payments` sent sequences of amounts, references, odd
 * fields (a currency, negative or fractional amounts), broken bodies and `Idempotency-Key`s, the
 * same key again with the same body, with its fields in another order, or with another body, and
 * the order code spelt with dashes, spaces and the path's words in any case. After every request:
 * no 5xx; a refusal is our JSON error (code and message) and changes nothing (the DB digest); a
 * key answered once is answered the same again and records nothing more; a key with another body
 * is refused; two requests with the same key at the same moment record one payment. After every
 * run: paid_amount is the sum of the order's payments and never negative (test/invariants.ts).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

/** The order's payments rows, by order id. */
const paymentRows = (db: ReturnType<typeof makeApp>['db']) => db.$client.prepare('SELECT count(*) FROM payments').pluck().get() as number;

/**
 * The hash key the server compares bodies by, written independently of src/domain/canonical-json.ts:
 * every own key counts (`__proto__` too), in sorted order.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The same order code as a caller may spell it in the path (the API reads them as one resource). */
function spellings(code: string): string[] {
  return [
    code,
    `${code.slice(0, 4)}-${code.slice(4)}`,
    `${code.slice(0, 3)}%20${code.slice(3, 6)}%20${code.slice(6)}`,
    `-${code}-`,
    `${code.slice(0, 5)}--${code.slice(5)}`,
  ];
}

const pathOf = (segment: string, style: number) =>
  [`/api/v1/orders/${segment}/payments`, `/api/v1/ORDERS/${segment}/Payments`, `/API/V1/orders/${segment}/payments/`, `/api/v1/Orders/${segment}/PAYMENTS/`][
    style
  ]!;

/** A well-formed body, its JSON text written with the fields in a chosen order. */
const goodBody = fc.record(
  {
    amount: fc.oneof(fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 1, max: 200_000 }), fc.constant(1)),
    reference: fc.oneof(
      fc.constantFrom('PSP-1', 'PSP-2', ' PSP-1 ', 'psp-1'),
      fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== ''),
    ),
  },
  { requiredKeys: [] },
);

/** Bodies that must be refused: a currency, a bad amount, an unknown field, not JSON at all. */
const badBody = fc.oneof(
  fc
    .tuple(fc.constantFrom('SEK', 'EUR', 'usd', '', 'XXXX'), fc.integer({ min: 1, max: 500 }))
    .map(([currency, amount]) => JSON.stringify({ amount, currency })),
  fc.constantFrom(0, -1, -500, 1.5, 0.01, -0, 1e21, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, '100', '1e3', null, true).map((amount) => JSON.stringify({ amount })),
  fc.constantFrom('', '   ', 'x'.repeat(101)).map((reference) => JSON.stringify({ reference })),
  oddValue.map((v) => JSON.stringify({ amount: v }) ?? '{}'),
  malformedBody(paymentBody),
  brokenJson,
);

type Body = { kind: 'json'; text: string } | { kind: 'none' } | { kind: 'form'; text: string };

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  { arbitrary: fc.tuple(goodBody, fc.boolean()).map(([b, reversed]): Body => ({ kind: 'json', text: orderedJson(b, reversed) })), weight: 6 },
  { arbitrary: badBody.map((text): Body => ({ kind: 'json', text })), weight: 3 },
  { arbitrary: fc.constant<Body>({ kind: 'none' }), weight: 1 },
  {
    arbitrary: goodBody.map((b): Body => ({ kind: 'form', text: new URLSearchParams(Object.entries(b).map(([k, v]) => [k, String(v)])).toString() })),
    weight: 1,
  },
);

function orderedJson(body: Record<string, unknown>, reversed: boolean): string {
  const keys = Object.keys(body);
  if (reversed) keys.reverse();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(body[k])}`).join(',')}}`;
}

interface Step {
  order: number;
  spelling: number;
  style: number;
  key: string | undefined;
  body: Body;
  /** Sent twice at once. */
  twice: boolean;
}

const stepArb = (orders: number): fc.Arbitrary<Step> =>
  fc.record({
    order: fc.nat({ max: orders - 1 }),
    spelling: fc.nat({ max: 4 }),
    style: fc.nat({ max: 3 }),
    key: fc.oneof(
      { arbitrary: fc.constantFrom('key-A', 'key-B', 'key-C'), weight: 6 },
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: fc.constantFrom('', ' ', 'é', 'k'.repeat(201), 'a b', '\t'), weight: 1 },
    ),
    body: bodyArb,
    twice: fc.boolean(),
  });

/**
 * A step repeated: the same key and body again (maybe with the fields in the other order and the
 * code spelt otherwise), so that replays are common rather than a lucky draw.
 */
const scriptArb = (orders: number) =>
  fc.array(fc.tuple(stepArb(orders), fc.nat({ max: 2 }), fc.nat({ max: 4 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 7 }).map((items) =>
    items.flatMap(([step, repeat, spelling, style]) => {
      const again = Array.from({ length: repeat }, () => ({ ...step, spelling, style, body: reorder(step.body) }));
      return [step, ...again];
    }),
  );

function reorder(body: Body): Body {
  if (body.kind !== 'json') return body;
  try {
    const value = JSON.parse(body.text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return { kind: 'json', text: orderedJson(value as Record<string, unknown>, true) };
  } catch {
    // Not JSON: sent as it is.
  }
  return body;
}

function world() {
  const ctx = makeApp();
  const { db } = ctx;
  const a = buildProduct(db, { sku: 'PAY-A', onHand: 100, price: 12_345 }).sku;
  const b = buildProduct(db, { sku: 'PAY-B', onHand: 100, price: 1 }).sku;
  const orders = [
    buildOrder(db, { lines: [{ sku: a, quantity: 2 }] }),
    buildOrder(db, { lines: [{ sku: b, quantity: 1 }] }),
    buildOrder(db, {
      lines: [
        { sku: a, quantity: 1 },
        { sku: b, quantity: 3 },
      ],
      body: { paymentMethod: 'invoice' },
    }),
    buildPaidOrder(db, { lines: [{ sku: a, quantity: 1 }] }),
    buildPreorder(db, { lines: [{ sku: b, quantity: 1 }] }),
  ];
  return { ...ctx, codes: orders.map((o) => o.code) };
}

const counts = { requests: 0, refused: 0, recorded: 0, replayed: 0, reused: 0, concurrent: 0 };
afterAll(() => {
  console.log(
    `Payments fuzz: ${counts.requests} requests, ${counts.recorded} payments recorded, ${counts.replayed} replays (each recorded nothing), ${counts.reused} keys reused with another body (refused), ${counts.concurrent} pairs sent at once, ${counts.refused} refused (each changed nothing), 0 5xx`,
  );
});

const NO_TRACE = /\bat [\w.<>]+ \(|node_modules|\/src\/\w|\.ts:\d+/;

describe('payments fuzz', () => {
  it('a deeply nested body sent with a key is refused as our JSON error, changing nothing', async () => {
    const w = world();
    const before = dbDigest(w.db);
    for (const text of [`${'['.repeat(50_000)}${']'.repeat(50_000)}`, `{"amount":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`]) {
      const res = await request(w.app)
        .post(`/api/v1/orders/${w.codes[0]}/payments`)
        .set('Authorization', `Bearer ${API_TOKEN}`)
        .set('Idempotency-Key', 'deep')
        .set('Content-Type', 'application/json')
        .send(text);
      expect(res.status, res.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(res.status, res.text.slice(0, 200)).toBeLessThan(500);
      expect((res.body as { error?: unknown }).error).toMatchObject({ code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) });
    }
    expect(dbDigest(w.db)).toBe(before);
  });

  it('a key kept for one body refuses a body that differs only by a __proto__ field', async () => {
    const w = world();
    const send = (text: string) =>
      request(w.app)
        .post(`/api/v1/orders/${w.codes[0]}/payments`)
        .set('Authorization', `Bearer ${API_TOKEN}`)
        .set('Idempotency-Key', 'proto')
        .set('Content-Type', 'application/json')
        .send(text);
    expect((await send('{"amount":100}')).status).toBe(200);
    const before = dbDigest(w.db);
    const other = await send('{"amount":100,"__proto__":{"amount":1}}');
    expect(other.status).toBe(409);
    expect((other.body as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    expect(dbDigest(w.db)).toBe(before);
  });

  it('records a payment at most once per key, refuses bad input changing nothing, keeps the sums', async () => {
    await fc.assert(
      fc.asyncProperty(scriptArb(5), async (script) => {
        const w = world();
        const db = w.db;
        /** The kept reply of each key, per order (the key's scope is the order, however it is spelt). */
        const kept = new Map<string, { hash: string; status: number; body: unknown }>();
        const urlOf = (step: Step) => pathOf(spellings(w.codes[step.order]!)[step.spelling]!, step.style);
        const send = (step: Step) => {
          let req = request(w.app).post(urlOf(step)).set('Authorization', `Bearer ${API_TOKEN}`);
          if (step.key !== undefined) req = req.set('Idempotency-Key', step.key);
          if (step.body.kind === 'json') req = req.set('Content-Type', 'application/json').send(step.body.text);
          else if (step.body.kind === 'form') req = req.type('form').send(step.body.text);
          return req;
        };
        for (const step of script) {
          const code = w.codes[step.order]!;
          const before = dbDigest(db);
          const paymentsBefore = paymentRows(db);
          const replies = step.twice ? await Promise.all([send(step), send(step)]) : [await send(step)];
          if (step.twice) counts.concurrent++;
          const added = paymentRows(db) - paymentsBefore;
          // The body's hash as the server compares it: no body is null; JSON the API parses (an object or
          // an array, strict) by its canonical text; anything else is refused before a key is looked at.
          let hash: string | undefined = step.body.kind === 'none' ? canonical(null) : undefined;
          if (step.body.kind === 'json') {
            try {
              const parsed = JSON.parse(step.body.text) as unknown;
              if (parsed !== null && typeof parsed === 'object') hash = canonical(parsed);
            } catch {
              // Not JSON, or nested deeper than this test's own reader goes: no model for it.
            }
          }
          const jsonOk = hash !== undefined;
          const slot = `${code}\n${step.key}`;
          const earlier = step.key !== undefined ? kept.get(slot) : undefined;
          for (const res of replies) {
            counts.requests++;
            const what = `POST ${urlOf(step)} key=${JSON.stringify(step.key)} ${JSON.stringify(step.body).slice(0, 200)} twice=${step.twice} → ${res.status} ${(res.text ?? '').slice(0, 300)}`;
            expect(res.status, what).toBeLessThan(500);
            expect(res.text ?? '', what).not.toMatch(NO_TRACE);
            expect(res.headers['content-type'], what).toMatch(/^application\/json/);
            if (res.status >= 400) {
              expect((res.body as { error?: unknown }).error, what).toMatchObject({ code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) });
              expect((res.body as { error: { message: string } }).error.message.length, what).toBeGreaterThan(0);
            } else {
              expect(res.status, what).toBe(200);
              const order = res.body as { code: string; paidAmount: number; total: number };
              expect(order.code, what).toBe(code);
              expect(order.paidAmount, what).toBeGreaterThanOrEqual(0);
            }
            if (earlier && jsonOk) {
              // The key was answered before for this order: the same body gets the same answer, another is refused.
              if (earlier.hash === hash) {
                expect([res.status, res.body], `a replay answered otherwise: ${what}`).toEqual([earlier.status, earlier.body]);
                counts.replayed++;
              } else {
                expect(res.status, `a reused key was not refused: ${what}`).toBe(409);
                expect((res.body as { error: { code: string } }).error.code, what).toBe('idempotency_key_reused');
                counts.reused++;
              }
            }
          }
          const ok = replies.filter((r) => r.status < 300);
          if (ok.length === 0) {
            counts.refused++;
            expect(dbDigest(db), `a refused payment changed data: ${JSON.stringify(step)}`).toBe(before);
          }
          if (earlier) expect(added, `a replayed key recorded a payment: ${JSON.stringify(step)}`).toBe(0);
          // A key (or the same request twice at once) records one payment at most.
          if (step.key !== undefined || !step.twice) expect(added, `payments recorded by one key: ${JSON.stringify(step)}`).toBeLessThanOrEqual(1);
          if (step.twice && step.key !== undefined && ok.length === 2) expect(ok[1]!.body, 'both answers of a key sent twice at once').toEqual(ok[0]!.body);
          counts.recorded += added;
          if (step.key !== undefined && !earlier && ok.length > 0 && jsonOk) kept.set(slot, { hash: hash!, status: ok[0]!.status, body: ok[0]!.body });
        }
        expectInvariants(db);
        // No order's payments went negative nor its paid figure beyond what its payments add up to.
        expect(db.$client.prepare('SELECT count(*) FROM payments WHERE amount <= 0').pluck().get()).toBe(0);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
