import { describe, expect, it } from 'vitest';
import { putCustomStatus } from '../../src/custom-statuses/service.js';
import { buildOrder, buildPackingOrder, buildProduct, buildShippedOrder, buildUser, productBySku, reload } from '../builders.js';
import { csrfOf, loginAs, makeApp } from '../helpers.js';

async function as(role: 'operator' | 'admin' | 'packer' = 'operator') {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, role);
  const session = await loginAs(ctx.app, user.email);
  return { ...ctx, ...session };
}

describe('order page', () => {
  it('offers only the moves the state machine allows, and records the notify tick', async () => {
    const { db, agent, submit } = await as();
    const order = buildPackingOrder(db);
    const html = (await agent.get(`/orders/${order.code}`)).text;
    expect(html).toMatch(/<option value="order"[^>]*>Unpack/);
    expect(html).toMatch(/<option value="cancelled"[^>]*>Cancel order/);
    expect(html).not.toMatch(/<option value="shipped">/);
    const res = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'cancelled', notifyCustomer: 'on' });
    expect(res.status).toBe(302);
    const page = (await agent.get(`/orders/${order.code}`)).text;
    expect(page).toContain('Status changed to Cancelled; the customer e-mail is queued.');
    expect(page).toContain('Status Packing → Cancelled · customer to be notified');
    expect(page).toMatch(/<option value="order"[^>]*>Reopen/);
  });

  it('a refused move is shown on the page, not as a crash', async () => {
    const { db, submit } = await as();
    const order = buildShippedOrder(db);
    const res = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'cancelled' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('An order in status Shipped cannot move to Cancelled.');
  });

  it('saves waiting, reviewed, priority, custom status and comment', async () => {
    const { db, agent, submit } = await as();
    putCustomStatus(db, 'GIFT', { label: 'Gift wrap', color: '#7c3aed' }, new Date());
    const order = buildOrder(db);
    await submit(`/orders/${order.code}`, `/orders/${order.code}/details`, { waiting: 'on', reviewed: 'on', priority: '8', customStatus: 'GIFT', comment: 'Ring twice' });
    expect(reload(db, order.code)).toMatchObject({ waiting: true, reviewed: true, priority: 8, comment: 'Ring twice' });
    const html = (await agent.get(`/orders/${order.code}`)).text;
    expect(html).toContain('Waiting: No → Yes · Reviewed: No → Yes · Priority: 5 → 8 · Comment: “Ring twice” · Custom status: — → GIFT');
    // Unticking a box clears the flag.
    await submit(`/orders/${order.code}`, `/orders/${order.code}/details`, { priority: '8', customStatus: '', comment: '' });
    expect(reload(db, order.code)).toMatchObject({ waiting: false, reviewed: false, customStatusId: null, comment: null });
  });

  it('adds a product by scanning its barcode, and lets the user choose when a search matches several', async () => {
    const { db, agent, submit } = await as();
    buildProduct(db, { sku: 'MUG-RED', name: 'Mug red', barcode: '7350000001006' });
    buildProduct(db, { sku: 'MUG-BLUE', name: 'Mug blue' });
    const order = buildOrder(db);
    const scanned = await submit(`/orders/${order.code}`, `/orders/${order.code}/lines`, { product: '7350000001006', quantity: '1' });
    expect(scanned.status).toBe(302);
    expect(productBySku(db, 'MUG-RED').reserved).toBe(1);

    const many = await submit(`/orders/${order.code}`, `/orders/${order.code}/lines`, { product: 'mug', quantity: '2' });
    expect(many.status).toBe(422);
    expect(many.text).toContain('Several products match “mug”: choose one.');
    expect(many.text).toContain('value="MUG-BLUE"');
    // The text typed is still in the field.
    expect(many.text).toMatch(/name="product" value="mug"/);
    await agent.post(`/orders/${order.code}/lines`).type('form').send({ _csrf: csrfOf(many.text), product: 'MUG-BLUE', quantity: '2' });
    expect(productBySku(db, 'MUG-BLUE').reserved).toBe(2);

    const none = await submit(`/orders/${order.code}`, `/orders/${order.code}/lines`, { product: 'zzz', quantity: '1' });
    expect(none.text).toContain('No product matches “zzz”.');
  });

  it('changes and removes lines; refusals keep the number typed next to the line', async () => {
    const { db, agent, submit } = await as();
    buildProduct(db, { sku: 'A', onHand: 3 });
    buildProduct(db, { sku: 'B', onHand: 3 });
    const order = buildPackingOrder(db, { lines: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }] });
    const [a, b] = db.$client.prepare('SELECT id FROM order_lines WHERE order_id = ? ORDER BY id').pluck().all(order.id) as number[];
    const tooMany = await submit(`/orders/${order.code}`, `/orders/${order.code}/lines/${a}`, { quantity: '7' });
    expect(tooMany.status).toBe(409);
    expect(tooMany.text).toContain('Not enough A in stock for a packing order: 5 more wanted, 1 available.');
    expect(tooMany.text).toMatch(new RegExp(`form="line-${a}" type="number" name="quantity"[^>]*value="7"`));
    await submit(`/orders/${order.code}`, `/orders/${order.code}/lines/${a}`, { quantity: '3' });
    expect(productBySku(db, 'A').allocated).toBe(3);
    await submit(`/orders/${order.code}`, `/orders/${order.code}/lines/${b}`, { remove: '1' });
    expect(productBySku(db, 'B').allocated).toBe(0);
    const page = (await agent.get(`/orders/${order.code}`)).text;
    expect(page).toContain('Line A: 2 → 3');
    expect(page).toContain('Line removed: B');
  });

  it('locks the lines of a shipped order', async () => {
    const { db, agent } = await as();
    const order = buildShippedOrder(db);
    const html = (await agent.get(`/orders/${order.code}`)).text;
    expect(html).toContain('A shipped order’s lines cannot change.');
    expect(html).not.toContain('name="product"');
  });

  it('deletes with a confirmation page, for admins only', async () => {
    const op = await as('operator');
    const order = buildOrder(op.db);
    expect((await op.agent.get(`/orders/${order.code}/delete`)).status).toBe(403);
    expect((await op.agent.get(`/orders/${order.code}`)).text).not.toContain('/delete');

    const admin = await as('admin');
    const o2 = buildOrder(admin.db, { lines: [{ sku: buildProduct(admin.db, { sku: 'D' }).sku, quantity: 2 }] });
    const confirm = await admin.agent.get(`/orders/${o2.code}/delete`);
    expect(confirm.text).toContain(`Delete order ${o2.code}?`);
    const res = await admin.agent.post(`/orders/${o2.code}/delete`).type('form').send({ _csrf: csrfOf(confirm.text) });
    expect(res.headers.location).toBe('/orders');
    expect(reload(admin.db, o2.code)).toBeUndefined();
    expect(productBySku(admin.db, 'D').reserved).toBe(0);
  });
});

