import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { putCustomStatus } from '../../src/custom-statuses/service.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { buildPackingOrder, buildUser } from '../builders.js';
import { PASSWORD } from '../helpers.js';
import { browserSuite, logIn } from './browser.js';

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
    // No console error either: the Cross-Origin-Opener-Policy header, which Chromium ignores and
    // complains of on plain HTTP, is sent over HTTPS only.
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await page.goto(`${server.url}/outbound`);
    expect(page.url()).toContain('/login?next=%2Foutbound');
    // Opened as a shop's LAN opens it (http://warehouse.test): plain HTTP on a name that is not
    // loopback, so not a secure context; what needs one (crypto.randomUUID, camera) is missing here.
    expect(new URL(page.url()).hostname).toBe('warehouse.test');
    expect(await page.evaluate(() => ({ secure: window.isSecureContext, randomUUID: typeof crypto.randomUUID }))).toEqual({
      secure: false,
      randomUUID: 'undefined',
    });
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
    expect(navLinks).toEqual(['Outbound', 'Shipping out', 'Pickup']);
    const tapHeight = await page
      .locator('.mainnav a')
      .first()
      .evaluate((el) => el.getBoundingClientRect().height);
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
    expect(await page.locator('.mainnav a').allTextContents()).toEqual(['Order', 'Utleverans', 'Frakt ut', 'Hämtning', 'Verktyg', 'Inställningar']);
    await page.screenshot({ path: 'test-results/desktop-account-sv.png' });
    await context.close();
  });
});

/** The demo data a fresh install shows (31 orders in every status) and an admin to look at it. */
describe('density and reach with demo data', () => {
  const suite = browserSuite((db) => {
    seedDemoData(db, { now: new Date(), currency: 'SEK' });
  });
  const DESKTOP = { width: 1366, height: 900 };
  const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

  async function adminPage(context: BrowserContext, path: string): Promise<Page> {
    const admin = await buildUser(suite.server.db, 'admin');
    const page = await context.newPage();
    await logIn(page, suite.server.url, admin.email, path);
    return page;
  }

  it('the orders list shows at least 25 whole rows at 1366×900, and Outbound rows are compact', async () => {
    const context = await suite.browser.newContext({ viewport: DESKTOP });
    const page = await adminPage(context, '/orders');
    const rows = page.locator('table.orders tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(25);
    const visible = await rows.evaluateAll((trs) => trs.filter((tr) => tr.getBoundingClientRect().bottom <= window.innerHeight).length);
    expect(visible).toBeGreaterThanOrEqual(25);

    await page.goto(`${suite.server.url}/outbound`);
    const heights = await page.locator('table.outbound tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(0);
    expect(Math.max(...heights)).toBeLessThanOrEqual(34);
    await context.close();
  });

  it('the order page shows its first line above the fold at 1366×900', async () => {
    const context = await suite.browser.newContext({ viewport: DESKTOP });
    const page = await adminPage(context, '/orders');
    // The newest order in Order status: the page with the most above its lines (editable, pack check).
    const code = await page
      .locator('table.orders tbody tr', { has: page.locator('.status-order') })
      .first()
      .locator('a.code')
      .textContent();
    await page.goto(`${suite.server.url}/orders/${code}`);
    const box = await page.locator('#lines tbody tr').first().boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(DESKTOP.height);
    await context.close();
  });

  it('on a phone the orders list keeps status and value in view, with finger-sized rows', async () => {
    // A long label of the shop's own, as a French or Norwegian shop writes them.
    putCustomStatus(suite.server.db, 'SUPPLIER', { label: 'En attente du fournisseur', color: '#b45309' }, new Date());
    const context = await suite.browser.newContext(PHONE);
    const page = await adminPage(context, '/orders');
    // Every row: status and value inside the window and inside the scrolling box around the table,
    // without scrolling it; the order code not covered by the status beside it.
    const rows = await page.locator('table.orders tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const box = (el: Element | null) => el!.getBoundingClientRect();
        const wrap = box(tr.closest('.table-wrap'));
        const left = Math.max(0, wrap.left);
        const right = Math.min(window.innerWidth, wrap.right);
        const inView = (r: DOMRect) => r.width > 0 && r.left >= left && r.right <= right;
        const code = box(tr.querySelector('a.code'));
        const status = box(tr.querySelector('td.status'));
        return {
          status: [...tr.querySelectorAll('td.status .badge')].every((b) => inView(b.getBoundingClientRect())),
          value: inView(box(tr.querySelector('td.num'))),
          code: inView(code) && code.right <= status.left,
          height: tr.getBoundingClientRect().height,
        };
      }),
    );
    expect(rows.length).toBeGreaterThanOrEqual(25);
    expect(rows.filter((r) => !(r.status && r.value && r.code))).toEqual([]);
    expect(Math.min(...rows.map((r) => r.height))).toBeGreaterThanOrEqual(44);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await context.close();
  });

  for (const [name, options] of [
    ['desktop', { viewport: DESKTOP }],
    ['phone', PHONE],
  ] as const) {
    it(`Settings → E-mails: the table fits its form and every language link is in view (${name})`, async () => {
      const context = await suite.browser.newContext(options);
      const page = await adminPage(context, '/settings/emails');
      const fit = await page.locator('form[action="/settings/emails"]').evaluate((form) => {
        const table = form.querySelector('table')!;
        const wrap = table.closest('.table-wrap')!;
        const box = form.getBoundingClientRect();
        const links = [...table.querySelectorAll('a[href^="/settings/emails/templates/"]')].map((a) => a.getBoundingClientRect());
        return {
          overflow: wrap.scrollWidth - wrap.clientWidth,
          tableRight: table.getBoundingClientRect().right - box.right,
          links: links.length,
          linksOut: links.filter((r) => r.left < box.left || r.right > Math.min(box.right, window.innerWidth)).length,
        };
      });
      expect(fit.links).toBeGreaterThan(0);
      expect({ overflow: fit.overflow, linksOut: fit.linksOut }).toEqual({ overflow: 0, linksOut: 0 });
      expect(fit.tableRight).toBeLessThanOrEqual(0);
      await context.close();
    });
  }
});
