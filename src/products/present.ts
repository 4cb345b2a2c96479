import { stockView } from '../domain/stock.js';
import type { ProductRow } from './repo.js';

/** A product as the API and the pages show it. */
export function presentProduct(p: ProductRow) {
  return {
    sku: p.sku,
    name: p.name,
    ...stockView(p),
    location: p.location,
    barcode: p.barcode,
    trackStock: p.trackStock,
    price: p.price,
    vatRate: p.vatRate,
    lowStockThreshold: p.lowStockThreshold,
    archived: p.archivedAt !== null,
    updatedAt: p.updatedAt.toISOString(),
  };
}
