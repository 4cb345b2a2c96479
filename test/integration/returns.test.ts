import { describe, expect, it } from 'vitest';
import { writeTransaction, type Db } from '../../src/db/client.js';
import { includedVat } from '../../src/domain/vat.js';
import { formatters } from '../../src/i18n/format.js';
import { listLines } from '../../src/orders/repo/orders.js';
import { reportDelivery } from '../../src/shipping/service.js';
import { createWebhook, dispatchEvents } from '../../src/webhooks/service.js';
import { buildOrder, buildPackingOrder, buildPartlyShippedOrder, buildProduct, buildUser, expectCountersInSync, productBySku } from '../builders.js';
import { api, csrfOf, loginAs, makeApp } from '../helpers.js';
import { apiError, json, type OrderJson, type OrderListJson } from '../json.js';
import { binary, bytesOf, pdfText } from '../pdf.js';

type ReturnJson = {
  number: number;
  orderCode: string;
  creditNoteNumber: number | null;
  currency: string;
  refundAmount: number;
  lines: { sku: string; quantity: number; disposition: string; reason: string | null }[];
};

const ACTOR = { type: 'system' as const, id: null, name: 'test' };

/** An own-invoice order of three units of one product, shipped: on hand 10 → 7. */
function shippedInvoiceOrder(db: Db) {
  const product = buildProduct(db, { onHand: 10, price: 12_500, barcode: '7350000000016' });
  const packing = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 3 }], body: { paymentMethod: 'invoice' } });
  writeTransaction(db, (tx) => reportDelivery(tx, packing, { parcels: ['RET-PARCEL-1'] }, { actor: ACTOR, now: new Date('2026-11-20T09:00:00Z') }));
  return { product, code: packing.code, orderId: packing.id };
}

function ledgerOf(db: Db, productId: number) {
  return db.$client
    .prepare('SELECT delta, on_hand_after AS onHandAfter, reason, order_id AS orderId, note FROM stock_ledger WHERE product_id = ? ORDER BY id')
    .all(productId) as {
    delta: number;
    onHandAfter: number;
    reason: string;
    orderId: number | null;
    note: string | null;
  }[];
}

function outbox(db: Db) {
  return db.$client
    .prepare('SELECT order_id AS orderId, to_address AS toAddress, template, subject, text_body AS text FROM email_outbox ORDER BY id')
    .all() as {
    orderId: number;
    toAddress: string;
    template: string;
    subject: string;
    text: string;
  }[];
}

/** Everything a return writes, to show that a refusal writes none of it. */
function footprint(db: Db) {
  const count = (table: string) => db.$client.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  return {
    returns: count('returns'),
    returnLines: count('return_lines'),
    ledger: count('stock_ledger'),
    outbox: count('email_outbox'),
    events: count('order_events'),
    sequences: db.$client.prepare('SELECT name, value FROM sequences ORDER BY name').all(),
    onHand: db.$client.prepare('SELECT sku, on_hand FROM products ORDER BY id').all(),
  };
}

