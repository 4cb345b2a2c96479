/** The last 8 digits of a phone number, so that "+46 70-123 45 67" and "070 123 45 67" match. */
export function phoneKey(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length >= 6 ? digits.slice(-8) : null;
}

/** Looks like a phone number rather than a name: digits with phone punctuation, at least 6 digits. */
export function looksLikePhone(text: string): boolean {
  return /^\+?[\d\s().-]+$/.test(text) && text.replace(/\D/g, '').length >= 6;
}

const LETTERS: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/**
 * Text as the search index keeps it: lower case, accents removed, and the Nordic and Polish letters
 * that have no accent to remove spelled plainly, so "Overgard", "Övergård" and "Øvergård" all
 * match, and "Lukasz" finds "Łukasz".
 */
export function foldForSearch(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[øæœßłđðþı]/g, (c) => LETTERS[c]!);
}

/**
 * An FTS5 query matching every word of `text` as a prefix ("kar lind" → "kar"* AND "lind"*), or null
 * when there is no word. Words are quoted, so FTS operators typed by a user are only text.
 */
export function prefixQuery(text: string): string | null {
  const words = foldForSearch(text).match(/[\p{L}\p{N}]+/gu);
  if (!words) return null;
  return words
    .slice(0, 8)
    .map((w) => `"${w.replace(/"/g, '""')}"*`)
    .join(' AND ');
}
