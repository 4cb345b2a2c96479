import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../../src/domain/gtin.js';
import { HttpBroker } from '../../src/carriers/http-broker.js';
import type { CarrierAdapter } from '../../src/carriers/types.js';
import { ssccOf } from '../../src/carriers/sscc.js';
import { DEFAULT_BROKER, putBrokerSettings } from '../../src/shipping/broker.js';
import contentDisposition from 'content-disposition';
import { buildPackingOrder, buildUser } from '../builders.js';
import { api, loginAs, makeApp, makeDb } from '../helpers.js';
import { apiError, json, type DraftJson, type FetchedParcelsJson } from '../json.js';
import { loopbackServer } from '../loopback.js';
import { binary, bytesOf, pdfBarcodes, pdfPages, pdfText } from '../pdf.js';
import { tempDir } from '../temp.js';

/** A shipping broker played by a real HTTP server on loopback. */
async function brokerServer(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const server = await loopbackServer('/v1', (res, got, req) => handle(req, got[got.length - 1]!.body, res));
  return {
    url: server.url,
    get calls() {
      return server.got.map((g) => ({ auth: g.headers.authorization, body: g.body ? (JSON.parse(g.body) as unknown) : null }));
    },
  };
}

const request = { orderCode: '1234567897', count: 2, shipTo: { name: 'Åsa', line1: null, line2: null, postalCode: null, city: 'Kiruna', country: 'SE' } };
const http = (url: string, more: Partial<typeof DEFAULT_BROKER> = {}) =>
  new HttpBroker({ ...DEFAULT_BROKER, httpUrl: url, httpKey: 'secret-key', httpTimeoutMs: 300, httpRetries: 2, ...more });

describe('the built-in SSCC series', () => {
  it('gives valid SSCCs from the company prefix, never the same twice, across restarts', async () => {
    const dir = tempDir('sscc');
    const path = join(dir, 'shop.db');
    const first = makeApp({ db: makeDb(path) });
    putBrokerSettings(first.db, { ...DEFAULT_BROKER, companyPrefix: '7350053', extensionDigit: 1 }, new Date(), 'test');
    const a = buildPackingOrder(first.db);
    const res = await api(first.app).post(`/api/v1/orders/${a.code}/parcels/fetch`).send({ count: 2 });
    expect(res.status).toBe(201);
    expect(json<FetchedParcelsJson>(res).parcelIds).toEqual([ssccOf(1, '7350053', 1), ssccOf(1, '7350053', 2)]);
    for (const id of json<FetchedParcelsJson>(res).parcelIds) {
      expect(id).toMatch(/^17350053\d{10}$/);
      expect(gs1CheckDigit(id.slice(0, 17))).toBe(id[17]);
    }
    expect(json<DraftJson>(res).parcels.map((p) => p.source)).toEqual(['sscc', 'sscc']);
    first.db.$client.close();

    // Another process on the same file continues the series.
    const second = makeApp({ db: makeDb(path) });
    const b = buildPackingOrder(second.db);
    const next = await api(second.app).post(`/api/v1/orders/${b.code}/parcels/fetch`).send({});
    expect(json<FetchedParcelsJson>(next).parcelIds).toEqual([ssccOf(1, '7350053', 3)]);
  });

  it('refuses more than the four a delivery takes', async () => {
    const { app, db } = makeApp();
    const order = buildPackingOrder(db);
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'HAND-1' });
    const res = await api(app).post(`/api/v1/orders/${order.code}/parcels/fetch`).send({ count: 4 });
    expect(res.status).toBe(422);
    expect(apiError(res)).toMatchObject({
      code: 'too_many_parcels',
      message: `Order ${order.code} has room for 3 more parcel IDs, not 4: a delivery has at most 4.`,
    });
    expect(db.$client.prepare("SELECT count(*) FROM sequences WHERE name = 'sscc'").pluck().get()).toBe(0);
  });
});

