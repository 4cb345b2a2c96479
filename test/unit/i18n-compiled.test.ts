import { describe, expect, it } from 'vitest';
import { CATALOGS, i18nextText, LANGUAGES, translator } from '../../src/i18n/index.js';

// The translator puts parameters into texts it has looked up and cut once; i18next's own `t` is
// the reference. Every text of every catalog, asked in every language with the parameters its
// placeholders name, must read the same both ways.

type Tree = { [key: string]: string | Tree };

function texts(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : texts(v, `${prefix}${k}.`)));
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
// Every key as code asks for it (plural forms under their base key), with the placeholders any
// language's text of it names.
const keys = new Map<string, Set<string>>();
for (const lang of LANGUAGES) {
  for (const [path, text] of texts(CATALOGS[lang])) {
    const names = keys.get(path.replace(PLURAL, '')) ?? new Set<string>();
    for (const m of text.matchAll(/\{\{(.+?)\}\}/g)) names.add(m[1]!.split(',')[0]!.trim().replace(/^-\s*/, ''));
    keys.set(path.replace(PLURAL, ''), names);
  }
}
const pluralKeys = new Set(texts(CATALOGS.en as unknown as Tree).flatMap(([path]) => (PLURAL.test(path) ? [path.replace(PLURAL, '')] : [])));

describe('catalog texts with parameters', () => {
  it('read as i18next writes them, for every text in every language', () => {
    let compared = 0;
    for (const lang of LANGUAGES) {
      const t = translator(lang);
      for (const [key, names] of keys) {
        const asStrings = Object.fromEntries([...names].map((n) => [n, `«${n}»`]));
        const asNumbers = Object.fromEntries([...names].map((n) => [n, 1234.5]));
        const sets: Record<string, unknown>[] = [asStrings, asNumbers, { ...asStrings, extra: 7 }];
        if (pluralKeys.has(key) || names.has('count')) for (const count of [0, 1, 2, 5, 21, 1_000_000, 1.5]) sets.push({ ...asStrings, count });
        // What the fast path hands to i18next: a missing parameter, a count that is not a number, an i18next option.
        sets.push(
          { count: '3' },
          { ...asStrings, context: 'x' },
          { ...asNumbers, [[...names][0] ?? 'none']: undefined },
          { ...asStrings, [[...names][0] ?? 'none']: null },
        );
        for (const params of sets) {
          expect(t(key, params), `${lang} ${key} ${JSON.stringify(params)}`).toBe(i18nextText(lang, key, params));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('an identifier stays as stored, a count is written in the language, a Date goes to i18next', () => {
    const sv = translator('sv');
    expect(sv('shipping.parcelAdded', { parcelId: 123456, code: 1234567 })).toBe(
      i18nextText('sv', 'shipping.parcelAdded', { parcelId: 123456, code: 1234567 }),
    );
    expect(sv('shipping.parcelAdded', { parcelId: 123456, code: 1234567 })).toContain('123456');
    const when = new Date('2026-11-27T10:00:00Z');
    expect(sv('shipping.parcelAdded', { parcelId: when, code: 'A' })).toBe(i18nextText('sv', 'shipping.parcelAdded', { parcelId: when, code: 'A' }));
  });
});
