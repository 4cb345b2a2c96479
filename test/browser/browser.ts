import { applyShopDefaults } from '../../src/email/settings.js';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, vi } from 'vitest';
import { buildAppDeps, createApp } from '../../src/app.js';
import type { Db } from '../../src/db/client.js';
import { consoleLogger } from '../../src/log.js';
import { loadTls } from '../../src/tls.js';
import { makeDb, PASSWORD, testConfig } from '../helpers.js';
import { tempDir } from '../temp.js';

/** Flags that let Debian's Chromium run headless as root on a machine without outside network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The name the browser opens the app at. It leads to 127.0.0.1 (all traffic stays on loopback), but
 * unlike 127.0.0.1 and localhost it is not a secure context over plain HTTP: the page sees what a
 * shop's LAN gives it (no crypto.randomUUID, camera, clipboard or service workers).
 */
export const LAN_HOST = 'warehouse.test';

const RESOLVER_FLAG = '--host-resolver-rules=';

/**
 * Chromium with `LAN_HOST` mapped to loopback. Chromium reads one --host-resolver-rules flag, so a
 * caller's own rules (`--host-resolver-rules=MAP lager.test 127.0.0.1`) are merged into it.
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const rules = [`MAP ${LAN_HOST} 127.0.0.1`];
  const others: string[] = [];
  for (const arg of extraArgs) {
    if (arg.startsWith(RESOLVER_FLAG)) rules.push(arg.slice(RESOLVER_FLAG.length).replace(/^"(.*)"$/, '$1'));
    else others.push(arg);
  }
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, `${RESOLVER_FLAG}${rules.join(', ')}`, ...others],
  });
}

export interface ServeOptions {
  db?: Db;
  /**
   * Serve over HTTPS with the server's own certificate (src/tls.ts, made in a temp folder), as the
   * HTTPS port serves phones: a secure context for the camera. Open the browser context with
   * `ignoreHTTPSErrors: true` (the browser does not trust the test's authority).
   */
  https?: boolean;
  /** Environment of the app's configuration, beside the tests' own (testConfig). */
  env?: Record<string, string>;
}

/**
 * The app on a real port on 127.0.0.1, for a real browser: `url` is http://warehouse.test:PORT (or
 * https:// with `https`), which only a browser from launchChromium resolves; Node's own requests
 * (fetch) use `localUrl`, the same server at 127.0.0.1.
 */
export async function serveApp(dbOrOptions: Db | ServeOptions = {}) {
  const options: ServeOptions = isDb(dbOrOptions) ? { db: dbOrOptions } : dbOrOptions;
  const db = options.db ?? makeDb();
  const config = testConfig(options.env);
  applyShopDefaults(db, config, new Date());
  const log = consoleLogger({ silent: true });
  const app = createApp(buildAppDeps({ db, config, clock: () => new Date(), log }));
  const tls = options.https
    ? await loadTls({ dir: join(tempDir('serve-tls'), 'tls'), names: { dns: [LAN_HOST, 'localhost'], ips: ['127.0.0.1'] }, now: new Date() })
    : undefined;
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, app) : createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const scheme = tls ? 'https' : 'http';
  return {
    db,
    url: `${scheme}://${LAN_HOST}:${port}`,
    localUrl: `${scheme}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections();
      }),
  };
}

/**
 * route.fetch() for a page of the served app. Playwright makes that request from Node, which does
 * not know the browser's warehouse.test: it goes to the same server at `localUrl`, with the
 * browser's cookies for `url` from `context` (the route's own, whose cookie jar holds the session).
 */
export async function fetchFromApp(route: Route, context: BrowserContext, server: { url: string; localUrl: string }) {
  const request = route.request();
  if (!request.url().startsWith(server.url)) throw new Error(`fetchFromApp: ${request.url()} is not on ${server.url}`);
  const cookies = await context.cookies(request.url());
  return route.fetch({
    url: server.localUrl + request.url().slice(server.url.length),
    headers: { ...(await request.allHeaders()), cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
  });
}

function isDb(value: Db | ServeOptions): value is Db {
  return '$client' in value;
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
