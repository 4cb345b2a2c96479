import i18next from 'i18next';
import { en } from './en.js';
import { sv } from './sv.js';

/**
 * The message catalog. Every text a person sees is a key here, in every language; catalogs are
 * TypeScript objects typed after English, so a missing Swedish text does not compile.
 */
export const LANGUAGES = ['en', 'sv'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', sv: 'Svenska' };

export type Translate = (key: string, params?: Record<string, unknown>) => string;

const i18n = i18next.createInstance();
void i18n.init({
  resources: { en: { translation: en }, sv: { translation: sv } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  initAsync: false,
  // EJS escapes on output; escaping here too would show &lt; to the user.
  interpolation: { escapeValue: false },
  returnNull: false,
  showSupportNotice: false,
});

const translators = new Map<Language, Translate>(
  LANGUAGES.map((lang) => [lang, i18n.getFixedT(lang) as unknown as Translate]),
);

export function translator(lang: Language): Translate {
  return translators.get(lang)!;
}

/** English, for logs and the CLI. */
export const tEn = translator('en');

/**
 * A catalog text as written, without interpolation: e-mail templates keep their {{placeholders}}
 * for the template engine.
 */
export function rawMessage(key: string, lang: Language): string {
  const text = i18n.getResource(lang, 'translation', key) as unknown;
  if (typeof text !== 'string') throw new Error(`No catalog text ${key} (${lang})`);
  return text;
}

export function hasMessage(key: string, lang: Language = 'en'): boolean {
  // A message with plural forms (`key_one`, `key_other`) exists when asked with a count.
  return i18n.exists(key, { lng: lang, fallbackLng: false }) || i18n.exists(key, { lng: lang, fallbackLng: false, count: 2 });
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The best language for an Accept-Language header (used before anyone has logged in). */
export function negotiateLanguage(header: string | undefined, fallback: Language): Language {
  if (!header) return fallback;
  const wanted = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { base: tag.toLowerCase().split('-')[0] ?? '', q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((w) => w.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const w of wanted) {
    if (isLanguage(w.base)) return w.base;
  }
  return fallback;
}
