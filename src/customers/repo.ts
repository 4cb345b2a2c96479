import { and, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Tx, asStored } from '../db/client.js';
import { customers } from '../db/schema/index.js';
import type { Language } from '../i18n/index.js';

export interface CustomerInput {
  type?: 'guest' | 'account' | undefined;
  name: string;
  email: string;
  phone?: string | undefined;
  /** The language of the customer's e-mails (kept on the order). */
  language?: Language | undefined;
  address: { line1: string; line2?: string | undefined; postalCode: string; city: string; country: string };
}

const values = {
  kind: sql.placeholder('kind'),
  email: sql.placeholder('email'),
  name: sql.placeholder('name'),
  phone: sql.placeholder('phone'),
  addressLine1: sql.placeholder('addressLine1'),
  addressLine2: sql.placeholder('addressLine2'),
  postalCode: sql.placeholder('postalCode'),
  city: sql.placeholder('city'),
  country: sql.placeholder('country'),
  updatedAt: sql.placeholder('updatedAt'),
};

// Prepared once per connection: order intake writes one customer per order.
const statements = preparedQuery((conn) => ({
  account: conn
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.kind, 'account'), eq(customers.email, sql.placeholder('email'))))
    .prepare(),
  update: conn
    .update(customers)
    .set({
      kind: asStored('kind'),
      email: asStored('email'),
      name: asStored('name'),
      phone: asStored('phone'),
      addressLine1: asStored('addressLine1'),
      addressLine2: asStored('addressLine2'),
      postalCode: asStored('postalCode'),
      city: asStored('city'),
      country: asStored('country'),
      updatedAt: asStored('updatedAt'),
    })
    .where(eq(customers.id, sql.placeholder('id')))
    .prepare(),
  insert: conn
    .insert(customers)
    .values({ ...values, createdAt: sql.placeholder('updatedAt') })
    .returning({ id: customers.id })
    .prepare(),
}));

/**
 * A guest gets a row of its own; an account is found by e-mail and brought up to date. Returns the
 * customer's id.
 */
export function saveCustomer(tx: Tx, input: CustomerInput, now: Date): { id: number } {
  const row = {
    kind: input.type ?? 'guest',
    email: input.email,
    name: input.name,
    phone: input.phone ?? null,
    addressLine1: input.address.line1,
    addressLine2: input.address.line2 ?? null,
    postalCode: input.address.postalCode,
    city: input.address.city,
    country: input.address.country,
    updatedAt: now,
  };
  const s = statements(tx);
  if (row.kind === 'account') {
    const found = s.account.get({ email: row.email });
    if (found !== undefined) {
      s.update.run({ ...row, updatedAt: now.getTime(), id: found.id });
      return { id: found.id };
    }
  }
  return { id: s.insert.get(row).id };
}
