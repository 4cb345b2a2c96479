import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { DPIS } from './zpl.js';

/** A DNS name as RFC 1123 allows it: labels of letters, digits and inner hyphens, at most 253 characters. */
const HOST_NAME = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * A printer's host as typed: a host name (zebra-1, zebra-1.lan) or an IPv4 or IPv6 address. No
 * URL, path, user or port: the port has its own field. An all-digit dotted name that is not a
 * valid IPv4 address (192.168.1.300) is refused rather than looked up as a name.
 */
export function isPrinterHost(host: string): boolean {
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return true;
  if (host.includes(':')) return ipaddr.IPv6.isValid(host.replace(/^\[(.*)\]$/, '$1'));
  if (/^[\d.]+$/.test(host)) return false;
  return HOST_NAME.test(host);
}

/** A number field as typed: empty is absent, digits are a number, anything else stays text (and is refused as not a whole number). */
const formNumber = (v: unknown) =>
  v === '' || v === undefined || v === null ? undefined : typeof v === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(v) ? Number(v) : v;

/** Settings → Printers and the API: what a printer is saved with. */
export const printerSchema = z.object({
  name: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(60),
  host: z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required' })
    .max(253)
    .refine(isPrinterHost, { error: 'validation.printerHost' })
    .transform((h) => h.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '')),
  port: z
    .preprocess(
      formNumber,
      z
        .int({ error: (issue) => (issue.code === 'invalid_type' ? 'validation.integer' : undefined) })
        .min(1)
        .max(65535)
        .optional(),
    )
    .transform((p) => p ?? 9100),
  dpi: z.preprocess(
    formNumber,
    z.union(
      DPIS.map((d) => z.literal(d)),
      { error: 'validation.printerDpi' },
    ),
  ),
});
export type PrinterInput = z.infer<typeof printerSchema>;

/** POST /shipping/printer: the station's label printer ('' or 'pdf': PDF in the browser) and the auto-print box. */
export const stationPrinterSchema = z.object({
  printer: z.union([z.literal(''), z.literal('pdf'), z.coerce.number().int().positive()], { error: 'validation.invalid' }),
  autoPrint: z
    .preprocess((v: unknown) => (Array.isArray(v) ? (v as unknown[]).at(-1) : v), z.enum(['1', 'on', 'true', '0', 'off', 'false', '']).optional())
    .transform((v) => v === '1' || v === 'on' || v === 'true'),
});
