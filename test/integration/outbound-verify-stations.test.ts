import { describe, expect, it } from 'vitest';
import { writeTransaction, type Db } from '../../src/db/client.js';
import { AppError } from '../../src/errors.js';
import { checkItemIn, putVerificationMode, undoCheck } from '../../src/shipping/checks.js';
import { ensureStation, openOrderAt } from '../../src/shipping/stations.js';
import { buildPackingOrder, buildProduct, buildUser, reload } from '../builders.js';
import { dbDigest } from '../digest.js';
import { api, csrfOf, loginAs, loginAtStation, makeApp } from '../helpers.js';

// Outbound → Verify respects the packing stations: an order open at a station, or with an open
// delivery of one, is that packer's work. Checks and undos from Outbound are refused inside the
// checks' write transaction until someone takes the order over from the verify view (logged).

const count = (db: Db, sql: string, ...args: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...args) as number;
const checksOf = (db: Db, orderId: number) =>
  db.$client
    .prepare('SELECT c.id, c.quantity, c.station_id FROM delivery_checks c JOIN deliveries d ON d.id = c.delivery_id WHERE d.order_id = ? ORDER BY c.id')
    .raw()
    .all(orderId);
const historyOf = (db: Db, orderId: number) => db.$client.prepare('SELECT id, type FROM order_events WHERE order_id = ? ORDER BY id').raw().all(orderId);
const openAt = (db: Db, orderId: number) => db.$client.prepare('SELECT name FROM stations WHERE current_order_id = ?').pluck().all(orderId);
const lineOf = (html: string, sku: string) => {
  const start = html.indexOf(`<tr data-sku="${sku}"`);
  if (start < 0) throw new Error(`no line ${sku} on the page`);
  return html.slice(start, html.indexOf('</tr>', start));
};

/** Verification "required"; a tent (EAN-13) ×2 on a packing order; Pia packs at Bench 1, Ola verifies from Outbound. */
async function world() {
  const ctx = makeApp();
  const { db, app } = ctx;
  putVerificationMode(db, 'required', new Date(), 'test');
  buildProduct(db, { sku: 'TENT', name: 'Tent for two', barcode: '5901234123457', onHand: 10 });
  const order = buildPackingOrder(db, { lines: [{ sku: 'TENT', quantity: 2 }] });
  const pia = await buildUser(db, 'packer', { name: 'Pia' });
  const ola = await buildUser(db, 'packer', { name: 'Ola' });
  const bench = await loginAtStation(app, pia.email, 'Bench 1');
  const outbound = await loginAs(app, ola.email);
  const verifyUrl = `/outbound/orders/${order.code}/verify`;
  const csrf = csrfOf((await outbound.agent.get('/outbound')).text);
  const post = (path: 'checks' | 'checks/undo' | 'take-over', fields: Record<string, string> = {}, asFragment = false) => {
    const req = outbound.agent.post(`/outbound/orders/${order.code}/${path}`);
    return (asFragment ? req.set('X-Outbound', 'fragment') : req).type('form').send({ _csrf: csrf, ...fields });
  };
  return { ...ctx, order, pia, ola, bench, outbound, verifyUrl, post };
}

/** Every way Ola could write to the order from Outbound: each refused with where the order is, nothing written. */
async function expectRefused(w: Awaited<ReturnType<typeof world>>) {
  const { db, order, outbound, verifyUrl, post } = w;
  const before = { digest: dbDigest(db), checks: checksOf(db, order.id), history: historyOf(db, order.id) };
  const said = `Order ${order.code} is open at Bench 1 — Pia. Take it over to check it here.`;

  // The page: where the order is, no scan field to type into, the take-over form with its own button.
  const page = await outbound.agent.get(verifyUrl);
  expect(page.status).toBe(200);
  expect(page.text).toContain(`Order ${order.code} is being packed at Bench 1 — Pia.`);
  expect(page.text).toMatch(/<form method="post" action="[^"]+\/checks" id="verify-scan"[^>]* hidden>/);
  expect(page.text).toContain(`<form method="post" action="/outbound/orders/${order.code}/take-over" id="verify-takeover"`);
  expect(page.text).toMatch(/<button type="submit" aria-describedby="verify-held-text">Take over order \d+<\/button>/);
  expect(page.text).not.toContain('id="verify-undo"');

  // The forms, without the script (a redirect and the message) and with it (the fragment, 409).
  const check = await post('checks', { barcode: '5901234123457' });
  expect(check.status).toBe(303);
  expect((await outbound.agent.get(check.headers.location!)).text).toContain(said);
  const checkFragment = await post('checks', { barcode: '5901234123457', quantity: '1' }, true);
  expect(checkFragment.status).toBe(409);
  expect(checkFragment.text).toMatch(/^\s*<section id="verify-state"[^>]* data-kind="error"[^>]* data-held="1">/);
  expect(checkFragment.text).toContain(said);
  const undo = await post('checks/undo');
  expect(undo.status).toBe(303);
  expect((await outbound.agent.get(undo.headers.location!)).text).toContain(said);
  expect((await post('checks/undo', {}, true)).status).toBe(409);

  // Nothing written: no check, no undo, no history row, not even a mis-pick.
  expect(checksOf(db, order.id)).toEqual(before.checks);
  expect(historyOf(db, order.id)).toEqual(before.history);
  expect(count(db, 'SELECT count(*) FROM refused_checks')).toBe(0);
  expect(dbDigest(db)).toBe(before.digest);
}

