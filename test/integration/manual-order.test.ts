import { describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';
import { listOrderEmails } from '../../src/email/store.js';
import { productForScan } from '../../src/orders/manual.js';
import { findOrderByCode, listLines } from '../../src/orders/repo/orders.js';
import { buildProduct, buildUser } from '../builders.js';
import { api, csrfOf, loginAs, makeApp, makeDb } from '../helpers.js';
import { json } from '../json.js';
import { operator } from '../manual-order-form.js';

type Ctx = ReturnType<typeof makeApp>;

const TENT_EAN = '7350000000016';
const MUG_EAN8 = '96385074';

function setup() {
  const ctx = makeApp();
  buildProduct(ctx.db, { sku: 'TENT', onHand: 10, barcode: TENT_EAN, price: 149900 });
  buildProduct(ctx.db, { sku: 'MUG', onHand: 10, barcode: MUG_EAN8, price: 9900 });
  return ctx;
}

const orderCount = (ctx: Ctx) => ctx.db.$client.prepare('SELECT count(*) FROM orders').pluck().get() as number;

const linesOn = (html: string) => {
  const root = parse(html);
  const skus = root.querySelectorAll('input[name="lineSku"]').map((e) => e.getAttribute('value'));
  const qty = root.querySelectorAll('input[name="lineQty"]').map((e) => e.getAttribute('value'));
  return skus.map((sku, i) => `${sku}×${qty[i]}`);
};
const valueOf = (html: string, id: string) => parse(html).getElementById(id)?.getAttribute('value');
const errorOf = (html: string, id: string) => parse(html).getElementById(`${id}-error`)?.text.trim();

const CUSTOMER = {
  email: 'Kari.Nordmann@Example.com',
  name: 'Kari Nordmann',
  phone: '070-123 45 67',
  line1: 'Storgatan 1',
  postalCode: '111 22',
  city: 'Stockholm',
  country: 'se',
};

describe('a manual order (phone or counter sale)', () => {
  it('is built by scanning barcodes (Enter adds the line or one more, never creates) and created with the API’s rules and e-mails', async () => {
    const ctx = setup();
    const s = await operator(ctx);
    expect(s.page()).toContain('name="scan"');

    // A scanner types the EAN-13 and Enter: the form's first button ("enter") adds the line.
    let res = await s.send({ ...CUSTOMER, scan: TENT_EAN, op: 'enter' });
    expect(res.status).toBe(200);
    expect(linesOn(res.text)).toEqual(['TENT×1']);
    expect(valueOf(res.text, 'scan')).toBe('');
    expect(parse(res.text).getElementById('scan')?.hasAttribute('autofocus')).toBe(true);
    // The same item as a GS1 element string: one more of the line. An EAN-8 and a typed "3*SKU" add lines.
    res = await s.send({ scan: '(01)07350000000016', op: 'enter' });
    res = await s.send({ scan: MUG_EAN8, op: 'enter' });
    res = await s.send({ scan: '2*MUG', op: 'add' });
    expect(linesOn(res.text)).toEqual(['TENT×2', 'MUG×3']);
    expect(valueOf(res.text, 'customer.name')).toBe('Kari Nordmann');
    expect(orderCount(ctx)).toBe(0);

    res = await s.send({ paymentMethod: 'invoice', priority: '3', comment: 'Picked up Friday', op: 'create' });
    expect(res.status).toBe(302);
    const code = /^\/orders\/(\w+)$/.exec(res.headers.location!)![1]!;
    const order = findOrderByCode(ctx.db, code)!;
    expect(order).toMatchObject({
      status: 'order',
      paymentMethod: 'invoice',
      priority: 3,
      comment: 'Picked up Friday',
      customerEmail: 'kari.nordmann@example.com',
      shipCountry: 'SE',
      total: 2 * 149900 + 3 * 9900,
    });
    expect(order.source).toMatch(/^web:/);
    expect(listLines(ctx.db, order.id).map((l) => `${l.sku}×${l.quantity}`)).toEqual(['TENT×2', 'MUG×3']);

    // The same e-mails as an order over the API.
    const viaApi = await api(ctx.app)
      .post('/api/v1/orders')
      .send({
        lines: [{ sku: 'MUG', quantity: 1 }],
        paymentMethod: 'invoice',
        customer: { name: 'A', email: 'a@example.com', address: { line1: 'x', postalCode: '1', city: 'y', country: 'SE' } },
      });
    expect(viaApi.status).toBe(201);
    const apiOrder = findOrderByCode(ctx.db, json<{ code: string }>(viaApi).code)!;
    const templates = (id: number) => listOrderEmails(ctx.db, id).map((e) => e.template);
    expect(templates(order.id)).toEqual(templates(apiOrder.id));
    expect(templates(order.id).length).toBeGreaterThan(0);
  });

  it('refusals re-render the form with each field’s message next to it and everything typed kept, lines too; nothing is written', async () => {
    const ctx = setup();
    const s = await operator(ctx);
    await s.send({ scan: TENT_EAN, op: 'enter' });
    let res = await s.send({ scan: 'MUG', op: 'enter' });
    expect(linesOn(res.text)).toEqual(['TENT×1', 'MUG×1']);

    // A barcode with a wrong check digit and an unknown code: the scan field says so, the lines stay.
    res = await s.send({ scan: '7350000000017', op: 'enter' });
    expect(res.status).toBe(422);
    expect(errorOf(res.text, 'scan')).toBe('“7350000000017” is not a valid barcode: its check digit is wrong.');
    res = await s.send({ scan: 'NOPE-1', op: 'enter' });
    expect(errorOf(res.text, 'scan')).toBe('No product has the SKU or barcode “NOPE-1”.');
    expect(valueOf(res.text, 'scan')).toBe('NOPE-1');
    expect(linesOn(res.text)).toEqual(['TENT×1', 'MUG×1']);

    res = await s.send({ ...CUSTOMER, scan: '', email: 'not an address', country: 'Sweden', lineQty: ['0', '1'], op: 'create' });
    expect(res.status).toBe(422);
    expect(errorOf(res.text, 'customer.email')).toBe('Not a valid e-mail address.');
    expect(errorOf(res.text, 'customer.address.country')).toBeTruthy();
    expect(errorOf(res.text, 'lines.0.quantity')).toBeTruthy();
    expect(valueOf(res.text, 'customer.email')).toBe('not an address');
    expect(valueOf(res.text, 'customer.name')).toBe('Kari Nordmann');
    expect(linesOn(res.text)).toEqual(['TENT×0', 'MUG×1']);
    expect(orderCount(ctx)).toBe(0);

    // No lines at all: the lines section says so.
    const empty = await operator(ctx);
    res = await empty.send({ ...CUSTOMER, op: 'create' });
    expect(res.status).toBe(422);
    expect(errorOf(res.text, 'lines')).toBeTruthy();
    expect(orderCount(ctx)).toBe(0);
  });

  it('finds the customer by phone or e-mail from their latest order; an unknown one is typed in new', async () => {
    const ctx = setup();
    await api(ctx.app)
      .post('/api/v1/orders')
      .send({
        lines: [{ sku: 'MUG', quantity: 1 }],
        customer: {
          name: 'Åsa Öberg',
          email: 'asa@example.com',
          phone: '+46 70 123 45 67',
          language: 'sv',
          address: { line1: 'Ågatan 2', postalCode: '222 33', city: 'Lund', country: 'SE' },
        },
      })
      .expect(201);
    const s = await operator(ctx);
    let res = await s.send({ find: '070-123 45 67', op: 'enter' });
    expect(res.status).toBe(200);
    expect(valueOf(res.text, 'customer.name')).toBe('Åsa Öberg');
    expect(valueOf(res.text, 'customer.address.city')).toBe('Lund');
    res = await s.send({ find: 'ASA@example.com', op: 'find' });
    expect(valueOf(res.text, 'customer.email')).toBe('asa@example.com');
    res = await s.send({ find: 'nobody@example.com', op: 'find' });
    expect(res.status).toBe(404);
    expect(errorOf(res.text, 'find')).toBe('No customer with “nobody@example.com”: fill in a new one.');
  });

  it('is for operators and admins, not packers', async () => {
    const ctx = setup();
    const packer = await buildUser(ctx.db, 'packer');
    const { agent } = await loginAs(ctx.app, packer.email);
    expect((await agent.get('/orders/new')).status).toBe(403);
    const token = csrfOf((await agent.get('/shipping')).text);
    expect((await agent.post('/orders/new').type('form').send({ _csrf: token, op: 'create' })).status).toBe(403);
    expect(orderCount(ctx)).toBe(0);
  });
});

describe('the new order’s scan field', () => {
  it('a SKU that reads as a keyed count (3XL-TEE) is that product; 2*3XL-TEE is two of it', () => {
    const db = makeDb();
    buildProduct(db, { sku: '3XL-TEE', name: 'Tee 3XL' });
    buildProduct(db, { sku: 'L-TEE', name: 'Tee L' });
    expect(productForScan(db, '3XL-TEE')).toEqual({ sku: '3XL-TEE', name: 'Tee 3XL', quantity: 1 });
    expect(productForScan(db, '2*3XL-TEE')).toEqual({ sku: '3XL-TEE', name: 'Tee 3XL', quantity: 2 });
    expect(productForScan(db, '3xL-TEE')).toEqual({ sku: 'L-TEE', name: 'Tee L', quantity: 3 });
  });
});
