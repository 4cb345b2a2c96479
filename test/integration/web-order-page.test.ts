import { describe, expect, it } from 'vitest';
import { saveMethod } from '../../src/carriers/accounts.js';
import { putCustomStatus } from '../../src/custom-statuses/service.js';
import { reportDrafts } from '../../src/shipping/drafts.js';
import { bookParcels } from '../carrier-parcels.js';
import { getEmailSettings, putEmailSettings } from '../../src/email/settings.js';
import { buildCancelledOrder, buildOrder, buildPackingOrder, buildProduct, buildShippedOrder, buildUser, productBySku, reload } from '../builders.js';
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
    expect(html).toMatch(/<option value="order"[^>]*>Back to Order/);
    expect(html).toMatch(/<option value="cancelled"[^>]*>Cancel order/);
    expect(html).not.toMatch(/<option value="shipped">/);
    const res = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, {
      status: 'cancelled',
      notifyCustomer: 'on',
      confirmed: 'yes',
      from: 'packing',
    });
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
    await submit(`/orders/${order.code}`, `/orders/${order.code}/details`, {
      waiting: 'on',
      reviewed: 'on',
      priority: '8',
      customStatus: 'GIFT',
      comment: 'Ring twice',
    });
    expect(reload(db, order.code)).toMatchObject({ waiting: true, reviewed: true, priority: 8, comment: 'Ring twice' });
    const html = (await agent.get(`/orders/${order.code}`)).text;
    expect(html).toContain('Waiting: No → Yes · Reviewed: No → Yes · Priority: 5 → 8 · Comment: “Ring twice” · Custom status: — → Gift wrap');
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
    await agent
      .post(`/orders/${order.code}/lines`)
      .type('form')
      .send({ _csrf: csrfOf(many.text), product: 'MUG-BLUE', quantity: '2' });
    expect(productBySku(db, 'MUG-BLUE').reserved).toBe(2);

    const none = await submit(`/orders/${order.code}`, `/orders/${order.code}/lines`, { product: 'zzz', quantity: '1' });
    expect(none.text).toContain('No product matches “zzz”.');
  });

  it('changes and removes lines; refusals keep the number typed next to the line', async () => {
    const { db, agent, submit } = await as();
    buildProduct(db, { sku: 'A', onHand: 3 });
    buildProduct(db, { sku: 'B', onHand: 3 });
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ],
    });
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
    const res = await admin.agent
      .post(`/orders/${o2.code}/delete`)
      .type('form')
      .send({ _csrf: csrfOf(confirm.text) });
    expect(res.headers.location).toBe('/orders');
    expect(reload(admin.db, o2.code)).toBeUndefined();
    expect(productBySku(admin.db, 'D').reserved).toBe(0);
  });
});

/** The hidden fields of the confirmation step's form, as a browser would send them back. */
function confirmFields(html: string): Record<string, string> {
  const form = /<form[^>]*class="[^"]*confirm-actions[^"]*"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error('no confirmation form on the page');
  const unescape = (v: string) =>
    v
      .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  // The CSRF token is the test's own (submit adds it).
  const hidden = [...form[1]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].filter((m) => m[1] !== '_csrf');
  return Object.fromEntries(hidden.map((m) => [m[1]!, unescape(m[2]!)]));
}

/** Status rows in the order's log: a refused or unconfirmed request must not add one. */
const statusEvents = (db: ReturnType<typeof makeApp>['db'], orderId: number) =>
  db.$client.prepare("SELECT count(*) FROM order_events WHERE order_id = ? AND type = 'status_changed'").pluck().get(orderId) as number;
const mailsOf = (db: ReturnType<typeof makeApp>['db'], orderId: number, template: string) =>
  db.$client
    .prepare('SELECT to_address AS toAddress, subject, text_body AS text FROM email_outbox WHERE order_id = ? AND template = ?')
    .all(orderId, template) as { toAddress: string; subject: string; text: string }[];