describe('order list', () => {
  it('keeps every filter in the URL and opens advanced search when one is set', async () => {
    const { db, agent } = await as();
    buildOrder(db);
    const plain = (await agent.get('/orders')).text;
    expect(plain).toMatch(/<details class="advanced" >/);
    const filtered = (await agent.get('/orders?paid=no&from=2026-01-01&minValue=5')).text;
    expect(filtered).toMatch(/<details class="advanced" open>/);
    expect(filtered).toContain('value="2026-01-01"');
    expect(filtered).toMatch(/<option value="no" selected>/);
  });

  it('shows a bad filter next to the form instead of failing', async () => {
    const { db, agent } = await as();
    buildOrder(db);
    const res = await agent.get('/orders?minValue=lots&status=shipped');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Value from: Type an amount, e.g. 499 or 499,50.');
    // The other filters still apply.
    expect(res.text).toMatch(/<option value="shipped" selected>/);
  });

  it('applies bulk actions and reports orders it could not change', async () => {
    const { db, agent } = await as();
    putCustomStatus(db, 'CALL', { label: 'Call customer', color: '#dc2626' }, new Date());
    const a = buildOrder(db);
    const b = buildOrder(db);
    const shipped = buildShippedOrder(db);
    const page = await agent.get('/orders');
    const post = (fields: Record<string, string | string[]>) => agent.post('/orders/bulk').type('form').send({ _csrf: csrfOf(page.text), back: '/orders?status=order', ...fields });

    const cs = await post({ codes: [a.code, b.code], action: 'custom_status', customStatus: 'CALL' });
    expect(cs.headers.location).toBe('/orders?status=order');
    expect(reload(db, a.code).customStatusId).not.toBeNull();
    await post({ codes: [a.code], action: 'waiting_on' });
    expect(reload(db, a.code).waiting).toBe(true);
    await post({ codes: [a.code, b.code], action: 'reviewed' });
    expect(reload(db, b.code).reviewed).toBe(true);

    const confirm = await post({ codes: [a.code, shipped.code], action: 'cancel' });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Cancel orders?');
    expect(reload(db, a.code).status).toBe('order');
    const done = await agent.post('/orders/bulk').type('form').send({ _csrf: csrfOf(confirm.text), action: 'cancel', confirmed: 'yes', codes: [a.code, shipped.code], back: '/orders' });
    expect(done.headers.location).toBe('/orders');
    expect(reload(db, a.code).status).toBe('cancelled');
    expect(reload(db, shipped.code).status).toBe('shipped');
    const after = (await agent.get('/orders')).text;
    expect(after).toContain(`Done for 1 order(s); 1 could not be changed: ${shipped.code}: An order in status Shipped cannot move to Cancelled.`);

    const offsite = await agent.post('/orders/bulk').type('form').send({ _csrf: csrfOf(after), action: 'reviewed', codes: a.code, back: 'https://evil.example/' });
    expect(offsite.headers.location).toBe('/orders');
  });
});

describe('Settings → Custom statuses', () => {
  it('creates, renames everywhere, and offers to clear a status in use before deleting it', async () => {
    const { db, agent, submit } = await as('admin');
    const created = await submit('/settings/statuses', '/settings/statuses', { code: 'gift', label: 'Gift wrap', color: '#7c3aed' });
    expect(created.status).toBe(302);
    const dup = await submit('/settings/statuses', '/settings/statuses', { code: 'GIFT', label: 'Again', color: '#000000' });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('Custom status GIFT already exists');
    const order = buildOrder(db);
    await submit(`/orders/${order.code}`, `/orders/${order.code}/details`, { priority: '5', customStatus: 'GIFT', comment: '' });
    await submit('/settings/statuses', '/settings/statuses/GIFT', { label: 'Gift wrapping', color: '#7c3aed' });
    expect((await agent.get('/orders')).text).toContain('Gift wrapping');

    const inUse = await submit('/settings/statuses', '/settings/statuses/GIFT/delete', {});
    expect(inUse.status).toBe(409);
    expect(inUse.text).toContain('Take it off 1 order(s) and delete');
    const cleared = await agent.post('/settings/statuses/GIFT/delete').type('form').send({ _csrf: csrfOf(inUse.text), clear: 'yes' });
    expect(cleared.status).toBe(302);
    expect(reload(db, order.code).customStatusId).toBeNull();
  });

  it('is for admins only', async () => {
    const { agent } = await as('operator');
    expect((await agent.get('/settings/statuses')).status).toBe(403);
  });
});
