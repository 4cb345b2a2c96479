import { applyShopDefaults } from '../../src/email/settings.js';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, vi } from 'vitest';
import { buildAppDeps, createApp } from '../../src/app.js';
import type { Db } from '../../src/db/client.js';
import { consoleLogger } from '../../src/log.js';
import { makeDb, PASSWORD, testConfig } from '../helpers.js';

/** Flags that let Debian's Chromium run headless as root on a machine without outside network. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** The app on a real port on loopback, for a real browser. */
export async function serveApp(db: Db = makeDb()) {
  const config = testConfig();
  applyShopDefaults(db, config, new Date());
  const app = createApp(buildAppDeps({ db, config, clock: () => new Date(), log: consoleLogger({ silent: true }) }));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return { db, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A browser and a served app for one test file, closed after it; `prepare` fills the database first. */
export function browserSuite(prepare?: (db: Db) => void) {
  // A real browser shares two cores with the fuzz and stress suites in npm test: a page flow that
  // takes 3 s alone has taken over 20 s there. The file's tests get a minute each.
  vi.setConfig({ testTimeout: 60_000 });
  const suite = {} as { browser: Browser; server: Awaited<ReturnType<typeof serveApp>> };
  beforeAll(async () => {
    suite.browser = await launchChromium();
    suite.server = await serveApp();
    prepare?.(suite.server.db);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

/** Logs in through the login page, starting from `path`, and waits to land there. */
export async function logIn(page: Page, baseUrl: string, email: string, path: string): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(path)}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${baseUrl}${path}`);
}
