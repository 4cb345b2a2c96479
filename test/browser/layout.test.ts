import { describe, expect, it } from 'vitest';
import { buildPackingOrder, buildUser } from '../builders.js';
import { PASSWORD } from '../helpers.js';
import { browserSuite } from './browser.js';

describe('in a real browser', () => {
  const suite = browserSuite();

  it('a packer logs in on a phone, reaches Outbound and is refused Settings', async () => {
    const { browser, server } = suite;
    const packer = await buildUser(server.db, 'packer', { name: 'Pia Packare' });
    const order = buildPackingOrder(server.db);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await page.goto(`${server.url}/outbound`);
    expect(page.url()).toContain('/login?next=%2Foutbound');
    // A keyboard user: the e-mail field has focus, Enter submits.
    await page.keyboard.type(packer.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/outbound`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Outbound');
    await expect(page.locator('table.list').textContent()).resolves.toContain(order.code);

    // The page fits the phone: no sideways scrolling of the page itself.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const navLinks = await page.locator('.mainnav a').allTextContents();
    expect(navLinks).toEqual(['Outbound', 'Shipping out']);
    const tapHeight = await page.locator('.mainnav a').first().evaluate((el) => el.getBoundingClientRect().height);
    expect(tapHeight).toBeGreaterThanOrEqual(44);

    const forbidden = await page.goto(`${server.url}/settings/users`);
    expect(forbidden?.status()).toBe(403);
    await expect(page.locator('body').textContent()).resolves.toContain('Your role does not give access');
    await page.screenshot({ path: 'test-results/phone-outbound.png' });
    // The only failed load is the refused page itself.
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 403 (Forbidden)']);
    await context.close();
  });

  it('an admin switches to Swedish and the whole layout follows', async () => {
    const { browser, server } = suite;
    const admin = await buildUser(server.db, 'admin', { name: 'Anna Admin' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=email]', admin.email);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/orders`);
    await page.click('a[href="/account"]');
    await page.selectOption('select[name=language]', 'sv');
    await page.click('form[action="/account"] button[type=submit]');
    await page.waitForURL(`${server.url}/account`);
    await expect(page.locator('.flash-success').textContent()).resolves.toBe('Sparat.');
    expect(await page.locator('.mainnav a').allTextContents()).toEqual(['Order', 'Utleverans', 'Frakt ut', 'Verktyg', 'Inställningar']);
    await page.screenshot({ path: 'test-results/desktop-account-sv.png' });
    await context.close();
  });
});
