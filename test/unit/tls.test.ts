import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { lanIPv4, loadTls, machineNames, tlsDir, TLS_FILES } from '../../src/tls.js';
import { tempDir } from '../temp.js';

const NOW = new Date('2026-11-20T08:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const NAMES = { dns: ['localhost', 'packhost'], ips: ['127.0.0.1', '::1', '192.168.1.20'] };

/** A TLS handshake to a real server on loopback with this key and chain, trusting only `ca`, for `servername`/`host`. */
async function handshake(material: { key: string; cert: string }, ca: string, host: string): Promise<string> {
  const server = createServer({ key: material.key, cert: material.cert }, (socket) => socket.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      // The socket goes to loopback; the name checked against the certificate is `host`.
      const socket = connect({ port, host: '127.0.0.1', ca, servername: host.includes(':') || /^\d/.test(host) ? undefined : host, checkServerIdentity: (_h, cert) => checkName(cert.raw, host) });
      socket.once('secureConnect', () => {
        resolve(socket.authorized ? 'trusted' : String(socket.authorizationError));
        socket.destroy();
      });
      socket.once('error', (e: Error) => resolve(`error: ${e.message}`));
      setTimeout(() => reject(new Error('handshake timed out')), 10_000).unref();
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
}

function checkName(raw: Buffer, host: string): Error | undefined {
  const cert = new X509Certificate(raw);
  const ok = host.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(host) ? cert.checkIP(host) : cert.checkHost(host);
  return ok ? undefined : new Error(`certificate does not cover ${host}`);
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

describe('the HTTPS certificate', () => {
  it('is made once next to the database, keys readable by the owner only, and reused on the next start', async () => {
    const dir = tlsDir(join(tempDir('tls'), 'warehouse.db'));
    const first = await loadTls({ dir, names: NAMES, now: NOW });
    expect(first).toMatchObject({ source: 'self-signed', action: 'created', notes: [] });
    expect(mode(join(dir, TLS_FILES.key))).toBe(0o600);
    expect(mode(join(dir, TLS_FILES.caKey))).toBe(0o600);
    expect(mode(join(dir, TLS_FILES.caCert))).toBe(0o644);

    const server = new X509Certificate(readFileSync(join(dir, TLS_FILES.cert)));
    expect(server.subjectAltName).toBe('DNS:localhost, DNS:packhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.168.1.20');
    expect(server.ca).toBe(false);
    // Apple refuses server certificates valid for more than 825 days.
    expect(new Date(server.validTo).getTime() - NOW.getTime()).toBeLessThanOrEqual(825 * DAY);
    const ca = new X509Certificate(first.caCert!);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);

    // A client that trusts the authority (as a phone that installed it) accepts every name and address.
    for (const host of ['127.0.0.1', 'localhost', 'packhost', '192.168.1.20']) expect(await handshake(first, first.caCert!, host)).toBe('trusted');
    expect(await handshake(first, first.caCert!, 'elsewhere.example')).toBe('error: certificate does not cover elsewhere.example');

    const second = await loadTls({ dir, names: NAMES, now: new Date(NOW.getTime() + 100 * DAY) });
    expect(second).toMatchObject({ action: 'reused', notes: [] });
    expect(second.cert).toBe(first.cert);
    expect(second.key).toBe(first.key);
  });

  it('issues the server certificate again from the same authority when an address is new or it runs out', async () => {
    const dir = tempDir('tls');
    const first = await loadTls({ dir, names: NAMES, now: NOW });
    const moved = await loadTls({ dir, names: { ...NAMES, ips: [...NAMES.ips, '10.0.0.7'] }, now: NOW });
    expect(moved).toMatchObject({ action: 'reissued', notes: ['the server certificate does not cover 10.0.0.7'] });
    // The phones keep trusting it: the authority they installed is the same.
    expect(moved.caCert).toBe(first.caCert);
    expect(await handshake(moved, first.caCert!, '10.0.0.7')).toBe('trusted');

    const late = await loadTls({ dir, names: { ...NAMES, ips: [...NAMES.ips, '10.0.0.7'] }, now: new Date(NOW.getTime() + 790 * DAY) });
    expect(late.action).toBe('reissued');
    expect(late.notes[0]).toMatch(/^the server certificate runs out on 2029-/);
    expect(late.caCert).toBe(first.caCert);
  });

  it("makes a new pair when the kept files are damaged", async () => {
    const dir = tempDir('tls');
    const first = await loadTls({ dir, names: NAMES, now: NOW });
    writeFileSync(join(dir, TLS_FILES.key), 'not a key');
    const repaired = await loadTls({ dir, names: NAMES, now: NOW });
    expect(repaired).toMatchObject({ action: 'reissued', notes: ['no server certificate was kept'] });
    expect(repaired.caCert).toBe(first.caCert);
    expect(await handshake(repaired, first.caCert!, 'packhost')).toBe('trusted');
  });

  it("uses the operator's files when given, whatever is kept", async () => {
    const folder = tempDir('tls');
    const dir = join(folder, 'tls');
    await loadTls({ dir, names: NAMES, now: NOW });
    const own = await generate([{ name: 'commonName', value: 'warehouse.example' }], { keyType: 'ec', algorithm: 'sha256', notBeforeDate: new Date(NOW.getTime() - DAY) });
    writeFileSync(join(folder, 'own.crt'), own.cert);
    writeFileSync(join(folder, 'own.key'), own.private);
    const tls = await loadTls({ certFile: join(folder, 'own.crt'), keyFile: join(folder, 'own.key'), dir, names: NAMES, now: NOW });
    expect(tls).toMatchObject({ source: 'operator', action: 'operator', cert: own.cert, key: own.private, notes: [] });
    expect(tls.caCert).toBeUndefined();
    expect(await handshake(tls, own.cert, 'warehouse.example')).toBe('trusted');

    const expired = await loadTls({ certFile: join(folder, 'own.crt'), keyFile: join(folder, 'own.key'), dir, names: NAMES, now: new Date(NOW.getTime() + 400 * DAY) });
    expect(expired.notes[0]).toMatch(/^the certificate in TLS_CERT_FILE ran out on /);
  });

  it("refuses to start with operator's files that cannot be used, naming the file and why", async () => {
    const folder = tempDir('tls');
    const dir = join(folder, 'tls');
    const a = await generate([{ name: 'commonName', value: 'a.example' }], { keyType: 'ec', algorithm: 'sha256' });
    const b = await generate([{ name: 'commonName', value: 'b.example' }], { keyType: 'ec', algorithm: 'sha256' });
    const file = (name: string, text: string) => {
      writeFileSync(join(folder, name), text);
      return join(folder, name);
    };
    const cert = file('a.crt', a.cert);
    const key = file('a.key', a.private);
    const otherKey = file('b.key', b.private);
    const junk = file('junk.pem', 'hello');
    const missing = join(folder, 'missing.crt');
    const load = (certFile?: string, keyFile?: string) => loadTls({ certFile, keyFile, dir, names: NAMES, now: NOW });

    await expect(load(missing, key)).rejects.toThrow(`TLS_CERT_FILE (${missing}) cannot be read: ENOENT.`);
    await expect(load(cert, missing)).rejects.toThrow(`TLS_KEY_FILE (${missing}) cannot be read: ENOENT.`);
    await expect(load(junk, key)).rejects.toThrow(`TLS_CERT_FILE (${junk}) is not a PEM certificate.`);
    await expect(load(cert, junk)).rejects.toThrow(`TLS_KEY_FILE (${junk}) is not a PEM private key without a passphrase.`);
    await expect(load(cert, otherKey)).rejects.toThrow(`TLS_KEY_FILE (${otherKey}) is not the private key of the certificate in TLS_CERT_FILE (${cert}).`);
    await expect(load(cert, undefined)).rejects.toThrow('TLS_CERT_FILE and TLS_KEY_FILE go together');
    // Nothing self-signed was made in their place.
    expect(() => statSync(dir)).toThrow();
  });

  it('is configured by HTTPS_PORT, TLS_CERT_FILE and TLS_KEY_FILE (both or neither) and PUBLIC_HOST', () => {
    expect(loadConfig({}).httpsPort).toBeUndefined();
    expect(loadConfig({ HTTPS_PORT: '3443', PUBLIC_HOST: 'lager.local' })).toMatchObject({ httpsPort: 3443, publicHost: 'lager.local' });
    expect(() => loadConfig({ TLS_CERT_FILE: '/etc/ssl/a.crt' })).toThrow('TLS_CERT_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together');
    expect(() => loadConfig({ HTTPS_PORT: '70000' })).toThrow('HTTPS_PORT');
    expect(() => loadConfig({ PUBLIC_HOST: 'https://lager.local:3443' })).toThrow('PUBLIC_HOST must be a host name or IP address');
  });
});

describe("the machine's names", () => {
  const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal, netmask: '', mac: '', cidr: null, scopeid: 0 }) as NetworkInterfaceInfo;
  const interfaces = {
    lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
    eth0: [iface('fe80::1', 'IPv6'), iface('192.168.1.20', 'IPv4'), iface('fd00::2', 'IPv6')],
    wlan0: [iface('10.0.0.5', 'IPv4')],
  };

  it('covers localhost, the host name and every address but IPv6 link-local', () => {
    expect(machineNames(interfaces, 'PackHost')).toEqual({ dns: ['localhost', 'packhost'], ips: ['127.0.0.1', '::1', '192.168.1.20', 'fd00::2', '10.0.0.5'] });
  });

  it('gives phones the first IPv4 address that is not loopback', () => {
    expect(lanIPv4(interfaces)).toBe('192.168.1.20');
    expect(lanIPv4({ lo: interfaces.lo })).toBeUndefined();
  });
});
