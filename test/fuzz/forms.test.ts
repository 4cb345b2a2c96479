import fc from 'fast-check';
import { parse, type HTMLElement } from 'node-html-parser';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
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
import { saveAccount, saveMethod } from '../../src/carriers/accounts.js';
import { credentialBoxFor } from '../../src/carriers/secrets.js';
import { savePrinter } from '../../src/printers/service.js';
import { putVerificationMode } from '../../src/shipping/checks.js';
import { dbDigest } from '../digest.js';
import { api, csrfOf, loginAs, makeApp } from '../helpers.js';
import { until } from '../wait.js';
import { oddValue } from './arbitraries.js';

/**
 * Form fuzz: every HTML form the pages render, found by visiting the pages as an admin, posted with
 * odd values, missing and repeated fields, prototype keys and broken bodies, before and after
 * login. The invariant: no 5xx, no stack trace, a refusal renders our page and changes nothing.
 */
const RUNS = Math.ceil(Number(process.env.FUZZ_RUNS ?? 40) / 3);

interface Field {
  name: string;
  values: string[];
}
interface Form {
  page: string;
  action: string;
  fields: Field[];
}

/** The pages an admin can reach; order pages of every status add their own forms. */
function pagesOf(codes: string[], userId: number, extra: string[], carrier: { account: number; method: number }) {
  return [
    '/orders',
    '/orders/new',
    ...codes.map((c) => `/orders/${c}`),
    `/orders/${codes[1]}/delete`,
    '/outbound',
    // The order open at the fuzz bench (its take-over form), and a free one (its scan and undo forms).
    `/outbound/orders/${codes[3]}/verify`,
    `/outbound/orders/${codes[4]}/verify`,
    '/shipping',
    '/shipping?open=partial',
    '/shipping/station',
    '/tools/pack-script',
    '/tools/products',
    '/tools/products/new',
    '/tools/products/sku/FF-1',
    '/tools/products/sku/FF-2/edit',
    '/tools/stock',
    '/tools/products/low-stock',
    '/tools/mispicks',
    '/tools/csv',
    `/orders/${codes[5]}/returns/new`,
    ...extra,
    '/settings/users',
    `/settings/users/${userId}`,
    '/settings/statuses',
    '/settings/pack-script',
    '/settings/documents',
    '/settings/shipping',
    '/settings/shipping/carriers',
    '/settings/shipping/carriers/accounts/new?kind=bring',
    `/settings/shipping/carriers/accounts/${carrier.account}`,
    `/settings/shipping/carriers/methods/${carrier.method}`,
    '/settings/printers',
    '/settings/scanners',
    '/settings/emails',
    '/settings/emails/templates/shipped/sv',
    '/settings/webhooks',
    '/settings/api-tokens',
    '/account',
  ];
}

/** The POST forms of a page with their fields and the values the page offers. */
function formsOf(page: string, html: string): Form[] {
  return parse(html)
    .querySelectorAll('form')
    .filter((f) => (f.getAttribute('method') ?? 'get').toLowerCase() === 'post')
    .map((form: HTMLElement) => {
      const fields = new Map<string, Set<string>>();
      const add = (name: string | undefined, value: string) => {
        if (!name || name === '_csrf') return;
        if (!fields.has(name)) fields.set(name, new Set());
        fields.get(name)!.add(value);
      };
      for (const el of form.querySelectorAll('input, textarea, button'))
        add(el.getAttribute('name'), el.tagName === 'TEXTAREA' ? el.text : (el.getAttribute('value') ?? ''));
      for (const select of form.querySelectorAll('select'))
        for (const option of select.querySelectorAll('option')) add(select.getAttribute('name'), option.getAttribute('value') ?? option.text);
      return { page, action: form.getAttribute('action') ?? page, fields: [...fields].map(([name, values]) => ({ name, values: [...values] })) };
    });
}

