import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isIP } from 'node:net';

/**
 * The HTTPS port's certificate: the operator's files (TLS_CERT_FILE, TLS_KEY_FILE), or else a
 * local certificate authority made on first start and kept in a `tls` folder next to the database,
 * which issues the server's certificate for this machine's names and LAN addresses. Phones trust
 * the authority once; when an address changes only the server certificate is issued again, signed
 * by the same authority, so the phones keep trusting it (docs/decisions.md § HTTPS for phones).
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
  if (new Date(x509.validTo).getTime() < now.getTime()) notes.push(`the certificate in TLS_CERT_FILE ran out on ${new Date(x509.validTo).toISOString()}: browsers refuse it`);
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

async function selfSignedTls(dir: string, names: MachineNames, now: Date): Promise<TlsMaterial> {
  mkdirSync(dir, { recursive: true });
  const path = (f: keyof typeof TLS_FILES) => join(dir, TLS_FILES[f]);
  let ca = readPair(path('caCert'), path('caKey'));
  let action: TlsMaterial['action'] = 'reused';
  const notes: string[] = [];
  if (!ca || !ca.x509.ca || expiresSoon(ca.x509, now)) {
    const made = await generate([{ name: 'commonName', value: `Warehouse back office on ${names.dns.find((d) => d !== 'localhost') ?? 'this machine'}` }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - DAY),
      notAfterDate: new Date(now.getTime() + CA_DAYS * DAY),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    writeSecret(path('caKey'), made.private);
    writeFile(path('caCert'), made.cert);
    // What was made, not what is read back: another server starting on the same folder may write too.
    ca = { pem: made.cert, key: made.private, x509: new X509Certificate(made.cert) };
    action = 'created';
  }

  let server = readPair(path('cert'), path('key'));
  const reason = action === 'created' ? 'a new certificate authority' : serverCertProblem(server, ca.x509, names, now);
  if (reason) {
    const made = await generate([{ name: 'commonName', value: names.dns.find((d) => d !== 'localhost') ?? 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - DAY),
      notAfterDate: new Date(now.getTime() + SERVER_DAYS * DAY),
      ca: { cert: ca.pem, key: ca.key },
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))] },
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

/** Why the kept server certificate cannot be used as it is, or undefined when it can. */
function serverCertProblem(server: Pair | undefined, ca: X509Certificate, names: MachineNames, now: Date): string | undefined {
  if (!server) return 'no server certificate was kept';
  if (!server.x509.verify(ca.publicKey)) return 'the kept server certificate is not signed by the kept certificate authority';
  if (expiresSoon(server.x509, now)) return `the server certificate runs out on ${new Date(server.x509.validTo).toISOString().slice(0, 10)}`;
  const missing = [...names.dns.filter((d) => !server.x509.checkHost(d, { wildcards: false })), ...names.ips.filter((ip) => !server.x509.checkIP(ip))];
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
