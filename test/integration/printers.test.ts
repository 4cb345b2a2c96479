import { inflateSync } from 'node:zlib';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api-tokens/service.js';
import { ready as zplRenderer } from 'zpl-renderer-js';
import type { Db } from '../../src/db/client.js';
import { putSeller, getSeller } from '../../src/documents/settings.js';
import { eventsOfOrder } from '../../src/events/repo.js';
import { autoPrintAfterParcel, chooseStationPrinter, savePrinter, stationPrinterModel } from '../../src/printers/service.js';
import { translator } from '../../src/i18n/index.js';
import { dots, labelZpl, testLabelZpl, TEST_LETTERS } from '../../src/printers/zpl.js';
import type { DocOrder, Seller } from '../../src/documents/model.js';
import { ssccOf } from '../../src/carriers/sscc.js';
import { buildPackingOrder, buildUser } from '../builders.js';
import { putParcelPatterns } from '../../src/shipping/parcel-rules.js';
import { api, csrfOf, loginAs, loginAtStation, makeApp } from '../helpers.js';
import { apiError, json } from '../json.js';
import { closedPort, printedBarcodes, printerListener } from '../label-printer.js';
import { until } from '../wait.js';

/** The label rendered by zebrash as the printer would print it: a PNG at the printer's resolution. */
async function renderedLabel(zpl: string, dpi: 203 | 300): Promise<Buffer> {
  const { api: renderer } = await zplRenderer;
  return Buffer.from(await renderer.zplToBase64Async(zpl, 100, 150, dpi === 203 ? 8 : 12), 'base64');
}

/** A PNG's pixels as ink (true) or paper: zebrash writes 8-bit greyscale or RGB(A), not interlaced. */
function inkOf(png: Buffer): { width: number; height: number; ink: (x: number, y: number) => boolean } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [depth, colour, , , interlace] = [png[24]!, png[25]!, png[26], png[27], png[28]];
  if (depth !== 8 || interlace !== 0 || ![0, 2, 4, 6].includes(colour)) throw new Error(`PNG not read here: depth ${depth}, colour ${colour}`);
  const bpp = { 0: 1, 2: 3, 4: 2, 6: 4 }[colour as 0 | 2 | 4 | 6];
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= bpp ? px[y * stride + i - bpp]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? px[(y - 1) * stride + i - bpp]! : 0;
      const paeth = () => {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      px[y * stride + i] = (x + [0, a, b, (a + b) >> 1, 0][filter]! + (filter === 4 ? paeth() : 0)) & 0xff;
    }
  }
  return { width, height, ink: (x, y) => px[y * stride + x * bpp]! < 128 };
}

/** The bands of rows with ink between two heights (dots), each as [first row, last row], and the rightmost ink of each. */
function inkBands(png: Buffer, from = 0, to = Infinity): { top: number; bottom: number; right: number }[] {
  const { width, height, ink } = inkOf(png);
  const bands: { top: number; bottom: number; right: number }[] = [];
  for (let y = from; y < Math.min(to, height); y++) {
    let right = -1;
    for (let x = 0; x < width; x++) if (ink(x, y)) right = x;
    if (right < 0) continue;
    const last = bands.at(-1);
    if (last && last.bottom === y - 1) {
      last.bottom = y;
      last.right = Math.max(last.right, right);
    } else bands.push({ top: y, bottom: y, right });
  }
  return bands;
}

const SHIP_TO = {
  name: 'Åsa Łukasiewicz-Øvergård',
  email: 'asa@example.com',
  address: { line1: 'Żółwia 12', postalCode: '80-123', city: 'Gdańsk', country: 'PL' },
};

function packingOrderWithParcels(db: Db, parcels: string[]) {
  const order = buildPackingOrder(db, { body: { customer: SHIP_TO } });
  return { order, parcels };
}

async function addParcels(app: Parameters<typeof api>[0], code: string, parcels: string[]) {
  for (const parcelId of parcels) expect((await api(app).post(`/api/v1/orders/${code}/parcels`).send({ parcelId })).status).toBe(201);
}

function labelEvents(db: Db, orderId: number) {
  return eventsOfOrder(db, orderId)
    .filter((e) => (e.type === 'document_printed' && (e.data as { kind?: string }).kind === 'label') || e.type === 'label_print_failed')
    .map((e) => ({ type: e.type, ...(e.data as Record<string, unknown>) }));
}