describe('a broker over HTTP', () => {
  it('asks with the key and the order, and takes the parcel IDs it answers', async () => {
    const broker = await brokerServer((_req, _body, res) =>
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ parcelIds: ['JJD0001', 'JJD0002'] })),
    );
    expect(await http(broker.url).parcelIds(request)).toEqual(['JJD0001', 'JJD0002']);
    expect(broker.calls).toEqual([{ auth: 'Bearer secret-key', body: request }]);
  });

  it('is an adapter like the carriers’: book gives its IDs as parcels, a lookup finds nothing, a cancel does nothing', async () => {
    const broker = await brokerServer((_req, _body, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"parcelIds":["JJD0003"]}'));
    const adapter: CarrierAdapter = http(broker.url);
    const signal = AbortSignal.timeout(5000);
    const booking = await adapter.book(
      {
        reference: '1234567897',
        orderCode: '1234567897',
        service: 'broker',
        sender: { name: '', line1: '', postalCode: '', city: '', country: '' },
        recipient: { name: 'Åsa', line1: '', postalCode: '', city: 'Kiruna', country: 'SE' },
        parcels: [{ weightGrams: 1 }],
        labelFormat: 'pdf',
        test: false,
      },
      { signal },
    );
    expect(booking).toEqual({ carrierRef: 'JJD0003', parcels: [{ parcelId: 'JJD0003', trackingUrl: null }], labels: [] });
    // The broker's wire format is unchanged: what the order does not have is null.
    expect(broker.calls).toEqual([{ auth: 'Bearer secret-key', body: { ...request, count: 1 } }]);
    expect(await adapter.findByReference('1234567897', { signal })).toBeNull();
    await expect(adapter.cancel('JJD0003', { signal })).resolves.toBeUndefined();
  });

  it('retries a 500 and takes the next answer', async () => {
    let n = 0;
    const broker = await brokerServer((_req, _body, res) =>
      n++ === 0 ? res.writeHead(500).end('{"error":{"message":"database busy"}}') : res.writeHead(200).end('{"parcelIds":["A1","A2"]}'),
    );
    expect(await http(broker.url).parcelIds(request)).toEqual(['A1', 'A2']);
    expect(broker.calls).toHaveLength(2);
  });

  it("gives up after its retries with the broker's own message", async () => {
    const broker = await brokerServer((_req, _body, res) => res.writeHead(503).end('{"error":{"message":"maintenance until 06:00"}}'));
    await expect(http(broker.url).parcelIds(request)).rejects.toMatchObject({
      code: 'broker_failed',
      message: 'The shipping broker did not give parcel IDs: HTTP 503: maintenance until 06:00',
    });
    expect(broker.calls).toHaveLength(3);
  });

  it('a broker that hangs times out', async () => {
    const broker = await brokerServer(() => {
      // never answers
    });
    const t0 = performance.now();
    await expect(http(broker.url, { httpRetries: 1 }).parcelIds(request)).rejects.toMatchObject({
      message: 'The shipping broker did not give parcel IDs: no answer within 300 ms',
    });
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('a malformed answer is refused, not retried', async () => {
    const broker = await brokerServer((_req, _body, res) => res.writeHead(200).end('{"ids":[1]}'));
    await expect(http(broker.url).parcelIds(request)).rejects.toMatchObject({ message: expect.stringContaining('malformed answer (expected 2 parcel IDs)') });
    expect(broker.calls).toHaveLength(1);
  });

  it("through the API: 502 with the broker's message, and the delivery unchanged", async () => {
    const broker = await brokerServer((_req, _body, res) => res.writeHead(400).end('{"message":"unknown postal code 99999"}'));
    const { app, db } = makeApp();
    putBrokerSettings(db, { ...DEFAULT_BROKER, kind: 'http', httpUrl: broker.url, httpKey: 'k', httpTimeoutMs: 500, httpRetries: 0 }, new Date(), 'test');
    const order = buildPackingOrder(db);
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'KEEP-1' });
    const res = await api(app).post(`/api/v1/orders/${order.code}/parcels/fetch`).send({ count: 1 });
    expect(res.status).toBe(502);
    expect(apiError(res)).toMatchObject({ code: 'broker_failed', message: 'The shipping broker did not give parcel IDs: HTTP 400: unknown postal code 99999' });
    expect(json<DraftJson>(await api(app).get(`/api/v1/orders/${order.code}/delivery`)).parcels.map((p) => p.parcelId)).toEqual(['KEEP-1']);
  });
});