describe('status form: nothing preselected, cancel and unpack confirmed', () => {
  it('starts on "— choose —"; sending it unchosen changes nothing and says so next to the select', async () => {
    const { db, agent, submit } = await as();
    const order = buildOrder(db);
    const html = (await agent.get(`/orders/${order.code}`)).text;
    const select = /<select name="status"[\s\S]*?<\/select>/.exec(html)![0];
    expect(select).toMatch(/<option value="" selected>— choose —<\/option>/);
    expect(select.match(/selected/g)).toHaveLength(1);
    // No move chosen yet: neither the e-mail tick nor "no e-mail" is shown.
    expect(html).toMatch(/<div data-mail-choice hidden>/);
    expect(html).toMatch(/<p class="muted small" data-mail-none hidden>/);

    const res = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<p class="field-error" id="status-error">Choose what to do with the order.</p>');
    expect(res.text).toMatch(/<select name="status" data-status-select aria-invalid="true" aria-describedby="status-error"/);
    expect(reload(db, order.code).status).toBe('order');
    expect(statusEvents(db, order.id)).toBe(0);
  });

  it('cancel shows what happens to stock and the e-mail and changes nothing; the confirmed POST cancels', async () => {
    const { db, submit } = await as();
    buildProduct(db, { sku: 'TENT', onHand: 5 });
    buildProduct(db, { sku: 'MUG', onHand: 5 });
    const order = buildPackingOrder(db, {
      lines: [
        { sku: 'TENT', quantity: 2 },
        { sku: 'MUG', quantity: 1 },
      ],
    });
    const email = reload(db, order.code).customerEmail!;

    const ask = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'cancelled', notifyCustomer: 'on' });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain(`Cancel order ${order.code}?`);
    expect(ask.text).toContain('The allocation is released: 3 units of 2 products go back to stock and can be sold again.');
    expect(ask.text).toContain(`The customer gets an e-mail at ${email}.`);
    expect(ask.text).toContain('Keep the order as it is');
    // Nothing happened yet.
    expect(reload(db, order.code).status).toBe('packing');
    expect(productBySku(db, 'TENT')).toMatchObject({ reserved: 2, allocated: 2 });
    expect(statusEvents(db, order.id)).toBe(1);
    expect(mailsOf(db, order.id, 'cancelled')).toEqual([]);

    // The confirmation keeps the move and the notify choice.
    const fields = confirmFields(ask.text);
    // With the form's one-time key, so that the confirmation sent twice cancels once.
    expect(fields).toEqual({ confirmed: 'yes', status: 'cancelled', from: 'packing', notifyCustomer: 'on', formKey: expect.stringMatching(/^[\w-]{36}$/) });
    const done = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, fields);
    expect(done.status).toBe(302);
    expect(reload(db, order.code).status).toBe('cancelled');
    expect(productBySku(db, 'TENT')).toMatchObject({ reserved: 0, allocated: 0 });
    expect(productBySku(db, 'MUG')).toMatchObject({ reserved: 0, allocated: 0 });
    expect(mailsOf(db, order.id, 'cancelled').map((m) => m.toAddress)).toEqual([email]);
  });

  it('cancelling an order (not packed) says the units become sellable, and when no e-mail goes out and why', async () => {
    const { db, submit } = await as();
    buildProduct(db, { sku: 'SOCK', onHand: 0 });
    const order = buildOrder(db, { lines: [{ sku: 'SOCK', quantity: 3 }] });
    const unticked = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'cancelled' });
    expect(unticked.status).toBe(200);
    expect(unticked.text).toContain('3 units of 1 product go back to stock: they can be sold again.');
    expect(unticked.text).toContain('The customer gets no e-mail (“Notify the customer” is not ticked).');
    expect(confirmFields(unticked.text)).toEqual({ confirmed: 'yes', status: 'cancelled', from: 'order', formKey: expect.stringMatching(/^[\w-]{36}$/) });

    putEmailSettings(db, { ...getEmailSettings(db), modes: { ...getEmailSettings(db).modes, cancelled: 'never' } }, new Date(), 'test');
    const off = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'cancelled', notifyCustomer: 'on' });
    expect(off.text).toContain('The customer gets no e-mail: e-mails for Cancelled are off (Settings → E-mails).');
    expect(reload(db, order.code).status).toBe('order');
    expect(productBySku(db, 'SOCK').reserved).toBe(3);
  });

  it('unpack asks too: the allocation is released, the units stay reserved, no e-mail', async () => {
    const { db, submit } = await as();
    buildProduct(db, { sku: 'LAMP', onHand: 4 });
    const order = buildPackingOrder(db, { lines: [{ sku: 'LAMP', quantity: 4 }] });
    const ask = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'order', notifyCustomer: 'on' });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain(`Move order ${order.code} back to Order?`);
    expect(ask.text).toContain('The allocation of 4 units of 1 product is released');
    expect(ask.text).toContain('The customer gets no e-mail: this change sends none.');
    expect(reload(db, order.code).status).toBe('packing');
    expect(productBySku(db, 'LAMP').allocated).toBe(4);

    const done = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, confirmFields(ask.text));
    expect(done.status).toBe(302);
    expect(reload(db, order.code).status).toBe('order');
    expect(productBySku(db, 'LAMP')).toMatchObject({ reserved: 4, allocated: 0 });
  });

  it('a confirmation made for another status asks again instead of doing something else', async () => {
    const { db, submit } = await as();
    const order = buildPackingOrder(db);
    // Confirmed while the page showed the order as "order" (it has been packed since).
    const res = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'cancelled', confirmed: 'yes', from: 'order' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('The order changed meanwhile and is now Packing: check what happens and confirm again.');
    expect(confirmFields(res.text)).toMatchObject({ from: 'packing' });
    expect(reload(db, order.code).status).toBe('packing');
  });

  it('reopening needs no confirmation: it gives nothing back and sends no e-mail', async () => {
    const { db, submit } = await as();
    const order = buildCancelledOrder(db);
    const res = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'order' });
    expect(res.status).toBe(302);
    expect(reload(db, order.code).status).toBe('order');
  });

  it('the confirmation is in the user’s language', async () => {
    const ctx = makeApp();
    const user = await buildUser(ctx.db, 'operator', { language: 'sv' });
    const { submit } = await loginAs(ctx.app, user.email);
    buildProduct(ctx.db, { sku: 'KOPP', onHand: 2 });
    const order = buildPackingOrder(ctx.db, { lines: [{ sku: 'KOPP', quantity: 2 }] });
    const page = (await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'order' })).text;
    expect(page).toContain(`Flytta order ${order.code} tillbaka till Order?`);
    expect(page).toContain('Allokeringen av 2 enheter av 1 produkt släpps');
    expect(page).toContain('Behåll ordern som den är');
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
    const post = (fields: Record<string, string | string[]>) =>
      agent
        .post('/orders/bulk')
        .type('form')
        .send({ _csrf: csrfOf(page.text), back: '/orders?status=order', ...fields });

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
    const done = await agent
      .post('/orders/bulk')
      .type('form')
      .send({ _csrf: csrfOf(confirm.text), action: 'cancel', confirmed: 'yes', codes: [a.code, shipped.code], back: '/orders' });
    expect(done.headers.location).toBe('/orders');
    expect(reload(db, a.code).status).toBe('cancelled');
    expect(reload(db, shipped.code).status).toBe('shipped');
    const after = (await agent.get('/orders')).text;
    expect(after).toContain(`Done for 1 order; 1 could not be changed: ${shipped.code}: An order in status Shipped cannot move to Cancelled.`);

    const offsite = await agent
      .post('/orders/bulk')
      .type('form')
      .send({ _csrf: csrfOf(after), action: 'reviewed', codes: a.code, back: 'https://evil.example/' });
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
    expect(inUse.text).toContain('Take it off 1 order and delete');
    const cleared = await agent
      .post('/settings/statuses/GIFT/delete')
      .type('form')
      .send({ _csrf: csrfOf(inUse.text), clear: 'yes' });
    expect(cleared.status).toBe(302);
    expect(reload(db, order.code).customStatusId).toBeNull();
  });

  it('is for admins only', async () => {
    const { agent } = await as('operator');
    expect((await agent.get('/settings/statuses')).status).toBe(403);
  });
});

