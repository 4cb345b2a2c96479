import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { translator } from '../../src/i18n/index.js';
import { stationJoinUrl } from '../../src/shipping/web/join.js';
import { lanIPv4, loadTls, machineNames, tlsDir, TLS_FILES } from '../../src/tls.js';
import { launchChromium } from '../browser/browser.js';
import { buildUser } from '../builders.js';
import { loginAs, makeApp, makeDb } from '../helpers.js';
import { binary, bytesOf } from '../pdf.js';
import { tempDir, withTempDir } from '../temp.js';

const run = promisify(execFile);

// Chromium draws the SVG as a phone's screen would show it; zbarimg, an independent decoder, reads it.
vi.setConfig({ testTimeout: 60_000 });
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** What a phone's camera reads from the SVG: rendered by Chromium at 400×400 px, decoded by zbarimg. */
async function readQr(svg: string): Promise<string> {
  return withTempDir('qr', async (dir) => {
    const page = await browser.newPage();
    try {
      await page.setContent(
        `<body style="margin:0;background:#fff"><img id="qr" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" style="width:400px;height:400px"></body>`,
      );
      await page.locator('#qr').screenshot({ path: join(dir, 'qr.png') });
    } finally {
      await page.close();
    }
    const { stdout } = await run('zbarimg', ['-q', '--raw', '-Sdisable', '-Sqrcode.enable', join(dir, 'qr.png')]);
    return stdout.trim();
  });
}

async function packerAgent(env: Record<string, string>) {
  const { app, db } = makeApp({ env });
  const packer = await buildUser(db, 'packer');
  const { agent } = await loginAs(app, packer.email);
  return { app, db, agent };
}

function svgOf(res: { status: number; body: unknown }): string {
  return bytesOf(res).toString('utf8');
}

describe('GET /shipping/join.svg', () => {
  it("is a QR code of the station's HTTPS address at PUBLIC_HOST, for a phone to open", async () => {
    const { agent } = await packerAgent({ HTTPS_PORT: '3443', PUBLIC_HOST: 'lager.local' });
    const res = await agent.get('/shipping/join.svg').query({ station: 'Bench 2 – Pia' }).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(await readQr(svgOf(res))).toBe('https://lager.local:3443/shipping?station=Bench%202%20%E2%80%93%20Pia');

    // No station: the phone opens the station page and names itself.
    const plain = await agent.get('/shipping/join.svg').buffer(true).parse(binary);
    expect(await readQr(svgOf(plain))).toBe('https://lager.local:3443/shipping');
  });

  it("uses the machine's first LAN IPv4 address without PUBLIC_HOST", async () => {
    const { agent } = await packerAgent({ HTTPS_PORT: '8443' });
    const res = await agent.get('/shipping/join.svg?station=Bench%201').buffer(true).parse(binary);
    expect(await readQr(svgOf(res))).toBe(`https://${lanIPv4() ?? 'localhost'}:8443/shipping?station=Bench%201`);
  });

  it('refuses a station name over 40 characters or with control characters, and answers 404 while HTTPS is off', async () => {
    const { agent } = await packerAgent({ HTTPS_PORT: '3443' });
    expect((await agent.get('/shipping/join.svg').query({ station: 'x'.repeat(40) })).status).toBe(200);
    for (const station of ['x'.repeat(41), 'Bench\n2', 'Bench\u00072']) {
      const res = await agent.get('/shipping/join.svg').query({ station });
      expect(res.status, JSON.stringify(station)).toBe(400);
      expect(res.text).toContain('A station name has at most 40 characters and no control characters.');
    }
    const twice = await agent.get('/shipping/join.svg?station=a&station=b');
    expect(twice.status).toBe(400);

    const off = await packerAgent({});
    const res = await off.agent.get('/shipping/join.svg?station=Bench%201');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Phones can use their camera only over HTTPS: set HTTPS_PORT');
  });

  it('is for staff with the shipping station only', async () => {
    const { app } = makeApp({ env: { HTTPS_PORT: '3443' } });
    const anonymous = await (await import('supertest')).default(app).get('/shipping/join.svg');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toBe('/login?next=%2Fshipping%2Fjoin.svg');
  });
});

