import { and, eq } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { customers } from '../db/schema/index.js';

export interface CustomerInput {
  type?: 'guest' | 'account' | undefined;
  name: string;
  email: string;
  phone?: string | undefined;
  /** The language of the customer's e-mails (kept on the order). */
  language?: 'en' | 'sv' | undefined;
  address: { line1: string; line2?: string | undefined; postalCode: string; city: string; country: string };
}

/** A guest gets a row of its own; an account is found by e-mail and brought up to date. */
export function saveCustomer(conn: Conn, input: CustomerInput, now: Date) {
  const kind = input.type ?? 'guest';
  const values = {
    kind,
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
  if (kind === 'account') {
    const existing = conn
      .select()
      .from(customers)
      .where(and(eq(customers.kind, 'account'), eq(customers.email, input.email)))
      .get();
    if (existing) {
      return conn.update(customers).set(values).where(eq(customers.id, existing.id)).returning().get();
    }
  }
  return conn
    .insert(customers)
    .values({ ...values, createdAt: now })
    .returning()
    .get();
}
