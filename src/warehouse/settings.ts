import { z } from 'zod';
import type { Conn, Db } from '../db/client.js';
import { binParts, type WalkSettings } from '../domain/walking-order.js';
import { getShopDefaults } from '../email/settings.js';
import { settingsGroup } from '../settings/service.js';

// How the warehouse is walked (Settings → Warehouse): the zones in walking order and whether aisles
// are walked in a serpentine. Pick slips and batch pick lists follow it (domain/walking-order.ts).

/** A zone as a bin name begins: letters or digits, up to 20. */
const ZONE = /^[\p{L}\p{N}]{1,20}$/u;

export const warehouseSettingsSchema = z.object({
  // Checked as a whole, so that a refusal is said at the one field the zones are typed in.
  zoneOrder: z
    .array(z.string().trim())
    .max(50)
    .superRefine((zones, ctx) => {
      if (zones.some((zone) => !ZONE.test(zone))) ctx.addIssue({ code: 'custom', message: 'validation.zoneName' });
      else if (new Set(zones.map((zone) => binParts(zone).join('-'))).size !== zones.length) ctx.addIssue({ code: 'custom', message: 'validation.zoneTwice' });
    }),
  serpentine: z.boolean(),
});
export type WarehouseSettings = z.infer<typeof warehouseSettingsSchema>;

export const DEFAULT_WAREHOUSE_SETTINGS: WarehouseSettings = { zoneOrder: [], serpentine: false };
const group = settingsGroup('warehouse', warehouseSettingsSchema, DEFAULT_WAREHOUSE_SETTINGS);

export const getWarehouseSettings = (conn: Conn): WarehouseSettings => group.get(conn);
/** Saves them in a write transaction of its own, with who changed them (`by`). */
export const putWarehouseSettings = (db: Db, settings: WarehouseSettings, now: Date, by: string): void => group.put(db, settings, now, by);

/**
 * The walk as documents sort by it: the settings, and the alphabet of the shop's language for
 * letters in bin names (Norwegian Æ, Ø, Å; else the Swedish Å, Ä, Ö, which also serves English and
 * French shops, whose bins seldom use them).
 */
export function walkSettings(conn: Conn): WalkSettings {
  const settings = getWarehouseSettings(conn);
  return { ...settings, locale: getShopDefaults(conn).language === 'nb' ? 'nb' : 'sv' };
}
