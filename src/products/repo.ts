import { eq, inArray } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { products } from '../db/schema/index.js';

export type ProductRow = typeof products.$inferSelect;

export function findProductBySku(conn: Conn, sku: string): ProductRow | undefined {
  return conn.select().from(products).where(eq(products.sku, sku)).get();
}

export function findProductByBarcode(conn: Conn, barcode: string): ProductRow | undefined {
  return conn.select().from(products).where(eq(products.barcode, barcode)).get();
}

export function findProductsBySkus(conn: Conn, skus: string[]): Map<string, ProductRow> {
  if (skus.length === 0) return new Map();
  const rows = conn.select().from(products).where(inArray(products.sku, skus)).all();
  return new Map(rows.map((r) => [r.sku, r]));
}

export function findProductsByIds(conn: Conn, ids: number[]): Map<number, ProductRow> {
  if (ids.length === 0) return new Map();
  const rows = conn.select().from(products).where(inArray(products.id, ids)).all();
  return new Map(rows.map((r) => [r.id, r]));
}
