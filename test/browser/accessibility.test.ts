import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putCustomStatus } from '../../src/custom-statuses/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { ensureStation, openOrderAt } from '../../src/shipping/stations.js';
import { buildCancelledOrder, buildOrder, buildPackingOrder, buildPreorder, buildProduct, buildShippedOrder, buildUser } from '../builders.js';
import { API_TOKEN } from '../helpers.js';
import { browserSuite, logIn } from './browser.js';

/** axe-core's script, run inside the page (page.evaluate is not bound by the page's script policy). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Finding {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** axe's serious and critical findings on the page as it is now, each with the elements at fault. */
async function seriousFindings(page: Page): Promise<Finding[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`.replace(/\s+/g, ' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * The page's refused fields (aria-invalid="true") in document order, each with the message its
 * aria-describedby names; fails when a shown field error is named by no field or a field names no message.
 */
async function tiedErrors(page: Page): Promise<{ name: string | null; message: string }[]> {
  const { fields, orphans } = await page.evaluate(() => ({
    fields: [...document.querySelectorAll('main [aria-invalid="true"]')].map((el) => {
      const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
      return { name: el.getAttribute('name'), messages: ids.map((id) => document.getElementById(id)?.textContent?.trim() ?? '') };
    }),
    orphans: [...document.querySelectorAll('.field-error')]
      .filter((m) => !m.id || !document.querySelector(`[aria-describedby~="${CSS.escape(m.id)}"]`))
      .map((m) => m.id || (m.textContent ?? '')),
  }));
  expect(orphans).toEqual([]);
  for (const f of fields) {
    expect(f.messages, f.name ?? '').toHaveLength(1);
    expect(f.messages[0], f.name ?? '').not.toBe('');
  }
  return fields.map((f) => ({ name: f.name, message: f.messages[0]! }));
}

/** The element that has the keyboard focus: its tag, id, name and text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? { tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'), text: el.textContent?.trim() ?? '' } : null;
  });

describe('accessibility in a real browser', () => {
  const suite = browserSuite();

  it('a refused form ties each error to its field and puts the cursor on the first one', async () => {
    const { browser, server } = suite;
    const admin = await buildUser(server.db, 'admin');
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await logIn(page, server.url, admin.email, '/tools/products/new');
    // A SKU, no name, a price that is no number: two fields refused.
    await page.fill('input[name=sku]', 'A11Y-1');
    await page.fill('input[name=price]', 'twelve');
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('.field-error');

    const refused = await tiedErrors(page);
    expect(refused.map((r) => r.name)).toEqual(['name', 'price']);
    expect(refused[0]!.message).toBe('Required.');
    // The cursor is on the first refused field, not on the SKU the page focuses when it opens.
    await expect(focused(page)).resolves.toMatchObject({ tag: 'input', name: 'name' });
    await expect(seriousFindings(page)).resolves.toEqual([]);

    // The account's password form, sent empty: the same, on a form that has no autofocus.
    await page.goto(`${server.url}/account`);
    await page.click('form[action="/account/password"] button[type=submit]');
    await page.waitForSelector('.field-error');
    const passwords = await tiedErrors(page);
    expect(passwords.length).toBeGreaterThan(0);
    await expect(focused(page)).resolves.toMatchObject({ tag: 'input', name: passwords[0]!.name });
    await expect(seriousFindings(page)).resolves.toEqual([]);
    await page.close();
  });

  it('a refused filter on the orders list is tied to its field, which gets the cursor', async () => {
    const { browser, server } = suite;
    const op = await buildUser(server.db, 'operator');
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await logIn(page, server.url, op.email, '/orders?minValue=lots');
    const refused = await tiedErrors(page);
    expect(refused.map((r) => r.name)).toEqual(['minValue']);
    expect(refused[0]!.message).toMatch(/^Value from: ./);
    await expect(focused(page)).resolves.toMatchObject({ tag: 'input', name: 'minValue' });
    await expect(seriousFindings(page)).resolves.toEqual([]);
    await page.close();
  });

  it('the first Tab reaches "Skip to content", which shows and moves the focus to the page\'s main part', async () => {
    const { browser, server } = suite;
    const admin = await buildUser(server.db, 'admin');
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await logIn(page, server.url, admin.email, '/orders');
    // The orders list puts the cursor in its search; a click on the page's background takes it away.
    await page.mouse.click(1300, 880);
    await expect(focused(page)).resolves.toMatchObject({ tag: 'body' });
    const skip = page.locator('a.skip-link');
    // Out of sight until it has focus.
    const hiddenBox = await skip.boundingBox();
    expect((hiddenBox?.y ?? 0) + (hiddenBox?.height ?? 0)).toBeLessThanOrEqual(0);
    await page.keyboard.press('Tab');
    await expect(focused(page)).resolves.toMatchObject({ tag: 'a', text: 'Skip to content' });
    const shownBox = await skip.boundingBox();
    expect(shownBox?.y ?? -1).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    await expect(focused(page)).resolves.toMatchObject({ tag: 'main', id: 'main' });
    // The next Tab goes on inside the page's own content, past the main menu.
    await page.keyboard.press('Tab');
    const inMain = await page.evaluate(() => Boolean(document.activeElement?.closest('main')));
    expect(inMain).toBe(true);
    await page.close();
  });

  it('Outbound says "printed" in words, not only by striking the document through', async () => {
    const { browser, server } = suite;
    const packer = await buildUser(server.db, 'packer');
    const order = buildPackingOrder(server.db);
    const res = await fetch(`${server.localUrl}/api/v1/orders/${order.code}/documents/pick-slip.pdf`, { headers: { Authorization: `Bearer ${API_TOKEN}` } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await logIn(page, server.url, packer.email, '/outbound');
    const marker = page.locator(`tr[data-code="${order.code}"] .printed-pick_slip`);
    await expect(marker.textContent()).resolves.toBe('Pick slip (printed)');
    // The words are for a screen reader: the visible marker stays short.
    await expect(marker.locator('.visually-hidden').textContent()).resolves.toBe(' (printed)');
    await page.close();
  });

  describe('no main page has a serious or critical axe finding', () => {
    const ctx = {} as {
      page: Page;
      admin: { email: string };
      sku: string;
      open: string;
      packing: string;
      shipped: string;
      cancelled: string;
      preorder: string;
    };

    beforeAll(async () => {
      const { browser, server } = suite;
      const { db } = server;
      ctx.admin = await buildUser(db, 'admin');
      const product = buildProduct(db, { sku: 'A11Y-TENT', name: 'Tent', onHand: 20, location: 'A-01' });
      ctx.sku = product.sku;
      ctx.open = buildOrder(db, { lines: [{ sku: product.sku, quantity: 1 }] }).code;
      ctx.packing = buildPackingOrder(db, { lines: [{ sku: product.sku, quantity: 2 }] }).code;
      ctx.shipped = buildShippedOrder(db, { lines: [{ sku: product.sku, quantity: 1 }] }).code;
      ctx.cancelled = buildCancelledOrder(db, { lines: [{ sku: product.sku, quantity: 1 }] }).code;
      ctx.preorder = buildPreorder(db, { lines: [{ sku: product.sku, quantity: 1 }] }).code;
      // A custom status in a light colour the shop chose, on an order.
      putCustomStatus(db, 'CALL', { label: 'Call the customer', color: '#ffd84d' }, new Date());
      const marked = await fetch(`${server.localUrl}/api/v1/orders/${ctx.open}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${API_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ customStatus: 'CALL' }),
      });
      expect(marked.status).toBe(200);
      await marked.arrayBuffer();
      // A printed pick slip, for Outbound's marker.
      const printed = await fetch(`${server.localUrl}/api/v1/orders/${ctx.packing}/documents/pick-slip.pdf`, {
        headers: { Authorization: `Bearer ${API_TOKEN}` },
      });
      expect(printed.status).toBe(200);
      await printed.arrayBuffer();
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      ctx.page = await context.newPage();
      await logIn(ctx.page, server.url, ctx.admin.email, '/orders');
    }, 60_000);
    afterAll(async () => {
      await ctx.page?.context().close();
    });

    it('the login page, and a refused login', async () => {
      const page = await suite.browser.newPage({ viewport: { width: 1366, height: 900 } });
      await page.goto(`${suite.server.url}/login`);
      await expect(seriousFindings(page)).resolves.toEqual([]);
      await page.fill('input[name=email]', ctx.admin.email);
      await page.fill('input[name=password]', 'wrong password');
      await page.click('button[type=submit]');
      await page.waitForSelector('.flash-error');
      await expect(seriousFindings(page)).resolves.toEqual([]);
      await page.close();
    });

    const pages: [string, () => string][] = [
      ['the orders list', () => '/orders'],
      ['the orders list, cancelled orders', () => '/orders?status=cancelled'],
      ['the orders list, preorders', () => '/orders?status=preorder'],
      ['an order in Order', () => `/orders/${ctx.open}`],
      ['a preorder', () => `/orders/${ctx.preorder}`],
      ['a cancelled order', () => `/orders/${ctx.cancelled}`],
      ['an order in Packing', () => `/orders/${ctx.packing}`],
      ['a shipped order', () => `/orders/${ctx.shipped}`],
      ['a return', () => `/orders/${ctx.shipped}/returns/new`],
      ['a new order', () => '/orders/new'],
      ['Outbound', () => '/outbound'],
      ['Pickup', () => '/pickup'],
      ['Tools', () => '/tools'],
      ['Tools → Products', () => '/tools/products'],
      ['a product', () => `/tools/products/sku/${ctx.sku}`],
      ["a product's form", () => `/tools/products/sku/${ctx.sku}/edit`],
      ['Tools → Stock', () => '/tools/stock'],
      ['the pack script', () => '/tools/pack-script'],
      ['Settings → Users', () => '/settings/users'],
      ['Settings → Statuses', () => '/settings/statuses'],
      ['Settings → Pack script', () => '/settings/pack-script'],
      ['Settings → Documents', () => '/settings/documents'],
      ['Settings → Shipping', () => '/settings/shipping'],
      ['Settings → Shipping → Carriers', () => '/settings/shipping/carriers'],
      ['a new carrier account', () => '/settings/shipping/carriers/accounts/new?kind=shipmondo'],
      ['Settings → Printers', () => '/settings/printers'],
      ['Settings → Scanners', () => '/settings/scanners'],
      ['the scanner check', () => '/scanners'],
      ['Settings → E-mails', () => '/settings/emails'],
      ['Settings → Webhooks', () => '/settings/webhooks'],
      ['Settings → API tokens', () => '/settings/api-tokens'],
      ['the account', () => '/account'],
    ];
    for (const [name, path] of pages) {
      it(name, async () => {
        const response = await ctx.page.goto(`${suite.server.url}${path()}`);
        expect(response?.status()).toBe(200);
        expect(new URL(ctx.page.url()).pathname).not.toBe('/login');
        await expect(seriousFindings(ctx.page)).resolves.toEqual([]);
      });
    }

    it('a refused form', async () => {
      const { page } = ctx;
      await page.goto(`${suite.server.url}/tools/products/new`);
      await page.click('form.stack button[type=submit]');
      await page.waitForSelector('.field-error');
      await expect(seriousFindings(page)).resolves.toEqual([]);
    });

    it('a pack run', async () => {
      const { page } = ctx;
      await page.goto(`${suite.server.url}/tools/pack-script`);
      await page.click('button:text("Run now")');
      await page.waitForURL(/\/tools\/pack-script\/runs\/\d+$/);
      await expect(seriousFindings(page)).resolves.toEqual([]);
    });

    it('on a phone: the orders list, an order, Outbound and Shipping out', async () => {
      const context = await suite.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      await logIn(page, suite.server.url, ctx.admin.email, '/orders');
      const found: Record<string, Finding[]> = {};
      for (const path of ['/orders', `/orders/${ctx.packing}`, '/outbound', '/shipping']) {
        await page.goto(`${suite.server.url}${path}`);
        const findings = await seriousFindings(page);
        if (findings.length) found[path] = findings;
      }
      await context.close();
      expect(found).toEqual({});
    });

    it('Shipping out on a phone (390 px): an open order, a refusal shown full width and a takeover offered', async () => {
      const { db } = suite.server;
      const mine = buildPackingOrder(db, { lines: [{ sku: ctx.sku, quantity: 1 }] });
      const theirs = buildPackingOrder(db, { lines: [{ sku: ctx.sku, quantity: 1 }] });
      const ola = await buildUser(db, 'packer', { name: 'Ola' });
      writeTransaction(db, (tx) => openOrderAt(tx, ensureStation(tx, ola.id, 'Bench 9', new Date()), theirs));
      const context = await suite.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      await context.addCookies([{ name: 'station', value: 'Phone A11y', url: suite.server.url }]);
      const page = await context.newPage();
      await logIn(page, suite.server.url, ctx.admin.email, '/shipping');
      const scan = async (value: string) => {
        await page.locator('#scan-value').focus();
        await page.keyboard.type(value, { delay: 2 });
        await page.keyboard.press('Enter');
      };
      await scan(mine.code);
      await page.waitForSelector(`#current[data-code="${mine.code}"]`);
      await scan(theirs.code);
      await page.waitForSelector('#takeover');
      await scan('X'.repeat(36));
      await page.waitForSelector('#refused:not([hidden])');
      await page.waitForSelector('#takeover', { state: 'detached' });
      await scan(theirs.code);
      await page.waitForSelector('#takeover');
      await expect(page.locator('#refused .refused-waiting').isVisible()).resolves.toBe(true);
      await expect(seriousFindings(page)).resolves.toEqual([]);
      await context.close();
    });

    it('Shipping out: naming the station, then the station', async () => {
      const { page } = ctx;
      await page.goto(`${suite.server.url}/shipping`);
      await page.waitForSelector('#station-name');
      await expect(seriousFindings(page)).resolves.toEqual([]);
      await page.fill('#station-name', 'Bench A');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#scan-value');
      await expect(seriousFindings(page)).resolves.toEqual([]);
    });
  });
});
