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

/** An optional text field of a form: empty is absent (null). */
const optionalText = (max: number) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().max(max).optional());

/** "129", "129.50" or "129,50" in the shop currency → minor units; empty is no list price. */
const moneyField = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .trim()
    .regex(/^\d{1,12}([.,]\d{1,2})?$/, { error: 'validation.money' })
    .transform((s) => Math.round(Number(s.replace(',', '.')) * 100))
    .pipe(z.int().max(MAX_MONEY))
    .optional(),
);

/** VAT in percent ("25", "12", "6", "0", "12.5") → basis points. */
const vatField = z
  .string()
  .trim()
  .regex(/^\d{1,3}([.,]\d{1,2})?$/, { error: 'validation.vatPercent' })
  .transform((s) => Math.round(Number(s.replace(',', '.')) * 100))
  .pipe(z.int().max(10_000, { error: 'validation.vatPercent' }));

const thresholdField = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? Number(v) : v),
  z.int().min(0).max(MAX_ON_HAND).optional(),
);

/** The product form of the pages (Tools → Products). On hand is changed by goods-in and counts, not here. */
export const productForm = z.object({
  name: z.string().trim().min(1).max(200),
  barcode: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), barcodeSchema.optional()),
  location: optionalText(32),
  price: moneyField,
  vatRate: vatField,
  trackStock: z.preprocess((v) => v === '1' || v === 'on', z.boolean()),
  lowStockThreshold: thresholdField,
});
export type ProductForm = z.infer<typeof productForm>;

export const newProductForm = productForm.extend({ sku: z.string().trim().pipe(skuSchema) });
