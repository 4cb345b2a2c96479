import { describe, expect, it } from 'vitest';
import { importRowFromRecord } from '../../src/csv/rows.js';
import { en } from '../../src/i18n/en.js';
import { CATALOGS, LANGUAGES, LANGUAGE_LOCALES, translator, type Language } from '../../src/i18n/index.js';

type Tree = { [key: string]: string | Tree };

/** Every text of a catalog by its dotted key. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

/**
 * What a translation must keep as it is: i18next's {{placeholders}} (and the e-mail templates'
 * mustache sections {{#x}} {{/x}} {{^x}}), nested texts $t(…), and the single-brace {parcel} a
 * user types into a setting.
 */
function placeholders(text: string): string[] {
  const found = [...text.matchAll(/\$t\([^)]*\)|\{\{[^}]*\}\}|(?<!\{)\{[a-z_]+\}(?!\})/g)].map((m) => m[0]);
  return [...new Set(found)].sort();
}

/**
 * The plural forms a language needs: the categories Intl.PluralRules gives the whole numbers a page
 * counts (0 to 100,000), and `other`. French's `many` (a million and more) is left out: the
 * catalogs are typed after English, and src/i18n/index.ts gives such a form the language's own
 * `other` text (tested below).
 */
function pluralFormsOf(locale: string): string[] {
  const rules = new Intl.PluralRules(locale);
  const forms = new Set(['other']);
  for (let n = 0; n <= 1000; n++) forms.add(rules.select(n));
  for (let n = 1000; n <= 100_000; n *= 10) forms.add(rules.select(n));
  return [...forms].sort();
}

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Everything wrong with a catalog next to English, one line per text, in English's order. */
function catalogProblems(english: Tree, catalog: Tree, locale: string): string[] {
  const ref = flatten(english);
  const got = flatten(catalog);
  const problems: string[] = [];
  const same = (key: string, text: string, want: string[], countOptional: boolean) => {
    if (text.trim() === '') {
      problems.push(`${key}: empty`);
      return;
    }
    const has = placeholders(text);
    const drop = (list: string[]) => (countOptional ? list.filter((p) => p !== '{{count}}') : list);
    if (drop(has).join(' ') !== drop(want).join(' ')) problems.push(`${key}: placeholders ${has.join(' ')}, English has ${want.join(' ')}`);
  };
  const plurals = new Set<string>();
  for (const [key, text] of ref) {
    const base = PLURAL.test(key) ? key.replace(PLURAL, '') : undefined;
    if (base === undefined) {
      const mine = got.get(key);
      if (mine === undefined) problems.push(`${key}: missing`);
      else same(key, mine, placeholders(text), false);
      continue;
    }
    if (plurals.has(base)) continue;
    plurals.add(base);
    // English's `other` form is the model of every form; only `other` must show the count.
    const model = placeholders(ref.get(`${base}_other`) ?? text);
    for (const form of pluralFormsOf(locale)) {
      const mine = got.get(`${base}_${form}`);
      if (mine === undefined) problems.push(`${base}_${form}: missing (plural form ${form} of ${base.split('.').pop()!})`);
      else same(`${base}_${form}`, mine, model, form !== 'other');
    }
  }
  return problems;
}

describe('every catalog in LANGUAGES is complete', () => {
  const others = LANGUAGES.filter((lang) => lang !== 'en');

  it('lists more than English and Swedish', () => {
    expect(others).toEqual(expect.arrayContaining(['sv', 'nb']));
  });

  it.each(others)('%s has every English text, none empty, with the same placeholders', (lang: Language) => {
    expect(catalogProblems(en, CATALOGS[lang], LANGUAGE_LOCALES[lang])).toEqual([]);
  });
});

