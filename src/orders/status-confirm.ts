import type { Conn } from '../db/client.js';
import type { Move, MoveAction } from '../domain/order-status.js';
import { counterDelta } from '../domain/stock.js';
import { sendsMail, statusTemplateOf, type Notify } from '../email/queue.js';
import { getEmailSettings } from '../email/settings.js';
import { listLines, type OrderRow } from './repo/orders.js';

/**
 * Moves the order page asks to confirm: they give stock back or undo the pack script's work, and
 * one stray click must not do that. Reopen takes stock again but loses nothing (cancelling undoes
 * it, and asks), so it is made at once like the other changes on the page.
 */
const CONFIRMED_MOVES: readonly MoveAction[] = ['cancel', 'unpack'];

export function needsConfirmation(move: Move): boolean {
  return CONFIRMED_MOVES.includes(move.action);
}

/** What a move does to stock, counted with the same rule the move writes the counters with. */
export interface StockEffect {
  /** `returned`: units become sellable again (and any allocation is released); `released`: only the allocation is released; `none`. */
  kind: 'returned' | 'released' | 'none';
  /** Whether an allocation is released too (a packing order). */
  allocationReleased: boolean;
  units: number;
  products: number;
}

export function stockEffect(conn: Conn, order: OrderRow, move: Move): StockEffect {
  let returned = 0;
  let released = 0;
  const products = new Set<number>();
  for (const line of listLines(conn, order.id)) {
    if (line.productId === null) continue;
    const d = counterDelta(move.from, move.to, line.quantity - line.shippedQuantity);
    if (d.reserved === 0 && d.allocated === 0) continue;
    returned -= d.reserved;
    released -= d.allocated;
    products.add(line.productId);
  }
  const kind = returned > 0 ? 'returned' : released > 0 ? 'released' : 'none';
  return { kind, allocationReleased: released > 0, units: Math.max(returned, released), products: products.size };
}

/** Whether the customer gets an e-mail with the move, and if not, why not. */
export type MailEffect = { sends: true; to: string; edited: string | null } | { sends: false; reason: 'noTemplate' | 'noAddress' | 'off' | 'notTicked' };

export function mailEffect(conn: Conn, order: OrderRow, move: Move, notify: Notify): MailEffect {
  const template = statusTemplateOf(conn, order, move.to);
  if (!template) return { sends: false, reason: 'noTemplate' };
  const mode = getEmailSettings(conn).modes[template];
  if (mode === 'never') return { sends: false, reason: 'off' };
  if (!order.customerEmail) return { sends: false, reason: 'noAddress' };
  if (!sendsMail(notify, mode)) return { sends: false, reason: 'notTicked' };
  return { sends: true, to: order.customerEmail, edited: typeof notify === 'object' ? notify.subject : null };
}