/** A form body as URL-encoded text: so that fields can repeat and keys can be anything. */
function encode(pairs: [string, string][]): string {
  // A browser sends a lone surrogate as U+FFFD; encodeURIComponent would throw on it.
  const enc = (t: string) => encodeURIComponent(t.replace(/\p{Cs}/gu, '\uFFFD'));
  return pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

const asText = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

/** The fields of a form, each kept, left out, given an odd value or sent twice; sometimes an extra key. */
function submissionArb(form: Form): fc.Arbitrary<[string, string][]> {
  const fieldArbs = form.fields.map((field) =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...(field.values.length ? field.values : [''])).map((v): [string, string][] => [[field.name, v]]), weight: 3 },
      { arbitrary: oddValue.map((v): [string, string][] => [[field.name, asText(v)]]), weight: 2 },
      { arbitrary: fc.constant<[string, string][]>([]), weight: 1 },
      {
        arbitrary: fc.tuple(oddValue, oddValue).map(([a, b]): [string, string][] => [
          [field.name, asText(a)],
          [field.name, asText(b)],
        ]),
        weight: 1,
      },
    ),
  );
  const extra = fc.option(
    fc
      .tuple(fc.constantFrom('__proto__', '__proto__[admin]', 'constructor[prototype][x]', 'role', 'status', 'confirmed', 'x'.repeat(300)), oddValue)
      .map(([k, v]): [string, string] => [k, asText(v)]),
    { nil: undefined },
  );
  return fc.tuple(fc.tuple(...fieldArbs), extra).map(([fields, more]) => [...fields.flat(), ...(more ? [more] : [])]);
}

/** No trace or server path, and an HTML page of ours when it is a page at all. */
function expectClean(res: request.Response, what: string) {
  expect(res.status, what).toBeLessThan(500);
  const text = res.text ?? '';
  expect(text, what).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\/src\/\w|\.ts:\d+|ReferenceError|TypeError/);
  if (res.status >= 400 && /html/.test(res.headers['content-type'] ?? '')) expect(text, what).toContain('<main class="page"');
}

async function setUp() {
  // A carrier key of the test's own, so that the account below opens with the server's box.
  const ctx = makeApp({ env: { CARRIER_SECRET_KEY: 'f'.repeat(64) } });
  const { db } = ctx;
  const skus = ['FF-1', 'FF-2'].map((sku) => buildProduct(db, { sku, onHand: 40, barcode: sku === 'FF-1' ? '7350000000016' : undefined }).sku);
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
  await api(ctx.app)
    .put('/api/v1/custom-statuses/CALL')
    .send({ label: 'Call the customer', color: '#336699' })
    .expect((r) => expect(r.status).toBeLessThan(300));
  const admin = await buildUser(db, 'admin', { email: 'fuzz-admin@example.com' });
  const other = await buildUser(db, 'packer');
  // A label printer that is off (nothing listens on port 1): its test print is refused with a message, changing nothing.
  savePrinter(db, null, { name: 'Fuzz Zebra', host: '127.0.0.1', port: 1, dpi: 203 }, ctx.clock());
  // A carrier account a shipping method uses (its delete is refused with a message), for Settings → Shipping → Carriers' forms.
  const sender = { senderName: 'Fuzz AB', senderLine1: 'Gatan 1', senderLine2: null, senderPostalCode: '11122', senderCity: 'Stockholm', senderCountry: 'SE' };
  const account = saveAccount(
    db,
    credentialBoxFor(ctx.config),
    null,
    {
      name: 'Fuzz Shipmondo',
      kind: 'shipmondo',
      test: true,
      baseUrl: null,
      labelFormat: 'zpl',
      parcelWeightGrams: 1000,
      ...sender,
      senderPhone: null,
      senderEmail: null,
    },
    { 'credential.apiUser': 'fuzz-user', 'credential.apiKey': 'fuzz-key' },
    ctx.clock(),
  );
  const method = saveMethod(
    db,
    null,
    { code: 'fuzz-home', name: 'Fuzz home', kind: 'carrier', carrierAccountId: account.id, service: 'GLSDK_HD', isDefault: false },
    ctx.clock(),
  );
  // Item checks on "warn": the station and Outbound's verify view show their check forms.
  putVerificationMode(db, 'warn', ctx.clock(), 'fuzz');
  return { ...ctx, codes: orders.map((o) => o.code), admin, other, carrier: { account: account.id, method: method.id } };
}

const counts = { forms: 0, requests: 0, refused: 0 };
afterAll(() => {
  console.log(`Form fuzz: ${counts.forms} forms, ${counts.requests} requests, ${counts.refused} refused (each changed nothing), 0 5xx, 0 traces`);
});

