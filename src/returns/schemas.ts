import { z } from 'zod';
import { RETURN_DISPOSITIONS, type Disposition } from '../domain/return-disposition.js';

export { RETURN_DISPOSITIONS, type Disposition };

/** Why a returned unit is written off: the ledger row's reason. */
export const WRITE_OFF_REASONS = ['damaged', 'missing'] as const;
export type WriteOffReason = (typeof WRITE_OFF_REASONS)[number];

/** Units of one SKU coming back; a SKU may be given twice (some restocked, some written off). */
export const returnLineBody = z.strictObject({
  sku: z.string().trim().min(1).max(64),
  quantity: z.int().min(1).max(100_000),
  disposition: z.enum(RETURN_DISPOSITIONS),
  reason: z.enum(WRITE_OFF_REASONS).optional(),
});
export type ReturnLineInput = z.infer<typeof returnLineBody>;

/** POST /api/v1/orders/:code/returns (docs/api.md). */
export const returnBody = z.strictObject({
  lines: z.array(returnLineBody).min(1).max(500),
  idempotencyKey: z.string().min(1).max(200).optional(),
});

/** GET /orders/:code/returns/:number/credit-note.pdf and its API twin. */
export const returnNumberParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
