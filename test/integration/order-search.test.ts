import { describe, expect, it } from 'vitest';
import { dammCheckDigit } from '../../src/domain/order-code.js';
import { gs1CheckDigit } from '../../src/domain/gtin.js';
import { createOrder } from '../../src/orders/service.js';
import { aCustomer, buildOrder, buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { api, loginAs, makeApp, makeClock } from '../helpers.js';
import { json, type OrderJson, type OrderListJson } from '../json.js';

type Ctx = ReturnType<typeof makeApp>;
const codes = (res: { body: unknown }) => json<OrderListJson>(res).orders.map((o) => o.code);

function seed({ db }: Ctx) {
  const a = buildProduct(db, { sku: 'TENT-2', price: 199900 });
  const b = buildProduct(db, { sku: 'MUG', price: 4900 });
  const at = (iso: string) => ({ actor: { type: 'system' as const, id: null, name: 't' }, now: new Date(iso), currency: 'SEK' });
  const customer = (name: string, email: string, phone?: string) => ({ ...aCustomer(name), email, phone });
  return {
    karin: createOrder(
      db,
      {
        status: 'order',
        lines: [{ sku: a.sku, quantity: 1 }],
        customer: customer('Karin Lindqvist', 'karin@example.com', '+46 70-123 45 67'),
        paymentMethod: 'invoice',
      },
      at('2026-11-01T10:00:00Z'),
    ),
    asa: createOrder(
      db,
      { status: 'order', lines: [{ sku: b.sku, quantity: 2 }], customer: customer('Åsa Øvergård', 'asa@example.no'), paymentMethod: 'card', paid: true },
      at('2026-11-10T23:30:00Z'),
    ),
    erik: createOrder(
      db,
      {
        status: 'order',
        lines: [
          { sku: b.sku, quantity: 1 },
          { sku: a.sku, quantity: 1 },
        ],
        customer: customer('Erik Karlsson', 'erik@example.com', '0701112233'),
        paymentMethod: 'card',
      },
      at('2026-11-15T08:00:00Z'),
    ),
  };
}

describe('order search', () => {
  it('finds customers by any word of the name, as a prefix, case and accents aside', async () => {
    const ctx = makeApp();
    const o = seed(ctx);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=lindq'))).toEqual([o.karin.code]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=KARIN'))).toEqual([o.karin.code]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=asa overg'))).toEqual([o.asa.code]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=Åsa'))).toEqual([o.asa.code]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=Övergård'))).toEqual([o.asa.code]);
    // "kar" starts both Karin and Karlsson.
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=kar'))).toEqual([o.erik.code, o.karin.code]);
    expect(codes(await api(ctx.app).get(`/api/v1/orders?q=${encodeURIComponent('"kar* OR x')}`))).toEqual([]);
  });

  it('finds by exact e-mail and by phone however it is written', async () => {
    const ctx = makeApp();
    const o = seed(ctx);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=Karin@Example.com'))).toEqual([o.karin.code]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=070 123 45 67'))).toEqual([o.karin.code]);
    expect(codes(await api(ctx.app).get(`/api/v1/orders?q=${encodeURIComponent('+46701112233')}`))).toEqual([o.erik.code]);
  });

  it.each<[string, (o: ReturnType<typeof seed>) => string[]]>([
    ['paymentMethod=invoice', (o) => [o.karin.code]],
    ['paid=true', (o) => [o.asa.code]],
    ['paid=false', (o) => [o.erik.code, o.karin.code]],
    ['sku=MUG', (o) => [o.erik.code, o.asa.code]],
    ['minTotal=100000', (o) => [o.erik.code, o.karin.code]],
    ['maxTotal=20000', (o) => [o.asa.code]],
    ['from=2026-11-11&to=2026-11-15', (o) => [o.erik.code, o.asa.code]],
    ['to=2026-11-10', (o) => [o.karin.code]],
    ['waiting=true', () => []],
    ['status=order&reviewed=false&sku=TENT-2', (o) => [o.erik.code, o.karin.code]],
  ])('advanced filter %s', async (params, expected) => {
    const ctx = makeApp();
    const o = seed(ctx);
    const res = await api(ctx.app).get(`/api/v1/orders?${params}`);
    expect(res.status).toBe(200);
    expect(codes(res)).toEqual(expected(o));
  });

  it('reads the date range in the shop time zone (23:30 UTC on the 10th is the 11th in Stockholm)', async () => {
    const ctx = makeApp();
    const o = seed(ctx);
    expect(codes(await api(ctx.app).get('/api/v1/orders?from=2026-11-11&to=2026-11-11'))).toEqual([o.asa.code]);
  });

  it('filters by custom status', async () => {
    const ctx = makeApp();
    const o = seed(ctx);
    await api(ctx.app).put('/api/v1/custom-statuses/CALL').send({ label: 'Call', color: '#dc2626' });
    await api(ctx.app).patch(`/api/v1/orders/${o.asa.code}`).send({ customStatus: 'CALL' });
    expect(codes(await api(ctx.app).get('/api/v1/orders?customStatus=CALL'))).toEqual([o.asa.code]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?customStatus=NONE'))).toEqual([]);
  });

  it.each(['from=21-11-2026', 'minTotal=-1', 'paid=maybe', 'paymentMethod=bitcoin', 'cursor=abc', 'cursor=0'])('refuses %s with 422', async (params) => {
    const ctx = makeApp();
    expect((await api(ctx.app).get(`/api/v1/orders?${params}`)).status).toBe(422);
  });

  it('pages newest first by creation time across orders created in the same millisecond', async () => {
    const clock = makeClock();
    const ctx = makeApp({ clock });
    const made = Array.from({ length: 5 }, () => buildOrder(ctx.db));
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 5; i++) {
      const res = await api(ctx.app).get(`/api/v1/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...codes(res));
      const { nextCursor } = json<OrderListJson>(res);
      if (!nextCursor) break;
      cursor = nextCursor;
    }
    expect(seen).toEqual(made.map((o) => o.code).reverse());
  });
});

describe('order search with many matches', () => {
  it('pages a common name newest first, across both search plans', async () => {
    const ctx = makeApp();
    const insert = ctx.db.$client.prepare(
      `INSERT INTO orders (code, status, currency, customer_name, customer_email, customer_search, created_at, updated_at)
       VALUES (?, 'order', 'SEK', ?, ?, ?, ?, ?)`,
    );
    const { dammCheckDigit } = await import('../../src/domain/order-code.js');
    ctx.db.$client.transaction(() => {
      for (let i = 0; i < 2500; i++) {
        const body = String(100_000_000 + i);
        const name = i % 2 ? 'Karin Lindqvist' : 'Erik Berg';
        insert.run(body + dammCheckDigit(body), name, `${i}@example.com`, `${name.toLowerCase()} ${i}@example.com`, 1_700_000_000_000 + i * 1000, 0);
      }
    })();
    // 1250 matches: fetched and sorted.
    const few = await api(ctx.app).get('/api/v1/orders?q=lindqvist&limit=3');
    expect(json<OrderListJson>(few).orders.map((o) => o.customerEmail)).toEqual(['2499@example.com', '2497@example.com', '2495@example.com']);
    // 2500 matches ("example"): found by walking the list index.
    const many = await api(ctx.app).get('/api/v1/orders?q=example&limit=2');
    expect(json<OrderListJson>(many).orders.map((o) => o.customerEmail)).toEqual(['2499@example.com', '2498@example.com']);
    const next = await api(ctx.app).get(`/api/v1/orders?q=example&limit=2&cursor=${json<OrderListJson>(many).nextCursor}`);
    expect(json<OrderListJson>(next).orders.map((o) => o.customerEmail)).toEqual(['2497@example.com', '2496@example.com']);
  });
});

describe('creation order', () => {
  it('keeps created_at in id order when the clock goes back, so newest first stays true', async () => {
    const clock = makeClock(new Date('2026-11-20T10:00:00Z'));
    const ctx = makeApp({ clock });
    buildProduct(ctx.db, { sku: 'A' });
    const body = { lines: [{ sku: 'A', quantity: 1 }], customer: aCustomer() };
    const first = json<OrderJson>(await api(ctx.app).post('/api/v1/orders').send(body));
    clock.advance(-60 * 60 * 1000);
    const second = json<OrderJson>(await api(ctx.app).post('/api/v1/orders').send(body));
    expect(second.createdAt).toBe(first.createdAt);
    expect(codes(await api(ctx.app).get('/api/v1/orders'))).toEqual([second.code, first.code]);
  });
});

/** Orders written straight into the table with chosen codes, oldest first; each with one line of `sku` when given. */
function insertOrders(ctx: Ctx, specs: { body: string; sku?: string }[]): string[] {
  const order = ctx.db.$client.prepare(
    `INSERT INTO orders (code, status, currency, customer_name, customer_email, customer_search, created_at, updated_at)
     VALUES (?, 'order', 'SEK', 'Nils Berg', ?, ?, ?, ?)`,
  );
  const line = ctx.db.$client.prepare(
    `INSERT INTO order_lines (order_id, sku, name, unit_price, vat_rate, quantity, created_at) VALUES (?, ?, 'Item', 100, 2500, 1, 0)`,
  );
  return ctx.db.$client.transaction(() =>
    specs.map(({ body, sku }, i) => {
      const code = body + dammCheckDigit(body);
      const id = order.run(code, `n${i}@example.com`, `nils berg n${i}@example.com`, 1_700_000_000_000 + i * 1000, 0).lastInsertRowid;
      if (sku) line.run(id, sku);
      return code;
    }),
  )();
}

async function pageCodes(agent: Awaited<ReturnType<typeof loginAs>>['agent'], q: string) {
  const res = await agent.get(`/orders?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return [...res.text.matchAll(/href="\/orders\/(\d{10})"/g)].map((m) => m[1]!).filter((c, i, all) => all.indexOf(c) === i);
}

describe('order search by parcel ID, order code beginning, SKU or barcode', () => {
  it('finds the order of a parcel ID, in any case and an SSCC with its (00); the page opens it', async () => {
    const ctx = makeApp();
    buildPackingOrder(ctx.db);
    const order = buildPackingOrder(ctx.db);
    buildPackingOrder(ctx.db);
    const sscc = '37350000000000001' + gs1CheckDigit('37350000000000001');
    expect((await api(ctx.app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'JJD00012345678901' })).status).toBe(201);
    expect((await api(ctx.app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: sscc })).status).toBe(201);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=JJD00012345678901'))).toEqual([order.code]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=jjd00012345678901'))).toEqual([order.code]);
    expect(codes(await api(ctx.app).get(`/api/v1/orders?q=${encodeURIComponent(`(00)${sscc}`)}`))).toEqual([order.code]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=JJD00012345678902'))).toEqual([]);
    const user = await buildUser(ctx.db, 'operator');
    const { agent } = await loginAs(ctx.app, user.email);
    const res = await agent.get('/orders?q=JJD00012345678901');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/orders/${order.code}`);
  });

  it('reads 4 to 9 digits as the beginning of an order code, newest first, spaces and dashes aside', async () => {
    const ctx = makeApp();
    const [a, , c, , e] = insertOrders(ctx, [
      { body: '123456789' },
      { body: '123399999' },
      { body: '123400000' },
      { body: '223456789' },
      { body: '123456000' },
    ]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=1234'))).toEqual([e, c, a]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=12345'))).toEqual([e, a]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=1234-567'))).toEqual([a]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=1234&limit=2'))).toEqual([e, c]);
    const user = await buildUser(ctx.db, 'operator');
    const { agent } = await loginAs(ctx.app, user.email);
    expect(await pageCodes(agent, '1234')).toEqual([e, c, a]);
  });

  it('does not read 1 to 3 digits as a code beginning: only an exact SKU or barcode, and the page says so', async () => {
    const ctx = makeApp();
    const [, b] = insertOrders(ctx, [{ body: '123456789' }, { body: '923456789', sku: '123' }]);
    // Nor as a word beginning: digits in an e-mail address ("nils.123@…") are not searched.
    const [mail] = insertOrders(ctx, [{ body: '323456789' }]);
    ctx.db.$client.prepare("UPDATE orders SET customer_search = 'nils berg nils.123@example.com' WHERE code = ?").run(mail);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=nils.123'))).toEqual([mail]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=123'))).toEqual([b]);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=12'))).toEqual([]);
    const user = await buildUser(ctx.db, 'operator');
    const { agent } = await loginAs(ctx.app, user.email);
    const short = await agent.get('/orders?q=12');
    expect(short.text).toContain('An order code is searched from 4 digits');
    expect(await pageCodes(agent, '123')).toEqual([b]);
  });

  it('lists every order that contains a SKU or a product barcode (any GTIN length), through the page and the API', async () => {
    const ctx = makeApp();
    const ean = '735000000001' + gs1CheckDigit('735000000001');
    buildProduct(ctx.db, { sku: 'LAMP-7', barcode: ean });
    const other = buildProduct(ctx.db, { sku: 'CUP' });
    const lamp = [0, 1, 2].map(() => buildOrder(ctx.db, { lines: [{ sku: 'LAMP-7', quantity: 1 }] }).code);
    buildOrder(ctx.db, { lines: [{ sku: other.sku, quantity: 1 }] });
    lamp.push(
      buildOrder(ctx.db, {
        lines: [
          { sku: other.sku, quantity: 1 },
          { sku: 'LAMP-7', quantity: 2 },
        ],
      }).code,
    );
    const newest = [...lamp].reverse();
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=LAMP-7'))).toEqual(newest);
    expect(codes(await api(ctx.app).get(`/api/v1/orders?q=${ean}`))).toEqual(newest);
    expect(codes(await api(ctx.app).get(`/api/v1/orders?q=0${ean}`))).toEqual(newest);
    expect(codes(await api(ctx.app).get('/api/v1/orders?q=LAMP-7&status=order&limit=3'))).toEqual(newest.slice(0, 3));
    const user = await buildUser(ctx.db, 'operator');
    const { agent } = await loginAs(ctx.app, user.email);
    expect(await pageCodes(agent, 'LAMP-7')).toEqual(newest);
    expect(await pageCodes(agent, ean)).toEqual(newest);
    // The CSV export takes the same search.
    const csv = (await api(ctx.app).get('/api/v1/orders.csv?q=LAMP-7').buffer(true)).text;
    for (const code of lamp) expect(csv).toContain(code);
    expect(csv.split('\n').filter((l) => l.trim()).length).toBe(1 + 4 + 1);
  });

  it('pages a number that is both a code beginning and a SKU newest first, with every match once', async () => {
    const ctx = makeApp();
    // 1,500 orders: every 3rd has a code beginning 5555, every 2nd a line of SKU "5555" (some both).
    const specs = Array.from({ length: 1500 }, (_, i) => ({
      body: i % 3 === 0 ? `5555${String(i).padStart(5, '0')}` : `6${String(i).padStart(8, '0')}`,
      ...(i % 2 === 0 && { sku: '5555' }),
    }));
    const all = insertOrders(ctx, specs);
    const expected = all.filter((_, i) => i % 2 === 0 || i % 3 === 0).reverse();
    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await api(ctx.app).get(`/api/v1/orders?q=5555&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...codes(res));
      const next = json<OrderListJson>(res).nextCursor;
      if (!next) break;
      cursor = next;
    }
    expect(seen).toEqual(expected);
  });
});
