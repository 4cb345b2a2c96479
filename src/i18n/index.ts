import i18next from 'i18next';
import type { Catalog } from './en.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { nb } from './nb.js';
import { sv } from './sv.js';
import { formatInterpolated } from './numbers.js';

/**
 * The message catalog. Every text a person sees is a key here, in every language; catalogs are
 * TypeScript objects typed after English, so a missing text in another language does not compile.
 *
 * Each language is one line of this map: its catalog, its own name (the language selects), the
 * locale its numbers and dates are written in, and the other Accept-Language tags that choose it
 * before login. Adding a language is adding its line (and its catalog file).
 */
const LANGUAGE_TABLE = {
  en: { catalog: en, name: 'English', locale: 'en-GB', alsoFor: [] },
  sv: { catalog: sv, name: 'Svenska', locale: 'sv-SE', alsoFor: [] },
  nb: { catalog: nb, name: 'Norsk bokmål', locale: 'nb-NO', alsoFor: ['no', 'nn'] },
  fr: { catalog: fr, name: 'Français', locale: 'fr-FR', alsoFor: [] },
} satisfies Record<string, { catalog: Catalog; name: string; locale: string; alsoFor: string[] }>;

export type Language = keyof typeof LANGUAGE_TABLE;
/** Every language, English first (the reference catalog and the fallback). */
export const LANGUAGES = Object.keys(LANGUAGE_TABLE) as [Language, ...Language[]];
export const LANGUAGE_NAMES = Object.fromEntries(LANGUAGES.map((lang) => [lang, LANGUAGE_TABLE[lang].name])) as Record<Language, string>;
/** The locale of each language's numbers, money and dates (src/i18n/format.ts). */
export const LANGUAGE_LOCALES = Object.fromEntries(LANGUAGES.map((lang) => [lang, LANGUAGE_TABLE[lang].locale])) as Record<Language, string>;
/** The locale of a language code (i18next's `lng`): en-GB for anything unknown. */
export function localeOf(lang: string | undefined): string {
  return (lang !== undefined && (LANGUAGE_LOCALES as Record<string, string>)[lang]) || 'en-GB';
}
/** The catalog of each language, for the tests that compare them with English. */
export const CATALOGS = Object.fromEntries(LANGUAGES.map((lang) => [lang, LANGUAGE_TABLE[lang].catalog])) as Record<Language, Catalog>;

/** Accept-Language primary tags → the language they choose: each language's own code and its aliases. */
const BY_TAG = new Map<string, Language>(LANGUAGES.flatMap((lang) => [[lang, lang] as const, ...LANGUAGE_TABLE[lang].alsoFor.map((tag) => [tag, lang] as const)]));

export type Translate = (key: string, params?: Record<string, unknown>) => string;

type Tree = { [key: string]: string | Tree };

/**
 * A catalog as i18next gets it: a plural form the language has but English does not (French's
 * `many`, for a million and more) is its own `_other` text. Without it i18next would skip to
 * English for such a count; catalogs keep English's keys (they are typed after it).
 */
function withOwnPluralForms(tree: Tree, lang: Language): Tree {
  const forms = new Intl.PluralRules(LANGUAGE_TABLE[lang].locale).resolvedOptions().pluralCategories;
  const out: Tree = {};
  for (const [key, value] of Object.entries(tree)) {
    out[key] = typeof value === 'string' ? value : withOwnPluralForms(value, lang);
    if (typeof value !== 'string' || !key.endsWith('_other')) continue;
    const base = key.slice(0, -'_other'.length);
    for (const form of forms) if (!(`${base}_${form}` in tree)) out[`${base}_${form}`] = value;
  }
  return out;
}

const i18n = i18next.createInstance();
void i18n.init({
  resources: Object.fromEntries(LANGUAGES.map((lang) => [lang, { translation: withOwnPluralForms(CATALOGS[lang] as unknown as Tree, lang) }])),
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  initAsync: false,
  // EJS escapes on output; escaping here too would show &lt; to the user. Every number put into a
  // text is written in the text's language ("1 234" in Swedish): src/i18n/numbers.ts.
  interpolation: {
    escapeValue: false,
    alwaysFormat: true,
    format: (value: unknown, format: string | undefined, lng: string | undefined, options?: Record<string, unknown>) =>
      // A value left as it is stays what it was (undefined for a missing placeholder), as i18next expects.
      formatInterpolated(value, format, localeOf(lng), typeof options?.interpolationkey === 'string' ? options.interpolationkey : undefined) as string,
  },
  returnNull: false,
  showSupportNotice: false,
});

/**
 * The translator of one language. A text asked for without parameters is looked up once and kept:
 * pages ask for the same labels on every request (a station's answer to a scan asks for about a
 * hundred) and the catalogs do not change while the process runs. A text with parameters goes to
 * i18next's `t` with the language as an option, which does what `getFixedT` does at a third of
 * its cost (that copies i18next's whole options object on every call).
 */
function translatorOf(lang: Language): Translate {
  const plain = new Map<string, string>();
  return (key, params) => {
    if (params !== undefined) return i18n.t(key, { ...params, lng: lang });
    let text = plain.get(key);
    if (text === undefined) plain.set(key, (text = i18n.t(key, { lng: lang })));
    return text;
  };
}

const translators = new Map<Language, Translate>(LANGUAGES.map((lang) => [lang, translatorOf(lang)]));

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
    const lang = BY_TAG.get(w.base);
    if (lang) return lang;
  }
  return fallback;
}