describe('counts in every language', () => {
  it.each(LANGUAGES)('%s writes a count with its own plural forms, from 0 to millions', (lang: Language) => {
    const t = translator(lang);
    const rules = new Intl.PluralRules(LANGUAGE_LOCALES[lang]);
    const counts = CATALOGS[lang].counts as Record<string, string>;
    for (const n of [0, 1, 2, 5, 21, 1000, 1_000_000, 2_000_000]) {
      // A form the catalog lacks (French's `many`, for millions) is the language's own `other`, never English.
      const own = counts[`orders_${rules.select(n)}`] ?? counts.orders_other!;
      const shape = (text: string) => text.replace(/(\{\{count\}\}|[\d\s\u00a0\u202f.,])+/g, '#');
      expect(shape(t('counts.orders', { count: n })), `${lang} ${n}`).toBe(shape(own));
    }
  });
});

describe('words a user types in a shop language', () => {
  it.each([
    ['yes', true],
    ['ja', true],
    ['oui', true],
    ['no', false],
    ['nej', false],
    ['nei', false],
    ['Non', false],
  ])('a CSV import reads track_stock %j', (word, track) => {
    const row = importRowFromRecord({ line: 2, cells: { sku: 'KOPP', name: 'Emaljekopp', track_stock: word } });
    expect(row.errors).toEqual([]);
    expect(row.body).toMatchObject({ trackStock: track });
  });
});

describe('the check itself', () => {
  const reference = {
    a: { title: 'Order {{code}}', mail: 'Hello {{customer_name}}{{#lines}} {{sku}}{{/lines}}', status: 'Status $t(status.{{status}})' },
    units_one: '{{count}} unit',
    units_other: '{{count}} units',
  };
  const good = {
    a: { title: 'Ordre {{code}}', mail: 'Hei {{customer_name}}{{#lines}} {{sku}}{{/lines}}', status: 'Status $t(status.{{status}})' },
    units_one: 'én enhet',
    units_other: '{{count}} enheter',
  };

  it('passes a faithful translation (a singular form may spell out its count)', () => {
    expect(catalogProblems(reference, good, 'nb-NO')).toEqual([]);
  });

  it('names a missing text, an empty one and a changed placeholder', () => {
    const bad = { a: { title: '', mail: 'Hei {{name}}{{#lines}} {{sku}}{{/lines}}' }, units_one: '{{count}} enhet', units_other: '{{count}} enheter' };
    expect(catalogProblems(reference, bad, 'nb-NO')).toEqual([
      'a.title: empty',
      'a.mail: placeholders {{#lines}} {{/lines}} {{name}} {{sku}}, English has {{#lines}} {{/lines}} {{customer_name}} {{sku}}',
      'a.status: missing',
    ]);
  });

  it('names a changed nested text ($t) and an e-mail section left out', () => {
    const bad = { ...good, a: { ...good.a, status: 'Status $t(status.{{from}})', mail: 'Hei {{customer_name}} {{sku}}' } };
    expect(catalogProblems(reference, bad, 'nb-NO')).toEqual([
      'a.mail: placeholders {{customer_name}} {{sku}}, English has {{#lines}} {{/lines}} {{customer_name}} {{sku}}',
      'a.status: placeholders $t(status.{{from}}), English has $t(status.{{status}})',
    ]);
  });

  it('asks each language for its own plural forms', () => {
    expect(pluralFormsOf('nb-NO')).toEqual(['one', 'other']);
    expect(pluralFormsOf('fr-FR')).toEqual(['one', 'other']);
    expect(pluralFormsOf('pl-PL')).toEqual(['few', 'many', 'one', 'other']);
    expect(pluralFormsOf('ja-JP')).toEqual(['other']);
    const noSingular = { a: good.a, units_other: '{{count}} enheter' };
    expect(catalogProblems(reference, noSingular, 'nb-NO')).toEqual(['units_one: missing (plural form one of units)']);
    expect(catalogProblems(reference, good, 'pl-PL')).toEqual([
      'units_few: missing (plural form few of units)',
      'units_many: missing (plural form many of units)',
    ]);
  });
});
