import { fill } from './template.js';

// The orders list's notice of new orders (src/browser/live.ts), worded without the DOM. Pure.

/** What an `order` event says (src/live/: the order's code and its customer's name). */
export interface NewOrder {
  code: string;
  customerName?: string | null;
}

/** An `order` event's data. */
export function readNewOrder(data: string): NewOrder {
  const order = JSON.parse(data) as Partial<NewOrder> | null;
  return { code: String(order?.code ?? ''), customerName: order?.customerName ?? null };
}

/** The notice after `count` new orders: the one order by its code and customer, else how many. */
export function newOrdersText(count: number, order: NewOrder, texts: { one?: string | undefined; many?: string | undefined }): string {
  return count === 1 ? fill(texts.one, { code: order.code, name: order.customerName || '' }) : fill(texts.many, { count });
}
