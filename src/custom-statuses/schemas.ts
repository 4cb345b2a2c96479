import { z } from 'zod';

export const customStatusCode = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'validation.customStatusCode' })
  .transform((c) => c.toUpperCase());

export const customStatusBody = z.strictObject({
  label: z.string().trim().min(1).max(60),
  color: z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, { error: 'validation.color' })
    .transform((c) => c.toLowerCase()),
});
export type CustomStatusBody = z.infer<typeof customStatusBody>;
