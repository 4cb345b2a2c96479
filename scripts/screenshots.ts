/**
 * Screenshots of the main pages, to look at the layout in every language at once:
 *
 *   npm run screenshots [folder] [-- --full-page]
 *
 * Starts the back office as `npm start` does (migrations, the first admin, the demo data, one pack
 * run) on a temporary database on loopback, logs in with Chromium (/usr/bin/chromium, or
 * CHROMIUM_PATH) and saves each page at 1366×900 (a desk) and 390×844 (a phone) in each language
 * of LANGUAGES, as <folder>/<language>/<width>x<height>-<page>.png. The folder defaults to
 * screenshots/ (git-ignored). Without --full-page a picture is what the window shows without
 * scrolling. The temporary database is removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { buildAppDeps, createApp } from '../src/app.js';
import { ensureFirstAdmin } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { seedDemoData } from '../src/demo/seed.js';
import { applyShopDefaults } from '../src/email/settings.js';
import { LANGUAGES } from '../src/i18n/index.js';
import { consoleLogger } from '../src/log.js';
import { runPackScript } from '../src/pack/run.js';
import { launchChromium } from '../test/browser/browser.js';

const SIZES: { name: string; options: BrowserContextOptions }[] = [
  { name: '1366x900', options: { viewport: { width: 1366, height: 900 } } },
  { name: '390x844', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 } },
];

const args = process.argv.slice(2);
const fullPage = args.includes('--full-page');
const outDir = resolve(args.find((a) => !a.startsWith('--')) ?? 'screenshots');

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'wbo-screenshots-'));
  const password = randomBytes(12).toString('hex');
  const config = loadConfig({
    DATABASE_PATH: join(tmp, 'warehouse.db'),
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: password,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    DEMO_DATA: '1',
  });
  const log = consoleLogger({ silent: true });
  const clock = () => new Date();
  const db = openDatabase(config.databasePath);
  let closeServer = () => Promise.resolve();
  let browser: Awaited<ReturnType<typeof launchChromium>> | null = null;
  try {
    // As src/server.ts starts: migrations, the first admin, the shop's defaults, the demo data.
    migrateDatabase(db);
    await ensureFirstAdmin(db, config, clock(), log, () => {});
    applyShopDefaults(db, config, clock());
    seedDemoData(db, { now: clock(), currency: config.currency });
    // One pack run, so the pack script's pages have a run to show.
    const run = await runPackScript({ db, clock, log }, { trigger: 'manual', dryRun: false, actor: { type: 'system', id: null, name: 'pack script' } });

    const app = createApp(buildAppDeps({ db, config, clock, log }));
    const server = await new Promise<import('node:http').Server>((done) => {
      const s = app.listen(0, '127.0.0.1', () => done(s));
    });
    closeServer = () => new Promise<void>((done) => server.close(() => done()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const sql = db.$client;
    const orderCode =
      (sql.prepare("SELECT code FROM orders WHERE status = 'order' AND customer_id IS NOT NULL ORDER BY id DESC LIMIT 1").pluck().get() as
        string | undefined) ?? '';
    const packingCode = (sql.prepare("SELECT code FROM orders WHERE status = 'packing' ORDER BY id LIMIT 1").pluck().get() as string | undefined) ?? '';
    const pages: { name: string; path: string; prepare?: (page: Page) => Promise<void> }[] = [
      { name: 'orders', path: '/orders' },
      { name: 'order', path: `/orders/${orderCode}` },
      { name: 'outbound', path: '/outbound' },
      { name: 'shipping-station', path: '/shipping?station=Bench%201', prepare: (page) => openAtStation(page, packingCode) },
      { name: 'pack-runs', path: '/tools/pack-script' },
      { name: 'pack-run', path: `/tools/pack-script/runs/${run.id}` },
      { name: 'products', path: '/tools/products' },
      { name: 'settings', path: '/settings/users' },
      { name: 'settings-emails', path: '/settings/emails' },
    ];

    browser = await launchChromium();
    let count = 0;
    for (const lang of LANGUAGES) {
      mkdirSync(join(outDir, lang), { recursive: true });
      for (const size of SIZES) {
        // The browser's language chooses the login page's; the account's chooses the rest.
        const context = await browser.newContext({ ...size.options, locale: lang });
        const page = await context.newPage();
        const shot = async (name: string) => {
          await page.screenshot({ path: join(outDir, lang, `${size.name}-${name}.png`), fullPage });
          count++;
        };
        await page.goto(`${base}/login`);
        await shot('login');
        await page.fill('input[name=email]', config.adminEmail);
        await page.fill('input[name=password]', password);
        await page.click('button[type=submit]');
        await page.waitForURL(`${base}/orders`);
        await page.goto(`${base}/account`);
        await page.selectOption('form[action="/account"] select[name=language]', lang);
        await page.click('form[action="/account"] button[type=submit]');
        await page.waitForURL(`${base}/account`);
        const shown = await page.getAttribute('html', 'lang');
        if (shown !== lang) throw new Error(`the account's language did not change to ${lang} (the page says ${shown})`);
        for (const p of pages) {
          const response = await page.goto(`${base}${p.path}`);
          if (!response?.ok()) throw new Error(`${p.path} answered ${response?.status()}`);
          await p.prepare?.(page);
          await shot(p.name);
        }
        await context.close();
      }
    }
    console.log(`${count} screenshots in ${outDir}`);
  } finally {
    await browser?.close();
    await closeServer();
    db.$client.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Scans a packing order's code at the station, as a wedge scanner types it, and waits for its card. */
async function openAtStation(page: Page, code: string): Promise<void> {
  if (!code) return;
  await page.fill('#scan-value', code);
  await page.press('#scan-value', 'Enter');
  await page.locator('.station-current', { hasText: code }).first().waitFor({ timeout: 10_000 });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
