import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp } from './common.js';

/**
 * A buyer. `kind` is `guest` (one row per checkout, nothing shared) or `account` (one row per
 * e-mail, updated on every checkout). Orders keep their own snapshot of name and address, so
 * editing a customer never rewrites an old order.
 */
export const customers = sqliteTable(
  'customers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['guest', 'account'] }).notNull(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    phone: text('phone'),
    addressLine1: text('address_line1').notNull(),
    addressLine2: text('address_line2'),
    postalCode: text('postal_code').notNull(),
    city: text('city').notNull(),
    country: text('country').notNull(),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('customers_account_email_unique')
      .on(t.email)
      .where(sql`${t.kind} = 'account'`),
  ],
);
