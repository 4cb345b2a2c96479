import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildAppDeps, createApp } from '../../src/app.js';
import { applyShopDefaults } from '../../src/email/settings.js';
import { listen, type Listening } from '../../src/listen.js';
import { consoleLogger } from '../../src/log.js';
import { stationJoinUrl } from '../../src/shipping/web/join.js';
import { tlsDir, TLS_FILES } from '../../src/tls.js';
import { buildUser } from '../builders.js';
import { makeDb, PASSWORD, testConfig } from '../helpers.js';
import { tempDir } from '../temp.js';
import { launchChromium } from './browser.js';

/** A free port on loopback, for HTTPS_PORT: the join address names the port, so it is fixed before the start. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Whether a TLS client that trusts only `ca` accepts the server at 127.0.0.1:port, as a phone that installed it would. */
function trustedBy(ca: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      resolve(socket.authorized ? 'trusted' : String(socket.authorizationError));
      socket.destroy();
    });
    socket.once('error', (e: Error) => resolve(`error: ${e.message}`));
  });
}

describe('HTTPS for phones, in a real browser', () => {
  vi.setConfig({ testTimeout: 60_000 });
  const LAN_NAME = 'lager.test';
  let browser: Browser;
  let servers: Listening;
  let db: ReturnType<typeof makeDb>;
  let config: ReturnType<typeof testConfig>;

  beforeAll(async () => {
    // The server as npm start runs it: a database file, the self-signed certificate made next to it.
    const folder = tempDir('https');
    const databasePath = join(folder, 'warehouse.db');
    db = makeDb(databasePath);
    config = testConfig({ DATABASE_PATH: databasePath, HOST: '127.0.0.1', PORT: '0', HTTPS_PORT: String(await freePort()), PUBLIC_HOST: LAN_NAME });
    applyShopDefaults(db, config, new Date());
    const app = createApp(buildAppDeps({ db, config, clock: () => new Date(), log: consoleLogger({ silent: true }) }));
    servers = await listen(app, config, consoleLogger({ silent: true }));
    // The LAN name leads to loopback: no traffic leaves the machine, but the page is not on localhost.
    browser = await launchChromium([`--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`]);
  });
  afterAll(async () => {
    await browser?.close();
    await servers?.close();
    db?.$client.close();
  });

  it('serves the station over HTTPS with the kept certificate, and a phone logs in there with a working session and CSRF', async () => {
    expect(servers.httpsPort).toBe(config.httpsPort);
    // The port serves the certificate kept next to the database, trusted by its own authority.
    const ca = readFileSync(join(tlsDir(config.databasePath), TLS_FILES.caCert), 'utf8');
    expect(await trustedBy(ca, servers.httpsPort!)).toBe('trusted');

    const packer = await buildUser(db, 'packer', { name: 'Pia Packare' });
    const httpBase = `http://${LAN_NAME}:${servers.httpPort}`;
    const httpsBase = `https://${LAN_NAME}:${servers.httpsPort}`;
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();

    // Over plain HTTP on a LAN name the browser offers no camera at all.
    await page.goto(`${httpBase}/login`);
    expect(await page.evaluate(() => ({ secure: window.isSecureContext, camera: typeof navigator.mediaDevices?.getUserMedia }))).toEqual({
      secure: false,
      camera: 'undefined',
    });

    // The phone scans the station's QR code: this is the address it opens.
    const joinUrl = stationJoinUrl(config, 'Bench 2');
    expect(joinUrl).toBe(`${httpsBase}/shipping?station=Bench%202`);
    await page.goto(joinUrl!);
    expect(page.url()).toBe(`${httpsBase}/login?next=%2Fshipping%3Fstation%3DBench%25202`);
    await page.fill('input[name=email]', packer.email);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    // Logged in, the phone is on the station page (which takes the station's name from the address).
    await page.waitForURL((url) => url.origin === httpsBase && url.pathname === '/shipping');
    expect(await page.locator('h1').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => ({ secure: window.isSecureContext, camera: typeof navigator.mediaDevices?.getUserMedia }))).toEqual({
      secure: true,
      camera: 'function',
    });
    const cookie = (await context.cookies(httpsBase)).find((c) => c.name === 'wbo.sid');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // A form posted over HTTPS carries the session's CSRF token and is answered with its success page.
    await page.goto(`${httpsBase}/account`);
    await page.selectOption('select[name=language]', 'sv');
    await page.click('form[action="/account"] button[type=submit]');
    await page.waitForURL(`${httpsBase}/account`);
    await expect(page.locator('.flash-success').textContent()).resolves.toBe('Sparat.');

    // The QR code is served over HTTPS to the logged-in phone as well.
    const svg = await page.goto(`${httpsBase}/shipping/join.svg?station=Bench%202`);
    expect(svg?.status()).toBe(200);
    expect(svg?.headers()['content-type']).toBe('image/svg+xml; charset=utf-8');
    await context.close();
  });

  it('stops both ports on shutdown', async () => {
    const other = await listen(
      createApp(buildAppDeps({ db, config: { ...config, httpsPort: 0 }, clock: () => new Date(), log: consoleLogger({ silent: true }) })),
      { ...config, httpsPort: 0 },
      consoleLogger({ silent: true }),
    );
    expect([other.http.listening, other.https?.listening]).toEqual([true, true]);
    await other.close();
    expect([other.http.listening, other.https?.listening]).toEqual([false, false]);
  });
});
