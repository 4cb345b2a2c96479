import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { savePrinter } from '../../src/printers/service.js';
import { buildPackingOrder, buildProduct, buildUser, reload } from '../builders.js';
import { carrierEnv, carrierMethod, CREDENTIALS } from '../carriers/setup.js';
import { startShipmondoFake } from '../carriers/shipmondo/fake.js';
import { startFakeBring } from '../carriers/bring/fake.js';
import { api, loginAs, loginAtStation, makeApp } from '../helpers.js';
import { apiError } from '../json.js';
import { printedBarcodes, printerListener } from '../label-printer.js';
import { binary } from '../pdf.js';

// "Fetch parcel ID" for an order whose shipping method books with a carrier, end to end: the
// station's routes, the booking service, the Shipmondo adapter and a fake of Shipmondo played from
// its published description (every request checked against it).

const rows = <T>(db: Db, sql: string, ...args: unknown[]) => db.$client.prepare(sql).all(...args) as T[];
const one = (db: Db, sql: string, ...args: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...args);

const isBooking = (r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith('/shipments');
const isLookup = (r: { method: string; path: string }) => r.method === 'GET' && r.path.endsWith('/shipments');

/** A packer at a station, a Shipmondo account on the fake (ZPL labels), and a packing order shipped by it. */
async function bench(opts: { timeoutMs?: number; labelFormat?: 'zpl' | 'pdf' } = {}) {
  const { app, db, clock } = makeApp({ env: carrierEnv(opts.timeoutMs) });
  const fake = await startShipmondoFake();
  carrierMethod(db, { kind: 'shipmondo', baseUrl: fake.baseUrl, service: 'GLSDK_HD', code: 'gls', labelFormat: opts.labelFormat ?? 'zpl' });
  const packer = await buildUser(db, 'packer', { name: 'Pia' });
  const station = await loginAtStation(app, packer.email);
  const order = buildPackingOrder(db, { body: { shippingMethod: 'gls' } });
  await station.scan(order.code);
  const post = (path: string) => station.agent.post(path).set('X-Station', 'fragment').type('form').send({ _csrf: station.csrf });
  const fetchIds = () => post(`/shipping/orders/${order.code}/fetch`);
  return { app, db, clock, fake, station, order, post, fetchIds };
}

const messageOf = (html: string) => /<output id="scan-message">([^<]*)<\/output>/.exec(html)?.[1]?.replaceAll('&#39;', "'") ?? '';
const parcelsOf = (db: Db, orderId: number) =>
  rows<{ parcel_id: string; source: string; booking_id: number | null; tracking_url: string | null }>(
    db,
    'SELECT p.parcel_id, p.source, p.booking_id, p.tracking_url FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id WHERE d.order_id = ? ORDER BY p.id',
    orderId,
  );
const attemptsOf = (db: Db, orderId: number) =>
  rows<{ reference: string; status: string; parcel_count: number; carrier_ref: string | null; problem: string | null }>(
    db,
    'SELECT reference, status, parcel_count, carrier_ref, problem FROM carrier_bookings WHERE order_id = ? ORDER BY id',
    orderId,
  );
const callsOf = (db: Db, orderId: number) =>
  rows<{ data: string }>(db, "SELECT data FROM order_events WHERE order_id = ? AND type = 'carrier_call' ORDER BY id", orderId).map(
    (e) => JSON.parse(e.data) as Record<string, unknown>,
  );

describe('Fetch parcel ID books with the order’s carrier', () => {
  it('books, prints the carrier’s ZPL on the station’s printer (its barcode is the parcel number), and logs the call without the credentials', async () => {
    const { app, db, clock, fake, station, order, fetchIds } = await bench();
    const printer = await printerListener();
    const zebra = savePrinter(db, null, { name: 'Zebra 1', host: '127.0.0.1', port: printer.port, dpi: 203 }, clock());
    await station.agent
      .post('/shipping/printer')
      .type('form')
      .send({ _csrf: station.csrf, printer: String(zebra.id) });

    const res = await fetchIds();
    expect(res.status).toBe(200);
    const [booked] = [...fake.bookings.values()];
    const parcelId = booked!.packageNumbers[0]!;
    expect(messageOf(res.text)).toBe(`Booked with Shipmondo for order ${order.code}: ${parcelId}. Label sent to Zebra 1.`);
    expect(fake.violations).toEqual([]);
    expect(fake.bookings.size).toBe(1);
    expect(booked!.orderId).toBe(`${order.code}-${attemptsOf(db, order.id)[0]!.reference.split('-').at(-2)}-1`);
    expect(parcelsOf(db, order.id)).toEqual([{ parcel_id: parcelId, source: 'carrier', booking_id: expect.any(Number), tracking_url: null }]);
    expect(attemptsOf(db, order.id)).toMatchObject([{ status: 'booked', parcel_count: 1, carrier_ref: String(booked!.id) }]);

    // The printer got the carrier's label as sent: zbar reads the parcel number off it.
    expect(printer.jobs).toHaveLength(1);
    expect(await printedBarcodes(printer.jobs[0]!, 203)).toEqual([{ type: 'CODE-128', gs1: false, data: parcelId }]);

    const [call] = callsOf(db, order.id);
    expect(call).toMatchObject({ call: 'book', result: 'booked', carrier: 'Shipmondo', service: 'GLSDK_HD', reference: booked!.orderId, parcels: [parcelId] });
    expect(call!.durationMs).toEqual(expect.any(Number));
    const history = JSON.stringify(rows(db, 'SELECT data FROM order_events WHERE order_id = ?', order.id));
    for (const secret of Object.values(CREDENTIALS.shipmondo)) expect(history).not.toContain(secret);
    // The order page says it in words.
    const operator = await loginAs(app, (await buildUser(db, 'operator')).email);
    const page = (await operator.agent.get(`/orders/${order.code}`)).text;
    expect(page).toContain(`Shipmondo (shipmondo test account), booking ${booked!.orderId}: booked in`);
  });

  it('a second press with every slot filled books nothing; two presses at once book once', async () => {
    const { db, fake, order, fetchIds, post } = await bench();
    await fetchIds();
    const again = await fetchIds();
    expect(messageOf(again.text)).toContain(`Every parcel slot of order ${order.code} has its parcel ID: nothing was booked.`);
    expect(fake.bookings.size).toBe(1);

    // Two slots more, then two presses at once: one books both, the other books nothing.
    await post(`/shipping/orders/${order.code}/slots`);
    await post(`/shipping/orders/${order.code}/slots`);
    const both = await Promise.all([fetchIds(), fetchIds()]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(fake.bookings.size).toBe(2);
    expect(parcelsOf(db, order.id)).toHaveLength(3);
    expect(fake.violations).toEqual([]);
  });

  it('two stations at once: the order is one station’s, and one booking is made', async () => {
    const { app, db, fake, order, fetchIds } = await bench();
    const other = await loginAtStation(app, (await buildUser(db, 'packer', { name: 'Olle' })).email, 'Bench 2');
    const [mine, theirs] = await Promise.all([
      fetchIds(),
      other.agent.post(`/shipping/orders/${order.code}/fetch`).set('X-Station', 'fragment').type('form').send({ _csrf: other.csrf }),
    ]);
    expect(messageOf(mine.text)).toContain('Booked with Shipmondo');
    expect(messageOf(theirs.text)).toContain(`is open at Bench 1`);
    expect(fake.bookings.size).toBe(1);
  });

  it('a timeout after the carrier booked: the booking is found by its reference, nothing is booked twice', async () => {
    const { db, fake, order, fetchIds } = await bench({ timeoutMs: 600 });
    fake.failNext(isBooking, { kind: 'hang-after' });
    const res = await fetchIds();
    const [booked] = [...fake.bookings.values()];
    expect(messageOf(res.text)).toContain(`Found the booking Shipmondo made before its answer was lost, for order ${order.code}: ${booked!.packageNumbers[0]}`);
    expect(fake.bookings.size).toBe(1);
    expect(attemptsOf(db, order.id)).toMatchObject([{ status: 'booked', carrier_ref: String(booked!.id) }]);
    expect(callsOf(db, order.id).map((c) => [c.call, c.result])).toEqual([
      ['book', 'unknown'],
      ['lookup', 'found'],
    ]);
    expect(fake.violations).toEqual([]);
  });

  it('a lost answer whose lookup fails too: the packer is told, and the next press finds the booking instead of booking again', async () => {
    const { db, fake, order, fetchIds } = await bench();
    fake.failNext(isBooking, { kind: 'drop-after' });
    fake.failNext(isLookup, { kind: 'status', status: 503, body: { error: 'maintenance' } });
    const lost = await fetchIds();
    expect(messageOf(lost.text)).toContain('Could not ask Shipmondo about booking');
    expect(attemptsOf(db, order.id)).toMatchObject([{ status: 'unknown' }]);
    expect(parcelsOf(db, order.id)).toEqual([]);

    const again = await fetchIds();
    expect(messageOf(again.text)).toContain('Found the booking Shipmondo made before its answer was lost');
    expect(fake.bookings.size).toBe(1);
    expect(fake.requests.filter(isBooking)).toHaveLength(1);
    expect(parcelsOf(db, order.id)).toHaveLength(1);
  });

  it('the carrier’s refusal is said in words naming the field; nothing is half-booked, and the next press books', async () => {
    const { db, fake, order, fetchIds } = await bench();
    fake.failNext(isBooking, { kind: 'status', status: 422, body: { error: 'Receiver zipcode is not valid for the product' } });
    const refused = await fetchIds();
    expect(messageOf(refused.text)).toBe(
      "Shipmondo refused the booking: the recipient's postcode: Receiver zipcode is not valid for the product. Nothing was booked.",
    );
    expect(attemptsOf(db, order.id)).toMatchObject([{ status: 'refused', problem: 'recipient.postalCode: Receiver zipcode is not valid for the product' }]);
    expect(parcelsOf(db, order.id)).toEqual([]);
    expect(messageOf((await fetchIds()).text)).toContain('Booked with Shipmondo');
    expect(attemptsOf(db, order.id).map((a) => a.status)).toEqual(['refused', 'booked']);
  });

  it('a booking in flight (pending, its process alive) refuses a second press; a pending one whose process died is looked up', async () => {
    const { db, clock, fake, order, fetchIds } = await bench();
    const draft = await fetchIds().then(() => Number(one(db, 'SELECT delivery_id FROM carrier_bookings WHERE order_id = ?', order.id)));
    // As a call still in flight leaves it: pending, owned by a live process (this one), for a new slot.
    db.$client.prepare('UPDATE deliveries SET parcel_slots = 2 WHERE id = ?').run(draft);
    const insert = db.$client.prepare(
      "INSERT INTO carrier_bookings (order_id, delivery_id, account_id, carrier_kind, service, reference, attempt, status, parcel_count, owner, started_at, created_by) SELECT order_id, delivery_id, account_id, carrier_kind, service, ?, 2, 'pending', 1, ?, ?, 'test' FROM carrier_bookings WHERE order_id = ?",
    );
    insert.run(`${order.code}-${draft}-2`, `${process.ppid}:elsewhere`, clock().getTime(), order.id);
    expect(messageOf((await fetchIds()).text)).toBe(`Order ${order.code} is being booked with the carrier right now: wait for its answer.`);
    expect(fake.bookings.size).toBe(1);

    // Its process is gone (a restart): the attempt is looked up (not found: never booked), and a new one books.
    db.$client.prepare("UPDATE carrier_bookings SET owner = '2147483646:gone', started_at = started_at - 600000 WHERE status = 'pending'").run();
    expect(messageOf((await fetchIds()).text)).toContain('Booked with Shipmondo');
    expect(attemptsOf(db, order.id).map((a) => a.status)).toEqual(['booked', 'not_booked', 'booked']);
    expect(fake.bookings.size).toBe(2);
  });

  it('a lost answer the carrier does not show yet is not booked again until it has had time; Report in waits for it', async () => {
    const { db, fake, station, order, fetchIds, post } = await bench();
    await fetchIds();
    await post(`/shipping/orders/${order.code}/slots`);
    // A 5xx: the carrier may have booked. The lookup right after finds nothing, which is not believed yet.
    fake.failNext(isBooking, { kind: 'status', status: 502, body: { error: 'gateway' } });
    const lost = await fetchIds();
    expect(messageOf(lost.text)).toMatch(/^Shipmondo does not show booking \d+-\d+-2 yet/);
    expect(attemptsOf(db, order.id).map((a) => a.status)).toEqual(['booked', 'unknown']);
    expect(messageOf((await fetchIds()).text)).toContain('does not show booking');
    expect(fake.requests.filter(isBooking)).toHaveLength(2);

    // Report in ships nothing while the answer is unknown.
    const report = await station.agent.post('/shipping/report').set('X-Station', 'fragment').type('form').send({ _csrf: station.csrf, key: 'r-unknown' });
    expect(messageOf(report.text)).toContain('whose answer was lost: press Fetch parcel ID to look it up before the order ships');
    expect(reload(db, order.code).status).toBe('packing');

    // Time enough has passed: not found is believed, and the parcel is booked.
    db.$client.prepare("UPDATE carrier_bookings SET started_at = started_at - 600000 WHERE status = 'unknown'").run();
    expect(messageOf((await fetchIds()).text)).toContain('Booked with Shipmondo');
    expect(attemptsOf(db, order.id).map((a) => a.status)).toEqual(['booked', 'not_booked', 'booked']);
    expect(fake.bookings.size).toBe(2);
  });

  it('an answer no lookup can give is settled on the order page by an operator who checked the portal; then it books again', async () => {
    const { app, db, fake, order, fetchIds } = await bench();
    fake.failNext(isBooking, { kind: 'status', status: 502, body: { error: 'gateway' } });
    fake.failNext(isLookup, { kind: 'status', status: 503, body: { error: 'maintenance' } });
    await fetchIds();
    expect(attemptsOf(db, order.id).map((a) => a.status)).toEqual(['unknown']);

    const operator = await loginAs(app, (await buildUser(db, 'operator', { name: 'Olga' })).email);
    const page = (await operator.agent.get(`/orders/${order.code}`)).text;
    const reference = attemptsOf(db, order.id)[0]!.reference;
    expect(page).toContain(`Shipmondo, booking ${reference}, begun`);
    const action = /action="(\/orders\/\d+\/bookings\/\d+\/not-booked)"/.exec(page)![1]!;
    const settled = await operator.submit(`/orders/${order.code}`, action, {
      formKey: /name="formKey" value="([^"]+)"/.exec(page.slice(page.indexOf(action)))![1]!,
    });
    expect(settled.status).toBe(302);
    expect(attemptsOf(db, order.id)).toMatchObject([{ status: 'not_booked', problem: 'checked by hand' }]);
    expect(callsOf(db, order.id).at(-1)).toMatchObject({ call: 'manual', result: 'not_booked', reference });
    const after = (await operator.agent.get(`/orders/${order.code}`)).text;
    expect(after).toContain(`Booking ${reference} with Shipmondo is marked not booked`);
    expect(after).not.toContain('id="unsettled-bookings"');

    expect(messageOf((await fetchIds()).text)).toContain('Booked with Shipmondo');
    expect(fake.bookings.size).toBe(1);
  });

  it('removing one of two parcels cancels the booking at the carrier and books the other again; Report in ships it', async () => {
    const { app, db, clock, fake, station, order, fetchIds, post } = await bench({ labelFormat: 'pdf' });
    await post(`/shipping/orders/${order.code}/slots`);
    await fetchIds();
    const [first] = [...fake.bookings.values()];
    const [keep, remove] = first!.packageNumbers;
    const removed = await post(`/shipping/orders/${order.code}/parcels/${remove}/remove`);
    expect(fake.cancelled).toEqual([first!.id]);
    const [, second] = [...fake.bookings.values()];
    expect(second!.packageNumbers).toHaveLength(1);
    expect(messageOf(removed.text)).toContain(`Parcel ${remove} removed from order ${order.code} and cancelled at Shipmondo.`);
    expect(messageOf(removed.text)).toContain(`booked again: ${second!.packageNumbers[0]}`);
    expect(parcelsOf(db, order.id).map((p) => p.parcel_id)).toEqual([second!.packageNumbers[0]]);
    expect(parcelsOf(db, order.id).map((p) => p.parcel_id)).not.toContain(keep);
    expect(attemptsOf(db, order.id).map((a) => a.status)).toEqual(['cancelled', 'booked']);

    // The booking's label opens as the carrier's PDF.
    const label = await station.agent.get(`/shipping/orders/${order.code}/label.pdf?parcel=${second!.packageNumbers[0]}`).buffer(true).parse(binary);
    expect(label.status).toBe(200);
    expect(label.headers['content-type']).toBe('application/pdf');
    const stored = db.$client
      .prepare("SELECT data FROM carrier_labels l JOIN carrier_bookings b ON b.id = l.booking_id WHERE b.status = 'booked'")
      .pluck()
      .get() as Buffer;
    expect(Buffer.from(label.body as Buffer).equals(stored)).toBe(true);
    // The API serves the same carrier label; a label printer is refused it (the shop's own would lack the routing).
    const byApi = await api(app).get(`/api/v1/orders/${order.code}/documents/label.pdf?parcel=${second!.packageNumbers[0]}`).buffer(true).parse(binary);
    expect(Buffer.from(byApi.body as Buffer).equals(stored)).toBe(true);
    const printer = savePrinter(db, null, { name: 'Zebra 2', host: '127.0.0.1', port: 9, dpi: 203 }, clock());
    await station.agent
      .post('/shipping/printer')
      .type('form')
      .send({ _csrf: station.csrf, printer: String(printer.id) });
    const printed = await post(`/shipping/orders/${order.code}/parcels/${second!.packageNumbers[0]}/print`);
    expect(messageOf(printed.text)).toBe(
      `The carrier sent the label of ${second!.packageNumbers[0]} as PDF: open it with the parcel's Label link and print it from there.`,
    );

    const reported = await station.agent.post('/shipping/report').set('X-Station', 'fragment').type('form').send({ _csrf: station.csrf, key: 'report-1' });
    expect(messageOf(reported.text)).toContain('Reported 1');
    expect(reload(db, order.code).status).toBe('shipped');
    expect(fake.violations).toEqual([]);
  });

  it('a carrier that cannot cancel (Bring): only the removed parcel leaves, and the station says the booking stands', async () => {
    const { app, db } = makeApp({ env: carrierEnv() });
    const bring = await startFakeBring();
    carrierMethod(db, { kind: 'bring', baseUrl: `${bring.url}/booking/api`, service: '5600', code: 'bring-home', labelFormat: 'pdf' });
    const packer = await buildUser(db, 'packer');
    const station = await loginAtStation(app, packer.email);
    const order = buildPackingOrder(db, { body: { shippingMethod: 'bring-home' } });
    await station.scan(order.code);
    const post = (path: string) => station.agent.post(path).set('X-Station', 'fragment').type('form').send({ _csrf: station.csrf });
    await post(`/shipping/orders/${order.code}/slots`);
    expect(messageOf((await post(`/shipping/orders/${order.code}/fetch`)).text)).toContain('Booked with Bring');
    const [one1, two] = parcelsOf(db, order.id).map((p) => p.parcel_id);
    const removed = await post(`/shipping/orders/${order.code}/parcels/${two}/remove`);
    expect(messageOf(removed.text)).toContain(`Parcel ${two} removed from order ${order.code}, but Bring could not cancel its booking`);
    expect(parcelsOf(db, order.id).map((p) => p.parcel_id)).toEqual([one1]);
    expect(bring.violations).toEqual([]);
  });

  it('an order edit that would drop a delivery with booked parcels is refused: they are cancelled at the station first', async () => {
    const { app, db, station } = await bench();
    const [a, b] = [buildProduct(db, { onHand: 5 }).sku, buildProduct(db, { onHand: 5 }).sku];
    const order = buildPackingOrder(db, {
      lines: [
        { sku: a, quantity: 1 },
        { sku: b, quantity: 1 },
      ],
      body: { shippingMethod: 'gls' },
    });
    // The first line has gone in a delivery of its own; the second is booked with the carrier.
    await api(app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({
        parcels: ['HANDA1'],
        lines: [
          { sku: a, quantity: 1 },
          { sku: b, quantity: 0 },
        ],
      })
      .expect(201);
    await station.scan(order.code);
    await station.agent.post(`/shipping/orders/${order.code}/fetch`).set('X-Station', 'fragment').type('form').send({ _csrf: station.csrf });
    expect(db.$client.prepare("SELECT count(*) FROM carrier_bookings WHERE order_id = ? AND status = 'booked'").pluck().get(order.id)).toBe(1);

    // Removing the second line leaves nothing to ship, which would drop the open delivery and its booking.
    const line = db.$client.prepare('SELECT id FROM order_lines WHERE order_id = ? AND sku = ?').pluck().get(order.id, b) as number;
    const res = await api(app).delete(`/api/v1/orders/${order.code}/lines/${line}`);
    expect(apiError(res)).toMatchObject({ code: 'booking_in_progress', message: expect.stringContaining('remove them at the packing station first') });
    expect(reload(db, order.code).status).toBe('packing');
    expect(db.$client.prepare("SELECT count(*) FROM carrier_bookings WHERE order_id = ? AND status = 'booked'").pluck().get(order.id)).toBe(1);
  });

  it('the API fetches through the same booking, and says which source gave the parcel IDs', async () => {
    const { app, fake, order } = await bench();
    const res = await api(app).post(`/api/v1/orders/${order.code}/parcels/fetch`).send({ count: 2 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ source: 'carrier', booking: { carrier: 'Shipmondo', how: 'booked' } });
    expect((res.body as { parcelIds: string[] }).parcelIds).toHaveLength(2);
    expect(fake.bookings.size).toBe(1);
    const refused = await api(app).post(`/api/v1/orders/${order.code}/parcels/fetch`).send({ count: 3 });
    expect(apiError(refused).code).toBe('too_many_parcels');
  });
});
