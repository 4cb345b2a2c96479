import { describe, expect, it } from 'vitest';
import { putVerificationMode } from '../../src/shipping/checks.js';
import type { Db } from '../../src/db/client.js';
import { buildPackingOrder, buildProduct, buildUser, reload } from '../builders.js';
import { api, loginAs, loginAtStation, makeApp } from '../helpers.js';
import { apiError, json } from '../json.js';

const GS = '\x1D';
const count = (db: Db, sql: string, ...args: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...args) as number;

/** A packing order of a tent (barcode EAN-13) ×2 and a mug (checked by SKU) ×1, and a product on no line. */
function world(mode: 'off' | 'warn' | 'required') {
  const ctx = makeApp();
  const { db } = ctx;
  putVerificationMode(db, mode, new Date(), 'test');
  buildProduct(db, { sku: 'TENT', name: 'Tent for two', barcode: '5901234123457', onHand: 10 });
  buildProduct(db, { sku: 'MUG', name: 'Enamel mug', onHand: 10 });
  buildProduct(db, { sku: 'SOCK', barcode: '96385074', onHand: 10 });
  buildProduct(db, { sku: 'GIFTCARD', barcode: '09501101020917', trackStock: false, onHand: 0 });
  const order = buildPackingOrder(db, {
    lines: [
      { sku: 'TENT', quantity: 2 },
      { sku: 'MUG', quantity: 1 },
    ],
  });
  return { ...ctx, order };
}

interface CheckStateJson {
  complete: boolean;
  lines: { sku: string; quantity: number; checked: number }[];
  checks: { id: number; sku: string; batch: string | null; serial: string | null; expiry: string | null }[];
}

describe('checking items through the API', () => {
  it('counts units by EAN, GS1-128 (batch, expiry, serial kept) and SKU; refuses wrong, extra and unknown items with details; undo', async () => {
    const { app, db, order } = world('required');
    const post = (barcode: string, quantity?: number) =>
      api(app)
        .post(`/api/v1/orders/${order.code}/checks`)
        .send({ barcode, ...(quantity && { quantity }) });

    const first = await post('5901234123457');
    expect(first.status).toBe(201);
    expect(json<CheckStateJson>(first).lines.find((l) => l.sku === 'TENT')).toMatchObject({ quantity: 2, checked: 1 });
    const gs1 = await post(`]C101059012341234571725063010LOT-7${GS}21SN42`);
    expect(gs1.status).toBe(201);
    expect(json<CheckStateJson>(gs1).checks[1]).toMatchObject({ sku: 'TENT', batch: 'LOT-7', expiry: '250630', serial: 'SN42' });

    const extra = await post('5901234123457');
    expect(extra.status).toBe(409);
    expect(apiError(extra)).toMatchObject({ code: 'item_over_quantity', details: { sku: 'TENT', checked: 2, of: 2 } });
    expect(apiError(await post('96385074'))).toMatchObject({ code: 'item_not_on_order', details: { sku: 'SOCK', code: order.code } });
    expect(apiError(await post('5901234123458'))).toMatchObject({ code: 'barcode_unknown', details: { barcode: '5901234123458' } });
    expect(apiError(await post('NO-SUCH-SKU'))).toMatchObject({ code: 'barcode_unknown' });
    expect(apiError(await post('09501101020917'))).toMatchObject({ code: 'item_not_tracked', details: { sku: 'GIFTCARD' } });
    expect(count(db, 'SELECT count(*) FROM refused_checks')).toBe(0);

    // Required: the delivery is refused until every unit is checked, naming the lines.
    await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'CHK-1' });
    const refused = json<{ failed: { error: { code: string; details: unknown } }[] }>(await api(app).post('/api/v1/deliveries/report').send({}));
    expect(refused.failed[0]!.error).toMatchObject({ code: 'delivery_not_verified', details: { lines: [{ sku: 'MUG', checked: 0, of: 1 }] } });
    expect(reload(db, order.code).status).toBe('packing');

    const mug = json<CheckStateJson>(await post('MUG'));
    expect(mug.complete).toBe(true);
    // Undo the last check, then check again.
    const last = mug.checks.at(-1)!.id;
    const undone = await api(app).delete(`/api/v1/orders/${order.code}/checks/${last}`);
    expect(json<CheckStateJson>(undone).complete).toBe(false);
    expect((await api(app).delete(`/api/v1/orders/${order.code}/checks/${last}`)).status).toBe(404);
    await post('MUG');
    const reported = json<{ reported: unknown[] }>(await api(app).post('/api/v1/deliveries/report').send({}));
    expect(reported.reported).toHaveLength(1);
    expect(reload(db, order.code).status).toBe('shipped');
    const types = db.$client
      .prepare("SELECT type FROM order_events WHERE order_id = ? AND type IN ('item_checked', 'check_undone') ORDER BY id")
      .pluck()
      .all(order.id);
    expect(types).toEqual(['item_checked', 'item_checked', 'item_checked', 'check_undone', 'item_checked']);
  });

  it('required holds on the one-call delivery too', async () => {
    const { app, order } = world('required');
    const res = await api(app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['ONE-1'] });
    expect(res.status).toBe(409);
    expect(apiError(res)).toMatchObject({ code: 'delivery_not_verified' });
  });
});

