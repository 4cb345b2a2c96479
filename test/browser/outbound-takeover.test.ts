import { describe, expect, it } from 'vitest';
import { writeTransaction } from '../../src/db/client.js';
import { putVerificationMode } from '../../src/shipping/checks.js';
import { ensureStation, openOrderAt } from '../../src/shipping/stations.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { browserSuite, logIn } from './browser.js';
import { pointerEvents, tones, watchPage } from './watch.js';

describe('Outbound → Verify of an order a packing station holds, in a real browser', () => {
  const suite = browserSuite();

  it('a station opening the order hides the scan field and offers Take over; a scanner’s Enter takes nothing, the keyboard takes it over on purpose', async () => {
    const { browser, server } = suite;
    const { db } = server;
    putVerificationMode(db, 'required', new Date(), 'test');
    buildProduct(db, { sku: 'HTENT', name: 'Tent for two', barcode: '5901234123457' });
    const order = buildPackingOrder(db, { lines: [{ sku: 'HTENT', quantity: 2 }] });
    const pia = await buildUser(db, 'packer', { name: 'Pia' });
    const ola = await buildUser(db, 'packer', { name: 'Ola' });
    const openAtBench = () => writeTransaction(db, (tx) => openOrderAt(tx, ensureStation(tx, pia.id, 'Bench 1', new Date()), order));
    const openHere = () => db.$client.prepare('SELECT count(*) FROM stations WHERE current_order_id = ?').pluck().get(order.id);
    const verifyUrl = `/outbound/orders/${order.code}/verify`;

    const context = await browser.newContext();
    await watchPage(context);
    const page = await context.newPage();
    await logIn(page, server.url, ola.email, verifyUrl);
    const status = () => page.locator('#verify-status').textContent();
    const active = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    const scan = async (value: string) => {
      await page.keyboard.type(value, { delay: 2 });
      await page.keyboard.press('Enter');
    };
    await expect(active()).resolves.toBe('verify-barcode');

    // Pia opens the order at her bench after Ola's page was loaded: Ola's next scan is refused.
    openAtBench();
    await scan('5901234123457');
    await expect.poll(status).toBe(`Order ${order.code} is open at Bench 1 — Pia. Take it over to check it here.`);
    await expect.poll(() => tones(page)).toEqual([180]);
    await expect(page.locator('#verify-scan').isHidden()).resolves.toBe(true);
    await expect(page.locator('#verify-held-text').textContent()).resolves.toContain('is being packed at Bench 1 — Pia');
    const button = page.locator('#verify-takeover button');
    await expect(button.isVisible()).resolves.toBe(true);
    expect((await button.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    // The button does not have the focus: the scanner's next code and Enter take nothing.
    await expect(active()).resolves.not.toBe('verify-takeover');
    await scan('5901234123457');
    await expect(page.evaluate(() => document.activeElement?.closest('form')?.id ?? null)).resolves.toBeNull();
    expect(openHere()).toBe(1);
    expect(db.$client.prepare('SELECT count(*) FROM delivery_checks').pluck().get()).toBe(0);

    // On purpose, by keyboard: Tab to the button, Enter. The order is Ola's to check.
    for (let i = 0; i < 40 && !(await page.evaluate(() => document.activeElement === document.querySelector('#verify-takeover button'))); i++)
      await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(`${server.url}${verifyUrl}`), page.keyboard.press('Enter')]);
    await page.waitForSelector('#verify-scan:not([hidden])');
    expect(openHere()).toBe(0);
    await expect(page.locator('.flash-success').first().textContent()).resolves.toContain(`Order ${order.code} taken over from Bench 1 — Pia`);
    await expect(active()).resolves.toBe('verify-barcode');
    await scan('5901234123457');
    await expect.poll(status).toBe('Checked HTENT: 1 of 2.');
    await expect(pointerEvents(page)).resolves.toBe(0);
    await context.close();

    // On a phone: the held view's Take over is a 44 px target too.
    openAtBench();
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const phonePage = await phone.newPage();
    await logIn(phonePage, server.url, ola.email, verifyUrl);
    const box = await phonePage.locator('#verify-takeover button').boundingBox();
    expect(Math.min(box!.height, box!.width)).toBeGreaterThanOrEqual(44);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await phonePage.screenshot({ path: 'test-results/outbound-verify-held-phone.png', fullPage: true });
    await phone.close();
  });
});