describe('shipping labels', () => {
  it('100×150 mm, the SSCC as GS1-128 and any other parcel ID as Code 128, both readable', async () => {
    const { app, db } = makeApp();
    const order = buildPackingOrder(db, {
      body: { customer: { name: 'Łukasz Żółć', email: 'l@example.com', address: { line1: 'Długa 5', postalCode: '00-238', city: 'Warszawa', country: 'PL' } } },
    });
    const sscc = ssccOf(3, '7350000', 42);
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: sscc });
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'JJD00012345' });
    const res = await api(app).get(`/api/v1/orders/${order.code}/documents/label.pdf?parcel=${sscc}`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const { sizes } = await pdfPages(bytesOf(res));
    expect(sizes[0]!.width).toBeCloseTo(100, 0);
    expect(sizes[0]!.height).toBeCloseTo(150, 0);
    const codes = (await pdfBarcodes(bytesOf(res), 200))[0]!;
    expect(codes).toContain(order.code);
    expect(codes.some((c) => c.replace(/^\x1d/, '') === `00${sscc}`)).toBe(true);
    const text = await pdfText(bytesOf(res));
    expect(text).toContain('Łukasz Żółć');
    expect(text).toContain(`(00) ${sscc}`);
    expect(text).toContain('Parcel 1 of 2');
    const other = await api(app).get(`/api/v1/orders/${order.code}/documents/label.pdf?parcel=JJD00012345`).buffer(true).parse(binary);
    expect((await pdfBarcodes(bytesOf(other), 200))[0]).toEqual(expect.arrayContaining(['JJD00012345', order.code]));
    const missing = await api(app).get(`/api/v1/orders/${order.code}/documents/label.pdf?parcel=NOPE`);
    expect(missing.status).toBe(404);
    expect(apiError(missing).code).toBe('parcel_not_found');
  });

  it('a parcel ID with quotes, angle brackets and a slash gets a well-formed download name, on the API and the station', async () => {
    // Printable ASCII without spaces: a shop's own form (or a broker) lets these through, so they reach the header.
    const { app, db } = makeApp({ db: makeDb(':memory:', { parcelForms: ['[\\x21-\\x7E]+'] }) });
    const { agent } = await loginAs(app, (await buildUser(db, 'packer')).email);
    const order = buildPackingOrder(db);
    const odd = ['"><svg/onload=alert(1)>', 'x";filename=evil.html', "a\\b'%41;c"];
    for (const parcelId of odd) expect((await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId })).status).toBe(201);
    for (const parcelId of odd) {
      const query = `parcel=${encodeURIComponent(parcelId)}`;
      for (const res of [
        await api(app).get(`/api/v1/orders/${order.code}/documents/label.pdf?${query}`).buffer(true).parse(binary),
        await agent.get(`/shipping/orders/${order.code}/label.pdf?${query}`).buffer(true).parse(binary),
      ]) {
        expect(res.status).toBe(200);
        const header = res.headers['content-disposition'] as string;
        expect(contentDisposition.parse(header)).toEqual({ type: 'inline', parameters: { filename: `label-${parcelId.replace(/[\\/]/g, '_')}.pdf` } });
        expect(await pdfText(bytesOf(res))).toContain(parcelId);
      }
    }
    // Line breaks and non-ASCII never become a parcel ID, so they cannot reach the header at all.
    for (const parcelId of ['A\r\nSet-Cookie: x=1', 'Åsa-1']) {
      expect(apiError(await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId })).code).toBe('validation_failed');
      const label = await api(app).get(`/api/v1/orders/${order.code}/documents/label.pdf?parcel=${encodeURIComponent(parcelId)}`);
      expect(label.status).toBe(404);
      expect(label.headers['content-disposition']).toBeUndefined();
    }
  });
});
