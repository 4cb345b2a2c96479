import fc from 'fast-check';
import { parse as parseHtml } from 'node-html-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProduct, buildUser } from '../builders.js';
import { dbDigest } from '../digest.js';
import { csrfOf, loginAs, makeApp } from '../helpers.js';
import { expectInvariants } from '../invariants.js';
import { oddValue } from './arbitraries.js';

/**
 * Stock count form fuzz: a count is started with odd bins, its scan form (`/tools/stock/counts/:id/items`)
 * posted with odd codes (SKUs in other cases, barcodes, keyed counts `5*code`, GS1 strings, text no
 * product has, odd text) and odd counted figures, with goods in booked between the scans, and the
 * count finished. What must hold: no 5xx; a refusal re-renders the form with the field's error and
 * changes nothing; an accepted scan writes one count line (counted, and on hand at that moment) and
 * nothing to the ledger; a well-formed scan of a SKU is accepted; finishing writes counted − on hand
 * at count for each line, so goods in booked after counting stay: on hand after finishing = on hand
 * before + Σ(counted − on hand at count).
 */
const RUNS = Math.ceil(Number(process.env.FUZZ_RUNS ?? 40) / 2);

const SKUS = ['CF-1', 'CF-2', 'cf-3', 'L-TEE', '3XL-TEE'];
const BARCODE = '7350000000016';

/** A code as typed or scanned: a SKU of the pool (exact, or as a well-formed keyed count), or something odd. */
const codeArb = fc.oneof(
  { arbitrary: fc.constantFrom(...SKUS).map((sku) => ({ text: sku, exact: sku })), weight: 6 },
  { arbitrary: fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom(...SKUS)).map(([n, sku]) => ({ text: `${n}*${sku}`, exact: undefined })), weight: 1 },
  {
    arbitrary: fc
      .constantFrom(
        BARCODE,
        `01${'0'}${BARCODE}`,
        ` ${SKUS[0]} `,
        'CF-1'.toLowerCase(),
        'NOPE',
        '',
        ' ',
        '0*CF-1',
        '1000*CF-1',
        ']C1017350000000016',
        '\u001d',
        'x'.repeat(201),
      )
      .map((text) => ({ text, exact: undefined })),
    weight: 2,
  },
  { arbitrary: oddValue.map((v) => ({ text: typeof v === 'string' ? v : (JSON.stringify(v) ?? ''), exact: undefined })), weight: 1 },
);
const countedArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 60 }).map(String), weight: 6 },
  { arbitrary: fc.constantFrom('', ' ', '-1', '1.5', '1e2', ' 7 ', '1000000000', '1000000001', '0x10', 'NaN', '٣', '-0'), weight: 2 },
  { arbitrary: oddValue.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))), weight: 1 },
);
const locationArb = fc.oneof(
  { arbitrary: fc.constantFrom('', 'A-', 'B-01', '%', '_', 'a'.repeat(32)), weight: 5 },
  { arbitrary: fc.constantFrom('a'.repeat(33), ' '.repeat(40)), weight: 1 },
);

/** The counted field's rule (stock/web.ts): trimmed, Number(), an integer 0 – 1 000 000 000. */
function countedOf(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text.trim());
  // -0 is stored as 0.
  return Number.isInteger(n) && n >= 0 && n <= 1_000_000_000 ? Math.abs(n) : null;
}

