import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import type { presentInvoice } from '../../src/documents/api.js';
import { buildOrder, buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { api, loginAs, makeApp } from '../helpers.js';
import { apiError, json, type FetchedParcelsJson, type Wire } from '../json.js';
import { binary } from '../pdf.js';

/**
 * Numbers (invoice, return, credit note, SSCC) are taken only by a POST: a GET, which a link on
 * another site or a prefetch can make, shows what is numbered and never changes a series.
 */
type InvoiceJson = Wire<ReturnType<typeof presentInvoice>>;
type ReturnJson = { number: number; creditNoteNumber: number | null };

const series = (db: Db) => db.$client.prepare('SELECT name, value FROM sequences ORDER BY name').all();
const count = (db: Db, sql: string, ...params: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...params);
const invoiceOrder = (db: Db) =>
  buildPackingOrder(db, { lines: [{ sku: buildProduct(db, { onHand: 20, price: 10_000 }).sku, quantity: 2 }], body: { paymentMethod: 'invoice' } });

describe('the API numbers an invoice by a POST only', () => {
  it('GET of an invoice not yet numbered is 409 invoice_not_numbered, saying which POST numbers it; nothing is taken', async () => {
    const { app, db } = makeApp();
    const order = invoiceOrder(db);
    const before = series(db);
    const res = await api(app).get(`/api/v1/orders/${order.code}/documents/invoice.pdf`);
    expect(res.status).toBe(409);
    const error = apiError(res);
    expect(error.code).toBe('invoice_not_numbered');
    expect(error.message).toContain(`POST /api/v1/orders/${order.code}/invoice`);
    expect(error.details).toMatchObject({ orderCode: order.code, numberWith: `POST /api/v1/orders/${order.code}/invoice` });
    expect(series(db)).toEqual(before);
    expect(count(db, 'SELECT count(*) FROM invoices')).toBe(0);
    expect(count(db, "SELECT count(*) FROM printed_documents WHERE kind = 'invoice'")).toBe(0);
    // Swedish readers get the Swedish text, naming the same POST.
    const sv = await api(app).get(`/api/v1/orders/${order.code}/documents/invoice.pdf`).set('Accept-Language', 'sv');
    expect(apiError(sv).message).toContain(`POST /api/v1/orders/${order.code}/invoice`);
  });

  it('POST …/invoice takes the next number (201), later calls give the same one (200); the GET shows it', async () => {
    const { app, db } = makeApp();
    const order = invoiceOrder(db);
    const other = invoiceOrder(db);
    const first = await api(app).post(`/api/v1/orders/${order.code}/invoice`).expect(201);
    const invoice = json<InvoiceJson>(first);
    expect(invoice).toMatchObject({ orderCode: order.code, invoiceNumber: 1001, pdfUrl: `/api/v1/orders/${order.code}/documents/invoice.pdf` });
    expect(invoice.reference).toMatch(/^1001\d$/);
    expect(first.headers.location).toBe(invoice.pdfUrl);
    // The same order (spelt with a dash too): the same number, nothing taken.
    const again = await api(app)
      .post(`/api/v1/orders/${order.code.slice(0, 4)}-${order.code.slice(4)}/invoice`)
      .send({})
      .expect(200);
    expect(json<InvoiceJson>(again)).toEqual(invoice);
    expect(json<InvoiceJson>(await api(app).post(`/api/v1/orders/${other.code}/invoice`).expect(201)).invoiceNumber).toBe(1002);
    const after = series(db);
    const pdf = await api(app).get(invoice.pdfUrl).buffer(true).parse(binary).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    await api(app).get(invoice.pdfUrl).buffer(true).parse(binary).expect(200);
    expect(series(db)).toEqual(after);
    expect(count(db, 'SELECT count(*) FROM invoices')).toBe(2);
    expect(count(db, "SELECT count(*) FROM printed_documents WHERE kind = 'invoice'")).toBe(2);
  });

  it('under an Idempotency-Key a retried POST is the first reply again', async () => {
    const { app, db } = makeApp();
    const order = invoiceOrder(db);
    const first = await api(app).post(`/api/v1/orders/${order.code}/invoice`).set('Idempotency-Key', 'inv-1').expect(201);
    const retry = await api(app).post(`/api/v1/orders/${order.code}/invoice`).set('Idempotency-Key', 'inv-1').expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(count(db, 'SELECT count(*) FROM invoices')).toBe(1);
  });

  it('refuses what has no invoice, and takes nothing: card order, not packed yet, unknown order, a field', async () => {
    const { app, db } = makeApp();
    const card = buildPackingOrder(db);
    const notPacked = buildOrder(db, { body: { paymentMethod: 'invoice' } });
    const invoiced = invoiceOrder(db);
    expect(apiError(await api(app).post(`/api/v1/orders/${card.code}/invoice`).expect(409)).code).toBe('not_invoice_order');
    expect(apiError(await api(app).post(`/api/v1/orders/${notPacked.code}/invoice`).expect(409)).code).toBe('order_not_packing');
    expect(apiError(await api(app).post('/api/v1/orders/1234567890/invoice')).code).toMatch(/^order_(not_found|code_invalid)$/);
    expect(apiError(await api(app).post(`/api/v1/orders/${invoiced.code}/invoice`).send({ number: 7 }).expect(422)).code).toBe('validation_failed');
    expect(count(db, 'SELECT count(*) FROM invoices')).toBe(0);
    expect(count(db, "SELECT count(*) FROM sequences WHERE name = 'invoice'")).toBe(0);
  });
});

describe('no GET changes a number series', () => {
  it('every address that shows an invoice, a label, a return or a credit note, in the API and the pages, leaves the series as they were', async () => {
    const { app, db } = makeApp();
    // Numbers taken the only ways there are, each a POST: SSCCs (Fetch parcel ID), an invoice, a return and its credit note.
    const packing = invoiceOrder(db);
    const fetched = json<FetchedParcelsJson>(await api(app).post(`/api/v1/orders/${packing.code}/parcels/fetch`).send({ count: 1 }).expect(201));
    const sscc = fetched.parcelIds[0]!;
    await api(app).post(`/api/v1/orders/${packing.code}/invoice`).expect(201);
    const shipped = invoiceOrder(db);
    const shippedParcels = json<FetchedParcelsJson>(
      await api(app).post(`/api/v1/orders/${shipped.code}/parcels/fetch`).send({ count: 1 }).expect(201),
    ).parcelIds;
    await api(app)
      .post('/api/v1/deliveries/report')
      .send({ orders: [shipped.code] })
      .expect(200);
    const sku = db.$client.prepare('SELECT sku FROM order_lines WHERE order_id = ?').pluck().get(shipped.id) as string;
    const ret = json<ReturnJson>(
      await api(app)
        .post(`/api/v1/orders/${shipped.code}/returns`)
        .send({ lines: [{ sku, quantity: 1, disposition: 'restock' }] })
        .expect(201),
    );
    expect(ret.creditNoteNumber).not.toBeNull();
    const unnumbered = invoiceOrder(db);
    const before = series(db);
    expect(before.map((r) => (r as { name: string }).name)).toEqual(['credit_note', 'invoice', 'return', 'sscc']);
    const invoices = count(db, 'SELECT count(*) FROM invoices');

    const apiAddresses = [packing, shipped, unnumbered].flatMap(({ code }) => [
      `/api/v1/orders/${code}`,
      `/api/v1/orders/${code}/delivery`,
      `/api/v1/orders/${code}/checks`,
      `/api/v1/orders/${code}/returns`,
      ...['pick-slip', 'receipt', 'pick-slip-receipt', 'invoice', 'packing-slip'].map((name) => `/api/v1/orders/${code}/documents/${name}.pdf`),
    ]);
    apiAddresses.push(
      `/api/v1/orders/${packing.code}/documents/label.pdf?parcel=${sscc}`,
      `/api/v1/orders/${shipped.code}/documents/label.pdf?parcel=${shippedParcels[0]!}`,
      `/api/v1/orders/${shipped.code}/returns/${ret.number}/credit-note.pdf`,
      '/api/v1/orders',
    );
    const statuses: Record<string, number> = {};
    for (const url of apiAddresses) statuses[url] = (await api(app).get(url).buffer(true).parse(binary)).status;
    // The unnumbered invoice is refused, not numbered; the numbered ones are shown.
    expect(statuses[`/api/v1/orders/${unnumbered.code}/documents/invoice.pdf`]).toBe(409);
    expect(statuses[`/api/v1/orders/${packing.code}/documents/invoice.pdf`]).toBe(200);
    expect(statuses[`/api/v1/orders/${shipped.code}/returns/${ret.number}/credit-note.pdf`]).toBe(200);

    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    const pages = [
      '/outbound',
      '/shipping',
      '/shipping/fragment',
      `/shipping/orders/${packing.code}/label.pdf?parcel=${sscc}`,
      `/outbound/documents/invoice.pdf?orders=${unnumbered.code}`,
      `/outbound/documents/invoice.pdf?orders=${packing.code}`,
      ...[packing, shipped, unnumbered].flatMap(({ code }) => [`/orders/${code}`, `/outbound/orders/${code}/invoice.pdf`, `/orders/${code}/returns/new`]),
      `/orders/${shipped.code}/returns/${ret.number}/credit-note.pdf`,
      '/settings/documents',
    ];
    for (const url of pages) statuses[url] = (await agent.get(url).buffer(true).parse(binary)).status;
    expect(statuses[`/outbound/orders/${unnumbered.code}/invoice.pdf`]).toBe(409);
    expect(statuses[`/outbound/orders/${packing.code}/invoice.pdf`]).toBe(200);

    for (const [url, status] of Object.entries(statuses)) expect(status, url).toBeLessThan(500);
    expect(series(db)).toEqual(before);
    expect(count(db, 'SELECT count(*) FROM invoices')).toBe(invoices);
  });
});
