import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isIP } from 'node:net';

/**
 * The HTTPS port's certificate: the operator's files (TLS_CERT_FILE, TLS_KEY_FILE), or else a
 * local certificate authority made on first start and kept in a `tls` folder next to the database,
 * which issues the server's certificate for this machine's names and LAN addresses. Phones trust
 * the authority once. The authority carries a critical name constraint: it can sign only for the
 * names and addresses it was made for (this machine's, at that start), so a phone that trusts it
 * trusts nothing else. The server certificate is issued again (same authority, phones keep
 * trusting it) when it runs out; a name or address the authority does not permit is left out and
 * logged, and the authority is made again only when it is missing, runs out, or has no such
 * constraint (made before there was one): phones must then install the new one
 * (docs/decisions.md § HTTPS for phones).
 */

/** The certificate authority: long-lived, the file phones install. */
const CA_DAYS = 10 * 365;
/** The server certificate: Apple refuses TLS server certificates valid for more than 825 days. */
const SERVER_DAYS = 800;
/** Made again this long before it runs out. */
const RENEW_BEFORE_DAYS = 30;
const DAY = 24 * 60 * 60 * 1000;

export const TLS_FILES = {
  caCert: 'ca-cert.pem',
  caKey: 'ca-key.pem',
  /** What the authority permits, read from it once, so that a start need not load the X.509 library. */
  caNames: 'ca-names.json',
  cert: 'server-cert.pem',
  key: 'server-key.pem',
} as const;

export interface TlsMaterial {
  /** The server's private key (PEM). */
  key: string;
  /** The server's certificate followed by its chain (PEM), as the HTTPS server sends it. */
  cert: string;
  source: 'operator' | 'self-signed';
  /** The local authority's certificate (PEM) that phones install; only for `self-signed`. */
  caCert?: string;
  /** What this start did, for the log: made the authority, issued the server certificate again, or reused both. */
  action: 'operator' | 'created' | 'reissued' | 'reused';
  /** Why the server certificate was issued again, or what is wrong with the operator's (for the log). */
  notes: string[];
  /** Where the files are. */
  certPath: string;
  keyPath: string;
}

/** The names and addresses the self-signed certificate is made for. */
export interface MachineNames {
  dns: string[];
  ips: string[];
}

/**
 * This machine's names and addresses: localhost, the host name, loopback and every address of a
 * network interface (IPv6 link-local addresses left out: a browser cannot name them in a URL).
 */
export function machineNames(interfaces = networkInterfaces(), host = hostname()): MachineNames {
  const ips = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')) continue;
      ips.add(a.address);
    }
  }
  const dns = new Set<string>(['localhost']);
  if (host && isIP(host) === 0) dns.add(host.toLowerCase());
  return { dns: [...dns], ips: [...ips] };
}

/** The first IPv4 address that is not loopback: the address a phone on the LAN reaches this machine at. */
export function lanIPv4(interfaces = networkInterfaces()): string | undefined {
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return undefined;
}

/** The folder of the self-signed files: `tls` beside the database file. */
export function tlsDir(databasePath: string): string {
  return join(dirname(resolve(databasePath)), 'tls');
}

export interface LoadTlsOptions {
  /** The operator's files; both or neither. */
  certFile?: string;
  keyFile?: string;
  /** Where the self-signed files are kept (tlsDir). */
  dir: string;
  names: MachineNames;
  now: Date;
}

/** The certificate and key for the HTTPS port; throws a message naming the file when the operator's cannot be used. */
export async function loadTls(o: LoadTlsOptions): Promise<TlsMaterial> {
  if (o.certFile || o.keyFile) return operatorTls(o.certFile, o.keyFile, o.now);
  return selfSignedTls(o.dir, o.names, o.now);
}

