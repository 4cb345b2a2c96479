import { describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';
import { formatters } from '../../src/i18n/format.js';
import { findOrderByCode } from '../../src/orders/repo/orders.js';
import { buildProduct, buildUser } from '../builders.js';
import { api, loginAs, makeApp } from '../helpers.js';
import { body, fieldsOf, operator } from '../manual-order-form.js';

// New order (phone or counter sale): each line's product, current price and total, and the order's
// total, before Create order; a customer found by phone comes with their language.

const money = (minor: number) => formatters('en', 'UTC').money(minor, 'SEK');
/** Each line as the page shows it: SKU, product name, unit price, line total. */
const linesOn = (html: string) =>
  parse(html)
    .querySelectorAll('table.manual-lines tbody tr')
    .map((tr) => [
      tr.querySelector('.sku')!.text.trim(),
      tr.querySelector('.name')!.text.trim(),
      tr.querySelector('.unit-price')!.text.trim(),
      tr.querySelector('.line-total')!.text.trim(),
    ]);
const totalOn = (html: string) => parse(html).querySelector('table.manual-lines .order-total')?.text.trim();
const selectedLanguage = (html: string) => parse(html).getElementById('customer.language')!.querySelector('option[selected]')?.getAttribute('value') ?? '';

describe('New order shows what the customer pays before Create order', () => {
  it('lists each line with its product name, unit price and line total, and the order total, at the current prices', async () => {
    const ctx = makeApp();
    buildProduct(ctx.db, { sku: 'TENT', name: 'Tent 2p', price: 149900 });
    buildProduct(ctx.db, { sku: 'MUG', name: 'Enamel mug', price: 9900 });
    const s = await operator(ctx);
    await s.send({ scan: 'TENT', op: 'add' });
    const res = await s.send({ scan: '2*MUG', op: 'add' });
    expect(res.status).toBe(200);
    expect(linesOn(res.text)).toEqual([
      ['TENT', 'Tent 2p', money(149900), money(149900)],
      ['MUG', 'Enamel mug', money(9900), money(19800)],
    ]);
    expect(totalOn(res.text)).toBe(money(169700));

    // A quantity changed and Enter: the totals follow. A price posted with the form is not read.
    const changed = await s.send({ lineQty: ['3', '2'], op: 'enter', unitPrice: '1', lineUnitPrice: ['1', '1'], total: '1' });
    expect(linesOn(changed.text)[0]).toEqual(['TENT', 'Tent 2p', money(149900), money(449700)]);
    expect(totalOn(changed.text)).toBe(money(469500));

    // The price is the product's now: changed in the catalog, the next render shows it, and Create order charges it.
    ctx.db.$client.prepare("UPDATE products SET price = 159900 WHERE sku = 'TENT'").run();
    const repriced = await s.send({ op: 'enter' });
    expect(linesOn(repriced.text)[0]).toEqual(['TENT', 'Tent 2p', money(159900), money(479700)]);
    expect(totalOn(repriced.text)).toBe(money(499500));
    const created = await s.send({
      email: 'kari@example.com',
      name: 'Kari Nordmann',
      line1: 'Storgatan 1',
      postalCode: '111 22',
      city: 'Stockholm',
      country: 'SE',
      op: 'create',
    });
    expect(created.status).toBe(302);
    const code = /\/orders\/(\d+)/.exec(created.headers.location!)![1]!;
    expect(findOrderByCode(ctx.db, code)!.total).toBe(499500);
  });

  it('a line it cannot price says so, and the total waits for it', async () => {
    const ctx = makeApp();
    buildProduct(ctx.db, { sku: 'TENT', name: 'Tent 2p', price: 149900 });
    buildProduct(ctx.db, { sku: 'GIFT', name: 'Gift wrap', price: null });
    const s = await operator(ctx);
    await s.send({ scan: 'TENT', op: 'add' });
    const res = await s.send({ scan: 'GIFT', op: 'add' });
    expect(linesOn(res.text)[1]).toEqual(['GIFT', 'Gift wrap', 'no list price', '—']);
    expect(totalOn(res.text)).toBe('—');
  });

  it('in the reader language', async () => {
    const ctx = makeApp();
    buildProduct(ctx.db, { sku: 'TENT', name: 'Tent 2p', price: 149900 });
    const user = await buildUser(ctx.db, 'operator', { language: 'sv' });
    const { agent } = await loginAs(ctx.app, user.email);
    const page = (await agent.get('/orders/new')).text;
    const res = await agent
      .post('/orders/new')
      .type('form')
      .send(body(fieldsOf(page), { scan: 'TENT', op: 'add' }));
    expect(totalOn(res.text)).toBe(formatters('sv', 'UTC').money(149900, 'SEK'));
  });
});

describe('a customer found on New order', () => {
  const address = { line1: 'Ågatan 2', postalCode: '222 33', city: 'Lund', country: 'SE' };

  it('by phone fills the language of their latest order', async () => {
    const ctx = makeApp({ env: { DEFAULT_LANGUAGE: 'nb' } });
    buildProduct(ctx.db, { sku: 'MUG', price: 9900 });
    await api(ctx.app)
      .post('/api/v1/orders')
      .send({
        lines: [{ sku: 'MUG', quantity: 1 }],
        customer: { name: 'Åsa Öberg', email: 'asa@example.com', phone: '+46 70 123 45 67', language: 'sv', address },
      })
      .expect(201);
    const s = await operator(ctx);
    const res = await s.send({ find: '070-123 45 67', op: 'find' });
    expect(res.status).toBe(200);
    expect(selectedLanguage(res.text)).toBe('sv');
  });

  it('whose latest order has no language gets the shop’s', async () => {
    const ctx = makeApp({ env: { DEFAULT_LANGUAGE: 'nb' } });
    buildProduct(ctx.db, { sku: 'MUG', price: 9900 });
    await api(ctx.app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'MUG', quantity: 1 }], customer: { name: 'Ola Nordmann', email: 'ola@example.com', phone: '+47 912 34 567', address } })
      .expect(201);
    const s = await operator(ctx);
    const res = await s.send({ find: '912 34 567', op: 'find' });
    expect(res.status).toBe(200);
    expect(selectedLanguage(res.text)).toBe('nb');
  });
});