describe('order page: shipping method, carrier and tracking', () => {
  const SYSTEM = { type: 'system' as const, id: null, name: 'test' };
  const details = (html: string) => /<dt>Shipping method<\/dt><dd>([^<]*)<\/dd>/.exec(html)?.[1];

  it('names the order’s shipping method as Settings maps it, else its code, else a dash', async () => {
    const { db, agent } = await as();
    saveMethod(
      db,
      null,
      { code: 'express-home', name: 'Express to your door', kind: 'own', carrierAccountId: null, service: null, isDefault: false },
      new Date(),
    );
    const mapped = buildOrder(db, { body: { shippingMethod: 'express-home' } });
    const unmapped = buildOrder(db, { body: { shippingMethod: 'shop-courier' } });
    const none = buildOrder(db);
    expect(details((await agent.get(`/orders/${mapped.code}`)).text)).toBe('Express to your door');
    expect(details((await agent.get(`/orders/${unmapped.code}`)).text)).toBe('shop-courier');
    expect(details((await agent.get(`/orders/${none.code}`)).text)).toBe('—');
  });

  it('shows each delivery’s carrier and service, and links each parcel to its tracking page in a new tab', async () => {
    const { db, agent } = await as();
    const order = buildPackingOrder(db);
    bookParcels(db, order, {
      kind: 'bring',
      service: '5800',
      parcels: [
        { parcelId: 'BRG0000000001', trackingUrl: 'https://tracking.bring.com/t/BRG0000000001?a=1&b=2' },
        { parcelId: 'BRG0000000002', trackingUrl: null },
      ],
    });
    reportDrafts(db, [order.code], { actor: SYSTEM, now: new Date() });
    const other = buildPackingOrder(db);
    bookParcels(db, other, { kind: 'nshift', service: 'XYZ9', parcels: [{ parcelId: 'NSH0000000001', trackingUrl: null }] });
    reportDrafts(db, [other.code], { actor: SYSTEM, now: new Date() });

    const html = (await agent.get(`/orders/${order.code}`)).text;
    expect(html).toContain('Carrier: Bring · Service: PickUp Parcel (Pakke til hentested)');
    expect(html).toMatch(
      /<a class="code chip" href="https:\/\/tracking\.bring\.com\/t\/BRG0000000001\?a=1&amp;b=2" target="_blank" rel="noopener noreferrer" title="Follow parcel BRG0000000001 on the carrier’s site \(opens in a new tab\)">BRG0000000001<\/a>/,
    );
    // No page of its own and no shop pattern: the ID, not a link.
    expect(html).toContain('<span class="code chip">BRG0000000002</span>');
    expect(html).not.toMatch(/<a [^>]*>BRG0000000002</);
    // A service code the carrier does not list is shown as the code.
    expect((await agent.get(`/orders/${other.code}`)).text).toContain('Carrier: nShift Delivery (Unifaun) · Service: XYZ9');
  });

  it('links the shop’s pattern for parcels without a carrier page, and shows no carrier for them', async () => {
    const { db, agent } = await as();
    putEmailSettings(db, { ...getEmailSettings(db), trackingUrl: 'https://track.example/?id={parcel}' }, new Date(), 'test');
    const order = buildShippedOrder(db);
    const html = (await agent.get(`/orders/${order.code}`)).text;
    expect(html).toMatch(/<a class="code chip" href="https:\/\/track\.example\/\?id=PARCEL-[^"]+" target="_blank" rel="noopener noreferrer"/);
    expect(html).not.toContain('Carrier:');
  });

  it('is worded in each language from the catalogs', async () => {
    const { db, app } = makeApp();
    const user = await buildUser(db, 'operator');
    const { agent, submit } = await loginAs(app, user.email);
    const order = buildOrder(db, { body: { shippingMethod: 'shop-courier' } });
    for (const [language, words] of [
      ['sv', 'Leveranssätt'],
      ['nb', 'Leveringsmåte'],
      ['fr', 'Mode de livraison'],
    ] as const) {
      expect((await submit('/account', '/account', { name: user.name, language })).status).toBe(302);
      const html = (await agent.get(`/orders/${order.code}`)).text;
      expect(html, language).toContain(`<dt>${words}</dt><dd>shop-courier</dd>`);
    }
  });
});
