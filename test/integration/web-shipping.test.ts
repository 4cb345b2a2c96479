import { describe, expect, it } from 'vitest';
import { getBrokerSettings } from '../../src/shipping/broker.js';
import { buildOrder, buildPackingOrder, buildUser, reload } from '../builders.js';
import type { Db } from '../../src/db/client.js';
import { api, csrfOf, loginAs, loginAtStation, makeApp } from '../helpers.js';
import { binary, pdfBarcodes } from '../pdf.js';

async function as(role: 'packer' | 'admin') {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, role);
  return { ...ctx, ...(await loginAs(ctx.app, user.email)) };
}

const keyOf = (html: string) => /name="key" value="([^"]+)"/.exec(html)![1]!;
const count = (db: Db, sql: string, ...args: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...args) as number;

describe('naming a packing station', () => {
  it('asks once per device; a bad name is refused next to the field; the name is remembered after signing in again', async () => {
    const { app, db } = makeApp();
    const packer = await buildUser(db, 'packer', { name: 'Pia' });
    const { agent } = await loginAs(app, packer.email);
    const first = await agent.get('/shipping');
    expect(first.text).toContain('Name this packing station');
    const csrf = csrfOf(first.text);
    const bad = await agent
      .post('/shipping/station')
      .type('form')
      .send({ _csrf: csrf, name: 'x'.repeat(41) });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="name-error">A station name is 1–40 characters/);
    expect(bad.text).toContain(`value="${'x'.repeat(41)}"`);
    expect(count(db, 'SELECT count(*) FROM stations')).toBe(0);

    const ok = await agent.post('/shipping/station').type('form').send({ _csrf: csrf, name: '  Bench   2 ' });
    expect(ok.status).toBe(303);
    expect(String(ok.headers['set-cookie'])).toMatch(/station=Bench%202;.*HttpOnly/);
    const page = (await agent.get('/shipping')).text;
    expect(page).toContain('Bench 2 — Pia');
    expect(page).toContain('This device is now the station Bench 2.');

    // The QR code of a desk station opens Shipping out with ?station=: the phone becomes that station.
    const phone = await loginAs(app, packer.email);
    const joined = await phone.agent.get('/shipping?station=Bench%202');
    expect(joined.status).toBe(303);
    expect((await phone.agent.get('/shipping')).text).toContain('Bench 2 — Pia');
    expect(count(db, 'SELECT count(*) FROM stations')).toBe(1);
  });
});

