import { describe, expect, it } from 'vitest';
import { listLines } from '../../src/orders/repo/orders.js';
import { putSeller, DEFAULT_SELLER } from '../../src/documents/settings.js';
import { luhnCheckDigit } from '../../src/domain/gtin.js';
import { dammCheckDigit } from '../../src/domain/order-code.js';
import { aCustomer, buildOrder, buildPackingOrder, buildPartlyShippedOrder, buildProduct, buildShippedOrder } from '../builders.js';
import { api, makeApp, makeClock, makeDb, testConfig } from '../helpers.js';
import { apiError } from '../json.js';
import { buildAppDeps, createApp } from '../../src/app.js';
import { DocumentRenderer, WORKER_MIN_ORDERS } from '../../src/documents/render-queue.js';
import { applyShopDefaults } from '../../src/email/settings.js';
import { consoleLogger } from '../../src/log.js';
import { until } from '../wait.js';
import { binary, bytesOf, pdfBarcodes, pdfPages, pdfText } from '../pdf.js';

const NAMES = ['Łukasz Żółć', 'Åsa Øvergård', 'Zoë Lefèvre'];

function setup() {
  const ctx = makeApp();
  const { db } = ctx;
  // Bins out of SKU order, so sorting by bin shows.
  buildProduct(db, { sku: 'TENT', name: 'Tält för två', location: 'C-01-1', barcode: '7350000001006', price: 199900, onHand: 50 });
  buildProduct(db, { sku: 'MUG', name: 'Emaljmugg', location: 'A-02-3', barcode: '7350000002003', price: 14900, onHand: 50 });
  buildProduct(db, { sku: 'SOCK', name: 'Ullsockor', location: 'B-10-2', price: 9900, onHand: 50 });
  const orders = NAMES.map((name, i) =>
    buildPackingOrder(db, {
      lines: [
        { sku: 'TENT', quantity: 1 },
        { sku: 'MUG', quantity: 2 + i },
        { sku: 'SOCK', quantity: 3 },
      ],
      body: { customer: aCustomer(name) },
    }),
  );
  return { ...ctx, orders };
}

const getPdf = (app: ReturnType<typeof makeApp>['app'], url: string) => api(app).get(url).buffer(true).parse(binary);
const postPdf = (app: ReturnType<typeof makeApp>['app'], url: string, body: object) => api(app).post(url).send(body).buffer(true).parse(binary);

