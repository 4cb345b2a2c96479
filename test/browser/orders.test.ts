import { describe, expect, it } from 'vitest';
import { createOrder } from '../../src/orders/service.js';
import { aCustomer, buildOrder, buildPackingOrder, buildProduct, buildUser, productBySku, reload } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('Orders tab in a real browser', () => {
  const suite = browserSuite();

  it('searches, opens an order, edits a line and cancels it', async () => {
    const { browser, server } = suite;
    const { db } = server;
    const op = await buildUser(db, 'operator');
    buildProduct(db, { sku: 'TENT', name: 'Tent', onHand: 10 });
    buildProduct(db, { sku: 'MUG', name: 'Mug', onHand: 10, barcode: '7350000001006' });
    const order = createOrder(
      db,
      { status: 'order', lines: [{ sku: 'TENT', quantity: 1 }], customer: aCustomer('Ingrid Lindqvist'), paymentMethod: 'card' },
      { actor: { type: 'system', id: null, name: 't' }, now: new Date(), currency: 'SEK' },
    );
    buildOrder(db);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, server.url, op.email, '/orders');

    // The search box has focus (autofocus, which a busy browser may apply a moment after the page shows): type a name and press Enter.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('q');
    await page.keyboard.type('lindq');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=lindq/);
    const rows = page.locator('table.orders tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await page.click(`a:text("${order.code}")`);
    await page.waitForURL(`${server.url}/orders/${order.code}`);

    // A scanner types the barcode and Enter into the add-product field.
    await page.fill('input[name=product]', '');
    await page.focus('input[name=product]');
    await page.keyboard.type('7350000001006');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#lines$/);
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('Added MUG × 1.');

    const tentQty = page.locator('tr', { hasText: 'TENT' }).locator('input[name=quantity]');
    await tentQty.fill('3');
    await tentQty.press('Enter');
    await page.waitForLoadState('load');
    await expect(page.locator('#history').textContent()).resolves.toContain('Line TENT: 1 → 3');
    expect(productBySku(db, 'TENT').reserved).toBe(3);

    // Nothing is preselected: the form starts on "— choose —".
    await expect(page.locator('select[name=status]').inputValue()).resolves.toBe('');
    await page.selectOption('select[name=status]', 'cancelled');
    await page.click('#status button[type=submit]');
    await page.waitForURL(`${server.url}/orders/${order.code}/status`);
    // The confirmation step says what happens; nothing has happened yet. It is done by keyboard.
    await expect(page.locator('h1').textContent()).resolves.toBe(`Cancel order ${order.code}?`);
    await expect(page.locator('ul.consequences').textContent()).resolves.toContain('4 units of 2 products go back to stock');
    expect(reload(db, order.code).status).toBe('order');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Cancel the order');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/orders/${order.code}`);
    await expect(page.locator('.titlebar .badge').first().textContent()).resolves.toBe('Cancelled');
    expect(reload(db, order.code).status).toBe('cancelled');
    expect(productBySku(db, 'TENT').reserved).toBe(0);
    await page.screenshot({ path: 'test-results/order-cancelled.png', fullPage: true });
    await page.close();
  });

  it('selects all orders on the page and marks them reviewed', async () => {
    const { browser, server } = suite;
    const { db } = server;
    const op = await buildUser(db, 'operator');
    const made = [buildOrder(db), buildOrder(db)];
    const page = await browser.newPage();
    await logIn(page, server.url, op.email, '/orders?status=order');
    await page.check('[data-select-all]');
    await page.selectOption('select[name=action]', 'reviewed');
    await page.click('#bulk .bulkbar button[type=submit]');
    await page.waitForURL(/\/orders\?status=order/);
    await expect(page.locator('.flash-success').textContent()).resolves.toMatch(/Done for \d+ order/);
    for (const o of made) expect(reload(db, o.code).reviewed).toBe(true);
    await page.close();
  });

  it('the status form offers the e-mail for the chosen status; it is edited for this order, then sent with the change', async () => {
    const { browser, server } = suite;
    const { db } = server;
    const op = await buildUser(db, 'operator');
    const order = buildPackingOrder(db);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(page, server.url, op.email, `/orders/${order.code}`);
    const notify = page.locator('#status input[name=notifyCustomer]');
    const compose = page.locator('#status button[name=compose]');
    // Nothing chosen yet: no e-mail choice and no "no e-mail" either.
    await expect(notify.isVisible()).resolves.toBe(false);
    await expect(page.locator('[data-mail-none]').isVisible()).resolves.toBe(false);
    // Thumb-sized on a phone: the select and the e-mail tick's label.
    await expect(page.locator('select[name=status]').boundingBox()).resolves.toMatchObject({ height: expect.toSatisfy((h: number) => h >= 44) });
    // Unpack (back to Order) sends no e-mail: the choice is hidden.
    await page.selectOption('select[name=status]', 'order');
    await expect(notify.isVisible()).resolves.toBe(false);
    await expect(page.locator('[data-mail-none]').isVisible()).resolves.toBe(true);
    // Cancel: offered, not ticked (the built-in mode is "offer").
    await page.selectOption('select[name=status]', 'cancelled');
    await expect(notify.isVisible()).resolves.toBe(true);
    await expect(notify.isChecked()).resolves.toBe(false);
    await expect(page.locator('#status .inline-label').boundingBox()).resolves.toMatchObject({ height: expect.toSatisfy((h: number) => h >= 44) });
    await compose.click();
    await page.waitForLoadState('load');
    const body = page.locator('textarea[name=body]');
    await expect(body.inputValue()).resolves.toContain(`Your order ${order.code} has been cancelled.`);
    await expect(page.locator('main').textContent()).resolves.toContain('when the order moves to Cancelled');
    await body.fill('Hello! The tent you ordered was damaged in our warehouse,\nso we have cancelled the order.');
    await page.screenshot({ path: 'test-results/email-compose-phone.png', fullPage: true });
    await page.click('button.primary');
    // The cancel is confirmed on its own step, which keeps the edited e-mail.
    await page.waitForLoadState('load');
    await expect(page.locator('ul.consequences').textContent()).resolves.toContain('The customer gets your edited e-mail');
    await expect(page.locator('ul.consequences').textContent()).resolves.toContain('The allocation is released');
    for (const target of [page.locator('.confirm-actions button'), page.locator('.confirm-actions a')]) {
      await expect(target.boundingBox()).resolves.toMatchObject({ height: expect.toSatisfy((h: number) => h >= 44) });
    }
    await page.screenshot({ path: 'test-results/status-confirm-phone.png', fullPage: true });
    expect(reload(db, order.code).status).toBe('packing');
    await page.click('.confirm-actions button');
    await page.waitForURL(`${server.url}/orders/${order.code}`);
    await expect(page.locator('.titlebar .badge').first().textContent()).resolves.toBe('Cancelled');
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('the customer e-mail is queued');
    await expect(page.locator('#emails').textContent()).resolves.toContain('Queued');
    const mail = db.$client.prepare("SELECT text_body FROM email_outbox WHERE template = 'cancelled'").pluck().get();
    expect(String(mail).replace(/\r\n/g, '\n')).toBe('Hello! The tent you ordered was damaged in our warehouse,\nso we have cancelled the order.');
    await page.close();
  });
});