describe('labels on a ZPL printer', () => {
  it.each([203, 300] as const)('sends the label over TCP at %i dpi; the render shows both barcodes, the SSCC as GS1-128 with (00)', async (dpi) => {
    const { app, db, clock } = makeApp();
    putSeller(db, { ...getSeller(db), name: 'Nordlager AB', address: 'Storgatan 1\n111 22 Stockholm' }, clock(), 'test');
    const listener = await printerListener();
    const printer = savePrinter(db, null, { name: `Zebra ${dpi}`, host: '127.0.0.1', port: listener.port, dpi }, clock());
    const sscc = ssccOf(3, '7350000', 42);
    const { order } = packingOrderWithParcels(db, []);
    await addParcels(app, order.code, ['JJD00012345', sscc]);

    const res = await api(app).post(`/api/v1/orders/${order.code}/parcels/(00)${sscc}/label/print`).send({ printer: printer.id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: order.code, parcelId: sscc, index: 2, of: 2, printer: { id: printer.id, name: `Zebra ${dpi}` } });

    expect(listener.jobs).toHaveLength(1);
    const zpl = listener.jobs[0]!;
    expect(zpl).toMatch(/^\^XA\n\^CI28\n/);
    // 100 × 150 mm at the printer's resolution.
    expect(zpl).toContain(dpi === 203 ? '^PW799\n^LL1199' : '^PW1181\n^LL1772');
    // Sent as UTF-8: the Polish and Nordic letters arrive as written.
    for (const text of ['Åsa Łukasiewicz-Øvergård', 'Żółwia 12', '80-123 Gdańsk', 'Nordlager AB', `(00) ${sscc}`, `Order ${order.code}`, 'Parcel 2 of 2'])
      expect(zpl).toContain(text);

    const codes = await printedBarcodes(zpl, dpi);
    expect(codes).toContainEqual({ type: 'CODE-128', gs1: true, data: `00${sscc}` });
    expect(codes).toContainEqual({ type: 'CODE-128', gs1: false, data: order.code });

    // The print is on the order: the printed-documents record and its event name the printer.
    expect(db.$client.prepare("SELECT reference FROM printed_documents WHERE order_id = ? AND kind = 'label'").pluck().all(order.id)).toEqual([sscc]);
    expect(labelEvents(db, order.id)).toEqual([
      { type: 'document_printed', kind: 'label', reprint: false, reference: sscc, printer: `Zebra ${dpi}`, printerId: printer.id },
    ]);
  });

  it('prints a parcel ID that is not an SSCC as Code 128, with ZPL’s own characters escaped', async () => {
    const { app, db, clock } = makeApp();
    const listener = await printerListener();
    const printer = savePrinter(db, null, { name: 'Zebra', host: '127.0.0.1', port: listener.port, dpi: 203 }, clock());
    const { order } = packingOrderWithParcels(db, []);
    // ZPL's own characters in a parcel ID: a shop's own form (an admin's pattern) or a broker lets them through.
    putParcelPatterns(db, ['AB[>^~_]+12'], clock(), 'test');
    const odd = 'AB>^~_12';
    await addParcels(app, order.code, [odd]);
    const res = await api(app)
      .post(`/api/v1/orders/${order.code}/parcels/${encodeURIComponent(odd)}/label/print`)
      .send({ printer: printer.id });
    expect(res.status).toBe(200);
    const codes = await printedBarcodes(listener.jobs[0]!, 203);
    expect(codes, JSON.stringify(codes)).toContainEqual({ type: 'CODE-128', gs1: false, data: odd });
    expect(codes).toContainEqual({ type: 'CODE-128', gs1: false, data: order.code });
  });

  it('a refused connection is a clear 502 printer_unreachable, logged on the order, nothing else changed', async () => {
    const { app, db, clock } = makeApp();
    const port = await closedPort();
    const printer = savePrinter(db, null, { name: 'Zebra off', host: '127.0.0.1', port, dpi: 203 }, clock());
    const { order } = packingOrderWithParcels(db, []);
    await addParcels(app, order.code, ['JJD00012345']);
    // An integration token learns that the printer failed, not its address or the socket's error.
    const res = await api(app).post(`/api/v1/orders/${order.code}/parcels/JJD00012345/label/print`).send({ printer: printer.id });
    expect(res.status).toBe(502);
    const hidden = apiError(res);
    expect(hidden.code).toBe('printer_unreachable');
    expect(hidden.message).toBe(
      'Printer Zebra off did not take the label. Nothing was changed; print again from the parcel. What went wrong is in the order’s history for staff, and in this answer for an admin token.',
    );
    expect(hidden.details).toEqual({ printer: 'Zebra off' });
    expect(res.text).not.toContain(String(port));
    // An admin token is told where and why.
    const { token } = createApiToken(db, { name: 'ops', role: 'admin' }, (await buildUser(db, 'admin')).id, clock());
    const adminRes = await request(app)
      .post(`/api/v1/orders/${order.code}/parcels/JJD00012345/label/print`)
      .set('Authorization', `Bearer ${token}`)
      .send({ printer: printer.id });
    expect(adminRes.status).toBe(502);
    const error = apiError(adminRes);
    expect(error.message).toBe(
      `Printer Zebra off (127.0.0.1:${port}) refused the connection: is it switched on, and is the port right (usually 9100)? Nothing was changed; print again from the parcel.`,
    );
    expect(error.details).toMatchObject({ printer: 'Zebra off', address: `127.0.0.1:${port}`, cause: 'ECONNREFUSED' });
    expect(db.$client.prepare('SELECT count(*) FROM printed_documents WHERE order_id = ?').pluck().get(order.id)).toBe(0);
    expect(labelEvents(db, order.id)).toEqual([
      expect.objectContaining({
        type: 'label_print_failed',
        parcelId: 'JJD00012345',
        printer: 'Zebra off',
        error: 'printer_unreachable',
        errorKey: 'errors.printerRefused',
      }),
      expect.objectContaining({
        type: 'label_print_failed',
        parcelId: 'JJD00012345',
        printer: 'Zebra off',
        error: 'printer_unreachable',
        errorKey: 'errors.printerRefused',
      }),
    ]);
    // The parcel is still on the order's open delivery.
    expect(json<{ parcels: { parcelId: string }[] }>(await api(app).get(`/api/v1/orders/${order.code}/delivery`)).parcels.map((p) => p.parcelId)).toEqual([
      'JJD00012345',
    ]);
    // The order page's history says it in words.
    const { agent } = await loginAs(app, (await buildUser(db, 'admin')).email);
    expect((await agent.get(`/orders/${order.code}`)).text).toContain(
      `Label of parcel JJD00012345 not printed on Zebra off: Printer Zebra off (127.0.0.1:${port}) refused the connection`,
    );
  });

  it('a printer that takes the connection and never answers is a 504 printer_timeout after PRINTER_TIMEOUT_MS, logged', async () => {
    const { app, db, clock } = makeApp({ env: { PRINTER_TIMEOUT_MS: '300' } });
    const listener = await printerListener({ silent: true });
    const printer = savePrinter(db, null, { name: 'Zebra stuck', host: '127.0.0.1', port: listener.port, dpi: 300 }, clock());
    const { order } = packingOrderWithParcels(db, []);
    await addParcels(app, order.code, ['JJD00012345']);
    const res = await api(app).post(`/api/v1/orders/${order.code}/parcels/JJD00012345/label/print`).send({ printer: printer.id });
    expect(res.status).toBe(504);
    expect(apiError(res).code).toBe('printer_timeout');
    expect(apiError(res).message).toBe(
      'Printer Zebra stuck did not take the label. Nothing was changed; print again from the parcel. What went wrong is in the order’s history for staff, and in this answer for an admin token.',
    );
    expect(labelEvents(db, order.id)).toEqual([expect.objectContaining({ type: 'label_print_failed', error: 'printer_timeout', printer: 'Zebra stuck' })]);
    expect(db.$client.prepare('SELECT count(*) FROM printed_documents WHERE order_id = ?').pluck().get(order.id)).toBe(0);
    // The listener did get the job: the printer took it but never said so.
    await until('the job at the listener', () => listener.jobs.length === 1, 2000);
  });

  it('the API refuses an unknown printer, a parcel not on the order and a bad body, before sending anything', async () => {
    const { app, db, clock } = makeApp();
    const listener = await printerListener();
    const printer = savePrinter(db, null, { name: 'Zebra', host: '127.0.0.1', port: listener.port, dpi: 203 }, clock());
    const { order } = packingOrderWithParcels(db, []);
    await addParcels(app, order.code, ['JJD00012345']);
    const unknown = await api(app)
      .post(`/api/v1/orders/${order.code}/parcels/JJD00012345/label/print`)
      .send({ printer: printer.id + 1 });
    expect([unknown.status, apiError(unknown).code]).toEqual([404, 'printer_not_found']);
    const notOnOrder = await api(app).post(`/api/v1/orders/${order.code}/parcels/JJD99999999/label/print`).send({ printer: printer.id });
    expect([notOnOrder.status, apiError(notOnOrder).code]).toEqual([404, 'parcel_not_found']);
    const bad = await api(app).post(`/api/v1/orders/${order.code}/parcels/JJD00012345/label/print`).send({ printer: 'zebra' });
    expect([bad.status, apiError(bad).details?.fields?.[0]?.path]).toEqual([422, 'printer']);
    expect(listener.jobs).toEqual([]);
  });
});

