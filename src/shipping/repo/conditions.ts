import { sql } from 'drizzle-orm';
import { deliveries, orders } from '../../db/schema/index.js';

// Status conditions as SQL literals, not bound parameters: SQLite uses a partial index (the open
// delivery's `status = 'draft'`, the station queue's `status = 'packing'`) only when the query's
// WHERE names the index's own value, which it cannot see in a `?`.

/** The delivery is open (a draft). */
export const isDraft = sql`${deliveries.status} = 'draft'`;

/** The order is packing. */
export const isPacking = sql`${orders.status} = 'packing'`;
