import { describe, expect, it } from 'vitest';
import { fill } from '../../bench/generate.js';
import { buildUser } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('the pack script run by hand, in a real browser', () => {
  // Enough candidate orders for a run of several batches, so the page sees it while it runs.
  const suite = browserSuite((db) =>
    fill(db, { products: 2000, orders: 30_000, linesPerOrder: 3, statuses: [['order', 1]], onHand: [0, 40], unpaidShare: 0.1 }),
  );

  it('shows the run live, then its summary by reason', async () => {
    const { browser, server } = suite;
    const op = await buildUser(server.db, 'operator');
    const page = await browser.newPage();
    await logIn(page, server.url, op.email, '/tools/pack-script');

    const stream = page.waitForRequest((r) => /\/tools\/pack-script\/runs\/\d+\/events$/.test(r.url()), { timeout: 10_000 });
    await page.click('button:text("Run now")');
    await page.waitForURL(/\/tools\/pack-script\/runs\/\d+$/);
    // While the run goes on, the page follows it over server-sent events ...
    await stream;
    // ... and when it finishes it shows the summary.
    await page.waitForSelector('h2:text("Held, by reason")', { timeout: 30_000 });
    await expect(page.locator('#run-status').textContent()).resolves.toBe('Finished');
    // Figures are written the page's way ("29,500"): read back as digits.
    const figure = async (selector: string) => Number((await page.locator(selector).textContent())?.replace(/\D/g, ''));
    const promoted = await figure('#count-promoted');
    const held = await figure('#count-held');
    expect(promoted).toBeGreaterThan(0);
    expect(held).toBeGreaterThan(0);
    expect(promoted + held).toBe(30_000);
    await expect(page.locator('ul.reasons').textContent()).resolves.toContain('waiting for stock');
    await expect(page.locator('ol.steps li').count()).resolves.toBe(500);
    await page.screenshot({ path: 'test-results/pack-run.png' });
    await page.close();
  });
});