function operatorTls(certFile: string | undefined, keyFile: string | undefined, now: Date): TlsMaterial {
  if (!certFile || !keyFile) throw new Error('TLS_CERT_FILE and TLS_KEY_FILE go together: set both, or neither for a self-signed certificate.');
  const cert = readText('TLS_CERT_FILE', certFile);
  const key = readText('TLS_KEY_FILE', keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new Error(`TLS_CERT_FILE (${certFile}) is not a PEM certificate.`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(`TLS_KEY_FILE (${keyFile}) is not a PEM private key without a passphrase.`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new Error(`TLS_KEY_FILE (${keyFile}) is not the private key of the certificate in TLS_CERT_FILE (${certFile}).`);
  const notes: string[] = [];
  if (new Date(x509.validTo).getTime() < now.getTime())
    notes.push(`the certificate in TLS_CERT_FILE ran out on ${new Date(x509.validTo).toISOString()}: browsers refuse it`);
  return { key, cert, source: 'operator', action: 'operator', notes, certPath: resolve(certFile), keyPath: resolve(keyFile) };
}

function readText(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`${variable} (${path}) cannot be read: ${code}.`);
  }
}

/** selfsigned is loaded only when a certificate is made, not by every server start (some 3 MB). */
const generate: typeof import('selfsigned').generate = async (...args) => (await import('selfsigned')).generate(...args);

/**
 * The X.509 libraries selfsigned is built on (it loads them too, so together they cost what
 * selfsigned alone does), for what selfsigned cannot do: write and read the name constraints
 * extension. Loaded only when an authority is made or a kept one is read for the first time.
 */
async function x509Libraries() {
  const [x509, asn1, schema] = await Promise.all([import('@peculiar/x509'), import('@peculiar/asn1-x509'), import('@peculiar/asn1-schema')]);
  return { x509, asn1, AsnConvert: schema.AsnConvert };
}

async function selfSignedTls(dir: string, names: MachineNames, now: Date): Promise<TlsMaterial> {
  mkdirSync(dir, { recursive: true });
  const path = (f: keyof typeof TLS_FILES) => join(dir, TLS_FILES[f]);
  let ca = readPair(path('caCert'), path('caKey'));
  let action: TlsMaterial['action'] = 'reused';
  const notes: string[] = [];
  // What the kept authority may sign for: from ca-names.json when it is this authority's, else read from the certificate once.
  let permitted: MachineNames | undefined;
  if (ca && ca.x509.ca && !expiresSoon(ca.x509, now)) {
    permitted = readKeptNames(path('caNames'), ca.x509);
    if (!permitted) {
      permitted = await constrainedTo(ca.pem);
      if (permitted) writeKeptNames(path('caNames'), ca.x509, permitted);
    }
  }
  if (!ca || !permitted) {
    if (ca)
      notes.push(
        `${caProblem(ca.x509, now)}: a new one was made, which may sign only for this server's names and addresses; every phone that installed the old one must install the new one (docs/operations.md § HTTPS for phones)`,
      );
    const made = await makeAuthority(names, now);
    writeSecret(path('caKey'), made.key);
    writeFile(path('caCert'), made.pem);
    // What was made, not what is read back: another server starting on the same folder may write too.
    ca = { pem: made.pem, key: made.key, x509: new X509Certificate(made.pem) };
    permitted = names;
    writeKeptNames(path('caNames'), ca.x509, permitted);
    action = 'created';
  }

  let server = readPair(path('cert'), path('key'));
  const reason = action === 'created' ? 'a new certificate authority' : serverCertProblem(server, ca.x509, permitted, now);
  if (reason) {
    // For every name the authority permits: a certificate for a name it does not would be refused.
    const made = await generate([{ name: 'commonName', value: permitted.dns.find((d) => d !== 'localhost') ?? 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - DAY),
      notAfterDate: new Date(now.getTime() + SERVER_DAYS * DAY),
      ca: { cert: ca.pem, key: ca.key },
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [...permitted.dns.map((value) => ({ type: 2 as const, value })), ...permitted.ips.map((ip) => ({ type: 7 as const, ip }))],
        },
      ],
    });
    writeSecret(path('key'), made.private);
    writeFile(path('cert'), made.cert);
    server = { pem: made.cert, key: made.private, x509: new X509Certificate(made.cert) };
    if (action !== 'created') {
      action = 'reissued';
      notes.push(reason);
    }
  }
  const left = uncovered(server!.x509, names);
  if (left.length > 0) {
    notes.push(
      `the server certificate does not cover ${left.join(', ')}: the certificate authority phones installed may sign only for the names and addresses it was made for, and phones reach the server at those. ` +
        'To cover the new ones, delete ca-cert.pem and ca-key.pem and start again; every phone must then install the new authority (docs/operations.md § HTTPS for phones)',
    );
  }
  return {
    key: server!.key,
    cert: `${server!.pem.trim()}\n${ca.pem.trim()}\n`,
    source: 'self-signed',
    caCert: ca.pem,
    action,
    notes,
    certPath: path('cert'),
    keyPath: path('key'),
  };
}

/**
 * A certificate authority that may sign only for `names`: a critical name constraints extension
 * (RFC 5280 § 4.2.1.10) permitting each DNS name (and, as that section has it, the names under
 * it: `localhost` permits `a.localhost`) and each address with a full-length mask (/32, /128).
 * A certificate it signed for any other DNS name or address fails at a client that checks the
 * constraint, as current browsers and OpenSSL do; a client that cannot read it refuses the
 * authority (critical).
 */
async function makeAuthority(names: MachineNames, now: Date): Promise<{ pem: string; key: string }> {
  const { x509, asn1, AsnConvert } = await x509Libraries();
  const permitted = new asn1.GeneralSubtrees([
    ...names.dns.map((dNSName) => new asn1.GeneralSubtree({ base: new asn1.GeneralName({ dNSName }) })),
    ...names.ips.map((ip) => new asn1.GeneralSubtree({ base: new asn1.GeneralName({ iPAddress: `${ip}/${isIP(ip) === 4 ? 32 : 128}` }) })),
  ]);
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: [{ CN: [`Warehouse back office on ${names.dns.find((d) => d !== 'localhost') ?? 'this machine'}`] }],
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + CA_DAYS * DAY),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
        new x509.Extension(asn1.id_ce_nameConstraints, true, AsnConvert.serialize(new asn1.NameConstraints({ permittedSubtrees: permitted }))),
      ],
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { pem: cert.toString('pem'), key };
}