describe('GS1 read as GS1 reads it, on every path', () => {
  // The same module reads the API's, the station's and the manual order's scans (src/domain/gs1/).
  const impossible = `]C10105901234123457172513011${'0'}LOT-7`;

  it('the API refuses an impossible date, a character outside set 82 and a forbidden pair with the rule and the AI; valid AIs it did not know before are taken', async () => {
    const { app, db, order } = world('required');
    const post = (barcode: string) => api(app).post(`/api/v1/orders/${order.code}/checks`).send({ barcode });
    const refused = await post(impossible);
    expect(refused.status).toBe(422);
    expect(apiError(refused)).toMatchObject({ code: 'barcode_unknown', details: { barcode: impossible, problem: 'bad_date', ai: '17' } });
    expect(apiError(refused).message).toContain('(17) holds a date that does not exist');
    expect(apiError(await post(`]C10105901234123457${'10'}AB#`))).toMatchObject({ details: { problem: 'bad_character', ai: '10' } });
    expect(apiError(await post('(01)05901234123457(02)05901234123457'))).toMatchObject({ details: { problem: 'invalid_pairing', ai: '02', detail: '(01)' } });
    expect(count(db, 'SELECT count(*) FROM delivery_checks')).toBe(0);

    const taken = await post(`]d2010590123412345791INTERNAL${GS}422752${GS}1725063010LOT-9`);
    expect(taken.status).toBe(201);
    expect(json<CheckStateJson>(taken).checks[0]).toMatchObject({ sku: 'TENT', batch: 'LOT-9', expiry: '250630' });
  });

  it('the station shows the refusal in the packer’s language', async () => {
    const { app, db, order } = world('required');
    const packer = await buildUser(db, 'packer', { language: 'fr' });
    const { scanFragment } = await loginAtStation(app, packer.email);
    await scanFragment(order.code, { key: 'a' });
    const res = await scanFragment(`(01)05901234123457(11)250229`, { key: 'b' });
    expect(res.text).toContain('(11) contient une date qui n’existe pas');
    expect(count(db, 'SELECT count(*) FROM delivery_checks')).toBe(0);
  });
});

describe('a SKU that reads as a keyed count', () => {
  it('"3XL-TEE" is that product, not 3 × "L-TEE"; "2*3XL-TEE" is two of it', async () => {
    const ctx = makeApp();
    putVerificationMode(ctx.db, 'required', new Date(), 'test');
    buildProduct(ctx.db, { sku: '3XL-TEE', onHand: 10 });
    buildProduct(ctx.db, { sku: 'L-TEE', onHand: 10 });
    const order = buildPackingOrder(ctx.db, {
      lines: [
        { sku: '3XL-TEE', quantity: 3 },
        { sku: 'L-TEE', quantity: 3 },
      ],
    });
    const post = (barcode: string) => api(ctx.app).post(`/api/v1/orders/${order.code}/checks`).send({ barcode });
    const one = json<CheckStateJson>(await post('3XL-TEE'));
    expect(one.lines.find((l) => l.sku === '3XL-TEE')).toMatchObject({ checked: 1 });
    expect(one.lines.find((l) => l.sku === 'L-TEE')).toMatchObject({ checked: 0 });
    expect(json<CheckStateJson>(await post('2*3XL-TEE')).lines.find((l) => l.sku === '3XL-TEE')).toMatchObject({ checked: 3 });
  });
});

