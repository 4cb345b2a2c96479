import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp } from './common.js';
import { orderLines, orders } from './orders.js';
import { RETURN_DISPOSITIONS } from '../../domain/return-disposition.js';

/**
 * A parcel that came back: units of a shipped order, each restocked or written off. Numbered from
 * the `return` series; an own-invoice order's return also takes a credit-note number from its own
 * series, in the same transaction. The row outlives a deleted order (its numbers stay taken).
 */
export const returns = sqliteTable(
  'returns',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    number: integer('number').notNull(),
    orderId: integer('order_id').references(() => orders.id, { onDelete: 'set null' }),
    orderCode: text('order_code').notNull(),
    /** Own-invoice orders only: the credit note's number. */
    creditNoteNumber: integer('credit_note_number'),
    currency: text('currency').notNull(),
    /** Gross, minor units: the returned units at the price they were sold for. */
    refundAmount: integer('refund_amount').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('returns_number_unique').on(t.number),
    uniqueIndex('returns_credit_note_unique').on(t.creditNoteNumber),
    index('returns_order_idx').on(t.orderId),
  ],
);

export { RETURN_DISPOSITIONS };

/** The units of one order line in a return, and what became of them. */
export const returnLines = sqliteTable(
  'return_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    returnId: integer('return_id')
      .notNull()
      .references(() => returns.id, { onDelete: 'cascade' }),
    orderLineId: integer('order_line_id').references(() => orderLines.id, { onDelete: 'set null' }),
    productId: integer('product_id'),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    disposition: text('disposition', { enum: RETURN_DISPOSITIONS }).notNull(),
    /** Why units were written off (damaged, missing, …); null when restocked. */
    reason: text('reason'),
    /** As sold: gross, minor units; basis points. */
    unitPrice: integer('unit_price').notNull(),
    vatRate: integer('vat_rate').notNull(),
  },
  (t) => [
    index('return_lines_return_idx').on(t.returnId),
    index('return_lines_order_line_idx').on(t.orderLineId),
    check('return_lines_quantity_check', sql`${t.quantity} > 0`),
  ],
);
