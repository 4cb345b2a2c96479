import { z } from 'zod';

/** Printable ASCII without leading or trailing spaces: what a label printer and a scanner can carry. */
export const skuSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7E]([\x20-\x7E]*[\x21-\x7E])?$/, { error: 'validation.sku' });

export const barcodeSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7E]+$/, { error: 'validation.barcodeChars' });

export const MAX_ON_HAND = 1_000_000_000;
export const MAX_MONEY = 100_000_000_000;

export const productBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  onHand: z.int().min(0).max(MAX_ON_HAND),
  location: z.string().trim().max(32).nullable().optional(),
  barcode: barcodeSchema.nullable().optional(),
  trackStock: z.boolean().optional(),
  price: z.int().min(0).max(MAX_MONEY).nullable().optional(),
  vatRate: z.int().min(0).max(10_000).optional(),
});
export type ProductBody = z.infer<typeof productBody>;