describe('returns', () => {
  it('a partial return restocks one unit and writes off another: ledger, e-mail, webhook, history, credit note', async () => {
    const { app, db, clock } = makeApp();
    createWebhook(db, { url: 'https://hooks.example.com/warehouse', secret: 'whsec-0123456789abcdef', events: ['return.received'] }, clock());
    const { product, code, orderId } = shippedInvoiceOrder(db);
    expect(productBySku(db, product.sku).onHand).toBe(7);

    const res = await api(app)
      .post(`/api/v1/orders/${code}/returns`)
      .send({
        lines: [
          { sku: product.sku, quantity: 1, disposition: 'restock' },
          { sku: product.sku, quantity: 1, disposition: 'write_off', reason: 'damaged' },
        ],
      });
    expect(res.status).toBe(201);
    const ret = json<ReturnJson>(res);
    expect(ret).toMatchObject({ number: 1, orderCode: code, creditNoteNumber: 1, currency: 'SEK', refundAmount: 25_000 });
    expect(ret.lines).toEqual([
      { sku: product.sku, name: product.name, quantity: 1, disposition: 'restock', reason: null },
      { sku: product.sku, name: product.name, quantity: 1, disposition: 'write_off', reason: 'damaged' },
    ]);

    // One unit is back on the shelf; the written-off one has its row with the reason and no change.
    expect(productBySku(db, product.sku).onHand).toBe(8);
    expect(ledgerOf(db, product.id).slice(-2)).toEqual([
      { delta: 1, onHandAfter: 8, reason: 'return', orderId, note: 'return 1' },
      { delta: 0, onHandAfter: 8, reason: 'damaged', orderId, note: 'return 1: 1 written off' },
    ]);
    expectCountersInSync(db);

    // On the order: returned per line, the history, the R marker in the list.
    const order = json<OrderJson>(await api(app).get(`/api/v1/orders/${code}`));
    expect(order.status).toBe('shipped');
    expect(order.lines[0]).toMatchObject({ shippedQuantity: 3, returnedQuantity: 2 });
    const event = order.events.find((e) => e.type === 'return_received');
    expect(event?.data).toMatchObject({
      returnNumber: 1,
      creditNoteNumber: 1,
      refundAmount: 25_000,
      lines: [
        { sku: product.sku, quantity: 1, disposition: 'restock' },
        { sku: product.sku, quantity: 1, disposition: 'write_off', reason: 'damaged' },
      ],
    });
    const list = json<OrderListJson>(await api(app).get('/api/v1/orders'));
    expect(list.orders.find((o) => o.code === code)?.returned).toBe(true);

    // The customer's e-mail, in the outbox with the order's other e-mails.
    const mail = outbox(db).find((m) => m.template === 'return_received');
    expect(mail?.toAddress).toBe(order.customer!.email);
    expect(mail?.subject).toBe(`We have received your return – order ${code}`);
    const fmt = formatters('en', 'UTC');
    expect(mail?.text).toContain(`We have received your return 1 of order ${code}`);
    expect(mail?.text).toContain(`1 × ${product.name} (${product.sku})  ${fmt.money(12_500, 'SEK')}`);
    expect(mail?.text).toContain(`Amount credited: ${fmt.money(25_000, 'SEK')}`);
    expect(mail?.text).toContain('Credit note: 1');

    // The webhook row, from the order log after commit.
    expect(dispatchEvents(db, clock())).toBe(1);
    const delivery = db.$client.prepare('SELECT type, payload FROM webhook_deliveries').get() as { type: string; payload: string };
    expect(delivery.type).toBe('return.received');
    expect(JSON.parse(delivery.payload)).toMatchObject({
      type: 'return.received',
      data: { order: { code, status: 'shipped' }, change: { kind: 'return_received', returnNumber: 1, refundAmount: 25_000 } },
    });

    // GET lists it.
    const listed = json<{ orderCode: string; returns: ReturnJson[] }>(await api(app).get(`/api/v1/orders/${code}/returns`));
    expect(listed.returns.map((r) => r.number)).toEqual([1]);

    // The credit note: its own number, the refund, VAT taken out of the gross.
    const pdf = await api(app).get(`/api/v1/orders/${code}/returns/1/credit-note.pdf`).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(bytesOf(pdf));
    const vat = includedVat(25_000, order.lines[0]!.vatRate);
    expect(text).toContain('Credit note');
    expect(text).toMatch(/Credit note no\.\s+1\b/);
    expect(text).toMatch(/Return no\.\s+1\b/);
    expect(text).toContain(code);
    expect(text).toContain(product.sku);
    expect(text).toContain(`Amount credited`);
    // pdftotext gives a plain space where the formatter puts a no-break one.
    const plain = (s: string) => s.replace(/\s/g, ' ');
    expect(text).toMatch(new RegExp(`Amount credited\\s+${plain(fmt.money(25_000, 'SEK'))}`));
    expect(text).toContain(plain(fmt.money(-vat, 'SEK')));
    expect(text).toContain(plain(fmt.money(-(25_000 - vat), 'SEK')));
  });

  it('numbers returns and credit notes from their own series; a card order has no credit note', async () => {
    const { app, db } = makeApp();
    const { product, code } = shippedInvoiceOrder(db);
    const card = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 1 }] });
    writeTransaction(db, (tx) => reportDelivery(tx, card, { parcels: ['RET-PARCEL-2'] }, { actor: ACTOR, now: new Date() }));
    const first = json<ReturnJson>(
      await api(app)
        .post(`/api/v1/orders/${card.code}/returns`)
        .send({ lines: [{ sku: product.sku, quantity: 1, disposition: 'restock' }] })
        .expect(201),
    );
    expect(first).toMatchObject({ number: 1, creditNoteNumber: null });
    const second = json<ReturnJson>(
      await api(app)
        .post(`/api/v1/orders/${code}/returns`)
        .send({ lines: [{ sku: product.sku, quantity: 2, disposition: 'restock' }] })
        .expect(201),
    );
    expect(second).toMatchObject({ number: 2, creditNoteNumber: 1 });
    const refused = await api(app).get(`/api/v1/orders/${card.code}/returns/1/credit-note.pdf`);
    expect(apiError(refused).code).toBe('not_invoice_order');
    expect(apiError(await api(app).get(`/api/v1/orders/${card.code}/returns/2/credit-note.pdf`)).code).toBe('not_found');
  });

  it('an idempotency key registers a return once', async () => {
    const { app, db } = makeApp();
    const { product, code } = shippedInvoiceOrder(db);
    const body = { lines: [{ sku: product.sku, quantity: 1, disposition: 'restock' }], idempotencyKey: 'ret-1' };
    const a = await api(app).post(`/api/v1/orders/${code}/returns`).send(body).expect(201);
    const b = await api(app).post(`/api/v1/orders/${code}/returns`).send(body).expect(201);
    expect(b.body).toEqual(a.body);
    expect(db.$client.prepare('SELECT count(*) FROM returns').pluck().get()).toBe(1);
    expect(productBySku(db, product.sku).onHand).toBe(8);
  });

  it('refusals change nothing: more than shipped (422 naming the line), never shipped (409), a write-off without reason, a SKU not on the order', async () => {
    const { app, db } = makeApp();
    const { product, code } = shippedInvoiceOrder(db);
    await api(app)
      .post(`/api/v1/orders/${code}/returns`)
      .send({ lines: [{ sku: product.sku, quantity: 1, disposition: 'restock' }] })
      .expect(201);
    const other = buildProduct(db);
    const unshipped = buildOrder(db, { lines: [{ sku: other.sku, quantity: 1 }] });
    const before = footprint(db);

    const tooMany = await api(app)
      .post(`/api/v1/orders/${code}/returns`)
      .send({
        lines: [
          { sku: product.sku, quantity: 1, disposition: 'restock' },
          { sku: product.sku, quantity: 2, disposition: 'write_off', reason: 'missing' },
        ],
      });
    expect(tooMany.status).toBe(422);
    const err = apiError(tooMany);
    expect(err.code).toBe('return_more_than_shipped');
    expect(err.message).toContain(`Line 2 (${product.sku})`);
    expect(err.details).toMatchObject({ line: 1, sku: product.sku, shipped: 3, returned: 1, fields: [{ path: 'lines.1.quantity' }] });

    const never = await api(app)
      .post(`/api/v1/orders/${unshipped.code}/returns`)
      .send({ lines: [{ sku: other.sku, quantity: 1, disposition: 'restock' }] });
    expect(never.status).toBe(409);
    expect(apiError(never).code).toBe('order_not_shipped');

    const noReason = await api(app)
      .post(`/api/v1/orders/${code}/returns`)
      .send({ lines: [{ sku: product.sku, quantity: 1, disposition: 'write_off' }] });
    expect(noReason.status).toBe(422);
    expect(apiError(noReason).details).toMatchObject({ fields: [{ path: 'lines.0.reason' }] });

    const notOnOrder = await api(app)
      .post(`/api/v1/orders/${code}/returns`)
      .send({ lines: [{ sku: other.sku, quantity: 1, disposition: 'restock' }] });
    expect(notOnOrder.status).toBe(422);
    expect(apiError(notOnOrder).details).toMatchObject({ fields: [{ path: 'lines.0.sku' }] });

    const badBody = await api(app)
      .post(`/api/v1/orders/${code}/returns`)
      .send({ lines: [{ sku: product.sku, quantity: 1, disposition: 'resell' }] });
    expect(badBody.status).toBe(422);

    expect(footprint(db)).toEqual(before);
  });

  it('a partly shipped order takes back only what shipped', async () => {
    const { app, db } = makeApp();
    const order = buildPartlyShippedOrder(db);
    const line = listLines(db, order.id)[0]!;
    expect(order.status).toBe('packing');
    const refused = await api(app)
      .post(`/api/v1/orders/${order.code}/returns`)
      .send({ lines: [{ sku: line.sku, quantity: 2, disposition: 'restock' }] });
    expect(refused.status).toBe(422);
    await api(app)
      .post(`/api/v1/orders/${order.code}/returns`)
      .send({ lines: [{ sku: line.sku, quantity: 1, disposition: 'restock' }] })
      .expect(201);
    const after = json<OrderJson>(await api(app).get(`/api/v1/orders/${order.code}`));
    expect(after).toMatchObject({ status: 'packing', lines: [{ shippedQuantity: 1, returnedQuantity: 1, remainingQuantity: 2 }] });
    expectCountersInSync(db);
  });

  it('the return page: a scanned barcode adds a unit to restock, a line is written off, the order shows R and the return', async () => {
    const { app, db } = makeApp();
    await buildUser(db, 'operator', { email: 'op@example.com' });
    const { product, code } = shippedInvoiceOrder(db);
    const { agent } = await loginAs(app, 'op@example.com');
    const page = await agent.get(`/orders/${code}/returns/new`).expect(200);
    const csrf = csrfOf(page.text);
    const restock = /name="(restock_\d+)"/.exec(page.text)![1]!;
    const writeOff = restock.replace('restock', 'writeOff');
    const reason = restock.replace('restock', 'reason');

    // The barcode stored as EAN-13, scanned as its GTIN-14: a unit to restock.
    const scanned = await agent
      .post(`/orders/${code}/returns`)
      .type('form')
      .send({ _csrf: csrf, action: 'scan', scan: '07350000000016', [restock]: '0', [writeOff]: '0', [reason]: '' });
    expect(scanned.status).toBe(200);
    expect(scanned.text).toContain(`${product.sku}: 1 to restock.`);
    expect(scanned.text).toMatch(new RegExp(`name="${restock}"[^>]*value="1"`));

    const unknown = await agent
      .post(`/orders/${code}/returns`)
      .type('form')
      .send({ _csrf: csrf, action: 'scan', scan: 'NOPE-1', [restock]: '1' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('NOPE-1 is not a shipped item of this order.');

    const noReason = await agent
      .post(`/orders/${code}/returns`)
      .type('form')
      .send({ _csrf: csrf, action: 'register', [restock]: '1', [writeOff]: '1', [reason]: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain(`Say why ${product.sku} is written off`);
    expect(db.$client.prepare('SELECT count(*) FROM returns').pluck().get()).toBe(0);

    const done = await agent
      .post(`/orders/${code}/returns`)
      .type('form')
      .send({ _csrf: csrf, action: 'register', [restock]: '1', [writeOff]: '1', [reason]: 'missing' });
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe(`/orders/${code}#returns`);
    const show = await agent.get(`/orders/${code}`).expect(200);
    expect(show.text).toContain('Return 1 registered.');
    expect(show.text).toContain('2 returned');
    expect(show.text).toContain(`/orders/${code}/returns/1/credit-note.pdf`);
    const list = await agent.get('/orders').expect(200);
    expect(list.text).toMatch(/<abbr title="Has returns">R<\/abbr>/);
    expect(
      ledgerOf(db, product.id)
        .map((l) => l.reason)
        .slice(-2),
    ).toEqual(['return', 'missing']);
    const pdf = await agent.get(`/orders/${code}/returns/1/credit-note.pdf`).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    expect(await pdfText(bytesOf(pdf))).toContain('Credit note');
  });
});
