import fc from 'fast-check';
import { parse as parseHtml } from 'node-html-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { dbDigest } from '../digest.js';
import { api, csrfOf, loginAs, makeApp } from '../helpers.js';
import { expectInvariants } from '../invariants.js';
import { oddValue } from './arbitraries.js';

/**
 * Returns form fuzz: the page's return form (`/orders/:code/returns/new`) posted with random and
 * edge values in its restock, write-off and reason fields (out of range, fractions, exponents,
 * spaces, repeated fields, odd text), then posted again with the same one-time key (`formKey`,
 * web/form-once.ts): the same values, other values, or both at once. What must hold, from a model
 * of the form's rules written here: a post the rules accept registers one return, its restocked
 * units in the ledger once, one credit note for an own-invoice order, and answers with a redirect;
 * the same post again answers the same redirect and changes nothing; other values under the key
 * are refused; a refused post re-renders the form with the field's error and changes nothing.
 */
const RUNS = Math.ceil(Number(process.env.FUZZ_RUNS ?? 40) * 1.5);

interface Line {
  id: number;
  returnable: number;
}

/** A quantity field as a person, a script or an attacker types it. */
const quantityText: fc.Arbitrary<string | string[] | undefined> = fc.oneof(
  // `R`: the line's returnable units, filled in per line; `R+1` one more than may come back.
  { arbitrary: fc.constantFrom('0', '1', '2', 'R', 'R+1', ''), weight: 8 },
  {
    arbitrary: fc.constantFrom(
      '-1',
      '1.5',
      '1e0',
      '2e0',
      ' 1 ',
      '01',
      '0x1',
      '+1',
      '1,0',
      'Infinity',
      'NaN',
      '١',
      '１',
      '100001',
      '9007199254740993',
      '-0',
      '0.0',
    ),
    weight: 3,
  },
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: fc.tuple(fc.constantFrom('1', '0'), fc.constantFrom('1', '2')).map(([a, b]) => [a, b]), weight: 1 },
  { arbitrary: oddValue.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))), weight: 1 },
);
const reasonText: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constantFrom('', 'damaged', 'missing'), weight: 6 },
  { arbitrary: fc.constantFrom(undefined, 'Damaged', 'lost', ' damaged', 'restock', '__proto__'), weight: 2 },
);

/** A line as a person fills it in: mostly nothing, some units restocked, a few written off with (or without) a reason. */
const cleanLine: fc.Arbitrary<[string | string[] | undefined, string | string[] | undefined, string | undefined]> = fc.tuple(
  fc.constantFrom('0', '0', '', '1', '2', '3'),
  fc.constantFrom('0', '0', '', '1'),
  fc.constantFrom('', 'damaged', 'missing', 'damaged', 'missing'),
);

/** The form's quantity rule (returns/web.ts): empty or absent is 0, else Number(text), an integer 0–100 000. */
function quantityOf(v: string | string[] | undefined): number | null {
  if (v === undefined || v === '') return 0;
  if (Array.isArray(v)) return null;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 100_000 ? n : null;
}

type Fields = Record<string, string | string[] | undefined>;

/** What the rules make of a post: the units per line and disposition, or a refusal. */
function expected(lines: Line[], fields: Fields): { restock: Map<number, number>; writeOff: Map<number, number> } | null {
  const restock = new Map<number, number>();
  const writeOff = new Map<number, number>();
  let bad = false;
  for (const line of lines) {
    const r = quantityOf(fields[`restock_${line.id}`]);
    const w = quantityOf(fields[`writeOff_${line.id}`]);
    const reason = fields[`reason_${line.id}`];
    const reasonOk = reason === undefined || reason === '' || reason === 'damaged' || reason === 'missing';
    if (r === null || w === null || !reasonOk) bad = true;
    if (r && r > 0) restock.set(line.id, r);
    if (w && w > 0) {
      writeOff.set(line.id, w);
      if (!reason) bad = true; // a write-off needs its reason
    }
    if ((r ?? 0) + (w ?? 0) > line.returnable) bad = true;
  }
  if (bad || restock.size + writeOff.size === 0) return null;
  return { restock, writeOff };
}

/** URL-encoded, so that fields can repeat. */
function encode(fields: Fields, extra: [string, string][]): string {
  const pairs: [string, string][] = [...extra];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) pairs.push([k, one]);
  }
  const enc = (t: string) => encodeURIComponent(t.replace(/\p{Cs}/gu, '\uFFFD'));
  return pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

