import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bwip } from '../../documents/bwip.js';
import { Router, type Request, type RequestHandler } from 'express';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { lanIPv4, tlsDir, TLS_FILES } from '../../tls.js';
import { requireCapability } from '../../web/auth.js';
import type { AppDeps } from '../../web/types.js';

/** The longest station name a join link carries (as the station's own name). */
export const JOIN_STATION_MAX = 40;

/** Where a phone opens this station: the HTTPS port at the LAN host; undefined while HTTPS is off. */
export function stationJoinUrl(config: Pick<Config, 'httpsPort' | 'publicHost'>, station: string, lanHost = lanIPv4()): string | undefined {
  if (config.httpsPort === undefined) return undefined;
  const host = config.publicHost ?? lanHost ?? 'localhost';
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const port = config.httpsPort === 443 ? '' : `:${config.httpsPort}`;
  return `https://${shown}${port}/shipping${station ? `?station=${encodeURIComponent(station)}` : ''}`;
}

/** The `station` query parameter: '' when absent; refused (400) when too long or holding control characters. */
function stationParam(req: Request): string {
  const raw = req.query.station;
  if (raw === undefined || raw === '') return '';
  if (typeof raw !== 'string' || raw.length > JOIN_STATION_MAX || /[\u0000-\u001f\u007f-\u009f]/.test(raw)) {
    throw new AppError('bad_request', 'phoneJoin.stationInvalid', { max: JOIN_STATION_MAX });
  }
  return raw.trim();
}

/**
 * Joining a station from a phone, under Shipping out: the QR code of the station's HTTPS address
 * (GET /shipping/join.svg?station=…). The same address for views/shipping/join.ejs comes from
 * {@link phoneJoinLocals}.
 */
export function phoneJoinWeb({ config }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('shipping'));
  router.get('/join.svg', (req, res) => {
    const url = stationJoinUrl(config, stationParam(req));
    if (!url) throw new AppError('not_found', 'phoneJoin.httpsOff');
    const svg = bwip().toSVG({ bcid: 'qrcode', text: url, scale: 4, paddingwidth: 4, paddingheight: 4, backgroundcolor: 'FFFFFF' });
    res.setHeader('Cache-Control', 'no-cache');
    res.type('image/svg+xml').send(svg);
  });
  return router;
}

/** The station page's locals for views/shipping/join.ejs (a plain middleware under /shipping). */
export function phoneJoinLocals({ config }: Pick<AppDeps, 'config'>): RequestHandler {
  return (_req, res, next) => {
    // Read by the partial only when it is shown: the LAN address is looked up then.
    res.locals.phoneJoinUrl = (station: unknown) => stationJoinUrl(config, typeof station === 'string' && station.length <= JOIN_STATION_MAX ? station : '');
    res.locals.phoneJoinSelfSigned = !config.tlsCertFile;
    next();
  };
}

/**
 * GET /tls/ca.crt, before login (a phone installs it before it can open a page over HTTPS): the
 * self-signed certificate authority's certificate, in the DER form phones offer to install.
 * 404 when the operator's certificate is used or HTTPS is off.
 */
export function certificateWeb({ config }: AppDeps): Router {
  const router = Router();
  router.get('/tls/ca.crt', (_req, res) => {
    if (config.httpsPort === undefined || config.tlsCertFile) throw new AppError('not_found', 'phoneJoin.noCertificate');
    let der: Buffer;
    try {
      der = new X509Certificate(readFileSync(join(tlsDir(config.databasePath), TLS_FILES.caCert))).raw;
    } catch {
      throw new AppError('not_found', 'phoneJoin.noCertificate');
    }
    res.setHeader('Content-Disposition', 'attachment; filename="warehouse-ca.crt"');
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/x-x509-ca-cert').send(der);
  });
  return router;
}