describe('the packing station without JavaScript', () => {
  it('an order code opens the order here; other scans are its parcel IDs; each answer is a redirect with a message', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent, scan } = await loginAtStation(app, packer.email);
    const order = buildPackingOrder(db);
    const message = async (res: { headers: Record<string, string> }) => (await agent.get(res.headers.location!)).text;

    expect(await message(await scan('PARCEL-1'))).toContain('Scan an order code first: PARCEL-1 was not added to any order.');
    const opened = await message(await scan(order.code));
    expect(opened).toContain(`Order ${order.code} selected: scan its parcel IDs.`);
    expect(opened).toMatch(new RegExp(`id="current"[^>]*data-code="${order.code}"`));
    // Product names beside SKUs, readable at arm's length.
    const line = db.$client.prepare('SELECT sku, name FROM order_lines WHERE order_id = ?').get(order.id) as { sku: string; name: string };
    expect(opened).toMatch(new RegExp(`<span class="name">${line.name}</span> <span class="code sku">${line.sku}</span>`));

    expect(await message(await scan(' PARCEL-1 '))).toContain(`Parcel ID PARCEL-1 added to order ${order.code}.`);
    expect(await message(await scan('PARCEL-1'))).toContain('Parcel ID PARCEL-1 is already on this order.');
    expect(count(db, 'SELECT count(*) FROM delivery_parcels')).toBe(1);
  });

  it('a non-packing order code says so; New parcel opens slots up to four; Report in reports once per page', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent, csrf, scan } = await loginAtStation(app, packer.email);
    const order = buildPackingOrder(db);
    const open = buildOrder(db);
    await scan(open.code);
    expect((await agent.get('/shipping')).text).toContain(`Order ${open.code} is Order: it is not on the shipping station.`);

    await scan(order.code);
    for (let i = 0; i < 3; i++) await agent.post(`/shipping/orders/${order.code}/slots`).type('form').send({ _csrf: csrf });
    expect((await agent.get('/shipping')).text.match(/empty-slot/g)).toHaveLength(4);
    await agent.post(`/shipping/orders/${order.code}/slots`).type('form').send({ _csrf: csrf });
    expect((await agent.get('/shipping')).text).toContain(`A delivery has at most 4 parcel IDs: order ${order.code} already has 4.`);

    await scan('P-9');
    const key = keyOf((await agent.get('/shipping')).text);
    await agent.post('/shipping/report').type('form').send({ _csrf: csrf, key });
    expect((await agent.get('/shipping')).text).toContain('Reported 1 delivery: 1 order shipped, 0 partly.');
    // The same form again (a double press, a resent page): nothing more happens, even though another
    // order now has a parcel that a fresh Report in would ship.
    const second = buildPackingOrder(db);
    await scan(second.code);
    await scan('P-10');
    await agent.post('/shipping/report').type('form').send({ _csrf: csrf, key });
    expect((await agent.get('/shipping')).text).toContain('Reported 1 delivery: 1 order shipped, 0 partly.');
    expect(reload(db, second.code).status).toBe('packing');
    expect(reload(db, order.code).status).toBe('shipped');
    expect(count(db, "SELECT count(*) FROM deliveries WHERE status = 'reported'")).toBe(1);
    // The report records the station it came from.
    expect(db.$client.prepare("SELECT reported_from FROM deliveries WHERE status = 'reported'").pluck().get()).toBe(`Bench 1 — ${packer.name}`);
  });

  it('Report in names each order it could not report and still reports the rest', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent, csrf, scan } = await loginAtStation(app, packer.email);
    const stale = buildPackingOrder(db);
    const good = buildPackingOrder(db);
    const sku = count(db, 'SELECT sku FROM order_lines WHERE order_id = ?', stale.id) as unknown as string;
    await scan(stale.code);
    await agent
      .post(`/shipping/orders/${stale.code}/lines`)
      .type('form')
      .send({ _csrf: csrf, [`qty.${sku}`]: '1' });
    await scan('S-1');
    await scan(good.code);
    await scan('G-1');
    // A draft that asks for more than its line has left.
    db.$client.prepare('UPDATE delivery_lines SET quantity = 99').run();
    const remaining = count(db, 'SELECT quantity FROM order_lines WHERE order_id = ?', stale.id);
    await agent
      .post('/shipping/report')
      .type('form')
      .send({ _csrf: csrf, key: keyOf((await agent.get('/shipping')).text) });
    const page = (await agent.get('/shipping')).text;
    expect(page).toContain(`Reported 1 delivery (1 order shipped, 0 partly); 1 not reported: ${stale.code}: Only ${remaining} of ${sku} left to ship.`);
    expect(page).toMatch(/class="scan-status error"/);
    expect(reload(db, good.code).status).toBe('shipped');
    expect(reload(db, stale.code).status).toBe('packing');
  });

  it('a partial delivery form with a bad number changes nothing and says which line', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent, csrf, scan } = await loginAtStation(app, packer.email);
    const o = buildPackingOrder(db);
    const sku = count(db, 'SELECT sku FROM order_lines WHERE order_id = ?', o.id) as unknown as string;
    await scan(o.code);
    await agent
      .post(`/shipping/orders/${o.code}/lines`)
      .type('form')
      .send({ _csrf: csrf, [`qty.${sku}`]: 'two' });
    expect((await agent.get('/shipping')).text).toContain(`The quantity of ${sku} must be a whole number, 0 or more.`);
    expect(count(db, 'SELECT count(*) FROM deliveries')).toBe(0);
  });

  it('command barcodes do what their keys do: NEW PARCEL, PARTIAL, PRINT LABEL, CANCEL, REPORT IN', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent, scan } = await loginAtStation(app, packer.email);
    const order = buildPackingOrder(db);
    expect((await agent.get((await scan('NEW PARCEL')).headers.location!)).text).toContain('Open an order first: scan its code.');
    await scan(order.code);
    await scan('new-parcel');
    expect(count(db, 'SELECT parcel_slots FROM deliveries WHERE order_id = ?', order.id)).toBe(2);
    expect((await scan('PARTIAL')).headers.location).toBe('/shipping?open=partial');
    expect((await agent.get('/shipping?open=partial')).text).toMatch(
      /<form method="post" action="\/shipping\/orders\/\d+\/lines" class="partial-form" id="partial">/,
    );
    await scan('JJD000111');
    expect((await scan('print label')).headers.location).toBe('/shipping?open=label');
    await scan('CANCEL');
    const closed = (await agent.get('/shipping')).text;
    expect(closed).toContain('Order closed: it is back in the queue');
    expect(count(db, 'SELECT count(*) FROM stations WHERE current_order_id IS NOT NULL')).toBe(0);
    // Its delivery stays with the station, and REPORT IN reports it.
    await scan('REPORT IN');
    expect((await agent.get('/shipping')).text).toContain('Reported 1 delivery: 1 order shipped, 0 partly.');
    expect(reload(db, order.code).status).toBe('shipped');
  });

  it('the command sheet is an A4 PDF whose barcodes read as the commands', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent } = await loginAtStation(app, packer.email);
    const res = await agent.get('/shipping/commands.pdf').buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const codes = (await pdfBarcodes(res.body as Buffer)).flat();
    expect(codes.sort()).toEqual(['CANCEL', 'FETCH PARCEL ID', 'NEW PARCEL', 'OK', 'PARTIAL', 'PRINT LABEL', 'REPORT IN', 'SHIP CHECKED', 'UNDO CHECK']);
  });
});

