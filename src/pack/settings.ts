import { z } from 'zod';
import type { Conn, Db } from '../db/client.js';
import { settingsGroup } from '../settings/service.js';

export const packSettingsSchema = z.object({
  enabled: z.boolean(),
  intervalMinutes: z.int().min(1).max(1440),
  /** Invoice and cash-on-delivery orders wait for a person's approval before packing. */
  requireApproval: z.boolean(),
});
export type PackSettings = z.infer<typeof packSettingsSchema>;

export const DEFAULT_PACK_SETTINGS: PackSettings = { enabled: true, intervalMinutes: 15, requireApproval: false };
const group = settingsGroup('pack_script', packSettingsSchema, DEFAULT_PACK_SETTINGS);

export const getPackSettings = (conn: Conn): PackSettings => group.get(conn);
export const putPackSettings = (db: Db, settings: PackSettings, now: Date, by: string): void => group.put(db, settings, now, by);