describe('order documents', () => {
  it('a pick slip: order code as a barcode a decoder reads at 150 dpi, lines by bin, quantities, Unicode names, A4', async () => {
    const { app, orders } = setup();
    const res = await getPdf(app, `/api/v1/orders/${orders[0]!.code}/documents/pick-slip.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="pick-slip-${orders[0]!.code}.pdf"`);
    const pdf = bytesOf(res);
    expect(await pdfBarcodes(pdf)).toEqual([[orders[0]!.code]]);
    const text = await pdfText(pdf);
    expect(text).toContain('Łukasz Żółć');
    const rows = text.split('\n').filter((l) => /^\s*[A-C]-\d\d-\d/.test(l));
    expect(rows.map((r) => r.trim().split(/\s+/)[0])).toEqual(['A-02-3', 'B-10-2', 'C-01-1']);
    expect(rows[0]).toMatch(/MUG\s+7350000002003\s+Emaljmugg\s+2$/);
    expect(text).toContain('3 lines, 6 units to pick');
    expect(await pdfPages(pdf)).toMatchObject({ pages: 1, sizes: [{ width: expect.closeTo(210, 0), height: expect.closeTo(297, 0) }] });
  });

  it('a pick slip lists only what is left to pick after a partial delivery', async () => {
    const { app, db } = setup();
    const order = buildPartlyShippedOrder(db);
    const text = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${order.code}/documents/pick-slip.pdf`)));
    expect(text).toContain('Partial delivery pending: 1 unit already shipped');
    expect(text).toContain('1 line, 2 units to pick');
  });

  it('a long order flows onto more pages with the header and its barcode repeated', async () => {
    const { app, db } = setup();
    const lines = Array.from({ length: 70 }, (_, i) => ({
      sku: buildProduct(db, { sku: `P-${String(i).padStart(3, '0')}`, location: `D-${String(i).padStart(2, '0')}-1`, onHand: 5 }).sku,
      quantity: 1,
    }));
    const order = buildPackingOrder(db, { lines });
    const pdf = bytesOf(await getPdf(app, `/api/v1/orders/${order.code}/documents/pick-slip.pdf`));
    const { pages } = await pdfPages(pdf);
    expect(pages).toBeGreaterThan(1);
    expect(await pdfBarcodes(pdf)).toEqual(Array.from({ length: pages }, () => [order.code]));
    const text = await pdfText(pdf);
    expect(text).toContain(`Pick slip ${order.code} (continued)`);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('70 lines, 70 units to pick');
  });

  it('a receipt on an 80 mm roll, with totals and VAT', async () => {
    const { app, orders } = setup();
    const pdf = bytesOf(await getPdf(app, `/api/v1/orders/${orders[1]!.code}/documents/receipt.pdf`));
    const { sizes } = await pdfPages(pdf);
    expect(sizes[0]!.width).toBeCloseTo(80, 0);
    expect(await pdfBarcodes(pdf, 200)).toEqual([[orders[1]!.code]]);
    const text = await pdfText(pdf);
    expect(text).toContain('Receipt');
    expect(text).toMatch(/Total\s+SEK\s?2,743\.00/);
  });

  it('a packing slip has no prices', async () => {
    const { app, orders } = setup();
    const pdf = bytesOf(await getPdf(app, `/api/v1/orders/${orders[2]!.code}/documents/packing-slip.pdf`));
    expect(await pdfBarcodes(pdf)).toEqual([[orders[2]!.code]]);
    const text = await pdfText(pdf);
    expect(text).toContain('Zoë Lefèvre');
    expect(text).toMatch(/MUG\s+Emaljmugg\s+4\s+0\s+4\s+0/);
    expect(text).not.toMatch(/SEK|\d+\.\d\d/);
  });

  it('prints whole SKUs, product names and column titles: shrunk or wrapped, never cut', async () => {
    const { app, db } = setup();
    buildProduct(db, {
      sku: 'ABCDEFGHIJKLM',
      name: 'Vattentät vandringsjacka för fjällvandring med avtagbar luva och reflexer',
      location: 'A-01-1',
      barcode: '7350000003000',
      onHand: 5,
    });
    buildProduct(db, { sku: 'LONG-SKU-0123456789-ABCDEFGHIJ', name: 'Kort', location: 'A-01-2', onHand: 5 });
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'ABCDEFGHIJKLM', quantity: 1 },
        { sku: 'LONG-SKU-0123456789-ABCDEFGHIJ', quantity: 2 },
      ],
    });
    for (const kind of ['pick-slip', 'packing-slip', 'batch']) {
      const url = kind === 'batch' ? null : `/api/v1/orders/${order.code}/documents/${kind}.pdf`;
      const pdf = bytesOf(url ? await getPdf(app, url) : await postPdf(app, '/api/v1/documents/batch-pick-list', { orders: [order.code] }));
      const text = await pdfText(pdf);
      expect(text, kind).not.toContain('…');
      expect(text, kind).toMatch(/\bABCDEFGHIJKLM\b/);
      // The longest SKU may be broken over two lines, but every character is there in order.
      expect((await pdfText(pdf, { raw: true })).replace(/\s+/g, ''), kind).toContain('LONG-SKU-0123456789-ABCDEFGHIJ');
      for (const word of ['Vattentät', 'fjällvandring', 'avtagbar', 'reflexer']) expect(text, kind).toContain(word);
    }
    const slip = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${order.code}/documents/packing-slip.pdf`)));
    for (const word of ['Ordered', 'Shipped', 'before', 'In this', 'parcel', 'To follow']) expect(slip).toContain(word);
  });

  it('the packing slip, which goes to the customer, does not print the priority; the pick slip does', async () => {
    const { app, db } = setup();
    const order = buildPackingOrder(db, { lines: [{ sku: 'MUG', quantity: 1 }], body: { priority: 8 } });
    const pick = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${order.code}/documents/pick-slip.pdf`)));
    expect(pick).toContain('Priority 8');
    const slip = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${order.code}/documents/packing-slip.pdf`)));
    expect(slip).toContain(order.code);
    expect(slip).not.toMatch(/Priority/i);
  });

  it('pick slip + receipt: both for each order, order by order', async () => {
    const { app, orders } = setup();
    const pdf = bytesOf(await getPdf(app, `/api/v1/orders/${orders[0]!.code}/documents/pick-slip-receipt.pdf`));
    const { sizes } = await pdfPages(pdf);
    expect(sizes.map((s) => Math.round(s.width))).toEqual([210, 80]);
    expect(await pdfBarcodes(pdf, 200)).toEqual([[orders[0]!.code], [orders[0]!.code]]);
  });

  it('an invoice: numbers from a gap-free series, the same on a reprint, VAT per line, due date and OCR reference', async () => {
    const { app, db, clock } = setup();
    putSeller(
      db,
      { ...DEFAULT_SELLER, name: 'Fjällbutiken AB', address: 'Lagervägen 3\n981 31 Kiruna', bankAccount: 'Bankgiro 123-4567', firstInvoiceNumber: 5001 },
      clock(),
      'test',
    );
    const first = buildPackingOrder(db, { lines: [{ sku: 'TENT', quantity: 1 }], body: { paymentMethod: 'invoice', customer: aCustomer('Łukasz Żółć') } });
    const second = buildPackingOrder(db, { lines: [{ sku: 'MUG', quantity: 1 }], body: { paymentMethod: 'invoice' } });
    // A POST takes the number; the GET address shows the invoice numbered.
    const numbered = await api(app).post(`/api/v1/orders/${first.code}/invoice`).expect(201);
    expect(numbered.body).toMatchObject({
      orderCode: first.code,
      invoiceNumber: 5001,
      reference: `5001${luhnCheckDigit('5001')}`,
      pdfUrl: `/api/v1/orders/${first.code}/documents/invoice.pdf`,
    });
    await api(app).post(`/api/v1/orders/${second.code}/invoice`).send({}).expect(201);
    const invoicePdf = bytesOf(await getPdf(app, `/api/v1/orders/${first.code}/documents/invoice.pdf`));
    expect(await pdfBarcodes(invoicePdf)).toEqual([[first.code]]);
    const one = await pdfText(invoicePdf);
    const two = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${second.code}/documents/invoice.pdf`)));
    const again = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${first.code}/documents/invoice.pdf`)));
    expect(one).toMatch(/Invoice number\s+5001/);
    expect(two).toMatch(/Invoice number\s+5002/);
    expect(again).toMatch(/Invoice number\s+5001/);
    expect(one).toMatch(new RegExp(`Payment reference \\(OCR\\)\\s+5001${luhnCheckDigit('5001')}`));
    expect(one).toMatch(/Due date\s+20\/12\/2026/);
    expect(one).toContain('Fjällbutiken AB');
    expect(one).toContain('Łukasz Żółć');
    expect(one).toMatch(/TENT\s+Tält för två\s+1\s+SEK\s?1,999\.00\s+25 %\s+SEK\s?1,999\.00/);
    expect(one).toMatch(/25 %\s+SEK\s?1,599\.20\s+SEK\s?399\.80\s+SEK\s?1,999\.00/);
    expect(db.$client.prepare('SELECT number FROM invoices ORDER BY number').pluck().all()).toEqual([5001, 5002]);
  });

  it('refuses what cannot be printed: 404 unknown order, 409 not an invoice order, 409 not packing', async () => {
    const { app, db, orders } = setup();
    const unknown = await api(app).get(`/api/v1/orders/123456789${dammCheckDigit('123456789')}/documents/pick-slip.pdf`);
    expect(unknown.status).toBe(404);
    expect(apiError(unknown).code).toBe('order_not_found');
    // 1234567897 has a wrong check digit: read as every :code is, it is refused as such.
    expect(apiError(await api(app).get('/api/v1/orders/1234567897/documents/pick-slip.pdf')).code).toBe('order_code_invalid');
    const card = await api(app).get(`/api/v1/orders/${orders[0]!.code}/documents/invoice.pdf`);
    expect(card.status).toBe(409);
    expect(apiError(card)).toMatchObject({ code: 'not_invoice_order', message: expect.stringContaining('not paid by own invoice (Card)') });
    const open = buildOrder(db);
    const slip = await api(app).get(`/api/v1/orders/${open.code}/documents/pick-slip.pdf`);
    expect(slip.status).toBe(409);
    expect(apiError(slip)).toMatchObject({
      code: 'order_not_packing',
      message: `Order ${open.code} is Order: Pick slip is printed for orders in Packing only.`,
    });
    const shipped = buildShippedOrder(db);
    expect((await api(app).get(`/api/v1/orders/${shipped.code}/documents/pick-slip.pdf`)).status).toBe(409);
    expect((await getPdf(app, `/api/v1/orders/${shipped.code}/documents/receipt.pdf`)).status).toBe(200);
    expect((await api(app).get(`/api/v1/orders/${orders[0]!.code}/documents/delivery-note.pdf`)).status).toBe(404);
    expect(apiError(await api(app).get(`/api/v1/orders/${orders[0]!.code}/documents/label.pdf`)).details?.fields?.[0]?.path).toBe('parcel');
    expect(db.$client.prepare("SELECT count(*) FROM printed_documents WHERE kind = 'pick_slip'").pluck().get()).toBe(0);
  });
});

