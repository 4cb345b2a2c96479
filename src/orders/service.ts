import { randomInt } from 'node:crypto';
import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import { groupCommit } from '../db/group-commit.js';
import type { Actor } from '../domain/actor.js';
import { MAX_ORDER_TOTAL, orderTotals } from '../domain/money.js';
import { generateOrderCode } from '../domain/order-code.js';
import type { OrderStatus } from '../domain/order-status.js';
import { foldForSearch, phoneKey } from '../domain/search.js';
import { counterDelta } from '../domain/stock.js';
import { appendOrderEvent, logOrderEvent } from '../events/repo.js';
import { queueNewOrderMails, queueStatusMail, type Notify } from '../email/queue.js';
import type { LineForMail, OrderForMail } from '../email/compose.js';
import { saveCustomer, type CustomerInput } from '../customers/repo.js';
import { findProductsForLines } from '../products/repo.js';
import { CounterChanges } from '../stock/writer.js';
import { AppError, fieldError, type FieldError } from '../errors.js';
import { findOrderByCodeOrThrow } from './lookup.js';
import { moveOrder } from './status-writer.js';
import {
  insertOrder,
  insertOrderLine,
  insertPayment,
  nextCreatedAt,
  orderCodeExists,
  paymentRecorded,
  setCheckoutCustomer,
  setPaidAmount,
  type OrderLineRow,
  type OrderRow,
} from './repo/orders.js';
import type { CheckoutBody, CreateOrderBody, PaymentBody } from './schemas.js';

export interface OrderContext {
  actor: Actor;
  now: Date;
  /** Currency of orders that do not name one. */
  currency: string;
  /** Where the order came from, kept on the order (token name, web, demo). */
  source?: string;
}

/**
 * Finds an order by what a person typed or a scanner read. A code with a wrong or missing check
 * digit is refused with its own message instead of matching another order (orders/lookup.ts).
 */
export const loadOrder: (conn: Conn, input: string) => OrderRow = findOrderByCodeOrThrow;

function newOrderCode(conn: Conn): string {
  // 900 million codes: a collision is rare, and the loop ends long before it could matter.
  for (;;) {
    const code = generateOrderCode(randomInt);
    if (!orderCodeExists(conn, code)) return code;
  }
}

function customerSnapshot(customer: CustomerInput, customerId: number) {
  return {
    customerId,
    customerKind: customer.type ?? 'guest',
    customerName: customer.name,
    customerEmail: customer.email,
    customerPhone: customer.phone ?? null,
    customerPhoneKey: phoneKey(customer.phone),
    customerSearch: foldForSearch(`${customer.name} ${customer.email}`),
    shipLine1: customer.address.line1,
    shipLine2: customer.address.line2 ?? null,
    shipPostalCode: customer.address.postalCode,
    shipCity: customer.address.city,
    shipCountry: customer.address.country,
    language: customer.language ?? null,
  } as const;
}

/** The customer columns of an order without a customer (a cart before checkout). */
const NO_CUSTOMER = {
  customerId: null,
  customerKind: null,
  customerName: null,
  customerEmail: null,
  customerPhone: null,
  customerPhoneKey: null,
  customerSearch: null,
  shipLine1: null,
  shipLine2: null,
  shipPostalCode: null,
  shipCity: null,
  shipCountry: null,
  language: null,
} as const;

/** Records a payment; the order is paid once the payments cover its total. */
export function recordPaymentIn(tx: Tx, order: OrderRow, input: PaymentBody, ctx: { actor: Actor; now: Date }): OrderRow {
  const outstanding = Math.max(order.total - order.paidAmount, 0);
  const amount = input.amount ?? outstanding;
  const at = ctx.now.getTime();
  insertPayment(tx, { orderId: order.id, amount, reference: input.reference ?? null, actor: ctx.actor.name, at: ctx.now });
  const paidAmount = order.paidAmount + amount;
  const paid = paidAmount >= order.total;
  const updated = setPaidAmount(tx, order.id, { paidAmount, paid, at: ctx.now });
  logOrderEvent(tx, order, 'payment_recorded', ctx.actor, at, { amount, reference: input.reference ?? null, paid });
  return updated;
}

/** Creates an order (or a preorder cart) from an integration or the demo data. */
export function createOrder(db: Db, input: CreateOrderBody, ctx: OrderContext): OrderRow {
  return writeTransaction(db, (tx) => createOrderIn(tx, input, ctx).order);
}

