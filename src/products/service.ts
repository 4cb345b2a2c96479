import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { isValidGtin, looksLikeGtin } from '../domain/gtin.js';
import { changeOnHand } from '../stock/writer.js';
import { AppError, fieldError, type FieldError } from '../errors.js';
import {
  createProductFromForm,
  findProductByBarcode,
  findProductBySku,
  insertProduct,
  setProductArchivedAt,
  updateProductFields,
  updateProductFromForm,
  type ProductRow,
} from './repo.js';
import type { ProductBody, ProductForm } from './schemas.js';

/**
 * Creates or updates the product `sku`. Omitted optional fields keep their value on an update.
 * A new onHand is a stock count: the difference goes to the stock ledger.
 */
export function upsertProduct(db: Db, sku: string, input: ProductBody, actor: Actor, now: Date): { product: ProductRow; created: boolean } {
  return writeTransaction(db, (tx) => upsertProductIn(tx, sku, input, actor, now));
}

/** upsertProduct in the caller's write transaction (the CSV import's rows, demo data). */
export function upsertProductIn(tx: Tx, sku: string, input: ProductBody, actor: Actor, now: Date): { product: ProductRow; created: boolean } {
  const barcode = input.barcode ?? null;
  if (barcode && looksLikeGtin(barcode) && !isValidGtin(barcode)) {
    throw fieldError('barcode', 'validation.gtinCheckDigit');
  }
  refuseBarcodeInUse(tx, barcode, sku);
  const existing = findProductBySku(tx, sku);
  if (!existing) {
    const id = insertProduct(
      tx,
      sku,
      {
        name: input.name,
        barcode,
        location: input.location ?? null,
        trackStock: input.trackStock ?? true,
        price: input.price ?? null,
        vatRate: input.vatRate ?? 2500,
      },
      now,
    );
    if (input.onHand !== 0)
      changeOnHand(tx, { id }, input.onHand, {
        reason: 'stock_count',
        actor,
        now,
      });
    return { product: findProductBySku(tx, sku)!, created: true };
  }
  updateProductFields(
    tx,
    existing.id,
    {
      name: input.name,
      barcode: input.barcode !== undefined ? barcode : existing.barcode,
      location: input.location !== undefined ? input.location : existing.location,
      trackStock: input.trackStock ?? existing.trackStock,
      price: input.price !== undefined ? input.price : existing.price,
      vatRate: input.vatRate ?? existing.vatRate,
    },
    now,
  );
  if (input.onHand !== existing.onHand) {
    changeOnHand(tx, existing, input.onHand - existing.onHand, {
      reason: 'stock_count',
      actor,
      now,
    });
  }
  return { product: findProductBySku(tx, sku)!, created: false };
}

export function getProduct(db: Db, sku: string): ProductRow {
  const product = findProductBySku(db, sku);
  if (!product) throw new AppError('product_not_found', 'errors.productNotFound', { sku });
  return product;
}

/**
 * What upsertProduct would refuse about `barcode` for the product `sku` (a wrong GTIN check digit,
 * another product's barcode), without writing: the CSV import lists these beside a bad row's other
 * errors, so that a row shows everything wrong with it at once.
 */
export function barcodeProblems(conn: Conn, barcode: string | null, sku: string): FieldError[] {
  if (!barcode) return [];
  if (looksLikeGtin(barcode) && !isValidGtin(barcode)) return [{ path: 'barcode', key: 'validation.gtinCheckDigit' }];
  const holder = barcodeHolder(conn, barcode, sku);
  if (holder)
    return [
      {
        path: 'barcode',
        key: 'errors.barcodeInUse',
        params: { barcode, sku: holder },
      },
    ];
  return [];
}

/** The SKU of another product that has `barcode`, if one has. */
function barcodeHolder(conn: Conn, barcode: string, sku: string): string | undefined {
  const holder = findProductByBarcode(conn, barcode);
  return holder && holder.sku !== sku ? holder.sku : undefined;
}

function refuseBarcodeInUse(tx: Tx, barcode: string | null, sku: string): void {
  if (!barcode) return;
  const holder = barcodeHolder(tx, barcode, sku);
  if (holder) {
    throw new AppError(
      'barcode_in_use',
      'errors.barcodeInUse',
      { barcode, sku: holder },
      {
        sku: holder,
        fields: [
          {
            path: 'barcode',
            key: 'errors.barcodeInUse',
            params: { barcode, sku: holder },
          },
        ],
      },
    );
  }
}

/**
 * Creates (sku given, new) or edits (existing product) a product from the pages' form. On hand is
 * not a field here: stock changes only by goods-in, counts, shipments and returns, each with its
 * ledger row.
 */
export function saveProduct(db: Db, target: { create: string } | { edit: string }, input: ProductForm, now: Date): ProductRow {
  const barcode = input.barcode ?? null;
  if (barcode && looksLikeGtin(barcode) && !isValidGtin(barcode)) throw fieldError('barcode', 'validation.gtinCheckDigit');
  const sku = 'create' in target ? target.create : target.edit;
  return writeTransaction(db, (tx) => {
    const existing = findProductBySku(tx, sku);
    if ('create' in target && existing) throw fieldError('sku', 'products.skuTaken', { sku });
    if ('edit' in target && !existing)
      throw new AppError('product_not_found', 'errors.productNotFound', {
        sku,
      });
    refuseBarcodeInUse(tx, barcode, sku);
    const fields = {
      name: input.name,
      barcode,
      location: input.location ?? null,
      trackStock: input.trackStock,
      price: input.price ?? null,
      vatRate: input.vatRate,
      lowStockThreshold: input.lowStockThreshold ?? null,
    };
    if (existing) updateProductFromForm(tx, existing.id, fields, now);
    else createProductFromForm(tx, sku, fields, now);
    return findProductBySku(tx, sku)!;
  });
}

/** Archives a product (no new order lines; its history stays) or brings it back. */
export function setArchived(db: Db, sku: string, archived: boolean, now: Date): ProductRow {
  return writeTransaction(db, (tx) => {
    const product = findProductBySku(tx, sku);
    if (!product)
      throw new AppError('product_not_found', 'errors.productNotFound', {
        sku,
      });
    setProductArchivedAt(tx, product.id, archived ? (product.archivedAt ?? now) : null, now);
    return findProductBySku(tx, sku)!;
  });
}
