import { preparedFor, type Tx } from '../db/client.js';
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

const stmts = preparedFor((sqlite) => ({
  account: sqlite.prepare<[string], number>("SELECT id FROM customers WHERE kind = 'account' AND email = ?").pluck(),
  update: sqlite.prepare<[CustomerValues & { id: number }]>(
    `UPDATE customers SET kind = @kind, email = @email, name = @name, phone = @phone, address_line1 = @addressLine1, address_line2 = @addressLine2,
       postal_code = @postalCode, city = @city, country = @country, updated_at = @updatedAt WHERE id = @id`,
  ),
  insert: sqlite.prepare<[CustomerValues], number>(
    `INSERT INTO customers (kind, email, name, phone, address_line1, address_line2, postal_code, city, country, created_at, updated_at)
     VALUES (@kind, @email, @name, @phone, @addressLine1, @addressLine2, @postalCode, @city, @country, @updatedAt, @updatedAt) RETURNING id`,
  ).pluck(),
}));

interface CustomerValues {
  kind: 'guest' | 'account';
  email: string;
  name: string;
  phone: string | null;
  addressLine1: string;
  addressLine2: string | null;
  postalCode: string;
  city: string;
  country: string;
  updatedAt: number;
}

/**
 * A guest gets a row of its own; an account is found by e-mail and brought up to date. Returns the
 * customer's id. The statements are prepared once per connection (order intake writes one per order).
 * Call inside a write transaction.
 */
export function saveCustomer(tx: Tx, input: CustomerInput, now: Date): { id: number } {
  const values: CustomerValues = {
    kind: input.type ?? 'guest',
    email: input.email,
    name: input.name,
    phone: input.phone ?? null,
    addressLine1: input.address.line1,
    addressLine2: input.address.line2 ?? null,
    postalCode: input.address.postalCode,
    city: input.address.city,
    country: input.address.country,
    updatedAt: now.getTime(),
  };
  const s = stmts(tx);
  if (values.kind === 'account') {
    const id = s.account.get(values.email);
    if (id !== undefined) {
      s.update.run({ ...values, id });
      return { id };
    }
  }
  return { id: s.insert.get(values)! };
}
