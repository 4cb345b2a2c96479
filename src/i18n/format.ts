import type { Language } from './index.js';

const LOCALES: Record<Language, string> = { en: 'en-GB', sv: 'sv-SE' };

const made = new Map<string, ReturnType<typeof makeFormatters>>();

/**
 * Formatters bound to a language and the shop's time zone, for views and e-mails. Made once per
 * pair: building Intl formats costs more than most of what a request does.
 */
export function formatters(lang: Language, timeZone: string) {
  const key = `${lang} ${timeZone}`;
  let f = made.get(key);
  if (!f) made.set(key, (f = makeFormatters(lang, timeZone)));
  return f;
}

function makeFormatters(lang: Language, timeZone: string) {
  const locale = LOCALES[lang];
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'short', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'short' });
  const clockTime = new Intl.DateTimeFormat(locale, { timeZone, timeStyle: 'medium' });
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  return {
    /** Minor units → "1 234,50 kr" / "SEK 1,234.50". */
    money(minor: number, currency: string): string {
      let f = moneyFormats.get(currency);
      if (!f) {
        f = new Intl.NumberFormat(locale, { style: 'currency', currency });
        moneyFormats.set(currency, f);
      }
      return f.format(minor / 100);
    },
    dateTime: (d: Date | string | null) => (d ? dateTime.format(new Date(d)) : ''),
    date: (d: Date | string | null) => (d ? date.format(new Date(d)) : ''),
    /** The time of day with seconds, for what changes within a minute (a lease's expiry). */
    clockTime: (d: Date | string | null) => (d ? clockTime.format(new Date(d)) : ''),
    number: (n: number) => n.toLocaleString(locale),
  };
}
export type Formatters = ReturnType<typeof makeFormatters>;
