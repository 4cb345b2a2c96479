import { z } from 'zod';
import type { Conn, Db } from '../db/client.js';
import { settingsGroup } from '../settings/service.js';
import type { Seller } from './model.js';

const text = (max: number) => z.string().trim().max(max, { error: 'validation.tooLong' });

/** Settings → Documents: the seller printed on invoices and receipts, and the invoice series. */
export const sellerSchema = z.object({
  name: text(120),
  address: text(500),
  orgNumber: text(40),
  vatNumber: text(40),
  email: text(200),
  phone: text(40),
  bankAccount: text(120),
  paymentTermsDays: z.int({ error: 'validation.integer' }).min(0).max(365),
  /** Basis points (2500 = 25 %). */
  shippingVatRate: z.int({ error: 'validation.integer' }).min(0).max(10_000),
  /** The first invoice number of the series; later numbers follow without gaps. */
  firstInvoiceNumber: z.int({ error: 'validation.integer' }).min(1).max(999_999_999),
});

export const DEFAULT_SELLER: Seller = {
  name: '',
  address: '',
  orgNumber: '',
  vatNumber: '',
  email: '',
  phone: '',
  bankAccount: '',
  paymentTermsDays: 30,
  shippingVatRate: 2500,
  firstInvoiceNumber: 1001,
};
const group = settingsGroup('documents_seller', sellerSchema, DEFAULT_SELLER);

export const getSeller = (conn: Conn): Seller => group.get(conn);
export const putSeller = (db: Db, seller: Seller, now: Date, by: string): void => group.put(db, seller, now, by);
