import { describe, expect, it } from 'vitest';
import { foldForSearch, looksLikePhone, phoneKey, prefixQuery } from '../../src/domain/search.js';
import { addDays, dayOf, startOfDay } from '../../src/domain/time.js';

describe('search keys', () => {
  it.each([
    ['Åsa Øvergård', 'asa overgard'],
    ['Łukasz Żółć', 'lukasz zolc'],
    ['Zoë Lefèvre', 'zoe lefevre'],
    ['Ærøskøbing Straße', 'aeroskobing strasse'],
  ])('folds %s', (input, out) => expect(foldForSearch(input)).toBe(out));

  it('makes prefix queries of words, quoting what a user typed', () => {
    expect(prefixQuery('Kar lind')).toBe('"kar"* AND "lind"*');
    expect(prefixQuery('"x" OR y*')).toBe('"x"* AND "or"* AND "y"*');
    expect(prefixQuery(' -- ')).toBeNull();
  });

  it.each([
    ['+46 70-123 45 67', '01234567'],
    ['070 123 45 67', '01234567'],
    ['(08) 123 456', '08123456'],
    ['12345', null],
    [null, null],
  ])('phone key of %j is %j', (phone, key) => expect(phoneKey(phone)).toBe(key));

  it('tells phone numbers from names and codes', () => {
    expect(looksLikePhone('070-123 45 67')).toBe(true);
    expect(looksLikePhone('Erik 070')).toBe(false);
    expect(looksLikePhone('1234')).toBe(false);
  });
});

describe('shop days', () => {
  it.each([
    ['2026-11-21', 'Europe/Stockholm', '2026-11-20T23:00:00.000Z'],
    ['2026-07-01', 'Europe/Stockholm', '2026-06-30T22:00:00.000Z'],
    ['2026-03-29', 'Europe/Stockholm', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', 'Europe/Stockholm', '2026-03-29T22:00:00.000Z'],
    ['2026-11-21', 'UTC', '2026-11-21T00:00:00.000Z'],
    ['2026-11-21', 'America/New_York', '2026-11-21T05:00:00.000Z'],
  ])('%s starts in %s at %s', (day, tz, iso) => {
    expect(startOfDay(day, tz).toISOString()).toBe(iso);
    expect(dayOf(startOfDay(day, tz), tz)).toBe(day);
  });

  it('adds days across month ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});