describe('the packing station with its page script', () => {
  it('a scan is answered with a small fragment: ok, duplicate or error, the order card and the station’s deliveries', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { scanFragment } = await loginAtStation(app, packer.email);
    const order = buildPackingOrder(db);
    const opened = await scanFragment(order.code, { key: 'k-1' });
    expect(opened.status).toBe(200);
    expect(opened.text).toMatch(/^<div id="station-update" data-kind="ok"/);
    expect(opened.text).toContain('id="queue"');
    const added = await scanFragment('FRAG-1', { key: 'k-2' });
    expect(added.text).toMatch(/data-kind="ok"/);
    expect(added.text).toContain('data-parcel="FRAG-1"');
    expect(added.text).not.toContain('id="queue"');
    expect(Buffer.byteLength(added.text)).toBeLessThan(20_000);
    // A double scan changes nothing: no queue. An error may be the queue moving on: the queue.
    const duplicate = await scanFragment('FRAG-1', { key: 'k-3' });
    expect(duplicate.text).toMatch(/data-kind="duplicate"/);
    expect(duplicate.text).not.toContain('id="queue"');
    const error = await scanFragment('X'.repeat(36), { key: 'k-4' });
    expect(error.text).toMatch(/data-kind="error"/);
    expect(error.text).toContain('id="queue"');

    // The page's resend of a scan whose answer was lost (same key) is done once.
    const resent = await scanFragment('FRAG-2', { key: 'k-5' });
    expect(resent.text).toContain('data-parcel="FRAG-2"');
    const again = await scanFragment('FRAG-2', { key: 'k-5' });
    expect(again.text).toMatch(/data-kind="ok"/);
    expect(again.text).toContain('Already received: FRAG-2.');
    expect(count(db, 'SELECT count(*) FROM delivery_parcels')).toBe(2);
  });
});