describe('VAT on receipts and invoices', () => {
  /**
   * Mixed rates with öre rounding. 25 %: jacket 4,990.00 + shipping 150.00 = 5,140.00, VAT
   * 1,028.00; 12 %: 2 × 44.87 = 89.74, VAT 9.615 → 9.62; 6 %: 149.00, VAT 8.434 → 8.43.
   */
  async function mixedOrder() {
    const ctx = makeApp();
    const products = [
      { sku: 'JACKET', name: 'Skaljacka', price: 499_000, vatRate: 2500 },
      { sku: 'MEAL', name: 'Frystorkad middag', price: 4487, vatRate: 1200 },
      { sku: 'MAP', name: 'Fjällkartan', price: 14_900, vatRate: 600 },
    ];
    for (const { sku, ...body } of products)
      expect(
        (
          await api(ctx.app)
            .put(`/api/v1/products/${sku}`)
            .send({ ...body, onHand: 10 })
        ).status,
      ).toBeLessThan(300);
    const order = buildPackingOrder(ctx.db, {
      lines: [
        { sku: 'JACKET', quantity: 1 },
        { sku: 'MEAL', quantity: 2 },
        { sku: 'MAP', quantity: 1 },
      ],
      body: { paymentMethod: 'invoice', shippingFee: 15_000, customer: aCustomer() },
    });
    return { ...ctx, order };
  }
  const kr = (amount: string) => amount.replace(/ /g, '[\\s\\u00a0\\u202f]');

  it('a receipt says how much of the total is VAT, per rate: "of which VAT 25 %" / "varav moms 25 %"', async () => {
    const { app, order } = await mixedOrder();
    const en = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${order.code}/documents/receipt.pdf`)));
    expect(en).toMatch(/Total\s+SEK\s?5,378\.74/);
    expect(en).toMatch(/of which VAT 25 %\s+SEK\s?1,028\.00/);
    expect(en).toMatch(/of which VAT 12 %\s+SEK\s?9\.62/);
    expect(en).toMatch(/of which VAT 6 %\s+SEK\s?8\.43/);
    expect(en).not.toMatch(/VAT 25 % of/);
    const sv = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${order.code}/documents/receipt.pdf?lang=sv`)));
    expect(sv).toMatch(new RegExp(`varav moms 25 %\\s+${kr('1 028,00 kr')}`));
    expect(sv).toMatch(new RegExp(`varav moms 12 %\\s+${kr('9,62 kr')}`));
    expect(sv).toMatch(new RegExp(`varav moms 6 %\\s+${kr('8,43 kr')}`));
  });

  it('an invoice shows net, VAT and gross per rate, and net + VAT = total', async () => {
    const { app, order } = await mixedOrder();
    await api(app).post(`/api/v1/orders/${order.code}/invoice`).expect(201);
    const en = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${order.code}/documents/invoice.pdf`)));
    expect(en).toMatch(/VAT rate\s+Net\s+VAT\s+Gross/);
    expect(en).toMatch(/25 %\s+SEK\s?4,112\.00\s+SEK\s?1,028\.00\s+SEK\s?5,140\.00/);
    expect(en).toMatch(/12 %\s+SEK\s?80\.12\s+SEK\s?9\.62\s+SEK\s?89\.74/);
    expect(en).toMatch(/6 ?%\s+SEK\s?140\.57\s+SEK\s?8\.43\s+SEK\s?149\.00/);
    expect(en).toMatch(/Total excl\. VAT\s+SEK\s?4,332\.69/);
    expect(en).toMatch(/Total VAT\s+SEK\s?1,046\.05/);
    expect(en).toMatch(/Total\s+SEK\s?5,378\.74/);
    const sv = await pdfText(bytesOf(await getPdf(app, `/api/v1/orders/${order.code}/documents/invoice.pdf?lang=sv`)));
    expect(sv).toMatch(/Momssats\s+Netto\s+Moms\s+Brutto/);
    expect(sv).toMatch(new RegExp(`25 %\\s+${kr('4 112,00 kr')}\\s+${kr('1 028,00 kr')}\\s+${kr('5 140,00 kr')}`));
    expect(sv).toMatch(new RegExp(`Summa moms\\s+${kr('1 046,05 kr')}`));
  });
});

describe('batch documents', () => {
  it('one PDF of pick slips for all the orders, each order code readable', async () => {
    const { app, orders } = setup();
    const res = await postPdf(app, '/api/v1/documents/pick-slips', { orders: orders.map((o) => o.code) });
    expect(res.status).toBe(200);
    expect(await pdfBarcodes(bytesOf(res))).toEqual(orders.map((o) => [o.code]));
    const text = await pdfText(bytesOf(res));
    for (const name of NAMES) expect(text).toContain(name);
  });

  it('a batch pick list: one row per product by bin, with the total and the split per order', async () => {
    const { app, orders } = setup();
    const res = await postPdf(app, '/api/v1/documents/batch-pick-list', { orders: orders.map((o) => o.code) });
    const text = await pdfText(bytesOf(res));
    expect(text).toContain('3 orders, 3 products, 21 units');
    const rows = text.split('\n').filter((l) => /^\s*[A-C]-\d\d-\d/.test(l));
    expect(rows.map((r) => r.trim().split(/\s+/)[0])).toEqual(['A-02-3', 'B-10-2', 'C-01-1']);
    expect(rows[0]).toMatch(new RegExp(`MUG\\s+Emaljmugg\\s+9\\s+${orders[0]!.code} × 2`));
    const mugBlock = text.slice(text.indexOf('A-02-3'), text.indexOf('B-10-2'));
    expect(mugBlock).toMatch(new RegExp(`${orders[0]!.code} × 2[\\s\\S]+${orders[1]!.code} × 3[\\s\\S]+${orders[2]!.code} × 4`));
    expect(rows[2]).toMatch(/TENT\s+Tält för två\s+3\s/);
  });

  it('receipts in one PDF; bad bodies get a field error and print nothing', async () => {
    const { app, db, orders } = setup();
    const res = await postPdf(app, '/api/v1/documents/receipts', { orders: [orders[0]!.code, orders[1]!.code] });
    expect((await pdfPages(bytesOf(res))).pages).toBe(2);
    const empty = await api(app).post('/api/v1/documents/pick-slips').send({ orders: [] });
    expect(empty.status).toBe(422);
    expect(apiError(empty).details?.fields?.[0]?.path).toBe('orders');
    const one = await api(app)
      .post('/api/v1/documents/pick-slips')
      .send({ orders: [orders[0]!.code, '1234567897'] });
    expect(one.status).toBe(404);
    expect(db.$client.prepare("SELECT count(*) FROM printed_documents WHERE kind = 'pick_slip'").pluck().get()).toBe(0);
  });
});

describe('printing is recorded', () => {
  it('each print adds a marker and an event; a reprint is recorded as one', async () => {
    const { app, db, orders } = setup();
    const order = orders[0]!;
    await getPdf(app, `/api/v1/orders/${order.code}/documents/pick-slip.pdf`);
    await getPdf(app, `/api/v1/orders/${order.code}/documents/pick-slip-receipt.pdf`);
    const prints = db.$client.prepare('SELECT kind FROM printed_documents WHERE order_id = ? ORDER BY id').pluck().all(order.id);
    expect(prints).toEqual(['pick_slip', 'pick_slip', 'receipt']);
    const events = db.$client
      .prepare("SELECT data FROM order_events WHERE order_id = ? AND type = 'document_printed' ORDER BY id")
      .pluck()
      .all(order.id) as string[];
    expect(events.map((e) => JSON.parse(e) as unknown)).toEqual([
      { kind: 'pick_slip', reprint: false },
      { kind: 'pick_slip', reprint: true },
      { kind: 'receipt', reprint: false },
    ]);
    expect(listLines(db, order.id)).toHaveLength(3);
  });
});

describe('large documents', () => {
  it('render off the server thread: a one-order slip asked for while 40 pick slips render comes back first, and both are whole', async () => {
    const db = makeDb();
    const clock = makeClock();
    const config = testConfig();
    applyShopDefaults(db, config, clock());
    const documents = new DocumentRenderer(config.documentFontDir);
    let largeRendering = false;
    const render = documents.render.bind(documents);
    documents.render = (job) => {
      if (job.orders.length >= WORKER_MIN_ORDERS) largeRendering = true;
      return render(job);
    };
    const app = createApp(buildAppDeps({ db, config, clock, log: consoleLogger({ silent: true }), documents }));
    buildProduct(db, { sku: 'MUG', name: 'Emaljmugg', location: 'A-02-3', onHand: 1000 });
    const orders = Array.from({ length: Math.max(WORKER_MIN_ORDERS, 40) }, () => buildPackingOrder(db, { lines: [{ sku: 'MUG', quantity: 1 }] }));
    const done: string[] = [];
    const large = postPdf(app, '/api/v1/documents/pick-slips', { orders: orders.map((o) => o.code) }).then((res) => {
      done.push('large');
      return res;
    });
    await until('the large job to start rendering', () => largeRendering, 10_000, 5);
    const one = await getPdf(app, `/api/v1/orders/${orders[0]!.code}/documents/pick-slip.pdf`);
    done.push('one');
    const all = await large;
    expect(done).toEqual(['one', 'large']);
    expect(one.status).toBe(200);
    expect(all.status).toBe(200);
    expect((await pdfPages(bytesOf(all))).pages).toBe(orders.length);
    const text = await pdfText(bytesOf(all));
    for (const o of orders) expect(text).toContain(o.code);
    await documents.close();
  }, 60_000);

  it("a large job asked for while the worker is being stopped renders in a new one: the old thread's exit fails none of its jobs", async () => {
    const db = makeDb();
    const clock = makeClock();
    const config = testConfig();
    applyShopDefaults(db, config, clock());
    const documents = new DocumentRenderer(config.documentFontDir);
    const jobs: Parameters<DocumentRenderer['render']>[0][] = [];
    const render = documents.render.bind(documents);
    documents.render = (job) => {
      jobs.push(job);
      return render(job);
    };
    const app = createApp(buildAppDeps({ db, config, clock, log: consoleLogger({ silent: true }), documents }));
    buildProduct(db, { sku: 'MUG', name: 'Emaljmugg', location: 'A-02-3', onHand: 1000 });
    const orders = Array.from({ length: WORKER_MIN_ORDERS }, () => buildPackingOrder(db, { lines: [{ sku: 'MUG', quantity: 1 }] }));
    expect((await postPdf(app, '/api/v1/documents/pick-slips', { orders: orders.map((o) => o.code) })).status).toBe(200);
    // The worker is told to stop (as when it has been idle) and, before it has ended, the same job is asked for again.
    const stopping = documents.close();
    const again = documents.render(jobs[0]!);
    await stopping;
    expect((await pdfPages(Buffer.from(await again))).pages).toBe(orders.length);
    await documents.close();
  }, 60_000);
});
