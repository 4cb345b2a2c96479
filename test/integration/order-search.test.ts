import { describe, expect, it } from 'vitest';
import { createOrder } from '../../src/orders/service.js';
import { aCustomer, buildOrder, buildProduct } from '../builders.js';
import { api, makeApp, makeClock } from '../helpers.js';
import { json, type OrderJson, type OrderListJson } from '../json.js';

type Ctx = ReturnType<typeof makeApp>;
const codes = (res: { body: unknown }) => json<OrderListJson>(res).orders.map((o) => o.code);

function seed({ db }: Ctx) {
  const a = buildProduct(db, { sku: 'TENT-2', price: 199900 });
  const b = buildProduct(db, { sku: 'MUG', price: 4900 });
  const at = (iso: string) => ({ actor: { type: 'system' as const, id: null, name: 't' }, now: new Date(iso), currency: 'SEK' });
  const customer = (name: string, email: string, phone?: string) => ({ ...aCustomer(name), email, phone });
  return {
    karin: createOrder(db, { status: 'order', lines: [{ sku: a.sku, quantity: 1 }], customer: customer('Karin Lindqvist', 'karin@example.com', '+46 70-123 45 67'), paymentMethod: 'invoice' }, at('2026-11-01T10:00:00Z')),
    asa: createOrder(db, { status: 'order', lines: [{ sku: b.sku, quantity: 2 }], customer: customer('Åsa Øvergård', 'asa@example.no'), paymentMethod: 'card', paid: true }, at('2026-11-10T23:30:00Z')),
    erik: createOrder(db, { status: 'order', lines: [{ sku: b.sku, quantity: 1 }, { sku: a.sku, quantity: 1 }], customer: customer('Erik Karlsson', 'erik@example.com', '0701112233'), paymentMethod: 'card' }, at('2026-11-15T08:00:00Z')),
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
