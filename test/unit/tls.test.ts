import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
      const socket = connect({
        port,
        host: '127.0.0.1',
        ca,
        servername: host.includes(':') || /^\d/.test(host) ? undefined : host,
        checkServerIdentity: (_h, cert) => checkName(cert.raw, host),
      });
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

/** `openssl x509 -ext nameConstraints` of a certificate: the extension as OpenSSL reads it. */
function nameConstraintsText(pem: string): string {
  const r = spawnSync('openssl', ['x509', '-noout', '-ext', 'nameConstraints'], { input: pem, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().replace(/\n\s+/g, '\n');
}

/** `openssl verify` of `leaf` against `ca` alone, as a phone that installed the authority checks a server certificate. */
function opensslVerify(dir: string, ca: string, leaf: string): { ok: boolean; output: string } {
  writeFileSync(join(dir, 'verify-ca.pem'), ca);
  writeFileSync(join(dir, 'verify-leaf.pem'), leaf);
  const r = spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', join(dir, 'verify-ca.pem'), join(dir, 'verify-leaf.pem')], {
    encoding: 'utf8',
  });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** A server certificate for `dns` and `ips`, signed with the kept authority's own key: what someone holding that key could make. */
async function leafFrom(dir: string, dns: string[], ips: string[] = []): Promise<{ cert: string; key: string }> {
  const made = await generate([{ name: 'commonName', value: dns[0] ?? ips[0]! }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY),
    ca: { cert: readFileSync(join(dir, TLS_FILES.caCert), 'utf8'), key: readFileSync(join(dir, TLS_FILES.caKey), 'utf8') },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...dns.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  return { cert: made.cert, key: made.private };
}

/** An authority as the server made it before name constraints: CA:TRUE and nothing more. */
async function unconstrainedAuthority(): Promise<{ cert: string; private: string }> {
  return generate([{ name: 'commonName', value: 'Warehouse back office on packhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(NOW.getTime() - DAY),
    notAfterDate: new Date(NOW.getTime() + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
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
    // The authority may sign for these names and addresses only (critical: a client that cannot read it refuses the authority).
    expect(nameConstraintsText(first.caCert!)).toBe(
      [
        'X509v3 Name Constraints: critical',
        'Permitted:',
        'DNS:localhost',
        'DNS:packhost',
        'IP:127.0.0.1/255.255.255.255',
        'IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF',
        'IP:192.168.1.20/255.255.255.255',
      ].join('\n'),
    );
    expect(JSON.parse(readFileSync(join(dir, TLS_FILES.caNames), 'utf8'))).toEqual({ ca: ca.fingerprint256, ...NAMES });

    // A client that trusts the authority (as a phone that installed it) accepts every name and address.
    for (const host of ['127.0.0.1', 'localhost', 'packhost', '192.168.1.20']) expect(await handshake(first, first.caCert!, host)).toBe('trusted');
    expect(await handshake(first, first.caCert!, 'elsewhere.example')).toBe('error: certificate does not cover elsewhere.example');

    const second = await loadTls({ dir, names: NAMES, now: new Date(NOW.getTime() + 100 * DAY) });
    expect(second).toMatchObject({ action: 'reused', notes: [] });
    expect(second.cert).toBe(first.cert);
    expect(second.key).toBe(first.key);
  });

  it('keeps the authority when an address is new, leaving the address out, and issues the server certificate again when it runs out', async () => {
    const dir = tempDir('tls');
    const first = await loadTls({ dir, names: NAMES, now: NOW });
    const moved = await loadTls({ dir, names: { ...NAMES, ips: [...NAMES.ips, '10.0.0.7'] }, now: NOW });
    // The authority may not sign for 10.0.0.7, so neither it nor the server certificate changes: phones keep trusting both.
    expect(moved).toMatchObject({ action: 'reused', caCert: first.caCert, cert: first.cert });
    expect(moved.notes).toEqual([
      expect.stringMatching(
        /^the server certificate does not cover 10\.0\.0\.7: the certificate authority phones installed may sign only for the names and addresses it was made for/,
      ),
    ]);
    expect(moved.notes[0]).toContain('delete ca-cert.pem and ca-key.pem and start again; every phone must then install the new authority');
    expect(await handshake(moved, first.caCert!, '192.168.1.20')).toBe('trusted');
    expect(await handshake(moved, first.caCert!, '10.0.0.7')).toBe('error: certificate does not cover 10.0.0.7');

    const late = await loadTls({ dir, names: NAMES, now: new Date(NOW.getTime() + 790 * DAY) });
    expect(late.action).toBe('reissued');
    expect(late.notes).toEqual([expect.stringMatching(/^the server certificate runs out on 2029-/)]);
    expect(late.caCert).toBe(first.caCert);
    expect(new X509Certificate(late.cert).subjectAltName).toBe(new X509Certificate(first.cert).subjectAltName);
    expect(new X509Certificate(late.cert).verify(new X509Certificate(first.caCert!).publicKey)).toBe(true);
  });

  it("signs only for the server's names: a certificate for any other name, signed with the same key, fails the name constraints", async () => {
    const dir = tempDir('tls');
    const tls = await loadTls({ dir, names: NAMES, now: NOW });
    const ca = tls.caCert!;
    // The server's own certificate, and one made the same way for its names, verify.
    expect(opensslVerify(dir, ca, tls.cert)).toMatchObject({ ok: true });
    expect(opensslVerify(dir, ca, (await leafFrom(dir, ['packhost'], ['192.168.1.20'])).cert)).toMatchObject({ ok: true });
    // A DNS constraint covers the names under it (RFC 5280 § 4.2.1.10): those are this server's names too.
    expect(opensslVerify(dir, ca, (await leafFrom(dir, ['station.packhost'])).cert)).toMatchObject({ ok: true });

    // Anything else, though signed by the authority's key, is refused by the authority's own constraint.
    for (const [dns, ips] of [
      [['bank.example']],
      [['packhost', 'bank.example']],
      [['localhost.example']],
      [['notpackhost']],
      [[], ['8.8.8.8']],
      [[], ['192.168.1.21']],
      [[], ['2001:db8::1']],
    ] as [string[], string[]?][]) {
      const verdict = opensslVerify(dir, ca, (await leafFrom(dir, dns, ips)).cert);
      expect(verdict.ok, `${[...dns, ...(ips ?? [])].join(', ')}: ${verdict.output}`).toBe(false);
      expect(verdict.output).toContain('permitted subtree violation');
    }
    // And a TLS client that trusts the authority, as a phone that installed it, refuses such a server.
    const bank = await leafFrom(dir, ['bank.example']);
    expect(await handshake({ key: bank.key, cert: `${bank.cert.trim()}\n${ca.trim()}\n` }, ca, 'bank.example')).toBe('error: permitted subtree violation');
  });

  it('replaces an authority made before name constraints, once, and says every phone must install the new one', async () => {
    const dir = tempDir('tls');
    const old = await unconstrainedAuthority();
    writeFileSync(join(dir, TLS_FILES.caCert), old.cert);
    writeFileSync(join(dir, TLS_FILES.caKey), old.private);
    expect(opensslVerify(dir, old.cert, (await leafFrom(dir, ['bank.example'])).cert)).toMatchObject({ ok: true });

    const replaced = await loadTls({ dir, names: NAMES, now: NOW });
    expect(replaced.action).toBe('created');
    expect(replaced.notes).toEqual([
      "the kept certificate authority has no name constraints that limit it to this server's names and addresses: a new one was made, which may sign only for this server's names and addresses; every phone that installed the old one must install the new one (docs/operations.md § HTTPS for phones)",
    ]);
    expect(replaced.caCert).not.toBe(old.cert);
    expect(readFileSync(join(dir, TLS_FILES.caCert), 'utf8')).toBe(replaced.caCert);
    expect(nameConstraintsText(replaced.caCert!)).toMatch(/^X509v3 Name Constraints: critical\nPermitted:\nDNS:localhost\n/);
    expect(await handshake(replaced, replaced.caCert!, 'packhost')).toBe('trusted');
    // A phone that still trusts the old authority only does not trust the new server certificate.
    expect(await handshake(replaced, old.cert, 'packhost')).not.toBe('trusted');

    const next = await loadTls({ dir, names: NAMES, now: NOW });
    expect(next).toMatchObject({ action: 'reused', notes: [], caCert: replaced.caCert, cert: replaced.cert });
  });

  it('reads what a kept authority permits from the certificate when ca-names.json is missing or belongs to another', async () => {
    const dir = tempDir('tls');
    const first = await loadTls({ dir, names: NAMES, now: NOW });
    const namesFile = join(dir, TLS_FILES.caNames);
    const written = readFileSync(namesFile, 'utf8');
    rmSync(namesFile);
    expect(await loadTls({ dir, names: NAMES, now: NOW })).toMatchObject({ action: 'reused', notes: [], caCert: first.caCert, cert: first.cert });
    expect(readFileSync(namesFile, 'utf8')).toBe(written);

    // Names of another authority are not taken for this one's.
    writeFileSync(namesFile, JSON.stringify({ ca: 'AA:BB', dns: ['bank.example'], ips: ['8.8.8.8'] }));
    expect(await loadTls({ dir, names: NAMES, now: NOW })).toMatchObject({ action: 'reused', notes: [], caCert: first.caCert });
    expect(readFileSync(namesFile, 'utf8')).toBe(written);
  });

  it('makes a new pair when the kept files are damaged', async () => {
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
    const own = await generate([{ name: 'commonName', value: 'warehouse.example' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(NOW.getTime() - DAY),
    });
    writeFileSync(join(folder, 'own.crt'), own.cert);
    writeFileSync(join(folder, 'own.key'), own.private);
    const tls = await loadTls({ certFile: join(folder, 'own.crt'), keyFile: join(folder, 'own.key'), dir, names: NAMES, now: NOW });
    expect(tls).toMatchObject({ source: 'operator', action: 'operator', cert: own.cert, key: own.private, notes: [] });
    expect(tls.caCert).toBeUndefined();
    expect(await handshake(tls, own.cert, 'warehouse.example')).toBe('trusted');

    const expired = await loadTls({
      certFile: join(folder, 'own.crt'),
      keyFile: join(folder, 'own.key'),
      dir,
      names: NAMES,
      now: new Date(NOW.getTime() + 400 * DAY),
    });
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
  const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
    ({ address, family, internal, netmask: '', mac: '', cidr: null, scopeid: 0 }) as NetworkInterfaceInfo;
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