/**
 * Order intake through the API: orders arriving together share one commit (db/group-commit.ts),
 * each in a savepoint of its own, and the promise settles once this one is committed. `keep` wraps
 * the work in the same transaction (the API keeps its idempotency key and reply there).
 */
export function createOrderTogether<T>(
  db: Db,
  input: CreateOrderBody,
  ctx: OrderContext,
  keep: (create: () => { order: OrderRow; lines: OrderLineRow[] }) => T,
): Promise<T> {
  return groupCommit(db).run((tx) => keep(() => createOrderIn(tx, input, ctx)));
}

/**
 * createOrder inside the caller's write transaction: the API's group commit runs each order in a
 * savepoint of its own already, and a second savepoint per order would cost more than some writes.
 * Returns the lines as written too (in id order, as linesOfOrder reads them), so that the reply
 * need not read them back.
 */
export function createOrderIn(tx: Tx, input: CreateOrderBody, ctx: OrderContext): { order: OrderRow; lines: OrderLineRow[] } {
  const products = findProductsForLines(
    tx,
    input.lines.map((l) => l.sku),
  );
  const problems: FieldError[] = [];
  input.lines.forEach((line, i) => {
    const product = products.get(line.sku);
    if (!product) problems.push({ path: `lines.${i}.sku`, key: 'validation.unknownSku', params: { sku: line.sku } });
    else if (line.unitPrice === undefined && product.price === null) {
      problems.push({ path: `lines.${i}.unitPrice`, key: 'validation.priceRequired', params: { sku: line.sku } });
    }
  });
  if (problems.length) throw new AppError('validation_failed', 'errors.validationFailed', { count: problems.length }, { fields: problems });
  const archived = input.lines.findIndex((line) => products.get(line.sku)!.archivedAt !== null);
  if (archived >= 0) {
    const sku = input.lines[archived]!.sku;
    throw new AppError(
      'product_archived',
      'errors.productArchived',
      { sku },
      { sku, fields: [{ path: `lines.${archived}.sku`, key: 'errors.productArchived', params: { sku } }] },
    );
  }

  const priced = input.lines.map((line) => {
    const product = products.get(line.sku)!;
    return { line, product, unitPrice: line.unitPrice ?? product.price! };
  });
  const shippingFee = input.shippingFee ?? 0;
  const totals = orderTotals(
    priced.map((p) => ({ unitPrice: p.unitPrice, quantity: p.line.quantity })),
    shippingFee,
  );
  if (!totals.ok)
    throw fieldError(totals.line === null ? 'lines' : `lines.${totals.line}.quantity`, 'validation.orderTotalTooLarge', { max: MAX_ORDER_TOTAL / 100 });
  const { subtotal, total } = totals;
  const customer = input.customer ? saveCustomer(tx, input.customer, ctx.now) : null;
  const createdAt = nextCreatedAt(tx, ctx.now);
  const at = ctx.now.getTime();
  // Paid with the order (the shop took the money at checkout): the row is written paid at once,
  // instead of an UPDATE after it; the payment and its event follow as recordPaymentIn writes them.
  const paid = input.paid === true;
  const order = insertOrder(tx, {
    code: newOrderCode(tx),
    status: input.status,
    paymentMethod: input.paymentMethod ?? null,
    shippingMethod: input.shippingMethod ?? null,
    priority: input.priority ?? 5,
    comment: input.comment ?? null,
    currency: input.currency ?? ctx.currency,
    subtotal,
    shippingFee,
    total,
    paid,
    paidAmount: paid ? total : 0,
    paidAt: paid ? ctx.now : null,
    ...(customer && input.customer ? customerSnapshot(input.customer, customer.id) : NO_CUSTOMER),
    source: ctx.source ?? null,
    createdAt,
    placedAt: input.status === 'order' ? createdAt : null,
    updatedAt: ctx.now,
  });
  const changes = new CounterChanges();
  const mailLines: LineForMail[] = [];
  const lines: OrderLineRow[] = [];
  for (const { line, product, unitPrice } of priced) {
    const written = {
      orderId: order.id,
      productId: product.id,
      sku: product.sku,
      name: product.name,
      unitPrice,
      vatRate: product.vatRate,
      quantity: line.quantity,
      createdAt: ctx.now,
    };
    const id = insertOrderLine(tx, written);
    lines.push({ ...written, id, shippedQuantity: 0 });
    mailLines.push({ id, sku: product.sku, name: product.name, unitPrice, quantity: line.quantity, shipped: 0 });
    changes.add(product.id, counterDelta(null, input.status, line.quantity));
  }
  changes.apply(tx, ctx.now);
  logOrderEvent(tx, order, 'created', ctx.actor, at, {
    status: input.status,
    lines: input.lines.length,
    total: order.total,
    source: ctx.source ?? null,
  });
  if (paid) {
    insertPayment(tx, { orderId: order.id, amount: total, reference: null, actor: ctx.actor.name, at: ctx.now });
    logOrderEvent(tx, order, 'payment_recorded', ctx.actor, at, { amount: total, reference: null, paid: true });
  }
  // The e-mails are written from the order and lines as just written, instead of reading them back.
  if (order.status === 'order') queueNewOrderMails(tx, order.id, ctx, { order: orderForMail(order), lines: mailLines });
  return { order, lines };
}

