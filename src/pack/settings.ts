import { z } from 'zod';
import type { Conn } from '../db/client.js';
import { getSetting, putSetting } from '../settings/service.js';

export const packSettingsSchema = z.object({
  enabled: z.boolean(),
  intervalMinutes: z.int().min(1).max(1440),
  /** Invoice and cash-on-delivery orders wait for a person's approval before packing. */
  requireApproval: z.boolean(),
});
export type PackSettings = z.infer<typeof packSettingsSchema>;

export const DEFAULT_PACK_SETTINGS: PackSettings = { enabled: true, intervalMinutes: 15, requireApproval: false };
const KEY = 'pack_script';

export function getPackSettings(conn: Conn): PackSettings {
  const stored = packSettingsSchema.partial().safeParse(getSetting(conn, KEY) ?? {});
  return { ...DEFAULT_PACK_SETTINGS, ...(stored.success ? stored.data : {}) };
}

export function putPackSettings(conn: Conn, settings: PackSettings, now: Date, by: string): void {
  putSetting(conn, KEY, settings, now, by);
}
