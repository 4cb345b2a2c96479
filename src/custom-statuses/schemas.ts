import { z } from 'zod';

/**
 * A custom status code as it is stored: codes are compared without regard to case everywhere
 * (API, forms, filters), so every path that looks a code up passes it through this first.
 */
export function canonicalStatusCode(code: string): string {
  return code.trim().toUpperCase();
}

export const customStatusCode = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'validation.customStatusCode' })
  .transform(canonicalStatusCode);

export const customStatusBody = z.strictObject({
  label: z.string().trim().min(1).max(60),
  color: z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, { error: 'validation.color' })
    .transform((c) => c.toLowerCase()),
});
export type CustomStatusBody = z.infer<typeof customStatusBody>;
