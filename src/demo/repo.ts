import { sql } from 'drizzle-orm';
import { preparedQuery, type Conn } from '../db/client.js';
import { orders, products } from '../db/schema/index.js';

const anyData = preparedQuery((conn) =>
  conn
    .select({ any: sql<number>`EXISTS (SELECT 1 FROM ${products}) OR EXISTS (SELECT 1 FROM ${orders})` })
    .from(sql`(SELECT 1)`)
    .prepare(),
);

/** Whether the database has any product or any order (demo data goes only into an empty one). */
export function hasProductsOrOrders(conn: Conn): boolean {
  return anyData(conn).get()?.any === 1;
}