const NO_TRACE = /\bat [\w.<>]+ \(|node_modules|\/src\/\w|\.ts:\d+|ReferenceError|TypeError/;

async function setUp() {
  const ctx = makeApp();
  const { db } = ctx;
  for (const sku of ['RF-1', 'RF-2', 'RF-3']) buildProduct(db, { sku, onHand: 1_000 });
  const codes: string[] = [];
  // Shipped orders with room for many returns; one own-invoice order (its returns take credit notes).
  for (const paymentMethod of ['card', 'invoice', 'card'] as const) {
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'RF-1', quantity: 150 },
        { sku: 'RF-2', quantity: 120 },
        { sku: 'RF-3', quantity: 60 },
      ],
      body: { paymentMethod },
    });
    const shipped = await api(ctx.app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: [`RF-PARCEL-${order.code}`] });
    expect(shipped.status).toBe(201);
    codes.push(order.code);
  }
  const admin = await buildUser(db, 'admin', { email: 'returns-fuzz@example.com' });
  const session = await loginAs(ctx.app, admin.email);
  return { ...ctx, codes, session };
}

const counts = { posts: 0, registered: 0, resent: 0, refused: 0, reusedRefused: 0 };
afterAll(() => {
  console.log(
    `Returns form fuzz: ${counts.posts} posts, ${counts.registered} returns registered, ${counts.resent} resent with the same key (each changed nothing), ${counts.reusedRefused} other values under a used key refused, ${counts.refused} refused (each changed nothing), 0 5xx`,
  );
});