describe('views/shipping/join.ejs', () => {
  // Rendered by the app's own view engine, with the locals the station page has.
  const { app } = makeApp();
  const renderIn = (lang: 'en' | 'sv', locals: Record<string, unknown>) =>
    new Promise<string>((resolve, reject) =>
      app.render('shipping/join', { t: translator(lang), ...locals }, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html!))),
    );
  const render = (locals: Record<string, unknown>) => renderIn('en', locals);

  it('shows the QR code, the address to type and where to get the certificate', async () => {
    const config = { httpsPort: 3443, publicHost: 'lager.local' };
    const html = await render({ station: 'Bench 2', phoneJoinUrl: (s: string) => stationJoinUrl(config, s), phoneJoinSelfSigned: true });
    expect(html).toContain(
      '<img class="phone-join-qr" src="/shipping/join.svg?station=Bench%202" alt="QR code of https://lager.local:3443/shipping?station=Bench%202"',
    );
    expect(html).toContain('<code class="phone-join-url">https://lager.local:3443/shipping?station=Bench%202</code>');
    expect(html).toContain('First time on a phone: install this server’s certificate and trust it, as docs/operations.md § HTTPS for phones shows.');
    expect(html).toContain('<a href="/tls/ca.crt" download>Download the certificate</a>');

    // The operator's certificate is trusted already: no download.
    const own = await render({ station: 'Bench 2', phoneJoinUrl: (s: string) => stationJoinUrl(config, s), phoneJoinSelfSigned: false });
    expect(own).not.toContain('/tls/ca.crt');
    const sv = await renderIn('sv', { station: 'Bänk 2', phoneJoinUrl: (s: string) => stationJoinUrl(config, s), phoneJoinSelfSigned: true });
    expect(sv).toContain('Telefon som station');
    expect(sv).toContain('https://lager.local:3443/shipping?station=B%C3%A4nk%202');
  });

  it('shows only a hint while HTTPS is off', async () => {
    const html = await render({
      station: 'Bench 2',
      phoneJoinUrl: (s: string) => stationJoinUrl({ httpsPort: undefined, publicHost: undefined }, s),
      phoneJoinSelfSigned: true,
    });
    expect(html).toContain('Phones can use their camera only over HTTPS: set HTTPS_PORT (for example 3443) and restart the server');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('https://');
  });
});

describe('GET /tls/ca.crt', () => {
  it("gives anyone the self-signed authority's certificate to install, and nothing when the operator's is used", async () => {
    const folder = tempDir('ca');
    const databasePath = join(folder, 'warehouse.db');
    const tls = await loadTls({ dir: tlsDir(databasePath), names: machineNames(), now: new Date() });
    const { app } = makeApp({ db: makeDb(databasePath), env: { HTTPS_PORT: '3443', DATABASE_PATH: databasePath } });
    const request = (await import('supertest')).default;
    const res = await request(app).get('/tls/ca.crt').buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(res.headers['content-disposition']).toBe('attachment; filename="warehouse-ca.crt"');
    expect(bytesOf(res).equals(new X509Certificate(tls.caCert!).raw)).toBe(true);
    expect(bytesOf(res).equals(new X509Certificate(readFileSync(join(tlsDir(databasePath), TLS_FILES.caCert))).raw)).toBe(true);

    const own = await generate([{ name: 'commonName', value: 'warehouse.example' }], { keyType: 'ec', algorithm: 'sha256' });
    writeFileSync(join(folder, 'own.crt'), own.cert);
    writeFileSync(join(folder, 'own.key'), own.private);
    const operator = makeApp({
      env: { HTTPS_PORT: '3443', DATABASE_PATH: databasePath, TLS_CERT_FILE: join(folder, 'own.crt'), TLS_KEY_FILE: join(folder, 'own.key') },
    });
    const refused = await request(operator.app).get('/tls/ca.crt');
    expect(refused.status).toBe(404);
    expect(refused.text).toContain('This server has no certificate of its own to install');
  });
});
