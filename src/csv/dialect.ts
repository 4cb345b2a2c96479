import { z } from 'zod';
import type { CsvDialect } from './format.js';

/**
 * How an export is written, as query parameters: `separator` `,` (the default; `comma`) or `;`
 * (`semicolon`: Excel in Nordic locales, with decimal commas), `bom` yes/no (default no).
 */
export const csvDialectQuery = z
  .object({
    separator: z.preprocess((v) => (v === '' ? undefined : v), z.enum([',', ';', 'comma', 'semicolon']).default(',')),
    bom: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['true', 'false', '1', '0', 'yes', 'no']).default('no')),
  })
  .transform((q): CsvDialect => ({
    separator: q.separator === ';' || q.separator === 'semicolon' ? ';' : ',',
    bom: ['true', '1', 'yes'].includes(q.bom),
  }));

/** The name a downloaded file gets: "orders-2026-11-20.csv". */
export function csvFileName(what: string, now: Date): string {
  return `${what}-${now.toISOString().slice(0, 10)}.csv`;
}
