import { localeOf, translator, type Language } from './index.js';
import { formatMoney, formatNumber } from './numbers.js';

const made = new Map<string, ReturnType<typeof makeFormatters>>();

/**
 * Formatters bound to a language and the shop's time zone, for views, documents and e-mails. Made
 * once per pair: building Intl formats costs more than most of what a request does. Every number a
 * person reads goes through `number` (or a catalog text, which formats its numbers the same way):
 * "1 234" and "0,4 s" in Swedish, "1,234" and "0.4 s" in English.
 */
export function formatters(lang: Language, timeZone: string) {
  const key = `${lang} ${timeZone}`;
  let f = made.get(key);
  if (!f) made.set(key, (f = makeFormatters(lang, timeZone)));
  return f;
}

/**
 * The actors the system itself writes into histories, run lists and ledgers ("pack script",
 * "demo data", "cli"), as their catalog keys: stored in English, shown in the reader's language.
 */
const SYSTEM_ACTORS: Record<string, string> = {
  'pack script': 'actors.packScript',
  'demo data': 'actors.demoData',
  cli: 'actors.cli',
};

function makeFormatters(lang: Language, timeZone: string) {
  const locale = localeOf(lang);
  const t = translator(lang);
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'short', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'short' });
  const clockTime = new Intl.DateTimeFormat(locale, { timeZone, timeStyle: 'medium' });
  return {
    /** Minor units → "1 234,50 kr" / "SEK 1,234.50". */
    money: (minor: number, currency: string): string => formatMoney(locale, minor, currency),
    dateTime: (d: Date | string | null) => (d ? dateTime.format(new Date(d)) : ''),
    date: (d: Date | string | null) => (d ? date.format(new Date(d)) : ''),
    /** The time of day with seconds, for what changes within a minute (a lease's expiry). */
    clockTime: (d: Date | string | null) => (d ? clockTime.format(new Date(d)) : ''),
    /** A count or figure: "1 234" / "1,234"; with `digits`, exactly that many decimals ("0,4"). */
    number: (n: number, digits?: number) => formatNumber(locale, n, digits),
    /** A duration in milliseconds as seconds: "0,4 s" / "0.4 s" (a no-break space before the unit). */
    seconds: (ms: number, digits = 1) => `${formatNumber(locale, ms / 1000, digits)}\u00a0s`,
    /** Who did something, as stored: a person's or token's name as it is, the system's own actors translated. */
    actor: (label: string | null | undefined) => {
      if (!label) return '';
      const key = SYSTEM_ACTORS[label];
      if (key) return t(key);
      // A pack run's lease is labelled "<who> (<trigger>)": both parts in the reader's words.
      const run = /^(.+) \((cron|manual|cli|api|check)\)$/.exec(label);
      if (!run) return label;
      const who = SYSTEM_ACTORS[run[1]!] ? t(SYSTEM_ACTORS[run[1]!]!) : run[1]!;
      const how = t(`pack.triggers.${run[2]!}`);
      // "By hand" reads "by hand" inside a sentence; "API" stays as it is.
      return `${who} (${/^\p{Lu}\p{Ll}/u.test(how) ? how[0]!.toLowerCase() + how.slice(1) : how})`;
    },
  };
}
export type Formatters = ReturnType<typeof makeFormatters>;