describe('form fuzz', () => {
  it('every form the pages render, after login', async () => {
    const w = await setUp();
    const session = await loginAs(w.app, w.admin.email);
    // This device is a packing station with an order open, so the station's forms are on its page.
    const stationCsrf = csrfOf((await session.agent.get('/shipping')).text);
    await session.agent.post('/shipping/station').type('form').send({ _csrf: stationCsrf, name: 'Fuzz bench' });
    await session.agent.post('/shipping/scan').type('form').send({ _csrf: stationCsrf, value: w.codes[3] });
    // An open goods-in and an open stock count, so that their scan forms are on their pages.
    const goodsIn = await session.agent.post('/tools/stock/goods-in').type('form').send({ _csrf: stationCsrf, reference: 'Fuzz delivery note' });
    const count = await session.agent.post('/tools/stock/counts').type('form').send({ _csrf: stationCsrf, location: '' });
    const opened = [goodsIn.headers.location, count.headers.location];
    expect(opened.every((l) => typeof l === 'string' && /^\/tools\/stock\/(goods-in|counts)\/\d+$/.test(l))).toBe(true);
    const forms = new Map<string, Form>();
    for (const page of pagesOf(w.codes, w.other.id, opened as string[], w.carrier)) {
      const res = await session.agent.get(page);
      expect(res.status, page).toBe(200);
      for (const form of formsOf(page, res.text)) if (form.action !== '/logout' && !forms.has(form.action)) forms.set(form.action, form);
    }
    // Every kind of form the views hold was found (at least one per action pattern).
    expect(forms.size).toBeGreaterThanOrEqual(30);
    counts.forms += forms.size;

    let agent = session.agent;
    let accepted = 0;
    let token = csrfOf((await agent.get('/account')).text);
    for (const form of forms.values()) {
      await fc.assert(
        fc.asyncProperty(submissionArb(form), async (pairs) => {
          // A pack run an earlier form started goes on in the background: its writes are not this form's.
          await until(
            'background pack runs to finish',
            () => w.db.$client.prepare("SELECT count(*) FROM pack_runs WHERE status = 'running'").pluck().get() === 0,
            60_000,
          );
          const before = dbDigest(w.db);
          const res = await agent
            .post(form.action)
            .type('form')
            .send(encode([['_csrf', token], ...pairs]));
          counts.requests++;
          const what = `POST ${form.action} ${encode(pairs).slice(0, 300)} → ${res.status}`;
          expectClean(res, what);
          // The token is good: what is refused is refused for its fields, not as a forgery.
          expect(res.text ?? '', what).not.toContain('This form has expired');
          if (res.status >= 400) {
            counts.refused++;
            expect(dbDigest(w.db), `a refused form changed data: ${what}`).toBe(before);
          } else accepted++;
          // A submission may end the admin's session (a password change): log in again.
          if (res.status === 302 && res.headers.location?.startsWith('/login')) {
            agent = (await loginAs(w.app, w.admin.email)).agent;
            token = csrfOf((await agent.get('/account')).text);
          }
        }),
        { numRuns: RUNS },
      );
    }
    expect(accepted).toBeGreaterThan(forms.size / 2);
  }, 180_000);

  it('every form action refuses broken bodies and posts without a session, changing nothing', async () => {
    const w = await setUp();
    const { agent } = await loginAs(w.app, w.admin.email);
    const actions = new Set<string>();
    for (const page of pagesOf(w.codes, w.other.id, [], w.carrier))
      for (const form of formsOf(page, (await agent.get(page)).text)) if (form.action !== '/logout') actions.add(form.action);
    actions.add('/login');
    const before = dbDigest(w.db);
    const broken: ((r: request.Test) => request.Test)[] = [
      (r) => r.type('form').send(`a=${'x'.repeat(300_000)}`),
      (r) => r.type('form').send(Array.from({ length: 2_100 }, (_, i) => `f${i}=1`).join('&')),
      (r) => r.type('form').set('Content-Encoding', 'gzip').send('a=1&b=2'),
      (r) => r.type('form').set('Content-Encoding', 'x-unknown').send('a=1'),
      (r) => r.type('form').send('%E0%A4%A=%ff&__proto__[x]=1'),
      (r) => r.set('Content-Type', 'application/json').send('{"_csrf":'),
    ];
    for (const action of actions) {
      for (const [i, send] of broken.entries()) {
        for (const client of [agent, request(w.app)]) {
          const res = await send(client.post(action));
          counts.requests++;
          expectClean(res, `POST ${action} broken body ${i}`);
          expect(res.status, `POST ${action} broken body ${i}`).toBeGreaterThanOrEqual(300);
        }
      }
      // Without a session, with a token from another session: refused before anything is read.
      const stranger = request.agent(w.app);
      const token = csrfOf((await stranger.get('/login')).text);
      const res = await stranger.post(action).type('form').send({ _csrf: token, name: 'x', email: 'x@example.com' });
      counts.requests++;
      expectClean(res, `POST ${action} without login`);
      if (action !== '/login') expect([302, 303, 401, 403]).toContain(res.status);
    }
    counts.refused += actions.size * (broken.length * 2 + 1);
    // Failed logins count in rate_limits, which the digest leaves out on purpose.
    expect(dbDigest(w.db)).toBe(before);
  }, 120_000);
});
