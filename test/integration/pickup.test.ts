import { describe, expect, it } from 'vitest';
import { writeTransaction, type Db } from '../../src/db/client.js';
import { insertMethod } from '../../src/carriers/repo.js';
import { consoleLogger } from '../../src/log.js';
import { isPickup } from '../../src/carriers/methods.js';
import { shelfOrders } from '../../src/pickup/repo.js';
import { spacedCode, templateForStatus } from '../../src/email/templates.js';
import { runPackScript } from '../../src/pack/run.js';
import { packOrder } from '../../src/pack/writer.js';
import { putPickupSettings } from '../../src/pickup/service.js';
import { buildOrder, buildPackingOrder, buildProduct, buildShippedOrder, buildUser, productBySku, reload } from '../builders.js';
import { api, csrfOf, loginAs, loginAtStation, makeApp, makeClock } from '../helpers.js';
import { apiError, json } from '../json.js';
import { localeOf } from '../../src/i18n/index.js';
import { formatMoney } from '../../src/i18n/numbers.js';
import { putVerificationMode } from '../../src/shipping/checks.js';

// Pickup in store: the pack run's "ready for pickup" e-mail, the counter's hand-over by code alone
// (no parcel IDs), each refusal in words at the field, a resent form, and the not-collected list.

const SYSTEM = { type: 'system' as const, id: null, name: 'test' };
const DAY = 24 * 60 * 60 * 1000;
const keyOf = (html: string) => /name="formKey" value="([^"]+)"/.exec(html)![1]!;
const one = (db: Db, sql: string, ...params: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...params);
const all = (db: Db, sql: string, ...params: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .all(...params);

function withMethods(db: Db, now: Date) {
  writeTransaction(db, (tx) => {
    insertMethod(tx, { code: 'store', name: 'Pickup in store', kind: 'pickup', carrierAccountId: null, service: null, isDefault: false }, now);
    insertMethod(tx, { code: 'post', name: 'Post', kind: 'own', carrierAccountId: null, service: null, isDefault: true }, now);
  });
}

async function counter(role: 'packer' | 'operator' | 'admin' = 'packer') {
  const clock = makeClock();
  const ctx = makeApp({ clock });
  withMethods(ctx.db, clock());
  await buildUser(ctx.db, role, { email: 'counter@example.com', name: 'Counter Clerk' });
  const { agent } = await loginAs(ctx.app, 'counter@example.com');
  const scan = async (code: string, extra: Record<string, string> = {}) => {
    const page = await agent.get('/pickup').expect(200);
    return agent
      .post('/pickup/hand-over')
      .type('form')
      .send({ _csrf: csrfOf(page.text), formKey: keyOf(page.text), source: 'scanner', code, ...extra });
  };
  return { ...ctx, agent, scan };
}

/** A form's fields by its id, as the browser would send them. */
function formOf(html: string, id: string): Record<string, string> {
  const start = html.indexOf(`id="${id}"`);
  expect(start).toBeGreaterThan(-1);
  const form = html.slice(start, html.indexOf('</form>', start));
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
}

/** An amount as the English pages write it. */
const sek = (minor: number) => formatMoney(localeOf('en'), minor, 'SEK');

const pickupOrder = (db: Db, body: Record<string, unknown> = {}) =>
  buildPackingOrder(db, { lines: [{ sku: buildProduct(db, { onHand: 5 }).sku, quantity: 2 }], body: { shippingMethod: 'store', ...body } });

describe('pickup in store', () => {
  it('the pack run sends ready_for_pickup to pickup orders only, with the code to show at the counter', async () => {
    const clock = makeClock();
    const { db } = makeApp({ clock });
    withMethods(db, clock());
    const sku = buildProduct(db, { onHand: 10 }).sku;
    const pickup = buildOrder(db, { paid: true, lines: [{ sku, quantity: 1 }], body: { shippingMethod: 'store' } });
    const posted = buildOrder(db, { paid: true, lines: [{ sku, quantity: 1 }], body: { shippingMethod: 'post' } });
    const result = await runPackScript({ db, clock, log: consoleLogger({ silent: true }) }, { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(result.promoted).toHaveLength(2);
    expect(all(db, 'SELECT template FROM email_outbox WHERE order_id = ? ORDER BY id', pickup.id)).toContain('ready_for_pickup');
    expect(all(db, 'SELECT template FROM email_outbox WHERE order_id = ?', posted.id)).not.toContain('ready_for_pickup');
    // The packing e-mail is off by default, so the posted order gets none at its promotion.
    expect(all(db, 'SELECT template FROM email_outbox WHERE order_id = ?', posted.id)).not.toContain('packing');
    const text = String(one(db, "SELECT text_body FROM email_outbox WHERE order_id = ? AND template = 'ready_for_pickup'", pickup.id));
    // The code on a line of its own, as the counter scans or types it.
    expect(text.split('\n')).toContain(pickup.code);
    expect(text).toContain(`${pickup.code.slice(0, 3)} ${pickup.code.slice(3, 6)} ${pickup.code.slice(6)}`);
  });

  it('a pay-at-pickup order is packed before it is paid', () => {
    const clock = makeClock();
    const { db } = makeApp({ clock });
    withMethods(db, clock());
    const order = buildPackingOrder(db, { body: { shippingMethod: 'store', paymentMethod: 'pickup', paid: false } });
    expect(order.status).toBe('packing');
  });

  it('hands a pickup order over by its code alone: shipped, no parcels, in the history with who', async () => {
    // An operator, who can read the order page's history too.
    const { db, agent, scan } = await counter('operator');
    const order = pickupOrder(db);
    const sku = one(db, 'SELECT sku FROM order_lines WHERE order_id = ?', order.id) as string;
    const shelf = await agent.get('/pickup').expect(200);
    expect(shelf.text).toContain(order.code);

    const res = await scan(order.code);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/pickup?handed=${order.code}`);
    expect(reload(db, order.code).status).toBe('shipped');
    expect(productBySku(db, sku).onHand).toBe(3);
    expect(one(db, 'SELECT count(*) FROM deliveries WHERE order_id = ?', order.id)).toBe(1);
    expect(one(db, 'SELECT count(*) FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id WHERE d.order_id = ?', order.id)).toBe(0);
    expect(one(db, "SELECT actor_name FROM order_events WHERE order_id = ? AND type = 'picked_up'", order.id)).toBe('Counter Clerk');
    // No shipped e-mail: the customer is at the counter.
    expect(all(db, 'SELECT template FROM email_outbox WHERE order_id = ?', order.id)).not.toContain('shipped');

    const after = await agent.get(res.headers.location!).expect(200);
    expect(after.text).toContain(`Order ${order.code} handed over by Counter Clerk`);
    expect(after.text).not.toContain(`data-code="${order.code}"`);
    const history = await agent.get(`/orders/${order.code}`).expect(200);
    expect(history.text).toContain('Collected in store: handed over at the counter by Counter Clerk');
    expect(history.text).toContain(`Handed over at the counter: ${sku} × 2`);
  });

  it('a resent form hands over once; a second scan says it was already handed over', async () => {
    const { db, agent, scan } = await counter();
    const order = pickupOrder(db);
    const page = await agent.get('/pickup').expect(200);
    const form = { _csrf: csrfOf(page.text), formKey: keyOf(page.text), source: 'scanner', code: order.code };
    const first = await agent.post('/pickup/hand-over').type('form').send(form);
    const again = await agent.post('/pickup/hand-over').type('form').send(form);
    expect(again.status).toBe(302);
    expect(again.headers.location).toBe(first.headers.location);
    const shown = await agent.get(again.headers.location!);
    expect(shown.text).toContain('This form was already sent');
    expect(shown.text).toContain(`Order ${order.code} handed over by Counter Clerk`);
    expect(one(db, "SELECT count(*) FROM order_events WHERE order_id = ? AND type = 'picked_up'", order.id)).toBe(1);

    const second = await scan(order.code);
    expect(second.status).toBe(409);
    expect(second.text).toContain(`Order ${order.code} was already handed over (by Counter Clerk).`);
    expect(second.text).toMatch(/id="code"[^>]*aria-invalid="true"/);
    expect(one(db, 'SELECT count(*) FROM deliveries WHERE order_id = ?', order.id)).toBe(1);
  });

  it('refuses in words at the field: unknown code, not a pickup order, not packed, on hold, shipped', async () => {
    const { db, scan } = await counter();
    const unknown = await scan('0000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('No order with code 0000000000');

    const posted = buildPackingOrder(db, { body: { shippingMethod: 'post' } });
    const notPickup = await scan(posted.code);
    expect(notPickup.status).toBe(409);
    expect(notPickup.text).toContain(`Order ${posted.code} is not collected in store`);
    expect(reload(db, posted.code).status).toBe('packing');

    const waitingForStock = buildOrder(db, { paid: true, body: { shippingMethod: 'store' } });
    const notPacked = await scan(waitingForStock.code);
    expect(notPacked.status).toBe(409);
    expect(notPacked.text).toContain(`Order ${waitingForStock.code} is Order: it is not packed and waiting on the pickup shelf.`);

    const held = pickupOrder(db);
    db.$client.prepare('UPDATE orders SET waiting = 1 WHERE id = ?').run(held.id);
    const onHold = await scan(held.code);
    expect(onHold.status).toBe(409);
    expect(onHold.text).toContain('on hold');
    expect(reload(db, held.code).status).toBe('packing');

    const shipped = buildShippedOrder(db);
    db.$client.prepare("UPDATE orders SET shipping_method = 'store' WHERE id = ?").run(shipped.id);
    const already = await scan(shipped.code);
    expect(already.status).toBe(409);
    expect(already.text).toContain(`Order ${shipped.code} has already shipped.`);
    for (const res of [unknown, notPickup, notPacked, onHold, already]) expect(res.text).toMatch(/<p class="field-error" id="code-error">/);
  });

  it('a pay-at-pickup order is handed over only with its payment, recorded at the counter', async () => {
    const { db, agent, scan } = await counter();
    const order = pickupOrder(db, { paymentMethod: 'pickup', paid: false });
    const refused = await scan(order.code);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain(`Order ${order.code} is paid at pickup`);
    expect(refused.text).toContain('id="pay-at-counter"');
    expect(reload(db, order.code).status).toBe('packing');

    // The "pay and hand over" button, as the page offers it: the amount shown goes with it.
    const offer = formOf(refused.text, 'pay-at-counter');
    expect(offer.due).toBe(String(reload(db, order.code).total));
    const paid = await agent.post('/pickup/hand-over').type('form').send(offer);
    expect(paid.status).toBe(302);
    const after = reload(db, order.code);
    expect(after.status).toBe('shipped');
    expect(after.paid).toBe(true);
    expect(after.paidAmount).toBe(after.total);
    expect(one(db, "SELECT count(*) FROM order_events WHERE order_id = ? AND type = 'payment_recorded'", order.id)).toBe(1);
  });

  it('records the amount the clerk was shown only: a changed amount is refused and offered again', async () => {
    const { db, agent, scan } = await counter();
    const order = pickupOrder(db, { paymentMethod: 'pickup', paid: false });
    const shown = reload(db, order.code).total;
    const offer = formOf((await scan(order.code)).text, 'pay-at-counter');
    // A line raised meanwhile (the customer added an item on the phone).
    db.$client.prepare('UPDATE orders SET total = total + 5000 WHERE id = ?').run(order.id);
    const changed = await agent.post('/pickup/hand-over').type('form').send(offer);
    expect(changed.status).toBe(409);
    expect(changed.text).toContain(`Order ${order.code} now owes ${sek(shown + 5000)}, not the ${sek(shown)} shown`);
    expect(changed.text).toMatch(/<p class="field-error" id="code-error">/);
    expect(reload(db, order.code).status).toBe('packing');
    expect(one(db, "SELECT count(*) FROM order_events WHERE order_id = ? AND type = 'payment_recorded'", order.id)).toBe(0);
    const again = formOf(changed.text, 'pay-at-counter');
    expect(again.due).toBe(String(shown + 5000));
    expect((await agent.post('/pickup/hand-over').type('form').send(again)).status).toBe(302);
    expect(reload(db, order.code)).toMatchObject({ status: 'shipped', paid: true, paidAmount: shown + 5000 });
  });

  it('a packer at the counter reads the packer words of a hold', async () => {
    const { db, scan } = await counter('packer');
    const held = pickupOrder(db);
    db.$client.prepare('UPDATE orders SET waiting = 1 WHERE id = ?').run(held.id);
    const res = await scan(held.code);
    expect(res.status).toBe(409);
    const field = /<p class="field-error" id="code-error">([^<]*)<\/p>/.exec(res.text)![1]!;
    expect(field).toContain('ask an operator to take it off hold');
    expect(field).not.toContain('order page');
  });

  it('lists orders not collected after the set days, with a reminder once per press and a cancel that releases stock', async () => {
    const clock = makeClock();
    const ctx = makeApp({ clock });
    const { db, app } = ctx;
    withMethods(db, clock());
    await buildUser(db, 'admin', { email: 'boss@example.com', name: 'Boss' });
    const { agent } = await loginAs(app, 'boss@example.com');
    const sku = buildProduct(db, { onHand: 5 }).sku;
    const old = buildPackingOrder(db, { lines: [{ sku, quantity: 2 }], body: { shippingMethod: 'store' } });
    // The builders' time is fixed; the app's clock moves on past the reminder days.
    clock.advance(8 * DAY);
    // Packed today, by the pack rule's writer at the app's time.
    const fresh = buildOrder(db, { paid: true, body: { shippingMethod: 'store' } });
    writeTransaction(db, (tx) => packOrder(tx, fresh.id, { requireApproval: false }, SYSTEM, clock()));
    const page = await agent.get('/pickup').expect(200);
    const notCollected = page.text.slice(page.text.indexOf('id="not-collected"'));
    expect(notCollected).toContain(old.code);
    expect(notCollected).toContain('8 days');
    expect(notCollected).toContain(`data-confirm="Cancel order ${old.code}, not collected? Its stock is released; a cancelled order can be reopened."`);
    expect(page.text.slice(0, page.text.indexOf('id="not-collected"'))).toContain(`data-code="${fresh.code}"`);

    const form = { _csrf: csrfOf(page.text), formKey: keyOf(page.text) };
    const remind = await agent.post(`/pickup/orders/${old.code}/remind`).type('form').send(form);
    const resent = await agent.post(`/pickup/orders/${old.code}/remind`).type('form').send(form);
    expect(remind.status).toBe(302);
    expect(resent.headers.location).toBe(remind.headers.location);
    expect(one(db, "SELECT count(*) FROM email_outbox WHERE order_id = ? AND template = 'pickup_reminder'", old.id)).toBe(1);
    expect(one(db, "SELECT count(*) FROM order_events WHERE order_id = ? AND type = 'pickup_reminded'", old.id)).toBe(1);
    const mail = String(one(db, "SELECT text_body FROM email_outbox WHERE order_id = ? AND template = 'pickup_reminder'", old.id));
    expect(mail).toContain('for 8 days');
    expect(mail.split('\n')).toContain(old.code);

    // The fresh one is not listed for a reminder; the days are an admin's setting.
    expect(notCollected).not.toContain(fresh.code);
    putPickupSettings(db, { reminderDays: 30 }, clock(), 'test');
    expect((await agent.get('/pickup')).text).toContain('Every pickup order has waited less than 30 days.');
    const settingsPage = await agent.get('/pickup');
    const bad = await agent
      .post('/pickup/settings')
      .type('form')
      .send({ _csrf: csrfOf(settingsPage.text), reminderDays: '0' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('A whole number of days from 1 to 365.');
    await agent
      .post('/pickup/settings')
      .type('form')
      .send({ _csrf: csrfOf(settingsPage.text), reminderDays: '7' })
      .expect(302);

    const again = await agent.get('/pickup');
    const cancel = await agent
      .post(`/pickup/orders/${old.code}/cancel`)
      .type('form')
      .send({ _csrf: csrfOf(again.text), formKey: keyOf(again.text) });
    expect(cancel.status).toBe(302);
    expect(reload(db, old.code).status).toBe('cancelled');
    expect(productBySku(db, sku).allocated).toBe(0);
    // The history says what was done: the cancelled e-mail is on "auto" by default and the order has an address.
    const cancelledMails = one(db, "SELECT count(*) FROM email_outbox WHERE order_id = ? AND template = 'cancelled'", old.id);
    const moved = JSON.parse(String(one(db, "SELECT data FROM order_events WHERE order_id = ? AND type = 'status_changed' ORDER BY id DESC LIMIT 1", old.id)));
    expect(moved).toMatchObject({ to: 'cancelled', reason: 'not_collected', notifyCustomer: Number(cancelledMails) > 0 });
  });

  it('packers use the counter but do not cancel; the days are an admin setting', async () => {
    const { db, agent } = await counter('packer');
    const order = pickupOrder(db);
    const page = await agent.get('/pickup').expect(200);
    expect(page.text).not.toContain('id="settings"');
    const res = await agent
      .post(`/pickup/orders/${order.code}/cancel`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), formKey: keyOf(page.text) });
    expect(res.status).toBe(403);
    expect(reload(db, order.code).status).toBe('packing');
  });

  it('the pickup e-mails are listed in Settings → E-mails and editable like the others, in every language', async () => {
    const { app, db } = makeApp();
    await buildUser(db, 'admin', { email: 'boss@example.com' });
    const { agent } = await loginAs(app, 'boss@example.com');
    const overview = await agent.get('/settings/emails').expect(200);
    expect(overview.text).toContain('Ready for pickup');
    expect(overview.text).toContain('Pickup reminder');
    for (const lang of ['en', 'sv', 'nb', 'fr']) {
      for (const template of ['ready_for_pickup', 'pickup_reminder']) await agent.get(`/settings/emails/templates/${template}/${lang}`).expect(200);
    }
    const editor = await agent.get('/settings/emails/templates/pickup_reminder/en');
    const saved = await agent
      .post('/settings/emails/templates/pickup_reminder/en')
      .type('form')
      .send({
        _csrf: csrfOf(editor.text),
        action: 'save',
        subject: 'Still here: {{order_code}}',
        body: 'Code {{order_code}} ({{code_spaced}}), {{days_waiting}} days.',
      });
    expect(saved.status).toBe(302);
    const refused = await agent
      .post('/settings/emails/templates/ready_for_pickup/en')
      .type('form')
      .send({ _csrf: csrfOf(editor.text), action: 'save', subject: 'Ready {{order_code}}', body: '{{days_waiting}}' });
    // days_waiting is the reminder's placeholder, not ready_for_pickup's: refused when saving.
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('{{days_waiting}}');
  });
});

describe('the shelf query reads pickup as isPickup does (db/rules.ts pickupSql)', () => {
  it.each([null, 'pickup', 'own'] as const)('default method: %s', (byDefault) => {
    const { db } = makeApp();
    const now = new Date();
    writeTransaction(db, (tx) => {
      insertMethod(tx, { code: 'store', name: 'Store', kind: 'pickup', carrierAccountId: null, service: null, isDefault: byDefault === 'pickup' }, now);
      insertMethod(tx, { code: 'post', name: 'Post', kind: 'own', carrierAccountId: null, service: null, isDefault: byDefault === 'own' }, now);
    });
    const orders = [undefined, 'store', 'post', 'unmapped'].map((m) => buildPackingOrder(db, { body: m ? { shippingMethod: m } : {} }));
    const listed = shelfOrders(db).map((r) => r.code);
    expect(listed.sort()).toEqual(
      orders
        .filter((o) => isPickup(db, o.shippingMethod))
        .map((o) => o.code)
        .sort(),
    );
    expect(listed.length).toBe(byDefault === 'pickup' ? 3 : 1);
  });
});

describe('the e-mail of a move, chosen in one place', () => {
  it.each([
    ['packing', false, 'packing'],
    ['packing', true, 'ready_for_pickup'],
    ['shipped', true, 'shipped'],
    ['cancelled', true, 'cancelled'],
    ['order', true, null],
  ] as const)('%s (pickup: %s) → %s', (status, pickup, template) => {
    expect(templateForStatus(status, pickup)).toBe(template);
  });

  it('spaces a code to read aloud', () => {
    expect(spacedCode('4839201756')).toBe('483 920 1756');
  });
});

describe('pay at pickup and pickup orders on the other ways out', () => {
  it('an unpaid pay-at-pickup order is refused at Report in and by the one-call delivery (order_unpaid)', async () => {
    const clock = makeClock();
    const { app, db } = makeApp({ clock });
    withMethods(db, clock());
    // Posted by mistake, or its method changed before packing: the money is still due before it leaves.
    const posted = buildPackingOrder(db, {
      lines: [{ sku: buildProduct(db, { onHand: 5 }).sku, quantity: 1 }],
      body: { shippingMethod: 'post', paymentMethod: 'pickup', paid: false },
    });
    const total = reload(db, posted.code).total;
    expect(json<{ amountDue: number }>(await api(app).get(`/api/v1/orders/${posted.code}`)).amountDue).toBe(total);
    const packer = await buildUser(db, 'packer');
    const station = await loginAtStation(app, packer.email);
    const opened = await station.scanFragment(posted.code, { key: 'p-1' });
    expect(opened.text).toContain(`Order ${posted.code} is paid at pickup and ${sek(total)} is still due`);
    await station.scanFragment('PARCEL-PAP-1', { key: 'p-2' });
    const report = json<{ failed: { code: string; error: { code: string } }[] }>(await api(app).post('/api/v1/deliveries/report').send({}));
    expect(report.failed).toEqual([expect.objectContaining({ code: posted.code, error: expect.objectContaining({ code: 'order_unpaid' }) })]);

    const shelved = pickupOrder(db, { paymentMethod: 'pickup', paid: false });
    for (const order of [posted, shelved]) {
      const oneCall = await api(app)
        .post(`/api/v1/orders/${order.code}/deliveries`)
        .send({ parcels: [`PARCEL-PAP-${order.id}9`] });
      expect(oneCall.status).toBe(409);
      expect(apiError(oneCall)).toMatchObject({ code: 'order_unpaid', details: { paymentMethod: 'pickup' } });
      expect(reload(db, order.code).status).toBe('packing');
    }
    const operator = await buildUser(db, 'operator', { email: 'op@example.com' });
    const { agent } = await loginAs(app, operator.email);
    expect((await agent.get(`/orders/${shelved.code}`)).text).toContain(`Due at pickup ${sek(reload(db, shelved.code).total)}`);
  });

  it('a parcel ID is refused for a pickup order: the station scan, the API and the one-call delivery', async () => {
    const clock = makeClock();
    const { app, db } = makeApp({ clock });
    withMethods(db, clock());
    const order = pickupOrder(db);
    const packer = await buildUser(db, 'packer');
    const station = await loginAtStation(app, packer.email);
    await station.scanFragment(order.code, { key: 's-1' });
    const scanned = await station.scanFragment('PARCEL-PICK-1', { key: 's-2' });
    expect(scanned.text).toContain(`Order ${order.code} is collected in store (Pickup in store): it takes no parcel IDs.`);
    const added = await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'PARCEL-PICK-2' });
    expect(added.status).toBe(409);
    expect(apiError(added)).toMatchObject({ code: 'pickup_takes_no_parcels' });
    const oneCall = await api(app)
      .post(`/api/v1/orders/${order.code}/deliveries`)
      .send({ parcels: ['PARCEL-PICK-3'] });
    expect(oneCall.status).toBe(409);
    expect(apiError(oneCall)).toMatchObject({ code: 'pickup_takes_no_parcels' });
    expect(one(db, 'SELECT count(*) FROM delivery_parcels')).toBe(0);
    expect(reload(db, order.code).status).toBe('packing');
  });

  it('with verification required, the hand-over ships the open delivery its units were checked on; unchecked is refused in words', async () => {
    const { app, db, scan } = await counter();
    putVerificationMode(db, 'required', new Date(), 'test');
    buildProduct(db, { sku: 'LAMP', barcode: '5901234123457', onHand: 5 });
    const checked = buildPackingOrder(db, { lines: [{ sku: 'LAMP', quantity: 2 }], body: { shippingMethod: 'store' } });
    const unchecked = buildPackingOrder(db, { lines: [{ sku: 'LAMP', quantity: 1 }], body: { shippingMethod: 'store' } });

    const refused = await scan(unchecked.code);
    expect(refused.status).toBe(409);
    const field = /<p class="field-error" id="code-error">([^<]*)<\/p>/.exec(refused.text)![1]!;
    expect(field).toContain(`Order ${unchecked.code} cannot be reported: not every unit is checked`);
    expect(reload(db, unchecked.code).status).toBe('packing');

    for (let i = 0; i < 2; i++)
      expect((await api(app).post(`/api/v1/orders/${checked.code}/checks`).send({ barcode: '5901234123457' })).status).toBeLessThan(300);
    const draft = one(db, 'SELECT id FROM deliveries WHERE order_id = ?', checked.id);
    expect(draft).toBeDefined();
    const handed = await scan(checked.code);
    expect(handed.status).toBe(302);
    expect(reload(db, checked.code).status).toBe('shipped');
    // The draft itself became the hand-over: one delivery, none left open beside it.
    expect(all(db, 'SELECT id FROM deliveries WHERE order_id = ?', checked.id)).toEqual([draft]);
  });
});
