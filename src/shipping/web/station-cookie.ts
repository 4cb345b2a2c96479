import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { Request, Response } from 'express';
import { AppError } from '../../errors.js';
import { cleanStationName } from '../stations.js';

/** The cookie that names this device's station: it outlives a sign-out, as a bench's label does. */
const STATION_COOKIE = 'station';
const STATION_COOKIE_MAX_AGE = 365 * 24 * 3600;

/**
 * The station this device is named as (its cookie), or null when it has none or the name no longer
 * reads as a station's name. The one reader of the cookie, for the station's routes and the
 * routers beside them (printers/web/station.ts).
 */
export function stationNameOf(req: Request): string | null {
  const raw = parseCookies(req.get('cookie') ?? '')[STATION_COOKIE];
  if (!raw) return null;
  try {
    return cleanStationName(raw);
  } catch {
    return null;
  }
}

/** The station of this request; a form sent before the device was named is refused. */
export function requireStationName(req: Request): string {
  const name = stationNameOf(req);
  if (!name) throw new AppError('validation_failed', 'shipping.nameStationFirst');
  return name;
}

/** Names this device's station (a name already cleaned by cleanStationName). */
export function rememberStation(res: Response, name: string): void {
  res.append('Set-Cookie', serializeCookie(STATION_COOKIE, name, { path: '/', maxAge: STATION_COOKIE_MAX_AGE, httpOnly: true, sameSite: 'lax' }));
}
