import { promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may go. Anyone with an integration token can register an endpoint and read how
 * it answered, so an endpoint on this machine or the local network would let them reach services
 * that only trust the inside (SSRF). Only public addresses are allowed, unless an admin allowed
 * the host in Settings → Webhooks (an on-premises POS on the LAN).
 */

/** What the allow-list holds: a host name or IP address, with a port when only that port is allowed. */
export interface AllowedHost {
  host: string;
  port: number | null;
}

// IPv4-compatible IPv6 (::a.b.c.d, deprecated): ipaddr.js calls it unicast, but a host with a
// tunnel interface may route it to the embedded IPv4 address.
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * Why `address` (an IP literal) is not a public address: ipaddr.js's name of its range
 * (`loopback`, `private`, `linkLocal`, `uniqueLocal`, `carrierGradeNat`, …), or null when it is
 * plain unicast. IPv4-mapped IPv6 is judged as the IPv4 address it carries.
 */
export function nonPublicRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const ip = ipaddr.process(address);
  const range = ip.range();
  if (range !== 'unicast') return range;
  if (ip.kind() === 'ipv6' && ip.match(IPV4_COMPATIBLE)) return 'ipv4Compatible';
  return null;
}

// Names that only ever mean this machine or the local network: localhost (RFC 6761), mDNS .local
// (RFC 6762), .home.arpa (RFC 8375), .internal (private use; cloud metadata lives there), and a
// name without a dot, which only a LAN's search domain resolves.
const LOCAL_NAME = /(^|\.)(localhost|local|home\.arpa|internal)$/;

/** A host or address as compared: lower case, no trailing dot, one spelling per IP address. */
function canonical(host: string): string {
  const h = host.replace(/\.+$/, '').toLowerCase();
  return isIP(h) ? ipaddr.process(h).toString() : h;
}

/** A URL's host as compared (URL keeps IPv6 in brackets). */
function hostOf(url: URL): string {
  return canonical(url.hostname.replace(/^\[|\]$/g, ''));
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function allows(list: readonly AllowedHost[], host: string, port: number): boolean {
  return list.some((a) => a.host === host && (a.port === null || a.port === port));
}

/**
 * The check when an endpoint is saved: the reason (as {@link nonPublicRange}, or `localName`)
 * when the URL names an address or name on this machine or the local network that the allow-list
 * does not allow; null when it may be saved. Names are only judged by their form here: what they
 * resolve to is checked each time a delivery is sent ({@link guardedLookup}).
 */
export function urlRefusal(rawUrl: string, allowList: readonly AllowedHost[]): string | null {
  const url = new URL(rawUrl);
  const host = hostOf(url);
  if (allows(allowList, host, portOf(url))) return null;
  if (isIP(host)) return nonPublicRange(host);
  return !host.includes('.') || LOCAL_NAME.test(host) ? 'localName' : null;
}

/**
 * One line of the allow-list as stored (`pos.lan`, `pos.lan:8080`, `192.168.1.20`, `[fd00::5]:443`),
 * or null when it is not a host with an optional port. Written the way URLs write hosts, so an
 * entry matches however the endpoint's URL spells the same address.
 */
export function parseAllowedHost(text: string): AllowedHost | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) return null;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  try {
    return { host: hostOf(new URL(`http://${m[1]}/`)), port };
  } catch {
    return null;
  }
}

/** An allow-list entry as text, the form it is stored and shown in. */
export function formatAllowedHost(a: AllowedHost): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return a.port === null ? host : `${host}:${a.port}`;
}

/** How the text of an {@link AddressNotAllowedError} starts (the delivery log reads it back as a category). */
export const ADDRESS_NOT_ALLOWED = 'address not allowed';

/** A sending attempt that was stopped before connecting. */
export class AddressNotAllowedError extends Error {
  readonly code = 'EADDRNOTALLOWED';
  constructor(readonly range: string) {
    // Which range, not which address: an integration token reads this, and the resolved address of
    // a name inside would tell it about the network.
    super(`${ADDRESS_NOT_ALLOWED} (${range})`);
    this.name = 'AddressNotAllowedError';
  }
}

/** Resolves a host name to all its addresses (the system resolver: /etc/hosts, then DNS). */
export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolve: Resolve = (host) => dns.lookup(host, { all: true, verbatim: true });

/**
 * The connection target of one attempt. An IP literal is checked here (Node connects to it without
 * a lookup); a name is checked in `lookup`, which Node's http client calls to resolve it: every
 * address of the one answer is checked, and the socket connects to exactly those addresses, so a
 * name whose DNS answer changes between check and connect (DNS rebinding) cannot slip through.
 * Throws {@link AddressNotAllowedError} before any connection is made.
 */
export function guardedLookup(url: URL, allowList: readonly AllowedHost[], resolve: Resolve = systemResolve): LookupFunction | undefined {
  const host = hostOf(url);
  const port = portOf(url);
  if (allows(allowList, host, port)) return undefined;
  const refused = (address: string) => (allows(allowList, canonical(address), port) ? null : nonPublicRange(address));
  if (isIP(host)) {
    const range = refused(host);
    if (range) throw new AddressNotAllowedError(range);
    return undefined;
  }
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answer) => {
        const ranges = answer.map((a) => refused(a.address)).filter((r) => r !== null);
        if (ranges.length) return callback(new AddressNotAllowedError(ranges[0]!), '', 0);
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = answer.filter((a) => family === 0 || a.family === family);
        if (usable.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
