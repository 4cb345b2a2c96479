import type { Conn } from '../db/client.js';
import { readOrderCode } from '../domain/order-code.js';
import { AppError } from '../errors.js';
import { findOrderByCode, type OrderRow } from './repo/orders.js';

/**
 * The one reader of an order code that a person typed, a scanner sent or a URL carries: spaces and
 * dashes are ignored and the check digit must match. Returns the code as stored; a code with a
 * missing or wrong check digit is refused with `order_code_invalid` (with the full code as
 * `details.suggestion` when only the check digit is missing) instead of matching another order, and
 * input that is no order code at all is `order_not_found`. Every route that takes `:code` reads it
 * through this (directly or through findOrderByCodeOrThrow), so pages and API agree.
 */
export function resolveOrderCode(input: string): string {
  const reading = readOrderCode(input);
  switch (reading.kind) {
    case 'valid':
      return reading.code;
    case 'missing_check':
      throw new AppError('order_code_invalid', 'errors.orderCodeMissingCheck', { input: input.trim(), code: reading.code }, { suggestion: reading.code });
    case 'bad_check':
      throw new AppError('order_code_invalid', 'errors.orderCodeBadCheck', { input: input.trim() });
    case 'not_a_code':
      throw new AppError('order_not_found', 'errors.orderNotFound', { code: input.trim().slice(0, 40) });
  }
}

/** The order whose code `input` reads as (resolveOrderCode), or `order_not_found`. */
export function findOrderByCodeOrThrow(conn: Conn, input: string): OrderRow {
  const code = resolveOrderCode(input);
  const order = findOrderByCode(conn, code);
  if (!order) throw new AppError('order_not_found', 'errors.orderNotFound', { code });
  return order;
}