const NO_TRACE = /\bat [\w.<>]+ \(|node_modules|\/src\/\w|\.ts:\d+|ReferenceError|TypeError/;
const counts = { scans: 0, accepted: 0, refused: 0, counts: 0, finished: 0 };
afterAll(() => {
  console.log(
    `Count form fuzz: ${counts.counts} counts started, ${counts.scans} scans (${counts.accepted} recorded, ${counts.refused} refused, each changing nothing), ${counts.finished} finished, 0 5xx`,
  );
});

describe('stock count form fuzz', () => {
  it('records what was counted, refuses bad input changing nothing, and finishing applies counted − on hand at count', async () => {
    const ctx = makeApp();
    const { db } = ctx;
    SKUS.forEach((sku, i) => buildProduct(db, { sku, onHand: 5 + i, location: i % 2 ? 'A-01' : 'B-01', barcode: i === 0 ? BARCODE : undefined }));
    const admin = await buildUser(db, 'admin', { email: 'count-fuzz@example.com' });
    const { agent } = await loginAs(ctx.app, admin.email);
    const csrf = csrfOf((await agent.get('/tools/stock')).text);
    const goodsIn = (await agent.post('/tools/stock/goods-in').type('form').send({ _csrf: csrf, reference: 'Count fuzz' })).headers.location!;
    const onHand = () => new Map((db.$client.prepare('SELECT sku, on_hand AS n FROM products').all() as { sku: string; n: number }[]).map((r) => [r.sku, r.n]));
    const linesOf = (countId: number) =>
      new Map(
        (
          db.$client
            .prepare(
              'SELECT p.sku, l.counted, l.on_hand_at_count AS atCount FROM stock_count_lines l JOIN products p ON p.id = l.product_id WHERE l.count_id = ?',
            )
            .all(countId) as { sku: string; counted: number; atCount: number }[]
        ).map(({ sku, ...l }) => [sku, l]),
      );
    const ledgerSum = (reason: string) => db.$client.prepare('SELECT coalesce(sum(delta), 0) FROM stock_ledger WHERE reason = ?').pluck().get(reason) as number;

    const arb = fc.record({
      location: locationArb,
      steps: fc.array(
        fc.record({
          code: codeArb,
          counted: countedArb,
          goodsIn: fc.option(fc.tuple(fc.constantFrom(...SKUS), fc.integer({ min: 1, max: 9 })), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ location, steps }) => {
        const before = dbDigest(db);
        const started = await agent.post('/tools/stock/counts').type('form').send({ _csrf: csrf, location });
        expect(started.status).toBeLessThan(500);
        if (started.status !== 303) {
          // A bin too long: the index page again with the field's error, nothing started.
          expect(started.status).toBe(422);
          expect(parseHtml(started.text).querySelector('[aria-invalid="true"][name="location"]')).not.toBeNull();
          expect(dbDigest(db)).toBe(before);
          return;
        }
        counts.counts++;
        const count = started.headers.location!;
        const countId = Number(count.split('/').pop());
        const startHand = onHand();
        let bookedIn = 0;
        for (const step of steps) {
          const prior = dbDigest(db);
          const ledgerRows = db.$client.prepare('SELECT count(*) FROM stock_ledger').pluck().get();
          const hand = onHand();
          const linesBefore = linesOf(countId);
          const res = await agent.post(`${count}/items`).type('form').send({ _csrf: csrf, source: 'scanner', code: step.code.text, counted: step.counted });
          counts.scans++;
          const what = `POST ${count}/items code=${JSON.stringify(step.code.text).slice(0, 80)} counted=${JSON.stringify(step.counted).slice(0, 40)} → ${res.status}`;
          expect(res.status, what).toBeLessThan(500);
          expect(res.text ?? '', what).not.toMatch(NO_TRACE);
          if (res.status === 303) {
            counts.accepted++;
            expect(db.$client.prepare('SELECT count(*) FROM stock_ledger').pluck().get(), `an open count wrote to the ledger: ${what}`).toBe(ledgerRows);
            const after = linesOf(countId);
            const changed = [...after].filter(([sku, l]) => JSON.stringify(linesBefore.get(sku)) !== JSON.stringify(l));
            // One scan, one line (a re-scan of the same figure at the same on hand changes nothing).
            expect(changed.length, what).toBeLessThanOrEqual(1);
            expect(after.size - linesBefore.size, what).toBeLessThanOrEqual(1);
            for (const [sku, l] of changed) expect(l.atCount, `on hand at count: ${what}`).toBe(hand.get(sku));
            if (step.code.exact) {
              // A SKU typed as it is counts that product, with the figure typed, and on hand now.
              expect({ sku: step.code.exact, ...after.get(step.code.exact) }, what).toEqual({
                sku: step.code.exact,
                counted: countedOf(step.counted),
                atCount: hand.get(step.code.exact),
              });
            }
          } else {
            counts.refused++;
            expect([404, 422], what).toContain(res.status);
            if (step.code.exact) expect(countedOf(step.counted), `a well-formed scan of ${step.code.exact} was refused: ${what}`).toBeNull();
            const html = parseHtml(res.text);
            expect(
              html.querySelectorAll('[aria-invalid="true"]').length + html.querySelectorAll('.flash-error').length,
              `no field error: ${what}`,
            ).toBeGreaterThan(0);
            expect(dbDigest(db), `a refused scan changed data: ${what}`).toBe(prior);
          }
          if (step.goodsIn) {
            const [sku, quantity] = step.goodsIn;
            const booked = await agent
              .post(`${goodsIn}/items`)
              .type('form')
              .send({ _csrf: csrf, code: sku, quantity: String(quantity) });
            expect(booked.status).toBe(303);
            bookedIn += quantity;
          }
        }
        // Finishing: each line's counted − on hand at count, once; what came in meanwhile stays.
        const lines = db.$client
          .prepare('SELECT p.sku, l.counted - l.on_hand_at_count AS delta FROM stock_count_lines l JOIN products p ON p.id = l.product_id WHERE l.count_id = ?')
          .all(countId) as { sku: string; delta: number }[];
        const beforeFinish = onHand();
        const counted = ledgerSum('stock_count');
        const finished = await agent.post(`${count}/finish`).type('form').send({ _csrf: csrf });
        expect(finished.status).toBe(303);
        counts.finished++;
        const after = onHand();
        for (const [sku, n] of beforeFinish) expect(after.get(sku), sku).toBe(n + lines.filter((l) => l.sku === sku).reduce((s, l) => s + l.delta, 0));
        expect(ledgerSum('stock_count') - counted).toBe(lines.reduce((s, l) => s + l.delta, 0));
        const startTotal = [...startHand.values()].reduce((a, b) => a + b, 0);
        expect([...after.values()].reduce((a, b) => a + b, 0)).toBe(startTotal + bookedIn + lines.reduce((s, l) => s + l.delta, 0));
        // Finishing twice is refused on the page, changing nothing.
        const settled = dbDigest(db);
        const again = await agent.post(`${count}/finish`).type('form').send({ _csrf: csrf });
        expect(again.status).toBe(409);
        expect(dbDigest(db)).toBe(settled);
      }),
      { numRuns: RUNS },
    );
    expectInvariants(db, { allocatedWithinOnHand: false });
  }, 120_000);
});
