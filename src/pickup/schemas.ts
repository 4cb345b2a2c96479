import { z } from 'zod';

/**
 * The counter's form: the scanned or typed order code, who typed it, and whether the money of a
 * pay-at-pickup order was taken, with the amount the clerk was shown (`due`, minor units).
 */
export const handOverForm = z.object({
  code: z.string().max(200),
  source: z.string().optional(),
  paidAtCounter: z.literal('1').optional(),
  due: z.coerce.number({ error: 'validation.integer' }).int({ error: 'validation.integer' }).min(0, { error: 'validation.integer' }).optional(),
});

/** The reminder days: how long a pickup order may wait on the shelf before it is listed as not collected. */
export const pickupSettingsSchema = z.object({
  reminderDays: z.coerce
    .number({ error: 'validation.integer' })
    .int({ error: 'validation.integer' })
    .min(1, { error: 'validation.pickupDays' })
    .max(365, { error: 'validation.pickupDays' }),
});
export type PickupSettings = z.infer<typeof pickupSettingsSchema>;