describe('Outbound → Verify and the packing stations', () => {
  it('(a) an order open at a station: the page, checks and undos from Outbound are refused, naming the station and packer', async () => {
    const w = await world();
    await w.bench.scan(w.order.code);
    expect(openAt(w.db, w.order.id)).toEqual(['Bench 1']);
    await expectRefused(w);
  });

  it('(b) an order closed at its station but with its open delivery there is refused too', async () => {
    const w = await world();
    await w.bench.scan(w.order.code);
    await w.bench.scan('PARCEL-B1');
    await w.bench.agent.post('/shipping/release').type('form').send({ _csrf: w.bench.csrf });
    expect(openAt(w.db, w.order.id)).toEqual([]);
    expect(count(w.db, "SELECT count(*) FROM deliveries WHERE order_id = ? AND status = 'draft' AND station_id IS NOT NULL", w.order.id)).toBe(1);
    await expectRefused(w);
  });

  it('(c) after Ola takes it over from Outbound: she can verify, Bench 1 no longer has it, the history says so, and Bench 1’s Report in leaves it', async () => {
    const w = await world();
    const { db, order, bench, outbound, verifyUrl, post } = w;
    await bench.scan(order.code);
    await bench.scan('PARCEL-C1');
    expect((await bench.scanFragment('5901234123457')).text).toContain('Checked TENT: 1 of 2.');
    const openHere = `data-code="${order.code}" data-print-url`;
    expect((await bench.agent.get('/shipping')).text).toContain(openHere);

    const taken = await post('take-over');
    expect(taken.status).toBe(303);
    expect(taken.headers.location).toBe(verifyUrl);
    const page = (await outbound.agent.get(verifyUrl)).text;
    expect(page).toContain(`Order ${order.code} taken over from Bench 1 — Pia: check its items here.`);
    expect(page).not.toContain('id="verify-takeover"');
    expect(page).toMatch(/<form method="post" action="[^"]+\/checks" id="verify-scan" class="verify-scan" autocomplete="off">/);
    // The open delivery (its parcel and Pia's check) stays on the order, belonging to no station.
    expect(openAt(db, order.id)).toEqual([]);
    expect(db.$client.prepare("SELECT station_id FROM deliveries WHERE order_id = ? AND status = 'draft'").pluck().all(order.id)).toEqual([null]);
    expect(count(db, 'SELECT count(*) FROM delivery_parcels')).toBe(1);
    const event = db.$client.prepare("SELECT actor_name AS actor, data FROM order_events WHERE order_id = ? AND type = 'outbound_takeover'").get(order.id) as {
      actor: string;
      data: string;
    };
    expect(event.actor).toBe('Ola');
    expect(JSON.parse(event.data)).toEqual({ from: 'Bench 1 — Pia' });
    const admin = await buildUser(db, 'admin');
    expect((await (await loginAs(w.app, admin.email)).agent.get(`/orders/${order.code}`)).text).toContain('Taken over in Outbound from Bench 1 — Pia');

    // Ola verifies: her check completes the order's units.
    const checked = await post('checks', { barcode: '5901234123457' }, true);
    expect(checked.status).toBe(200);
    expect(lineOf(checked.text, 'TENT')).toContain('2 of 2 checked');
    expect(count(db, 'SELECT count(*) FROM delivery_checks')).toBe(2);

    // Bench 1 no longer has the order open, and its Report in ships nothing of it, though every unit is checked.
    expect((await bench.agent.get('/shipping')).text).not.toContain(openHere);
    const report = await bench.scanFragment('REPORT IN');
    expect(report.text).toContain('Nothing to report');
    expect(reload(db, order.code).status).toBe('packing');
    // A second press of Take over, with no station holding it, changes nothing.
    const before = dbDigest(db);
    await post('take-over');
    expect((await outbound.agent.get(verifyUrl)).text).toContain(`Order ${order.code} is not held at any packing station`);
    expect(dbDigest(db)).toBe(before);
  });

  it('(d) a free order verifies as before, also when the API made its open delivery', async () => {
    const w = await world();
    const { db, order, outbound, verifyUrl, post } = w;
    await api(w.app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'API-D1' }).expect(201);
    const page = await outbound.agent.get(verifyUrl);
    expect(page.text).toMatch(/<input id="verify-barcode" name="barcode"[^>]* autofocus/);
    expect(page.text).not.toContain('verify-takeover');
    const checked = await post('checks', { barcode: '5901234123457' });
    expect(checked.status).toBe(303);
    expect((await outbound.agent.get(verifyUrl)).text).toContain('Checked TENT: 1 of 2.');
    expect((await post('checks/undo', {}, true)).text).toContain(`Check undone: 1 × TENT on order ${order.code}.`);
    expect(await post('checks', { barcode: '2*5901234123457' }, true).then((r) => r.text)).toContain('Every unit is checked.');
    expect(
      historyOf(db, order.id)
        .map((r) => (r as unknown[])[1])
        .filter((t) => t === 'item_checked' || t === 'check_undone'),
    ).toEqual(['item_checked', 'check_undone', 'item_checked']);
  });

  it('(e) Pia checks 1 of 2; Ola cannot undo it or check the other from Outbound; Pia’s Report in still waits for her second check', async () => {
    const w = await world();
    const { db, order, bench } = w;
    await bench.scan(order.code);
    expect((await bench.scanFragment('5901234123457')).text).toContain('Checked TENT: 1 of 2.');
    await bench.scan('PARCEL-E1');

    await expectRefused(w);
    expect(checksOf(db, order.id)).toHaveLength(1);

    const refused = await bench.scanFragment('REPORT IN');
    expect(refused.text).toContain(`Order ${order.code} cannot be reported: not every unit is checked (TENT 1/2).`);
    expect(reload(db, order.code).status).toBe('packing');
    expect((await bench.scanFragment('5901234123457')).text).toContain('Checked TENT: 2 of 2.');
    await bench.scanFragment('REPORT IN');
    expect(reload(db, order.code).status).toBe('shipped');
  });

  it('the rule is in the writer, inside its transaction: a station opening the order after the page was loaded still refuses the check', async () => {
    const w = await world();
    const { db, order, outbound, verifyUrl, post, bench } = w;
    // The page is loaded while the order is free: the scan field is there.
    expect((await outbound.agent.get(verifyUrl)).text).toMatch(/id="verify-scan" class="verify-scan" autocomplete="off">/);
    // Meanwhile Pia opens it at her bench; then Ola's scan arrives.
    await bench.scan(order.code);
    const before = dbDigest(db);
    const late = await post('checks', { barcode: '5901234123457' }, true);
    expect(late.status).toBe(409);
    expect(late.text).toContain('data-held="1"');
    expect(dbDigest(db)).toBe(before);

    // Called as Outbound's view calls them, the writers refuse in the same transaction that opens the order.
    const ctx = { actor: { type: 'user' as const, id: w.ola.id, name: 'Ola' }, now: w.clock(), outbound: true as const };
    const other = buildPackingOrder(db, { lines: [{ sku: 'TENT', quantity: 1 }] });
    let thrown: unknown;
    try {
      writeTransaction(db, (tx) => {
        openOrderAt(tx, ensureStation(tx, w.pia.id, 'Bench 2', w.clock()), other);
        checkItemIn(tx, other.code, { barcode: '5901234123457' }, ctx);
      });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: 'order_at_station', status: 409, params: { station: 'Bench 2', packer: 'Pia' } });
    expect(() => undoCheck(db, order.code, 'last', ctx)).toThrow(expect.objectContaining({ code: 'order_at_station' }) as Error);
    expect(count(db, 'SELECT count(*) FROM delivery_checks')).toBe(0);
    // The API has no station and keeps checking any open delivery, as documented.
    expect((await api(w.app).post(`/api/v1/orders/${order.code}/checks`).send({ barcode: '5901234123457' })).status).toBe(201);
  });
});
