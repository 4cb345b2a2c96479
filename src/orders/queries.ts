import type { Conn } from '../db/client.js';
import { readOrderCode } from '../domain/order-code.js';
import { listOrders } from './repo.js';
import { presentOrderSummary } from './present.js';
import type { ListOrdersQuery } from './schemas.js';

/**
 * A page of orders for the API and the Orders page. A search text that reads as an order code
 * matches that code (also typed without its check digit); otherwise it searches customers.
 */
export function searchOrders(conn: Conn, query: ListOrdersQuery) {
  const reading = query.q ? readOrderCode(query.q) : null;
  const codes = reading?.kind === 'valid' || reading?.kind === 'missing_check' ? [reading.code] : [];
  const page = listOrders(conn, {
    status: query.status,
    codes,
    text: codes.length ? undefined : query.q,
    beforeId: query.cursor,
    limit: query.limit,
  });
  return {
    orders: page.rows.map(presentOrderSummary),
    nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
    codeReading: reading,
  };
}
