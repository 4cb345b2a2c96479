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
const BY_TAG = new Map<string, Language>(
  LANGUAGES.flatMap((lang) => [[lang, lang] as const, ...LANGUAGE_TABLE[lang].alsoFor.map((tag) => [tag, lang] as const)]),
);

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

/** i18next's own option names: a text asked for with one of these goes to i18next. */
const I18NEXT_OPTIONS = new Set([
  'context',
  'defaultValue',
  'ordinal',
  'replace',
  'lng',
  'lngs',
  'fallbackLng',
  'ns',
  'keySeparator',
  'nsSeparator',
  'returnObjects',
  'returnDetails',
  'joinArrays',
  'postProcess',
  'interpolation',
  'skipInterpolation',
]);

/** A catalog text cut at its placeholders: literal text, and `{{name}}` or `{{name, number}}`. */
type Part = string | { name: string; format: string | undefined };

/**
 * A text's parts, or null when i18next must interpolate it: a nested `$t(…)`, an unescaped `{{- x}}`,
 * a path (`{{a.b}}`) or a format other than `number`. The placeholder syntax is i18next's.
 */
function compileText(text: string): Part[] | null {
  if (text.includes('$t(')) return null;
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(/\{\{(.+?)\}\}/g)) {
    const [rawName = '', ...format] = m[1]!.trim().split(',');
    const name = rawName.trim();
    const fmt = format.length ? format.join(',').trim() : undefined;
    if (name.startsWith('-') || name.includes('.') || (fmt !== undefined && fmt !== 'number' && fmt !== 'money')) return null;
    parts.push(text.slice(last, m.index), { name, format: fmt });
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

const pluralRules = new Map(LANGUAGES.map((lang) => [lang, new Intl.PluralRules(lang)]));

/**
 * The text i18next would choose for `key` in `lang`: the language's own, then English; with a
 * numeric count, the count's plural form first (`_zero` first of all for 0), then the key itself —
 * the order of i18next's lookup. Undefined when there is no string to use.
 */
function lookupText(lang: Language, key: string, count: number | undefined): string | undefined {
  for (const code of lang === 'en' ? (['en'] as const) : ([lang, 'en'] as const)) {
    const keys = count === undefined ? [key] : [...(count === 0 ? [`${key}_zero`] : []), `${key}_${pluralRules.get(code)!.select(count)}`, key];
    for (const k of keys) {
      const found = i18n.getResource(code, 'translation', k) as unknown;
      if (found === undefined) continue;
      return typeof found === 'string' ? found : undefined;
    }
  }
  return undefined;
}

/**
 * The translator of one language. Pages ask for the same texts on every request (a station's
 * answer to a scan asks for about a hundred) and the catalogs do not change while the process
 * runs, so a text is looked up and cut at its placeholders once, and each call only puts the
 * parameters in, each number written in the language's way (src/i18n/numbers.ts) as i18next's
 * format hook does. What this does not cover — i18next's own options, a nested `$t(…)`, a count
 * that is not a number, a missing parameter — goes to i18next's `t`, the reference: a test compares
 * the two for every text of every catalog (test/unit/i18n-compiled.test.ts).
 */
function translatorOf(lang: Language): Translate {
  const plain = new Map<string, string>();
  const chosen = new Map<string, Part[] | null>();
  const locale = localeOf(lang);
  const viaI18next = (key: string, params: Record<string, unknown>) => i18n.t(key, { ...params, lng: lang });
  return (key, params) => {
    if (params === undefined) {
      let text = plain.get(key);
      if (text === undefined) plain.set(key, (text = i18n.t(key, { lng: lang })));
      return text;
    }
    const count = params.count;
    if (count !== undefined && (typeof count !== 'number' || !Number.isFinite(count))) return viaI18next(key, params);
    for (const name in params) if (I18NEXT_OPTIONS.has(name)) return viaI18next(key, params);
    // The text depends on the count's plural form in this language and in English (the fallback).
    const slot =
      count === undefined
        ? key
        : `${key}\u0000${count === 0 ? 'zero' : ''}${pluralRules.get(lang)!.select(count)}\u0000${pluralRules.get('en')!.select(count)}`;
    let parts = chosen.get(slot);
    if (parts === undefined) {
      const text = lookupText(lang, key, count);
      chosen.set(slot, (parts = text === undefined ? null : compileText(text)));
    }
    if (parts === null) return viaI18next(key, params);
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const value = params[part.name];
      if (value === undefined) return viaI18next(key, params);
      const written = formatInterpolated(value, part.format, locale, part.name);
      if (typeof written === 'string') out += written;
      else if (typeof written === 'number' || typeof written === 'boolean') out += String(written);
      else if (written !== null) return viaI18next(key, params);
    }
    return out;
  };
}

/** i18next's own `t` in a language: the reference the translator is tested against. */
export function i18nextText(lang: Language, key: string, params: Record<string, unknown> = {}): string {
  return i18n.t(key, { ...params, lng: lang });
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