describe('returns form fuzz', () => {
  it('a scanned SKU that reads like a keyed count ("3XL-TEE") adds one unit of its own line; a keyed count no SKU has still counts', async () => {
    const ctx = makeApp();
    for (const sku of ['3XL-TEE', 'L-TEE']) buildProduct(ctx.db, { sku, onHand: 20 });
    const order = buildPackingOrder(ctx.db, {
      lines: [
        { sku: '3XL-TEE', quantity: 4 },
        { sku: 'L-TEE', quantity: 4 },
      ],
    });
    expect(
      (
        await api(ctx.app)
          .post(`/api/v1/orders/${order.code}/deliveries`)
          .send({ parcels: [`RF-PARCEL-${order.code}`] })
      ).status,
    ).toBe(201);
    const admin = await buildUser(ctx.db, 'admin', { email: 'returns-scan@example.com' });
    const { agent } = await loginAs(ctx.app, admin.email);
    const page = await agent.get(`/orders/${order.code}/returns/new`);
    const ids = Object.fromEntries(
      (ctx.db.$client.prepare('SELECT sku, id FROM order_lines WHERE order_id = ?').all(order.id) as { sku: string; id: number }[]).map((l) => [l.sku, l.id]),
    );
    for (const [scan, sku, quantity] of [
      ['3XL-TEE', '3XL-TEE', '1'],
      ['2*L-TEE', 'L-TEE', '2'],
      ['3xL-TEE', 'L-TEE', '3'],
    ] as const) {
      const res = await agent
        .post(`/orders/${order.code}/returns`)
        .type('form')
        .send({ _csrf: csrfOf(page.text), action: 'scan', scan, source: 'scanner' });
      expect(res.status, scan).toBe(200);
      expect(parseHtml(res.text).querySelector(`input[name="restock_${ids[sku]}"]`)?.getAttribute('value'), scan).toBe(quantity);
    }
  });

  it('one return, one restock and one credit note per key; a refusal re-renders with the field error and changes nothing', async () => {
    const w = await setUp();
    const { db } = w;
    const { agent } = w.session;
    const tally = () => ({
      returns: db.$client.prepare('SELECT count(*) FROM returns').pluck().get() as number,
      creditNotes: db.$client.prepare('SELECT count(*) FROM returns WHERE credit_note_number IS NOT NULL').pluck().get() as number,
      restockRows: db.$client.prepare("SELECT count(*) FROM stock_ledger WHERE reason = 'return'").pluck().get() as number,
    });
    const linesOf = (code: string): Line[] =>
      db.$client
        .prepare(
          `SELECT l.id, l.shipped_quantity - coalesce((SELECT sum(quantity) FROM return_lines r WHERE r.order_line_id = l.id), 0) AS returnable
             FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.code = ? AND l.shipped_quantity > 0 ORDER BY l.id`,
        )
        .all(code) as Line[];

    const arb = fc.record({
      order: fc.nat({ max: w.codes.length - 1 }),
      // Built per line below, from the line's returnable units.
      seed: fc.array(fc.oneof({ arbitrary: cleanLine, weight: 8 }, { arbitrary: fc.tuple(quantityText, quantityText, reasonText), weight: 1 }), {
        minLength: 3,
        maxLength: 3,
      }),
      action: fc.constantFrom<string | undefined>('register', 'register', 'register', undefined, 'REGISTER'),
      then: fc.constantFrom('same', 'same', 'twiceAtOnce', 'other', 'none'),
      keyed: fc.constantFrom(true, true, true, false),
    });

    await fc.assert(
      fc.asyncProperty(arb, async ({ order, seed, action, then, keyed }) => {
        const code = w.codes[order]!;
        const page = await agent.get(`/orders/${code}/returns/new`);
        expect(page.status).toBe(200);
        const csrf = csrfOf(page.text);
        const formKey = /name="formKey" value="([^"]+)"/.exec(page.text)![1]!;
        const lines = linesOf(code);
        const fields: Fields = {};
        lines.forEach((line, i) => {
          const [r, wo, why] = seed[i]!;
          const fill = (v: string | string[] | undefined) => (v === 'R' ? String(line.returnable) : v === 'R+1' ? String(line.returnable + 1) : v);
          fields[`restock_${line.id}`] = fill(r);
          fields[`writeOff_${line.id}`] = fill(wo);
          fields[`reason_${line.id}`] = why;
        });
        if (action !== undefined) fields.action = action;
        const extra: [string, string][] = [
          ['_csrf', csrf],
          ['source', 'scanner'],
        ];
        if (keyed) extra.push(['formKey', formKey]);
        const post = (f: Fields) => agent.post(`/orders/${code}/returns`).type('form').send(encode(f, extra));

        const before = dbDigest(db);
        const t0 = tally();
        const res = await post(fields);
        counts.posts++;
        const what = `POST /orders/${code}/returns ${encode(fields, []).slice(0, 300)} → ${res.status}`;
        expect(res.status, what).toBeLessThan(500);
        expect(res.text ?? '', what).not.toMatch(NO_TRACE);
        const model = expected(lines, fields);
        const t1 = tally();
        if (model === null) {
          counts.refused++;
          // Refused: the form again, the field to blame marked (or the form's own message), nothing written.
          expect([409, 422], what).toContain(res.status);
          const html = parseHtml(res.text);
          expect(html.querySelector(`form[action="/orders/${code}/returns"]`), what).not.toBeNull();
          const marked = html.querySelectorAll('[aria-invalid="true"]').length > 0 || html.querySelector('.flash-error') !== null;
          expect(marked, `a refusal without a field error or message: ${what}`).toBe(true);
          for (const el of html.querySelectorAll('[aria-invalid="true"]'))
            expect(html.querySelector(`#${el.getAttribute('aria-describedby')!.split(' ')[0]}`), what).not.toBeNull();
          expect(dbDigest(db), `a refused return changed data: ${what}`).toBe(before);
          return;
        }
        // Accepted: one return, with exactly the units the form said, restocked ones in the ledger once.
        expect(res.status, what).toBe(302);
        expect(res.headers.location, what).toBe(`/orders/${code}#returns`);
        counts.registered++;
        expect(t1.returns - t0.returns, what).toBe(1);
        expect(t1.creditNotes - t0.creditNotes, what).toBe(order === 1 ? 1 : 0);
        const ret = db.$client.prepare('SELECT id, number FROM returns ORDER BY id DESC LIMIT 1').get() as { id: number; number: number };
        const got = db.$client.prepare('SELECT order_line_id AS line, disposition, quantity FROM return_lines WHERE return_id = ?').all(ret.id) as {
          line: number;
          disposition: string;
          quantity: number;
        }[];
        const want = [
          ...[...model.restock].map(([line, quantity]) => ({ line, disposition: 'restock', quantity })),
          ...[...model.writeOff].map(([line, quantity]) => ({ line, disposition: 'write_off', quantity })),
        ];
        const byKey = (a: { line: number; disposition: string }, b: { line: number; disposition: string }) =>
          a.line - b.line || a.disposition.localeCompare(b.disposition);
        expect(got.sort(byKey), what).toEqual(want.sort(byKey));
        expect(t1.restockRows - t0.restockRows, what).toBe(model.restock.size);

        if (then === 'none' || !keyed) return;
        const afterFirst = dbDigest(db);
        if (then === 'other') {
          // Other values under the same key: refused on the form, nothing written.
          const other = { ...fields, [`restock_${lines[0]!.id}`]: String((quantityOf(fields[`restock_${lines[0]!.id}`]) ?? 0) + 1) };
          const again = await post(other);
          counts.posts++;
          expect(again.status, `other values under a used key: ${again.status}`).toBe(409);
          expect(again.text).not.toMatch(NO_TRACE);
          counts.reusedRefused++;
        } else {
          const replies = then === 'twiceAtOnce' ? await Promise.all([post(fields), post(fields)]) : [await post(fields)];
          for (const again of replies) {
            counts.posts++;
            counts.resent++;
            expect(again.status, 'the same form resent').toBe(302);
            expect(again.headers.location).toBe(res.headers.location);
          }
        }
        expect(dbDigest(db), `a resent form changed data (${then})`).toBe(afterFirst);
        expect(tally(), then).toEqual(t1);
      }),
      { numRuns: RUNS },
    );
    expectInvariants(db);
  }, 120_000);
});
