import { describe, expect, it } from 'vitest';
import { getBrokerSettings } from '../../src/shipping/broker.js';
import { buildOrder, buildPackingOrder, buildUser, reload } from '../builders.js';
import { csrfOf, loginAs, makeApp } from '../helpers.js';

async function as(role: 'packer' | 'admin') {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, role);
  return { ...ctx, ...(await loginAs(ctx.app, user.email)) };
}

describe('the shipping station without JavaScript', () => {
  it('an order code selects the order; other scans are its parcel IDs; each answer is a redirect with a message', async () => {
    const { db, agent } = await as('packer');
    const order = buildPackingOrder(db);
    const page = await agent.get('/shipping');
    const csrf = csrfOf(page.text);
    const scan = (value: string, selected = '') => agent.post('/shipping/scan').type('form').send({ _csrf: csrf, value, selected });

    const first = await scan('PARCEL-1');
    expect(first.status).toBe(303);
    expect((await agent.get(first.headers.location!)).text).toContain('Scan an order code first: PARCEL-1 was not added to any order.');

    const select = await scan(order.code);
    expect(select.headers.location).toBe(`/shipping?selected=${order.code}#order-${order.code}`);
    const selected = (await agent.get(`/shipping?selected=${order.code}`)).text;
    expect(selected).toContain(`Order ${order.code} selected: scan its parcel IDs.`);
    expect(selected).toMatch(new RegExp(`class="station-order selected" id="order-${order.code}"`));

    await scan(' PARCEL-1 ', order.code);
    const added = (await agent.get(`/shipping?selected=${order.code}`)).text;
    expect(added).toContain(`Parcel ID PARCEL-1 added to order ${order.code} (1/4).`);
    expect(added).toContain('data-parcel="PARCEL-1"');

    await scan('PARCEL-1', order.code);
    expect((await agent.get('/shipping')).text).toContain('Parcel ID PARCEL-1 is already on this order.');
  });

  it('a non-packing order code says so; a + opens slots up to four; Report in reports once per page', async () => {
    const { db, agent } = await as('packer');
    const order = buildPackingOrder(db);
    const open = buildOrder(db);
    const page = await agent.get('/shipping');
    const csrf = csrfOf(page.text);
    await agent.post('/shipping/scan').type('form').send({ _csrf: csrf, value: open.code });
    expect((await agent.get('/shipping')).text).toContain(`Order ${open.code} is Order: it is not on the shipping station.`);

    for (let i = 0; i < 3; i++) await agent.post(`/shipping/orders/${order.code}/slots`).type('form').send({ _csrf: csrf });
    expect((await agent.get('/shipping')).text.match(/empty-slot/g)).toHaveLength(4);
    await agent.post(`/shipping/orders/${order.code}/slots`).type('form').send({ _csrf: csrf });
    expect((await agent.get('/shipping')).text).toContain(`A delivery has at most 4 parcel IDs: order ${order.code} already has 4.`);

    await agent.post('/shipping/scan').type('form').send({ _csrf: csrf, value: 'P-9', selected: order.code });
    const key = /name="key" value="([^"]+)"/.exec((await agent.get('/shipping')).text)![1]!;
    await agent.post('/shipping/report').type('form').send({ _csrf: csrf, key });
    expect((await agent.get('/shipping')).text).toContain('Reported 1 deliveries: 1 orders shipped, 0 partly.');
    // The same form again (a double click, a resent page): nothing more happens, even though another
    // order now has a parcel that a fresh Report in would ship.
    const second = buildPackingOrder(db);
    await agent.post('/shipping/scan').type('form').send({ _csrf: csrf, value: 'P-10', selected: second.code });
    await agent.post('/shipping/report').type('form').send({ _csrf: csrf, key });
    expect((await agent.get('/shipping')).text).toContain('Reported 1 deliveries: 1 orders shipped, 0 partly.');
    expect(reload(db, second.code).status).toBe('packing');
    expect(reload(db, order.code).status).toBe('shipped');
    expect(db.$client.prepare("SELECT count(*) FROM deliveries WHERE status = 'reported'").pluck().get()).toBe(1);
  });

  it('Report in names each order it could not report and still reports the rest', async () => {
    const { db, agent } = await as('packer');
    const stale = buildPackingOrder(db);
    const good = buildPackingOrder(db);
    const sku = db.$client.prepare('SELECT sku FROM order_lines WHERE order_id = ?').pluck().get(stale.id) as string;
    const csrf = csrfOf((await agent.get('/shipping')).text);
    await agent.post(`/shipping/orders/${stale.code}/lines`).type('form').send({ _csrf: csrf, [`qty.${sku}`]: '1' });
    await agent.post('/shipping/scan').type('form').send({ _csrf: csrf, value: 'S-1', selected: stale.code });
    await agent.post('/shipping/scan').type('form').send({ _csrf: csrf, value: 'G-1', selected: good.code });
    // A draft that asks for more than its line has left.
    db.$client.prepare('UPDATE delivery_lines SET quantity = 99').run();
    const remaining = db.$client.prepare('SELECT quantity FROM order_lines WHERE order_id = ?').pluck().get(stale.id) as number;
    const key = /name="key" value="([^"]+)"/.exec((await agent.get('/shipping')).text)![1]!;
    await agent.post('/shipping/report').type('form').send({ _csrf: csrf, key });
    const page = (await agent.get('/shipping')).text;
    expect(page).toContain(`Reported 1 deliveries (1 orders shipped, 0 partly); 1 not reported: ${stale.code}: Only ${remaining} of ${sku} remain unshipped.`);
    expect(page).toMatch(/class="flash flash-error"/);
    expect(reload(db, good.code).status).toBe('shipped');
    expect(reload(db, stale.code).status).toBe('packing');
  });

  it('a partial delivery form with a bad number changes nothing and says which line', async () => {
    const { db, agent } = await as('packer');
    const o = buildPackingOrder(db);
    const sku = db.$client.prepare('SELECT sku FROM order_lines WHERE order_id = ?').pluck().get(o.id) as string;
    const csrf = csrfOf((await agent.get('/shipping')).text);
    await agent.post(`/shipping/orders/${o.code}/lines`).type('form').send({ _csrf: csrf, [`qty.${sku}`]: 'two' });
    expect((await agent.get('/shipping')).text).toContain(`The quantity of ${sku} must be a whole number, 0 or more.`);
    expect(db.$client.prepare('SELECT count(*) FROM deliveries').pluck().get()).toBe(0);
  });
});

describe('Settings → Shipping', () => {
  it('saves the broker; bad input is shown next to the field; the key is kept when left empty', async () => {
    const { db, submit } = await as('admin');
    const bad = await submit('/settings/shipping', '/settings/shipping', { kind: 'http', companyPrefix: '12', extensionDigit: '3', httpUrl: '', httpTimeoutMs: '5000', httpRetries: '2' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="companyPrefix-error">A GS1 company prefix has 7 to 10 digits\./);
    const ok = await submit('/settings/shipping', '/settings/shipping', { kind: 'http', companyPrefix: '7350053', extensionDigit: '1', httpUrl: 'https://broker.example/api', httpKey: 'k-123', httpTimeoutMs: '3000', httpRetries: '1' });
    expect(ok.status).toBe(302);
    await submit('/settings/shipping', '/settings/shipping', { kind: 'http', companyPrefix: '7350053', extensionDigit: '1', httpUrl: 'https://broker.example/api', httpKey: '', httpTimeoutMs: '3000', httpRetries: '1' });
    expect(getBrokerSettings(db)).toMatchObject({ kind: 'http', httpUrl: 'https://broker.example/api', httpKey: 'k-123', httpTimeoutMs: 3000 });
  });
});