describe('what a customer typed, on the printed label', () => {
  const seller = { name: 'Nordlager AB', address: 'Storgatan 1\r\n111 22 Stockholm' } as Seller;
  const label = (order: DocOrder, dpi: 203 | 300) =>
    labelZpl({ order, seller, parcel: { parcelId: '373500000000000427', index: 1, of: 1 }, t: translator('sv') }, dpi);
  const shipTo = (name: string, line1: string, line2: string) =>
    ({ code: '1234567897', customerName: name, shipTo: { line1, line2, postalCode: '80-123', city: 'Gdańsk', country: 'PL' } }) as DocOrder;
  // The same letters, shapes and lengths without anything ZPL or a field block reads: where each line of the label must be.
  const plain = shipTo('Åsa Łukasiewicz Øvergård', 'Żółwia 12 /& 4 /(b) |', 'c/o Ærø Ąą |X| -y- ');

  it.each([203, 300] as const)(
    'at %i dpi: backslashes, ^ ~ _ and line breaks leave every line in place, the letters and both barcodes printed',
    async (dpi) => {
      const odd = shipTo('Åsa\nŁukasiewicz\u2028Øvergård', 'Żółwia 12 \\& 4 \\(b) \\', 'c/o Ærø\r\nĄą ^XZ ~JA _y_');
      const zpl = label(odd, dpi);
      // One label, nothing cut short by a ^XZ or a ~ command in an address.
      expect(zpl.match(/\^XZ/g)).toHaveLength(1);
      expect(zpl).not.toMatch(/~JA/);
      const [printed, expected] = [await renderedLabel(zpl, dpi), await renderedLabel(label(plain, dpi), dpi)];
      const [bands, expectedBands] = [inkBands(printed), inkBands(expected)];
      // Each text line, rule and barcode where the plain label has it: a line break in a field block
      // would print the rest of the line a line lower, over the next one.
      expect(bands.length).toBe(expectedBands.length);
      const slack = dots(1, dpi);
      for (const [i, band] of bands.entries()) {
        expect(Math.abs(band.top - expectedBands[i]!.top), `band ${i} top`).toBeLessThanOrEqual(slack);
        expect(Math.abs(band.bottom - expectedBands[i]!.bottom), `band ${i} bottom`).toBeLessThanOrEqual(slack);
      }
      expect(zpl).toContain('^FDÅsa Łukasiewicz Øvergård^FS');
      expect(zpl).toContain('^FDc/o Ærø Ąą _5EXZ _7EJA _5Fy_5F^FS');
      const codes = await printedBarcodes(zpl, dpi);
      expect(codes).toContainEqual({ type: 'CODE-128', gs1: true, data: '00373500000000000427' });
      expect(codes).toContainEqual({ type: 'CODE-128', gs1: false, data: '1234567897' });
    },
  );

  it.each([203, 300] as const)('the test label at %i dpi prints each line of its letters inside the margins', async (dpi) => {
    const zpl = testLabelZpl({ name: 'Zebra 1', host: 'zebra-1.lager.lan', port: 9100, dpi }, translator('en'));
    const letters = inkBands(await renderedLabel(zpl, dpi), dots(28, dpi), dots(47, dpi));
    expect(letters).toHaveLength(TEST_LETTERS.length);
    for (const band of letters) expect(band.right).toBeLessThan(dots(96, dpi));
    expect((await printedBarcodes(zpl, dpi)).map((c) => c.data)).toEqual(['0123456789']);
  });
});

