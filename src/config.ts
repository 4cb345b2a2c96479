import { z } from 'zod';
import { splitAddresses } from './domain/email-addresses.js';
import { LANGUAGES, type Language } from './i18n/index.js';

const flag = z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']).transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** Every environment variable the product reads, with its default. Nothing else reads process.env. */
const envSchema = z
  .object({
    NODE_ENV: z.string().default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    HTTPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    PUBLIC_HOST: z
      .string()
      .regex(
        /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[?[0-9A-Fa-f:.]+\]?)$/,
        'PUBLIC_HOST must be a host name or IP address, without scheme or port',
      )
      .optional(),
    DATABASE_PATH: z.string().min(1).default('./data/warehouse.db'),
    DEMO_DATA: flag.default(true),
    ADMIN_EMAIL: z.email().default('admin@example.com'),
    ADMIN_PASSWORD: z.string().min(10, 'ADMIN_PASSWORD must be at least 10 characters').optional(),
    API_TOKEN: z.string().min(16, 'API_TOKEN must be at least 16 characters').optional(),
    SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
    COOKIE_SECURE: flag.default(false),
    TRUST_PROXY: z.string().optional(),
    SHOP_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'SHOP_CURRENCY must be an ISO 4217 code such as SEK')
      .default('SEK'),
    DEFAULT_LANGUAGE: z.enum(LANGUAGES).default('en'),
    SHOP_TIMEZONE: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'SHOP_TIMEZONE must be an IANA time zone such as Europe/Stockholm')
      .default('Europe/Stockholm'),
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    LOGIN_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(50),
    LOGIN_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(20),
    SCHEDULE: flag.default(true),
    DOCUMENT_FONT_DIR: z.string().min(1).default('/usr/share/fonts/truetype/dejavu'),
    PRINTER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    /** The key of the carrier credentials' box: 32 bytes as base64 or 64 hex digits. */
    CARRIER_SECRET_KEY: z
      .string()
      .refine((v) => keyBytes(v) !== null, 'CARRIER_SECRET_KEY must be 32 bytes as base64 or 64 hex digits')
      .optional(),
    CARRIER_SECRET_KEY_FILE: z.string().min(1).optional(),
    CARRIER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(20_000),
    SMTP_URL: z
      .string()
      .refine((u) => {
        try {
          return ['smtp:', 'smtps:'].includes(new URL(u).protocol);
        } catch {
          return false;
        }
      }, 'SMTP_URL must be smtp://user:pass@host:port or smtps://…')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Warehouse <no-reply@localhost>'),
    SHOP_ADMIN_EMAILS: z
      .string()
      .transform((v) => splitAddresses(v))
      .pipe(z.array(z.email('SHOP_ADMIN_EMAILS must be e-mail addresses separated by commas')))
      .optional(),
  })
  .refine((e) => !e.TLS_CERT_FILE === !e.TLS_KEY_FILE, {
    path: ['TLS_CERT_FILE'],
    message: 'TLS_CERT_FILE and TLS_KEY_FILE go together: set both, or neither for a self-signed certificate',
  });

export type Config = {
  env: string;
  port: number;
  host: string;
  /** The HTTPS port beside the HTTP one (phones need it for the camera); undefined: HTTPS is off. */
  httpsPort: number | undefined;
  /** The operator's certificate and key for the HTTPS port; without them a self-signed one is kept next to the database. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** The host name or address phones reach this server at; default: the machine's first LAN IPv4 address. */
  publicHost: string | undefined;
  databasePath: string;
  demoData: boolean;
  adminEmail: string;
  adminPassword: string | undefined;
  apiToken: string | undefined;
  sessionSecret: string | undefined;
  cookieSecure: boolean;
  trustProxy: string | undefined;
  currency: string;
  defaultLanguage: Language;
  /** Dates on pages and documents are shown in this zone. */
  timezone: string;
  /** Failed logins per e-mail and address in 15 minutes. */
  loginRateLimit: number;
  /** Failed logins per client address, whatever the e-mail, in 15 minutes. */
  loginRateLimitPerAddress: number;
  /** Failed logins per e-mail, from any address, in 15 minutes. */
  loginRateLimitPerAccount: number;
  /** Run the scheduled jobs (the pack script) in this process. */
  schedule: boolean;
  /** Folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf, embedded in every PDF. */
  documentFontDir: string;
  /** How long a label printer may take to connect, take a job and close (raw TCP, port 9100). */
  printerTimeoutMs: number;
  /** The carrier credentials' key, given (CARRIER_SECRET_KEY), else read from or made in `carrierKeyFile`. */
  carrierKey: Buffer | undefined;
  /** Where the carrier credentials' key is kept; default `secrets/carrier.key` beside the database. */
  carrierKeyFile: string | undefined;
  /** How long one call to a carrier may take before its answer counts as lost. */
  carrierTimeoutMs: number;
  /** SMTP server of outgoing e-mail; without it e-mails stay in the outbox, readable, marked unsent. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Recipients of the new-order notice until Settings → E-mails saves its own list. */
  shopAdminEmails: string[];
};

/** Parses the environment once; a bad value stops the start with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    httpsPort: e.HTTPS_PORT,
    tlsCertFile: e.TLS_CERT_FILE,
    tlsKeyFile: e.TLS_KEY_FILE,
    publicHost: e.PUBLIC_HOST,
    databasePath: e.DATABASE_PATH,
    demoData: e.DEMO_DATA,
    adminEmail: e.ADMIN_EMAIL.toLowerCase(),
    adminPassword: e.ADMIN_PASSWORD,
    apiToken: e.API_TOKEN,
    sessionSecret: e.SESSION_SECRET,
    cookieSecure: e.COOKIE_SECURE,
    trustProxy: e.TRUST_PROXY,
    currency: e.SHOP_CURRENCY,
    defaultLanguage: e.DEFAULT_LANGUAGE,
    timezone: e.SHOP_TIMEZONE,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    loginRateLimitPerAddress: e.LOGIN_RATE_LIMIT_PER_ADDRESS,
    loginRateLimitPerAccount: e.LOGIN_RATE_LIMIT_PER_ACCOUNT,
    documentFontDir: e.DOCUMENT_FONT_DIR,
    printerTimeoutMs: e.PRINTER_TIMEOUT_MS,
    schedule: e.SCHEDULE,
    carrierKey: e.CARRIER_SECRET_KEY === undefined ? undefined : (keyBytes(e.CARRIER_SECRET_KEY) ?? undefined),
    carrierKeyFile: e.CARRIER_SECRET_KEY_FILE,
    carrierTimeoutMs: e.CARRIER_TIMEOUT_MS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    shopAdminEmails: e.SHOP_ADMIN_EMAILS ?? [],
  };
}

/** A 256-bit key written as 64 hex digits or as base64 (url-safe or not), or null. */
export function keyBytes(text: string): Buffer | null {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : null;
  return bytes?.length === 32 ? bytes : null;
}
