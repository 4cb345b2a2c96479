/**
 * The order state machine: one table of allowed moves. Every status change in the product asks
 * `planMove`; nothing else decides whether a move is legal.
 */
export const ORDER_STATUSES = ['preorder', 'order', 'packing', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const PAYMENT_METHODS = ['card', 'invoice', 'bank_transfer', 'cash_on_delivery', 'pickup'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * Payment methods that ship before the money arrives (cleared for packing unless manual approval is
 * required). Pay at pickup is packed before it is paid: the customer pays at the counter, and the
 * hand-over (pickup/service.ts) refuses it until the payment is recorded.
 */
export const SHIPS_BEFORE_PAYMENT: readonly PaymentMethod[] = ['invoice', 'cash_on_delivery', 'pickup'];

/**
 * What causes a move. `pack` is only the pack rule; `ship` only a reported delivery or a line edit
 * that leaves the order nothing to ship; the others are people or integrations.
 */
export type MoveAction = 'checkout' | 'pack' | 'unpack' | 'ship' | 'cancel' | 'reopen';

export interface Move {
  from: OrderStatus;
  to: OrderStatus;
  action: MoveAction;
  /** A person or an integration may ask for it by naming the target status. */
  manual: boolean;
}

export const MOVES: readonly Move[] = [
  { from: 'preorder', to: 'order', action: 'checkout', manual: false },
  { from: 'order', to: 'packing', action: 'pack', manual: false },
  { from: 'order', to: 'cancelled', action: 'cancel', manual: true },
  { from: 'packing', to: 'order', action: 'unpack', manual: true },
  { from: 'packing', to: 'shipped', action: 'ship', manual: false },
  // An unpacked, partly shipped order whose remaining lines are edited away has shipped everything.
  { from: 'order', to: 'shipped', action: 'ship', manual: false },
  { from: 'packing', to: 'cancelled', action: 'cancel', manual: true },
  { from: 'cancelled', to: 'order', action: 'reopen', manual: true },
];

/**
 * Statuses whose lines may be added, changed or removed. A preorder's lines are what the shop's
 * checkout sent: they are refused here too, so the warehouse never changes a cart behind the shop.
 */
const EDITABLE: readonly OrderStatus[] = ['order', 'packing'];

export function linesEditable(status: OrderStatus): boolean {
  return EDITABLE.includes(status);
}

/** The moves out of `from`, optionally only those a person may ask for. */
export function movesFrom(from: OrderStatus, opts: { manualOnly?: boolean } = {}): Move[] {
  return MOVES.filter((m) => m.from === from && (!opts.manualOnly || m.manual));
}

export class IllegalMoveError extends Error {
  constructor(
    readonly from: OrderStatus,
    readonly to: OrderStatus,
    readonly allowed: OrderStatus[],
  ) {
    super(`An order in status ${from} cannot move to ${to}`);
    this.name = 'IllegalMoveError';
  }
}

/**
 * The move from `from` to `to` by `action`, or an IllegalMoveError naming the statuses that are
 * allowed instead. `action` pins who may make the move: a manual request cannot trigger `pack`.
 */
export function planMove(from: OrderStatus, to: OrderStatus, action?: MoveAction): Move {
  const move = MOVES.find((m) => m.from === from && m.to === to && (action ? m.action === action : m.manual));
  if (!move) {
    const allowed = movesFrom(from, { manualOnly: !action }).map((m) => m.to);
    throw new IllegalMoveError(from, to, allowed);
  }
  return move;
}

/** Does an order in this status hold stock back from the shop (counts against sellable)? */
export function reservesStock(status: OrderStatus): boolean {
  return status === 'order' || status === 'packing';
}

/** Does an order in this status hold stock allocated for picking (counts against available)? */
export function allocatesStock(status: OrderStatus): boolean {
  return status === 'packing';
}