describe('Settings → Printers', () => {
  async function admin() {
    const ctx = makeApp();
    const user = await buildUser(ctx.db, 'admin');
    return { ...ctx, ...(await loginAs(ctx.app, user.email)) };
  }

  it('adds, lists, changes, test-prints and deletes a printer; PDF (browser) is always listed', async () => {
    const { db, agent, submit } = await admin();
    const listener = await printerListener();
    const empty = await agent.get('/settings/printers');
    expect(empty.text).toContain('PDF (browser)');
    expect(empty.text).toContain('href="/settings/printers"');
    const added = await submit('/settings/printers', '/settings/printers', { name: 'Zebra 1', host: '127.0.0.1', port: String(listener.port), dpi: '300' });
    expect([added.status, added.headers.location]).toEqual([303, '/settings/printers']);
    const list = await agent.get('/settings/printers');
    expect(list.text).toContain('Printer Zebra 1 added.');
    expect(list.text).toContain(`127.0.0.1:${listener.port}`);
    const id = db.$client.prepare('SELECT id FROM printers').pluck().get() as number;

    const tested = await submit('/settings/printers', `/settings/printers/${id}/test`, {});
    expect(tested.status).toBe(303);
    expect((await agent.get('/settings/printers')).text).toContain('Test label sent to Zebra 1.');
    expect(listener.jobs).toHaveLength(1);
    expect(listener.jobs[0]).toContain('^PW1181');
    expect(listener.jobs[0]).toContain('ÅÄÖ åäö ÆØ æø');
    expect(listener.jobs[0]).toContain('Ł ł Ż ż Ś ś Ć ć Ń ń');

    const changed = await submit(`/settings/printers/${id}`, `/settings/printers/${id}`, { name: 'Zebra 1', host: 'zebra-1.lan', port: '9100', dpi: '203' });
    expect(changed.status).toBe(303);
    expect(db.$client.prepare('SELECT host, port, dpi FROM printers WHERE id = ?').get(id)).toEqual({ host: 'zebra-1.lan', port: 9100, dpi: 203 });

    const deleted = await submit('/settings/printers', `/settings/printers/${id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect((await agent.get('/settings/printers')).text).toContain('Printer Zebra 1 deleted.');
    expect(db.$client.prepare('SELECT count(*) FROM printers').pluck().get()).toBe(0);
  });

  it.each([
    [{ host: 'http://192.168.1.50:9100/' }, 'host', 'A host name or IP address'],
    [{ host: '192.168.1.300' }, 'host', 'A host name or IP address'],
    [{ host: 'zebra 1' }, 'host', 'A host name or IP address'],
    [{ host: '' }, 'host', 'Required.'],
    [{ port: '0' }, 'port', 'Must be at least 1.'],
    [{ port: '65536' }, 'port', 'Must be at most 65,535.'],
    [{ port: 'nine' }, 'port', 'Must be a whole number.'],
    [{ dpi: '250' }, 'dpi', 'Choose 203 or 300 dpi.'],
    [{ name: '' }, 'name', 'Required.'],
  ])('refuses %j with the message next to the field, the rest kept, nothing saved', async (bad, field, message) => {
    const { db, submit } = await admin();
    const res = await submit('/settings/printers', '/settings/printers', { name: 'Zebra 1', host: 'zebra-1.lan', port: '9100', dpi: '203', ...bad });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(new RegExp(`<p class="field-error" id="${field}-error">${message.replace(/[.()]/g, '\\$&')}`));
    expect(res.text).toContain(`name="${field}"`);
    if (field !== 'name') expect(res.text).toContain('value="Zebra 1"');
    expect(db.$client.prepare('SELECT count(*) FROM printers').pluck().get()).toBe(0);
  });

  it('accepts IPv6 and host names, refuses a second printer of the same name', async () => {
    const { db, submit } = await admin();
    expect((await submit('/settings/printers', '/settings/printers', { name: 'Zebra 1', host: 'fd00::50', port: '9100', dpi: '203' })).status).toBe(303);
    expect((await submit('/settings/printers', '/settings/printers', { name: 'Zebra 2', host: 'ZEBRA-2.lager.lan', port: '6101', dpi: '300' })).status).toBe(
      303,
    );
    const twice = await submit('/settings/printers', '/settings/printers', { name: 'zebra 1', host: '10.0.0.9', port: '9100', dpi: '203' });
    expect(twice.status).toBe(422);
    expect(twice.text).toContain('There is already a printer called zebra 1.');
    expect(db.$client.prepare('SELECT name, host FROM printers ORDER BY id').all()).toEqual([
      { name: 'Zebra 1', host: 'fd00::50' },
      { name: 'Zebra 2', host: 'ZEBRA-2.lager.lan' },
    ]);
  });

  it('a test print to a printer that is off says so and changes nothing', async () => {
    const { db, clock, agent, submit } = await admin();
    const printer = savePrinter(db, null, { name: 'Zebra off', host: '127.0.0.1', port: await closedPort(), dpi: 203 }, clock());
    expect((await submit('/settings/printers', `/settings/printers/${printer.id}/test`, {})).status).toBe(303);
    expect((await agent.get('/settings/printers')).text).toContain('Printer Zebra off (127.0.0.1:');
  });

  it('is for admins only', async () => {
    const { app, db } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent } = await loginAs(app, packer.email);
    expect((await agent.get('/settings/printers')).status).toBe(403);
  });
});

describe('the station’s label printer', () => {
  async function station(env: Record<string, string> = {}) {
    const ctx = makeApp({ env });
    const packer = await buildUser(ctx.db, 'packer');
    return { ...ctx, ...(await loginAtStation(ctx.app, packer.email, 'Bench 2')) };
  }

  it('chooses a printer and auto-print; prints a parcel’s label there, answering with the fragment or a redirect', async () => {
    const { app, db, clock, agent, csrf } = await station();
    const listener = await printerListener();
    const printer = savePrinter(db, null, { name: 'Zebra 1', host: '127.0.0.1', port: listener.port, dpi: 203 }, clock());
    const { order } = packingOrderWithParcels(db, []);
    await addParcels(app, order.code, ['JJD00012345', 'JJD00012346']);

    const chosen = await agent
      .post('/shipping/printer')
      .set('X-Station', 'fragment')
      .type('form')
      .send({ _csrf: csrf, printer: String(printer.id), autoPrint: '1' });
    expect(chosen.status).toBe(200);
    expect(chosen.text).toContain('Labels of this station print on Zebra 1, automatically when a parcel ID is added.');
    expect(db.$client.prepare("SELECT label_printer_id AS printer, auto_print AS auto FROM stations WHERE name = 'Bench 2'").get()).toEqual({
      printer: printer.id,
      auto: 1,
    });

    const printed = await agent
      .post(`/shipping/orders/${order.code}/parcels/JJD00012346/print`)
      .set('X-Station', 'fragment')
      .type('form')
      .send({ _csrf: csrf });
    expect(printed.status).toBe(200);
    expect(printed.text).toContain('Label of parcel JJD00012346 (2 of 2) sent to Zebra 1.');
    expect(listener.jobs).toHaveLength(1);
    expect((await printedBarcodes(listener.jobs[0]!, 203)).map((c) => c.data).sort()).toEqual(['JJD00012346', order.code].sort());

    // Without the page's script: a redirect to the station, the message on it.
    const plain = await agent.post(`/shipping/orders/${order.code}/parcels/JJD00012345/print`).type('form').send({ _csrf: csrf });
    expect([plain.status, plain.headers.location]).toEqual([303, '/shipping']);
    expect((await agent.get('/shipping')).text).toContain('Label of parcel JJD00012345 (1 of 2) sent to Zebra 1.');
    expect(listener.jobs).toHaveLength(2);

    // Settings → Printers says which printers stations use.
    const { agent: adminAgent } = await loginAs(app, (await buildUser(db, 'admin')).email);
    expect((await adminAgent.get('/settings/printers')).text).toContain('used by 1 station');

    // Back to PDF: the auto-print flag goes with it.
    const pdf = await agent.post('/shipping/printer').type('form').send({ _csrf: csrf, printer: 'pdf', autoPrint: '1' });
    expect(pdf.status).toBe(303);
    expect(db.$client.prepare("SELECT label_printer_id AS printer, auto_print AS auto FROM stations WHERE name = 'Bench 2'").get()).toEqual({
      printer: null,
      auto: 0,
    });
  });

  it('a station that prints automatically prints a scanned parcel’s label at once; the card offers printing each parcel there, and F8 prints there', async () => {
    const { db, clock, agent, csrf, scanFragment } = await station();
    const listener = await printerListener();
    const printer = savePrinter(db, null, { name: 'Zebra 2', host: '127.0.0.1', port: listener.port, dpi: 300 }, clock());
    await agent
      .post('/shipping/printer')
      .type('form')
      .send({ _csrf: csrf, printer: String(printer.id), autoPrint: '1' });
    const { order } = packingOrderWithParcels(db, []);
    await scanFragment(order.code, { key: 'a-1' });
    const added = await scanFragment('JJD00077777', { key: 'a-2' });
    expect(added.text).toContain(`Parcel ID JJD00077777 added to order ${order.code}. Label sent to Zebra 2.`);
    expect(listener.jobs).toHaveLength(1);
    expect((await printedBarcodes(listener.jobs[0]!, 300)).map((c) => c.data).sort()).toEqual(['JJD00077777', order.code].sort());
    expect(added.text).toContain(`data-print-url="/shipping/orders/${order.code}/parcels/JJD00077777/print"`);
    expect(added.text).toContain(`action="/shipping/orders/${order.code}/parcels/JJD00077777/print"`);
  });

  it('a printer that is off is said at the station, logged, and the parcel stays; printing again works once it is on', async () => {
    const { app, db, clock, agent, csrf } = await station();
    const port = await closedPort();
    const printer = savePrinter(db, null, { name: 'Zebra 1', host: '127.0.0.1', port, dpi: 203 }, clock());
    const { order } = packingOrderWithParcels(db, []);
    await addParcels(app, order.code, ['JJD00012345']);
    await agent
      .post('/shipping/printer')
      .type('form')
      .send({ _csrf: csrf, printer: String(printer.id) });

    const failed = await agent.post(`/shipping/orders/${order.code}/parcels/JJD00012345/print`).set('X-Station', 'fragment').type('form').send({ _csrf: csrf });
    expect(failed.status).toBe(200);
    expect(failed.text).toContain(`Printer Zebra 1 (127.0.0.1:${port}) refused the connection`);
    expect(failed.text).toContain('data-kind="error"');
    expect(labelEvents(db, order.id).map((e) => e.type)).toEqual(['label_print_failed']);

    // The printer comes on at the same address: the retry from the parcel prints.
    const listener = await printerListener();
    savePrinter(db, printer.id, { name: 'Zebra 1', host: '127.0.0.1', port: listener.port, dpi: 203 }, clock());
    const retried = await agent
      .post(`/shipping/orders/${order.code}/parcels/JJD00012345/print`)
      .set('X-Station', 'fragment')
      .type('form')
      .send({ _csrf: csrf });
    expect(retried.text).toContain('Label of parcel JJD00012345 (1 of 1) sent to Zebra 1.');
    expect(labelEvents(db, order.id).map((e) => e.type)).toEqual(['label_print_failed', 'document_printed']);
    // The order's history names the parcel and the printer of each print.
    const { agent: adminAgent } = await loginAs(app, (await buildUser(db, 'admin')).email);
    const history = (await adminAgent.get(`/orders/${order.code}`)).text;
    expect(history).toContain('Printed: Shipping label · parcel JJD00012345 · on printer Zebra 1');
    expect(history).toContain('Label of parcel JJD00012345 not printed on Zebra 1: Printer Zebra 1');
  });

  it('refuses a print when the station prints PDF, an unknown printer, and a device not named a station', async () => {
    const { app, db, agent, csrf } = await station();
    const { order } = packingOrderWithParcels(db, []);
    await addParcels(app, order.code, ['JJD00012345']);
    const noPrinter = await agent
      .post(`/shipping/orders/${order.code}/parcels/JJD00012345/print`)
      .set('X-Station', 'fragment')
      .type('form')
      .send({ _csrf: csrf });
    expect(noPrinter.text).toContain('This station prints labels as PDF in the browser: choose a label printer for it first.');
    const unknown = await agent.post('/shipping/printer').set('X-Station', 'fragment').type('form').send({ _csrf: csrf, printer: '999' });
    expect(unknown.text).toContain('No printer 999.');

    const other = await loginAs(app, (await buildUser(db, 'packer')).email);
    const page = await other.agent.get('/orders');
    const unnamed = await other.agent
      .post(`/shipping/orders/${order.code}/parcels/JJD00012345/print`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) });
    expect([unnamed.status, unnamed.headers.location]).toEqual([303, '/shipping']);
  });

  it('autoPrintAfterParcel prints on the station’s printer only when it prints automatically, and never throws for a printer fault', async () => {
    const { app, db, clock, config } = makeApp({ env: { PRINTER_TIMEOUT_MS: '2000' } });
    const packer = await buildUser(db, 'packer');
    const deps = { db, clock, timeoutMs: config.printerTimeoutMs, lang: 'sv' as const };
    const bench = { userId: packer.id, stationName: 'Bench 3' };
    const listener = await printerListener();
    const printer = savePrinter(db, null, { name: 'Zebra 1', host: '127.0.0.1', port: listener.port, dpi: 300 }, clock());
    const { order } = packingOrderWithParcels(db, []);
    await addParcels(app, order.code, ['JJD00012345']);
    const actor = { type: 'user' as const, id: packer.id, name: packer.name };
    const parcel = { code: order.code, parcelId: 'JJD00012345' };

    // A station never used, then one with a printer but without the flag: nothing is printed.
    expect(await autoPrintAfterParcel(deps, bench, parcel, actor)).toEqual({ status: 'off' });
    chooseStationPrinter(db, bench, { printerId: printer.id, autoPrint: false }, clock());
    expect(await autoPrintAfterParcel(deps, bench, parcel, actor)).toEqual({ status: 'off' });
    expect(listener.jobs).toEqual([]);

    chooseStationPrinter(db, bench, { printerId: printer.id, autoPrint: true }, clock());
    const printed = await autoPrintAfterParcel(deps, bench, parcel, actor);
    expect(printed).toEqual({
      status: 'printed',
      label: { code: order.code, parcelId: 'JJD00012345', index: 1, of: 1, printer: { id: printer.id, name: 'Zebra 1' } },
    });
    // The customer's language: the Swedish label.
    expect(listener.jobs[0]).toContain('Kolli 1 av 1');

    savePrinter(db, printer.id, { name: 'Zebra 1', host: '127.0.0.1', port: await closedPort(), dpi: 300 }, clock());
    const failed = await autoPrintAfterParcel(deps, bench, parcel, actor);
    expect(failed.status).toBe('failed');
    expect(failed.status === 'failed' && failed.error.code).toBe('printer_unreachable');
    expect(labelEvents(db, order.id).map((e) => e.type)).toEqual(['document_printed', 'label_print_failed']);
  });

  it('the partials for the station page post what the routes take', async () => {
    const { app, db, clock, agent, csrf } = await station();
    const listener = await printerListener();
    const printer = savePrinter(db, null, { name: 'Zebra 1', host: '127.0.0.1', port: listener.port, dpi: 300 }, clock());
    const { order } = packingOrderWithParcels(db, []);
    await addParcels(app, order.code, ['JJD00012345']);
    const render = (view: string, locals: Record<string, unknown>) =>
      new Promise<string>((resolve, reject) =>
        app.render(view, { t: translator('en'), csrfToken: csrf, ...locals }, (err, html) => (err ? reject(err) : resolve(html))),
      );
    const userId = db.$client.prepare("SELECT user_id FROM stations WHERE name = 'Bench 2'").pluck().get() as number;
    const bench = { userId, stationName: 'Bench 2' };

    const choice = await render('printers/station-printer', { labelPrinter: stationPrinterModel(db, bench) });
    expect(choice).toContain('<option value="pdf" selected>PDF (browser)</option>');
    expect(choice).toContain(`<option value="${printer.id}">Zebra 1 (300 dpi)</option>`);
    const chosen = await agent
      .post(/action="([^"]+)"/.exec(choice)![1]!)
      .type('form')
      .send({ _csrf: csrf, printer: String(printer.id), autoPrint: '1' });
    expect(chosen.status).toBe(303);
    expect(stationPrinterModel(db, bench)).toEqual({ printers: [expect.objectContaining({ id: printer.id })], chosenId: printer.id, autoPrint: true });
    expect(await render('printers/station-printer', { labelPrinter: stationPrinterModel(db, bench) })).toMatch(
      /<option value="\d+" selected>Zebra 1[\s\S]*name="autoPrint" value="1" checked/,
    );

    const button = await render('printers/print-parcel', { code: order.code, parcelId: 'JJD00012345', printerName: 'Zebra 1' });
    expect(button).toContain('Print on Zebra 1');
    const printed = await agent
      .post(/action="([^"]+)"/.exec(button)![1]!)
      .set('X-Station', 'fragment')
      .type('form')
      .send({ _csrf: csrf });
    expect(printed.text).toContain('Label of parcel JJD00012345 (1 of 1) sent to Zebra 1.');
    expect(listener.jobs).toHaveLength(1);
  });
});
