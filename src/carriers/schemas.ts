import { z } from 'zod';
import { shippingMethodCode } from '../orders/schemas.js';
import { CARRIER_KINDS } from './types.js';

// The forms of Settings → Shipping → Carriers. A checkbox sends "on" or nothing.

const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());
const optional = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.string().trim().max(max).nullable().default(null));

export const accountSchema = z.object({
  name: z.string().trim().min(1).max(60),
  kind: z.enum(CARRIER_KINDS),
  test: checkbox,
  baseUrl: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z
      .url({ protocol: /^https?$/, error: 'validation.httpUrl' })
      .max(300)
      .nullable()
      .default(null),
  ),
  labelFormat: z.enum(['zpl', 'pdf']),
  parcelWeightGrams: z.coerce.number({ error: 'validation.integer' }).int().min(1).max(1_000_000),
  senderName: z.string().trim().min(1).max(100),
  senderLine1: z.string().trim().min(1).max(100),
  senderLine2: optional(100),
  senderPostalCode: z.string().trim().min(1).max(20),
  senderCity: z.string().trim().min(1).max(60),
  senderCountry: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, { error: 'validation.countryCode' }),
  senderPhone: optional(30),
  senderEmail: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.email().max(200).nullable().default(null)),
});
export type AccountInput = z.infer<typeof accountSchema>;

export const methodSchema = z
  .object({
    code: shippingMethodCode,
    name: z.string().trim().min(1).max(60),
    kind: z.enum(['carrier', 'pickup', 'own']),
    carrierAccountId: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int().positive().nullable()),
    service: optional(64),
    isDefault: checkbox,
  })
  .superRefine((m, ctx) => {
    if (m.kind !== 'carrier') return;
    if (m.carrierAccountId === null) ctx.addIssue({ code: 'custom', path: ['carrierAccountId'], message: 'validation.carrierAccountRequired' });
    if (m.service === null) ctx.addIssue({ code: 'custom', path: ['service'], message: 'validation.carrierServiceRequired' });
  });
export type MethodInput = z.infer<typeof methodSchema>;
