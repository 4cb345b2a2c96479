import { z } from 'zod';
import type { Conn, Db } from '../db/client.js';
import { settingsGroup } from '../settings/service.js';
import { fieldError } from '../errors.js';
import { formatAllowedHost, parseAllowedHost, type AllowedHost } from './address.js';

/** At most this many allowed hosts: a LAN has a few receivers, not a range to scan. */
export const MAX_ALLOWED_HOSTS = 50;

/** Settings → Webhooks (admin): the hosts on this machine or the LAN that endpoints may point at. */
export const webhookSettingsSchema = z.object({
  allowedHosts: z.array(z.string().refine((h) => parseAllowedHost(h) !== null)).max(MAX_ALLOWED_HOSTS),
});
export type WebhookSettings = z.infer<typeof webhookSettingsSchema>;

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = { allowedHosts: [] };
const group = settingsGroup('webhooks', webhookSettingsSchema, DEFAULT_WEBHOOK_SETTINGS);

export const getWebhookSettings = (conn: Conn): WebhookSettings => group.get(conn);

/** The allow-list as the address checks use it. */
export function allowedHosts(conn: Conn): AllowedHost[] {
  return getWebhookSettings(conn)
    .allowedHosts.map(parseAllowedHost)
    .filter((a) => a !== null);
}

/**
 * Saves the allow-list from what an admin typed (one host a line, blank lines ignored), each entry
 * in the one form the checks compare. A line that is not a host with an optional port is refused
 * with its line number, and nothing is saved.
 */
export function saveAllowedHosts(db: Db, lines: readonly string[], now: Date, by: string): WebhookSettings {
  const entries: string[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    const parsed = parseAllowedHost(text);
    if (!parsed) throw fieldError('allowedHosts', 'validation.allowedHost', { line: i + 1, entry: text.trim() });
    const entry = formatAllowedHost(parsed);
    if (!entries.includes(entry)) entries.push(entry);
  });
  if (entries.length > MAX_ALLOWED_HOSTS) throw fieldError('allowedHosts', 'validation.tooMany', { max: MAX_ALLOWED_HOSTS });
  const settings = { allowedHosts: entries };
  group.put(db, settings, now, by);
  return settings;
}