/** What an e-mail needs of an order row (the columns compose.ts reads for an order). */
function orderForMail(o: OrderRow): OrderForMail {
  return {
    id: o.id,
    code: o.code,
    status: o.status,
    currency: o.currency,
    total: o.total,
    paymentMethod: o.paymentMethod,
    customerName: o.customerName,
    customerEmail: o.customerEmail,
    line1: o.shipLine1,
    line2: o.shipLine2,
    postalCode: o.shipPostalCode,
    city: o.shipCity,
    country: o.shipCountry,
    language: o.language,
  };
}

/** Checkout: a preorder cart gets its customer and becomes an order, which now reserves stock. */
export function checkout(db: Db, code: string, input: CheckoutBody, ctx: OrderContext): OrderRow {
  return writeTransaction(db, (tx) => {
    const order = loadOrder(tx, code);
    if (order.status !== 'preorder') {
      throw new AppError(
        'illegal_status_move',
        'errors.checkoutNotPreorder',
        { code: order.code, status: order.status },
        { from: order.status, to: 'order', allowed: [] },
      );
    }
    const customer = saveCustomer(tx, input.customer, ctx.now);
    setCheckoutCustomer(tx, order.id, { ...customerSnapshot(input.customer, customer.id), paymentMethod: input.paymentMethod });
    let updated = moveOrder(tx, order, 'order', { actor: ctx.actor, now: ctx.now, action: 'checkout' });
    appendOrderEvent(tx, order, 'checked_out', ctx.actor, ctx.now, { paymentMethod: input.paymentMethod, customerKind: input.customer.type ?? 'guest' });
    if (input.paid) updated = recordPaymentIn(tx, updated, {}, ctx);
    queueNewOrderMails(tx, order.id, ctx);
    return updated;
  });
}

/**
 * Records money received. A payment whose reference was already recorded on the order is a
 * retry and changes nothing; any other payment on a fully paid order is refused.
 */
export function recordPayment(db: Db, code: string, input: PaymentBody, ctx: OrderContext): OrderRow {
  return writeTransaction(db, (tx) => {
    const order = loadOrder(tx, code);
    if (input.reference && paymentRecorded(tx, order.id, input.reference)) return order;
    if (order.status === 'preorder') {
      throw new AppError('illegal_status_move', 'errors.paymentOnPreorder', { code: order.code }, { status: order.status });
    }
    if (order.paid) throw new AppError('already_paid', 'errors.alreadyPaid', { code: order.code });
    return recordPaymentIn(tx, order, input, ctx);
  });
}

/**
 * The manual status moves: cancel (order, packing), unpack (packing → order), reopen
 * (cancelled → order). The state machine refuses the rest with the allowed moves. The new status's
 * e-mail is written with the move as `notify` says (src/email/queue.ts).
 */
export function changeStatus(
  db: Db,
  code: string,
  to: OrderStatus,
  ctx: OrderContext & { notify?: Notify; /** Receives the ids of the e-mails written. */ queued?: number[] },
): OrderRow {
  const notify = ctx.notify ?? 'auto';
  return writeTransaction(db, (tx) => {
    const order = loadOrder(tx, code);
    const moved = moveOrder(tx, order, to, { actor: ctx.actor, now: ctx.now, data: { notifyCustomer: notify === true || typeof notify === 'object' } });
    const queued = queueStatusMail(tx, order, moved.status, { actor: ctx.actor, now: ctx.now, notify });
    ctx.queued?.push(...queued);
    return moved;
  });
}