describe('stations side by side', () => {
  it('each station reports only its own deliveries; an order open at one is taken at the other, until taken over (logged)', async () => {
    const { db, app } = makeApp();
    const pia = await buildUser(db, 'packer', { name: 'Pia' });
    const ola = await buildUser(db, 'packer', { name: 'Ola' });
    const bench1 = await loginAtStation(app, pia.email, 'Bench 1');
    const bench2 = await loginAtStation(app, ola.email, 'Bench 2');
    const a = buildPackingOrder(db);
    const b = buildPackingOrder(db);
    await bench1.scan(a.code);
    await bench1.scan('A-1');
    await bench2.scan(b.code);
    await bench2.scan('B-1');

    // Bench 2 scans Bench 1's order: taken, with a takeover offered.
    const taken = await bench2.scan(a.code);
    expect(taken.headers.location).toBe(`/shipping?takeover=${a.code}`);
    const page2 = (await bench2.agent.get(taken.headers.location!)).text;
    expect(page2).toContain(`Order ${a.code} is open at Bench 1 — Pia. Take it over to pack it here.`);
    expect(page2).toContain(`action="/shipping/orders/${a.code}/take-over"`);
    expect(page2).toContain('at Bench 1 — Pia');
    // Nor can Bench 2 write to it by its path.
    await bench2.agent.post(`/shipping/orders/${a.code}/slots`).type('form').send({ _csrf: bench2.csrf });
    expect(count(db, 'SELECT parcel_slots FROM deliveries WHERE order_id = ?', a.id)).toBe(1);

    // Report in at Bench 2 with nothing ticked: Bench 2's delivery only.
    await bench2.agent
      .post('/shipping/report')
      .type('form')
      .send({ _csrf: bench2.csrf, key: keyOf((await bench2.agent.get('/shipping')).text) });
    expect(reload(db, b.code).status).toBe('shipped');
    expect(reload(db, a.code).status).toBe('packing');
    // Ticking another station's order reports nothing of it, and says why.
    await bench2.agent.post('/shipping/report').type('form').send({ _csrf: bench2.csrf, key: 'tick-a', orders: a.code });
    expect((await bench2.agent.get('/shipping')).text).toContain(`${a.code}: Order ${a.code} is open at Bench 1 — Pia.`);
    expect(reload(db, a.code).status).toBe('packing');

    // The takeover: on purpose, logged, the parcels come along and Bench 1 no longer has the order.
    await bench2.agent.post(`/shipping/orders/${a.code}/take-over`).type('form').send({ _csrf: bench2.csrf });
    expect((await bench2.agent.get('/shipping')).text).toContain(`Order ${a.code} taken over from Bench 1 — Pia.`);
    const event = db.$client.prepare("SELECT actor_name AS actor, data FROM order_events WHERE order_id = ? AND type = 'station_takeover'").get(a.id) as {
      actor: string;
      data: string;
    };
    expect(event.actor).toBe('Ola');
    expect(JSON.parse(event.data)).toEqual({ from: 'Bench 1 — Pia', to: 'Bench 2 — Ola' });
    await bench1.agent
      .post('/shipping/report')
      .type('form')
      .send({ _csrf: bench1.csrf, key: keyOf((await bench1.agent.get('/shipping')).text) });
    expect((await bench1.agent.get('/shipping')).text).toContain('Nothing to report');
    expect(reload(db, a.code).status).toBe('packing');
    await bench2.scan('REPORT IN');
    expect(reload(db, a.code).status).toBe('shipped');
    expect(db.$client.prepare('SELECT reported_from FROM deliveries WHERE order_id = ?').pluck().get(a.id)).toBe('Bench 2 — Ola');
  });

  it('the API keeps reporting every open delivery, as documented', async () => {
    const { db, app } = makeApp();
    const pia = await buildUser(db, 'packer', { name: 'Pia' });
    const bench1 = await loginAtStation(app, pia.email, 'Bench 1');
    const a = buildPackingOrder(db);
    await bench1.scan(a.code);
    await bench1.scan('API-1');
    const res = await api(app).post('/api/v1/deliveries/report').send({});
    expect(res.status).toBe(200);
    expect(reload(db, a.code).status).toBe('shipped');
    expect(db.$client.prepare('SELECT reported_from FROM deliveries WHERE order_id = ?').pluck().get(a.id)).toBeNull();
  });
});

describe('Settings → Shipping', () => {
  it('saves the broker; bad input is shown next to the field; the key is kept when left empty', async () => {
    const { db, submit } = await as('admin');
    const bad = await submit('/settings/shipping', '/settings/shipping', {
      kind: 'http',
      companyPrefix: '12',
      extensionDigit: '3',
      httpUrl: '',
      httpTimeoutMs: '5000',
      httpRetries: '2',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="companyPrefix-error">A GS1 company prefix has 7 to 10 digits\./);
    const ok = await submit('/settings/shipping', '/settings/shipping', {
      kind: 'http',
      companyPrefix: '7350053',
      extensionDigit: '1',
      httpUrl: 'https://broker.example/api',
      httpKey: 'k-123',
      httpTimeoutMs: '3000',
      httpRetries: '1',
    });
    expect(ok.status).toBe(302);
    await submit('/settings/shipping', '/settings/shipping', {
      kind: 'http',
      companyPrefix: '7350053',
      extensionDigit: '1',
      httpUrl: 'https://broker.example/api',
      httpKey: '',
      httpTimeoutMs: '3000',
      httpRetries: '1',
    });
    expect(getBrokerSettings(db)).toMatchObject({ kind: 'http', httpUrl: 'https://broker.example/api', httpKey: 'k-123', httpTimeoutMs: 3000 });
  });
});
