import { z } from 'zod';
import { PAYMENT_METHODS } from '../domain/order-status.js';
import { LANGUAGES } from '../i18n/index.js';
import { MAX_MONEY, skuSchema } from '../products/schemas.js';
import type { Loose } from '../types-util.js';

export const MAX_LINE_QUANTITY = 100_000;
export const MAX_LINES = 500;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v === '' ? undefined : v));

export const addressSchema = z.strictObject({
  line1: z.string().trim().min(1).max(200),
  line2: optionalText(200),
  postalCode: z.string().trim().min(1).max(20),
  city: z.string().trim().min(1).max(100),
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, { error: 'validation.country' })
    .transform((c) => c.toUpperCase()),
});

export const customerSchema = z.strictObject({
  type: z.enum(['guest', 'account']).optional(),
  /** The language of the customer's e-mails; the shop's DEFAULT_LANGUAGE when absent. */
  language: z.enum(LANGUAGES).optional(),
  name: z.string().trim().min(1).max(200),
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
  phone: z
    .string()
    .trim()
    .max(40)
    .regex(/^\+?[0-9 ()\-.]*$/, { error: 'validation.phone' })
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  address: addressSchema,
});

export const quantitySchema = z.int().min(1).max(MAX_LINE_QUANTITY);

/** A shipping method's code as a shop sends it: letters, digits, `-`, `_`, `.`, `:`; up to 64. */
export const shippingMethodCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, { error: 'validation.shippingMethodCode' });

export const lineInput = z.strictObject({
  sku: skuSchema,
  quantity: quantitySchema,
  unitPrice: z.int().min(0).max(MAX_MONEY).optional(),
});

export const createOrderBody = z
  .strictObject({
    status: z.enum(['preorder', 'order']).default('order'),
    lines: z.array(lineInput).min(1).max(MAX_LINES),
    customer: customerSchema.optional(),
    paymentMethod: z.enum(PAYMENT_METHODS).optional(),
    /** The shop's shipping method code (Settings → Shipping → Carriers maps it to a carrier, pickup or the station's own IDs). */
    shippingMethod: shippingMethodCode.optional(),
    paid: z.boolean().optional(),
    priority: z.int().min(1).max(10).optional(),
    comment: optionalText(2000),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: 'validation.currency' })
      .optional(),
    shippingFee: z.int().min(0).max(MAX_MONEY).optional(),
  })
  .superRefine((body, ctx) => {
    const seen = new Map<string, number>();
    body.lines.forEach((line, i) => {
      const first = seen.get(line.sku);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'sku'], message: 'validation.duplicateSku' });
      } else seen.set(line.sku, i);
    });
    if (body.status === 'order' && !body.customer) {
      ctx.addIssue({ code: 'custom', path: ['customer'], message: 'validation.customerRequired' });
    }
    if (body.status === 'preorder' && body.customer) {
      ctx.addIssue({ code: 'custom', path: ['customer'], message: 'validation.preorderHasNoCustomer' });
    }
    if (body.status === 'preorder' && body.paid) {
      ctx.addIssue({ code: 'custom', path: ['paid'], message: 'validation.preorderNotPaid' });
    }
  });
export type CreateOrderBody = Loose<z.infer<typeof createOrderBody>>;

export const checkoutBody = z.strictObject({
  customer: customerSchema,
  paymentMethod: z.enum(PAYMENT_METHODS),
  paid: z.boolean().optional(),
});
export type CheckoutBody = Loose<z.infer<typeof checkoutBody>>;

export const paymentBody = z.strictObject({
  reference: z.string().trim().min(1).max(100).optional(),
  amount: z.int().min(1).max(MAX_MONEY).optional(),
});
export type PaymentBody = z.infer<typeof paymentBody>;

export const detailsPatchBody = z.strictObject({
  waiting: z.boolean().optional(),
  reviewed: z.boolean().optional(),
  priority: z.int().min(1).max(10).optional(),
  comment: z.string().max(2000).nullable().optional(),
  customStatus: z.string().max(32).nullable().optional(),
  /** The shop's shipping method code; null clears it (the default method then applies). */
  shippingMethod: shippingMethodCode.nullable().optional(),
  /** Only true is accepted (orders/edit.ts refuses false with its own message). */
  approved: z.boolean().optional(),
});

export const addLineBody = z.strictObject({
  sku: skuSchema,
  quantity: quantitySchema,
  unitPrice: z.int().min(0).max(MAX_MONEY).optional(),
});

export const lineQuantityBody = z.strictObject({ quantity: quantitySchema });

export const lineIdParam = z.coerce.number({ error: 'validation.lineId' }).int().positive();
