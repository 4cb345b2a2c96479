import { eq } from 'drizzle-orm';
import { writeTransaction, type Db } from '../db/client.js';
import { products } from '../db/schema/index.js';
import type { Actor } from '../domain/actor.js';
import { isValidGtin, looksLikeGtin } from '../domain/gtin.js';
import { changeOnHand } from '../stock/writer.js';
import { AppError, fieldError } from '../errors.js';
import { findProductByBarcode, findProductBySku, type ProductRow } from './repo.js';
import type { ProductBody } from './schemas.js';

/**
 * Creates or updates the product `sku`. Omitted optional fields keep their value on an update.
 * A new onHand is a stock count: the difference goes to the stock ledger.
 */
export function upsertProduct(db: Db, sku: string, input: ProductBody, actor: Actor, now: Date): { product: ProductRow; created: boolean } {
  const barcode = input.barcode ?? null;
  if (barcode && looksLikeGtin(barcode) && !isValidGtin(barcode)) {
    throw fieldError('barcode', 'validation.gtinCheckDigit');
  }
  return writeTransaction(db, (tx) => {
    if (barcode) {
      const holder = findProductByBarcode(tx, barcode);
      if (holder && holder.sku !== sku) {
        throw new AppError('barcode_in_use', 'errors.barcodeInUse', { barcode, sku: holder.sku }, { sku: holder.sku });
      }
    }
    const existing = findProductBySku(tx, sku);
    if (!existing) {
      const inserted = tx
        .insert(products)
        .values({
          sku,
          name: input.name,
          barcode,
          location: input.location ?? null,
          trackStock: input.trackStock ?? true,
          onHand: 0,
          price: input.price ?? null,
          vatRate: input.vatRate ?? 2500,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      if (input.onHand !== 0) changeOnHand(tx, inserted, input.onHand, { reason: 'stock_count', actor, now });
      return { product: findProductBySku(tx, sku)!, created: true };
    }
    tx.update(products)
      .set({
        name: input.name,
        ...(input.barcode !== undefined && { barcode }),
        ...(input.location !== undefined && { location: input.location }),
        ...(input.trackStock !== undefined && { trackStock: input.trackStock }),
        ...(input.price !== undefined && { price: input.price }),
        ...(input.vatRate !== undefined && { vatRate: input.vatRate }),
        updatedAt: now,
      })
      .where(eq(products.id, existing.id))
      .run();
    if (input.onHand !== existing.onHand) {
      changeOnHand(tx, existing, input.onHand - existing.onHand, { reason: 'stock_count', actor, now });
    }
    return { product: findProductBySku(tx, sku)!, created: false };
  });
}

export function getProduct(db: Db, sku: string): ProductRow {
  const product = findProductBySku(db, sku);
  if (!product) throw new AppError('product_not_found', 'errors.productNotFound', { sku });
  return product;
}