describe('checking items at the packing station', () => {
  it('a scan of an item counts it; wrong, extra, another order’s and untracked items are refused and kept per packer; ship what is checked; REPORT IN', async () => {
    const { app, db, order } = world('required');
    const packer = await buildUser(db, 'packer', { name: 'Pia' });
    const { scanFragment } = await loginAtStation(app, packer.email);
    const other = buildPackingOrder(db, { lines: [{ sku: 'SOCK', quantity: 1 }] });
    // Another order of this station, with a parcel already.
    await scanFragment(other.code, { key: 'o-1' });
    await scanFragment('PARCEL-O1', { key: 'o-p' });
    await scanFragment(order.code, { key: 'o-2' });

    const ok = await scanFragment('5901234123457', { key: 'c-1' });
    expect(ok.text).toMatch(/data-kind="ok"/);
    expect(ok.text).toContain('Checked TENT: 1 of 2.');
    expect(ok.text).toContain('1 of 2 checked');
    expect(Buffer.byteLength(ok.text)).toBeLessThan(20_000);
    const wrong = await scanFragment('96385074', { key: 'c-2' });
    expect(wrong.text).toMatch(/data-kind="error"/);
    expect(wrong.text).toContain(`SOCK is not on order ${order.code}: it belongs to order ${other.code} at this station.`);
    expect((await scanFragment('2*5901234123457', { key: 'c-3' })).text).toContain('One too many TENT: 1 of 2 checked already.');
    expect((await scanFragment('09501101020917', { key: 'c-4' })).text).toContain('is not stock-tracked');
    expect(db.$client.prepare('SELECT reason FROM refused_checks ORDER BY id').pluck().all()).toEqual([
      'item_on_other_order',
      'item_over_quantity',
      'item_not_tracked',
    ]);
    expect(count(db, 'SELECT count(*) FROM delivery_checks')).toBe(1);
    // Tools → Mis-picks: the packer's day, with the reasons.
    const operator = await buildUser(db, 'operator');
    const figures = (await (await loginAs(app, operator.email)).agent.get('/tools/mispicks')).text;
    expect(figures).toMatch(/<td>Pia<\/td>\s*<td class="num">1<\/td>\s*<td class="num">3<\/td>\s*<td class="num">75 %<\/td>/);
    expect(figures).toContain('another order’s 1');

    // A parcel, then Report in is refused while units are unchecked.
    await scanFragment('PARCEL-V1', { key: 'p-1' });
    const refused = await scanFragment('REPORT IN', { key: 'r-1' });
    expect(refused.text).toContain(`Order ${order.code} cannot be reported: not every unit is checked (TENT 1/2, MUG 0/1).`);
    expect(reload(db, order.code).status).toBe('packing');

    // Ship what is checked: the one tent goes now, the rest stays.
    expect((await scanFragment('SHIP CHECKED', { key: 's-1' })).text).toContain('ships what is checked');
    const shipped = await scanFragment('REPORT IN', { key: 'r-2' });
    // The other order's delivery has no checks: it stays, named with why.
    expect(shipped.text).toContain(`Reported 1 delivery (0 orders shipped, 1 partly); 1 not reported: ${other.code}: Order ${other.code} cannot be reported`);
    expect(db.$client.prepare('SELECT l.sku, l.shipped_quantity FROM order_lines l WHERE l.order_id = ? ORDER BY l.id').raw().all(order.id)).toEqual([
      ['TENT', 1],
      ['MUG', 0],
    ]);
  });

  it('with verification off, a product’s own EAN is refused as a parcel ID, and a carrier’s number is taken', async () => {
    const { app, db, order } = world('off');
    const packer = await buildUser(db, 'packer');
    const { scanFragment } = await loginAtStation(app, packer.email);
    await scanFragment(order.code, { key: 'a' });
    const refused = await scanFragment('5901234123457', { key: 'b' });
    expect(refused.text).toContain('5901234123457 is the barcode or SKU of the product TENT, not a parcel ID');
    expect(count(db, 'SELECT count(*) FROM delivery_parcels')).toBe(0);
    expect((await scanFragment('RR123456785SE', { key: 'c' })).text).toContain('Parcel ID RR123456785SE added');
  });

  it('warn: Report in ships and names the units not checked', async () => {
    const { app, db, order } = world('warn');
    const packer = await buildUser(db, 'packer');
    const { scanFragment } = await loginAtStation(app, packer.email);
    await scanFragment(order.code, { key: 'a' });
    await scanFragment('MUG', { key: 'b' });
    await scanFragment('PARCEL-W1', { key: 'c' });
    const res = await scanFragment('REPORT IN', { key: 'd' });
    expect(res.text).toContain(`with units not checked: ${order.code} TENT 0/2.`);
    expect(reload(db, order.code).status).toBe('shipped');
  });
});