/**
 * The names and addresses a kept authority is constrained to, or undefined when it is not
 * constrained as makeAuthority constrains (critical; only permitted DNS names and full-length
 * addresses, at least one of each): an authority made before the constraint, or not made here.
 */
async function constrainedTo(pem: string): Promise<MachineNames | undefined> {
  const { x509, asn1, AsnConvert } = await x509Libraries();
  try {
    const extension = new x509.X509Certificate(pem).getExtension(asn1.id_ce_nameConstraints);
    if (!extension?.critical) return undefined;
    const constraints = AsnConvert.parse(extension.value, asn1.NameConstraints);
    if (constraints.excludedSubtrees?.length || !constraints.permittedSubtrees?.length) return undefined;
    const names: MachineNames = { dns: [], ips: [] };
    for (const { base, minimum, maximum } of constraints.permittedSubtrees) {
      if (minimum !== 0 || maximum !== undefined) return undefined;
      if (base.dNSName !== undefined) {
        names.dns.push(base.dNSName);
        continue;
      }
      const [ip, bits, ...rest] = (base.iPAddress ?? '').split('/');
      if (!ip || rest.length > 0 || bits !== String(isIP(ip) === 4 ? 32 : isIP(ip) === 6 ? 128 : -1)) return undefined;
      names.ips.push(ip);
    }
    return names.dns.length > 0 && names.ips.length > 0 ? names : undefined;
  } catch {
    return undefined;
  }
}

/** Why a kept authority is replaced (for the log). */
function caProblem(ca: X509Certificate, now: Date): string {
  if (!ca.ca) return 'the kept certificate authority is not a certificate authority';
  if (expiresSoon(ca, now)) return `the certificate authority runs out on ${new Date(ca.validTo).toISOString().slice(0, 10)}`;
  return "the kept certificate authority has no name constraints that limit it to this server's names and addresses";
}

/** ca-names.json: what the authority with this fingerprint permits, as constrainedTo read it or makeAuthority made it. */
function readKeptNames(path: string, ca: X509Certificate): MachineNames | undefined {
  try {
    const kept = JSON.parse(readFileSync(path, 'utf8')) as { ca?: unknown; dns?: unknown; ips?: unknown };
    const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (kept.ca !== ca.fingerprint256 || !strings(kept.dns) || !strings(kept.ips)) return undefined;
    return { dns: kept.dns, ips: kept.ips };
  } catch {
    return undefined;
  }
}

function writeKeptNames(path: string, ca: X509Certificate, names: MachineNames): void {
  writeFile(path, `${JSON.stringify({ ca: ca.fingerprint256, dns: names.dns, ips: names.ips }, null, 2)}\n`);
}

/** The names and addresses in `names` that the certificate does not cover. */
function uncovered(cert: X509Certificate, names: MachineNames): string[] {
  return [...names.dns.filter((d) => !cert.checkHost(d, { wildcards: false })), ...names.ips.filter((ip) => !cert.checkIP(ip))];
}

/** Why the kept server certificate cannot be used as it is, or undefined when it can. */
function serverCertProblem(server: Pair | undefined, ca: X509Certificate, permitted: MachineNames, now: Date): string | undefined {
  if (!server) return 'no server certificate was kept';
  if (!server.x509.verify(ca.publicKey)) return 'the kept server certificate is not signed by the kept certificate authority';
  if (expiresSoon(server.x509, now)) return `the server certificate runs out on ${new Date(server.x509.validTo).toISOString().slice(0, 10)}`;
  const missing = uncovered(server.x509, permitted);
  if (missing.length > 0) return `the server certificate does not cover ${missing.join(', ')}`;
  return undefined;
}

interface Pair {
  pem: string;
  key: string;
  x509: X509Certificate;
}

/** A kept certificate and its key, or undefined when either is missing, unreadable or they do not belong together. */
function readPair(certPath: string, keyPath: string): Pair | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    const pem = readFileSync(certPath, 'utf8');
    const key = readFileSync(keyPath, 'utf8');
    const x509 = new X509Certificate(pem);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    return { pem, key, x509 };
  } catch {
    return undefined;
  }
}

function expiresSoon(x509: X509Certificate, now: Date): boolean {
  return new Date(x509.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY || new Date(x509.validFrom).getTime() > now.getTime();
}

/** Written whole or not at all: a start that dies half-way leaves the old file. */
function writeFile(path: string, text: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** A private key: readable by the server's user only. */
function writeSecret(path: string, text: string): void {
  writeFile(path, text, 0o600);
}
