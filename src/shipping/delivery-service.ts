import { writeTransaction, type Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { AppError } from '../errors.js';
import { findOrderByCodeOrThrow } from '../orders/lookup.js';
import { listLines } from '../orders/repo/orders.js';
import { shipDelivery, type ShippedDelivery } from './service.js';

/** One delivery as an integration sends it in one call: its parcels and, optionally, the quantity of each SKU. */
export interface OneCallDelivery {
  parcels: string[];
  /** Omitted: everything still unshipped goes. */
  lines?: { sku: string; quantity: number }[];
}

/**
 * Ships one delivery of the order in one call (the API's POST /orders/:code/deliveries), in a
 * transaction of its own: the SKUs named are read against the order's lines (an SKU not on the
 * order is refused as `lines.<i>.sku`), then shipDelivery writes it. Returns the order's code
 * and the delivery shipped.
 */
export function shipOneCallDelivery(db: Db, code: string, input: OneCallDelivery, ctx: { actor: Actor; now: Date }): { code: string } & ShippedDelivery {
  return writeTransaction(db, (tx) => {
    const order = findOrderByCodeOrThrow(tx, code);
    let quantities: Map<number, number> | undefined;
    if (input.lines) {
      const lines = new Map(listLines(tx, order.id).map((l) => [l.sku, l]));
      quantities = new Map();
      input.lines.forEach((l, i) => {
        const line = lines.get(l.sku);
        if (!line)
          throw new AppError(
            'validation_failed',
            'errors.validationFailed',
            { count: 1 },
            { fields: [{ path: `lines.${i}.sku`, key: 'validation.skuNotOnOrder', params: { sku: l.sku } }] },
          );
        quantities!.set(line.id, l.quantity);
      });
    }
    const result = shipDelivery(tx, order, { parcels: input.parcels, ...(quantities && { quantities }) }, ctx);
    return { code: order.code, ...result };
  });
}
