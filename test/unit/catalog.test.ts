import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { hasMessage, negotiateLanguage, translator } from '../../src/i18n/index.js';
import { sv } from '../../src/i18n/sv.js';

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : path.endsWith(ext) ? [path] : [];
  });
}

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`)));
}

describe('message catalog', () => {
  it('Swedish has exactly the English keys, none left empty or untranslated by accident', () => {
    expect(keys(sv).sort()).toEqual(keys(en).sort());
    for (const key of keys(sv)) expect(translator('sv')(key), key).not.toBe('');
  });

  it('every literal key used in views and code exists', () => {
    const sources = [...files('views', '.ejs'), ...files('src', '.ts')].map((f) => readFileSync(f, 'utf8')).join('\n');
    const used = new Set<string>();
    for (const m of sources.matchAll(/\bt\('([a-zA-Z][\w.]+)'/g)) used.add(m[1]!);
    for (const m of sources.matchAll(/'((?:errors|validation|login|users|account|apiTokens|orders)\.[\w.]+)'/g)) used.add(m[1]!);
    const missing = [...used].filter((k) => !k.endsWith('.') && !hasMessage(k));
    expect(missing).toEqual([]);
  });

  it('history texts translate the statuses they name', () => {
    expect(translator('sv')('events.status_changed', { from: 'order', to: 'packing' })).toBe('Status Order → Packning');
    expect(translator('en')('events.status_changed', { from: 'packing', to: 'shipped' })).toBe('Status Packing → Shipped');
  });

  it.each([
    ['sv-SE,sv;q=0.9,en;q=0.8', 'sv'],
    ['en-US,en;q=0.9', 'en'],
    ['de-DE,de;q=0.9', 'en'],
    ['fr;q=0.5, sv;q=0.7', 'sv'],
    [undefined, 'en'],
  ])('Accept-Language %j → %s', (header, lang) => expect(negotiateLanguage(header, 'en')).toBe(lang));
});
