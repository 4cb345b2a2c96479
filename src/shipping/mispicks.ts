import type { Conn } from '../db/client.js';
import { checksPerPackerHour, refusalsPerPackerHour } from './repo/mispicks.js';

// The mis-pick figures: per packer and day, the units checked at the packing stations and the item
// scans refused there (wrong item, one too many, another order's, untracked, unknown barcode).

/** One packer's day. */
export interface MispickDay {
  /** YYYY-MM-DD in the shop's time zone. */
  day: string;
  packer: string;
  /** Accepted check scans and the units they counted. */
  checks: number;
  units: number;
  refused: number;
  /** Refused scans per 100 item scans. */
  rate: number;
  byReason: Record<string, number>;
}

/** The last `days` days' figures, newest day first, then by packer. */
export function mispickDays(conn: Conn, now: Date, timeZone: string, days = 30): MispickDay[] {
  const since = now.getTime() - days * 24 * 3600 * 1000;
  const dayOf = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const out = new Map<string, MispickDay>();
  const entry = (packer: string, hour: number) => {
    const day = dayOf.format(new Date(hour * 3600000));
    const key = `${day}\u0000${packer}`;
    let row = out.get(key);
    if (!row) out.set(key, (row = { day, packer, checks: 0, units: 0, refused: 0, rate: 0, byReason: {} }));
    return row;
  };
  for (const r of checksPerPackerHour(conn, since)) {
    const row = entry(r.packer, r.hour);
    row.checks += r.checks;
    row.units += r.units;
  }
  for (const r of refusalsPerPackerHour(conn, since)) {
    const row = entry(r.packer, r.hour);
    row.refused += r.refused;
    row.byReason[r.reason] = (row.byReason[r.reason] ?? 0) + r.refused;
  }
  for (const row of out.values()) row.rate = row.checks + row.refused ? Math.round((1000 * row.refused) / (row.checks + row.refused)) / 10 : 0;
  return [...out.values()].sort((a, b) => b.day.localeCompare(a.day) || a.packer.localeCompare(b.packer));
}
