import { z } from 'zod';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { isLanguage, rawMessage, type Language } from '../i18n/index.js';
import { getSetting, putSetting, settingsGroup } from '../settings/service.js';
import { deleteShopTemplateText, firstAdminEmail, saveShopTemplateText, shopTemplateText } from './repo.js';
import { MODES, TEMPLATE_INFO, TEMPLATES, type Mode, type TemplateKey } from './templates.js';

export const emailSettingsSchema = z.object({
  /** Per template: send automatically, offer on the status-change form, or never (a template added later: its default). */
  modes: z.partialRecord(z.enum(TEMPLATES), z.enum(MODES)),
  /** The shop's recipients of the new-order notice; null until saved: {@link defaultShopRecipients} apply. */
  shopRecipients: z
    .array(z.email({ error: 'validation.email' }).max(254))
    .max(20, { error: 'validation.tooManyRecipients' })
    .nullable(),
  /** A parcel's tracking page, `{parcel}` standing for its ID; empty: no link. */
  trackingUrl: z.union([
    z.literal(''),
    z
      .url({ protocol: /^https?$/, error: 'validation.httpUrl' })
      .max(500)
      .refine((u) => u.includes('{parcel}'), { error: 'validation.trackingUrlParcel' }),
  ]),
});
export type EmailSettings = z.infer<typeof emailSettingsSchema>;

const DEFAULT_MODES = Object.fromEntries(TEMPLATES.map((t) => [t, TEMPLATE_INFO[t].defaultMode])) as Record<TemplateKey, Mode>;
const group = settingsGroup('email_settings', emailSettingsSchema, { modes: DEFAULT_MODES, shopRecipients: null, trackingUrl: '' });

export function getEmailSettings(conn: Conn): EmailSettings & { modes: Record<TemplateKey, Mode> } {
  const stored = group.get(conn);
  return { ...stored, modes: { ...DEFAULT_MODES, ...stored.modes } };
}
export const putEmailSettings = (db: Db, value: EmailSettings, now: Date, by: string): void => group.put(db, value, now, by);

/**
 * What e-mails need from the server's configuration, kept in the database by every process that
 * starts (the server, the CLI): e-mails are written inside the transactions of changes made deep in
 * services, which are handed a database, not the configuration.
 */
export interface ShopDefaults {
  /** Language of customers whose order has none (DEFAULT_LANGUAGE). */
  language: Language;
  /** SHOP_TIMEZONE, for dates in e-mails. */
  timezone: string;
  /** SHOP_ADMIN_EMAILS: the shop's recipients until Settings → E-mails saves a list. */
  shopRecipients: string[];
}
const SHOP_DEFAULTS = 'shop_defaults';
/** The kept defaults as read: any field may be missing (kept by an older version); the language is checked apart. */
const storedShopDefaults = z.object({ language: z.string(), timezone: z.string(), shopRecipients: z.array(z.string()) }).partial();
const FALLBACK: ShopDefaults = { language: 'en', timezone: 'UTC', shopRecipients: [] };

function putShopDefaults(db: Db, defaults: ShopDefaults, now: Date): void {
  const current = getSetting(db, SHOP_DEFAULTS);
  if (JSON.stringify(current) !== JSON.stringify(defaults)) putSetting(db, SHOP_DEFAULTS, defaults, now, 'system');
}

/** The shop defaults of a loaded configuration, kept for e-mails written by this process. */
export function applyShopDefaults(db: Db, config: { defaultLanguage: Language; timezone: string; shopAdminEmails: string[] }, now: Date): void {
  putShopDefaults(db, { language: config.defaultLanguage, timezone: config.timezone, shopRecipients: config.shopAdminEmails }, now);
}

export function getShopDefaults(conn: Conn): ShopDefaults {
  const read = storedShopDefaults.safeParse(getSetting(conn, SHOP_DEFAULTS) ?? {});
  const stored = read.success ? read.data : {};
  return { ...FALLBACK, ...stored, language: isLanguage(stored.language) ? stored.language : FALLBACK.language };
}

/**
 * Who gets the new-order notice while Settings → E-mails has saved no list: the addresses of
 * SHOP_ADMIN_EMAILS, else the first admin's e-mail (the oldest admin account not disabled), so a
 * new shop hears of its first order. `from` says which, for the settings page.
 */
export function defaultShopRecipients(conn: Conn, defaults: ShopDefaults = getShopDefaults(conn)): { list: string[]; from: 'env' | 'admin' | 'none' } {
  if (defaults.shopRecipients.length) return { list: defaults.shopRecipients, from: 'env' };
  const admin = firstAdminEmail(conn);
  return admin !== undefined ? { list: [admin], from: 'admin' } : { list: [], from: 'none' };
}

export interface TemplateText {
  subject: string;
  body: string;
  /** False: the built-in text of the catalog. */
  custom: boolean;
}

/** The shop's text of a template in a language, or the built-in one. */
export function templateText(conn: Conn, template: TemplateKey, language: Language): TemplateText {
  const row = shopTemplateText(conn, template, language);
  return row ? { ...row, custom: true } : { ...builtInText(template, language), custom: false };
}

const builtIn = new Map<string, { subject: string; body: string }>();

/** The catalog's text of a template (the catalogs do not change while the process runs, so each is looked up once). */
export function builtInText(template: TemplateKey, language: Language): { subject: string; body: string } {
  const key = `${template} ${language}`;
  let text = builtIn.get(key);
  if (!text)
    builtIn.set(
      key,
      (text = { subject: rawMessage(`emails.builtIn.${template}.subject`, language), body: rawMessage(`emails.builtIn.${template}.body`, language) }),
    );
  return { ...text };
}

/** Saves the shop's text of a template in a language. */
export function saveTemplateText(db: Db, template: TemplateKey, language: Language, text: { subject: string; body: string }, now: Date): void {
  writeTransaction(db, (tx) => saveShopTemplateText(tx, template, language, text, now));
}

/** Back to the built-in text. */
export function resetTemplateText(db: Db, template: TemplateKey, language: Language): void {
  writeTransaction(db, (tx) => deleteShopTemplateText(tx, template, language));
}
