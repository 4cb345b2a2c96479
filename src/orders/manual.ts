import type { Conn, Db } from '../db/client.js';
import { gtinVariants, invalidScanParams, readItemScan, splitCount } from '../domain/item-scan.js';
import { LANGUAGES } from '../i18n/index.js';
import { PAYMENT_METHODS } from '../domain/order-status.js';
import { phoneKey } from '../domain/search.js';
import { fieldError } from '../errors.js';
import { orderTotals } from '../domain/money.js';
import { findProductByBarcode, findProductBySku, findProductsForLines } from '../products/repo.js';
import { latestCustomerByEmail, latestCustomerByPhoneKey } from './repo/orders.js';
import { MAX_LINES } from './schemas.js';

// A manual order (a phone or counter sale) as the Orders pages take it: a form kept between the
// steps (find the customer, scan the lines) and, at the end, the same createOrder as the API's
// POST /api/v1/orders, with the same schema, rules and e-mails.

/** The manual-order form as typed: every field text, so that a refused form shows what was typed. */
export interface ManualOrderForm {
  find: string;
  customerType: 'guest' | 'account';
  email: string;
  name: string;
  phone: string;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  country: string;
  language: string;
  scan: string;
  lines: { sku: string; quantity: string }[];
  paymentMethod: string;
  paid: boolean;
  priority: string;
  comment: string;
}

export const EMPTY_MANUAL_ORDER: ManualOrderForm = {
  find: '',
  customerType: 'guest',
  email: '',
  name: '',
  phone: '',
  line1: '',
  line2: '',
  postalCode: '',
  city: '',
  country: 'SE',
  language: '',
  scan: '',
  lines: [],
  paymentMethod: '',
  paid: false,
  priority: '5',
  comment: '',
};

const MAX_SCAN = 200;

/** Text, or a number when it is one (so the schema says "must be a whole number" for the rest); empty is absent. */
function numberOrText(v: string): number | string | undefined {
  const t = v.trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/**
 * The form as the body of POST /api/v1/orders, for the same schema (createOrderBody) and the same
 * service (createOrder): the schema's field paths (`customer.email`, `lines.2.quantity`) name the
 * form's fields.
 */
export function manualOrderBody(form: ManualOrderForm) {
  const text = (v: string) => (v.trim() === '' ? undefined : v);
  const body = {
    status: 'order',
    lines: form.lines.map((l) => ({ sku: l.sku, quantity: numberOrText(l.quantity) })),
    customer: {
      type: form.customerType,
      language: text(form.language),
      name: form.name,
      email: form.email,
      phone: form.phone,
      address: { line1: form.line1, line2: form.line2, postalCode: form.postalCode, city: form.city, country: form.country },
    },
    paymentMethod: text(form.paymentMethod),
    paid: form.paid,
    priority: numberOrText(form.priority),
    comment: form.comment,
  };
  return body;
}

/**
 * What a scan or a typed SKU names: a GTIN (EAN-8, UPC-A, EAN-13, GTIN-14 or a GS1 element string)
 * is looked up by barcode in each of the forms it may be stored in; text is a SKU or a barcode.
 * "5*code" asks for five. Refused on the `scan` field.
 */
export function productForScan(conn: Conn, raw: string): { sku: string; name: string; quantity: number } {
  if (raw.length > MAX_SCAN) throw fieldError('scan', 'validation.tooLong', { max: MAX_SCAN });
  // A SKU or barcode that reads as a keyed count ("3XL-TEE" as 3 × "L-TEE") is that product.
  const whole = raw.trim();
  const named = findProductBySku(conn, whole) ?? findProductByBarcode(conn, whole);
  if (named) return { sku: named.sku, name: named.name, quantity: 1 };
  const { quantity, code } = splitCount(raw);
  const scan = readItemScan(code);
  if (scan.kind === 'invalid')
    throw fieldError('scan', scan.reason === 'check_digit' ? 'orders.manual.scanCheckDigit' : 'orders.manual.scanUnreadable', {
      text: code,
      ...invalidScanParams(scan),
    });
  const product =
    scan.kind === 'gtin'
      ? gtinVariants(scan.gtin)
          .map((v) => findProductByBarcode(conn, v))
          .find((p) => p !== undefined)
      : (findProductBySku(conn, scan.text) ?? findProductByBarcode(conn, scan.text));
  if (!product) throw fieldError('scan', 'orders.manual.scanUnknown', { text: code });
  return { sku: product.sku, name: product.name, quantity };
}

/** Adds a scanned product to the form's lines: a SKU already there gets the quantity added. */
export function addScannedLine(form: ManualOrderForm, found: { sku: string; quantity: number }): number {
  const existing = form.lines.find((l) => l.sku === found.sku);
  if (existing) {
    const before = Number(existing.quantity);
    existing.quantity = String((Number.isInteger(before) && before > 0 ? before : 0) + found.quantity);
    return Number(existing.quantity);
  }
  if (form.lines.length >= MAX_LINES) throw fieldError('scan', 'orders.manual.tooManyLines', { max: MAX_LINES });
  form.lines.push({ sku: found.sku, quantity: String(found.quantity) });
  return found.quantity;
}

/** A customer as their latest order has them: name, address, language. */
export type FoundCustomer = NonNullable<ReturnType<typeof latestCustomerByEmail>>;

/** A customer found by e-mail (any case) or phone number, as their latest order has them; undefined when nobody matches. */
export function findCustomer(conn: Conn, text: string): FoundCustomer | undefined {
  const t = text.trim();
  if (t.includes('@')) return latestCustomerByEmail(conn, t.toLowerCase());
  const key = phoneKey(t);
  return key ? latestCustomerByPhoneKey(conn, key) : undefined;
}

/**
 * Fills the form's customer fields from a found customer. The language is their latest order's,
 * else the shop's (`defaultLanguage`): the person on the phone sees which language the e-mails go
 * out in rather than an empty choice.
 */
export function fillCustomer(form: ManualOrderForm, c: FoundCustomer, defaultLanguage: string): void {
  Object.assign(form, {
    customerType: c.type,
    email: c.email,
    name: c.name,
    phone: c.phone ?? '',
    line1: c.line1,
    line2: c.line2 ?? '',
    postalCode: c.postalCode,
    city: c.city,
    country: c.country,
    language: c.language ?? defaultLanguage,
  });
}

/** One line of the form as the page shows it before Create order: the product and its current price. */
export interface PricedLine {
  sku: string;
  /** Null: no product has this SKU (Create order refuses it). */
  name: string | null;
  /** The product's current list price (minor units); null: it has none, or no product. */
  unitPrice: number | null;
  /** unitPrice × quantity; null while either is missing or the quantity is no whole number ≥ 1. */
  lineTotal: number | null;
  /** The product is archived: no longer sold (Create order refuses it). */
  archived: boolean;
}

/** What the page shows of the form's lines and money before the order is created. */
export interface ManualOrderPrices {
  lines: PricedLine[];
  currency: string;
  /** The manual order has no shipping fee: createOrder writes 0. */
  shippingFee: number;
  /** Lines plus shipping fee, as createOrder will work it out; null while a line has no total or it is beyond the money bound. */
  total: number | null;
}

/**
 * The form's lines priced as createOrder prices them: each product's current price, read here on
 * every render (a price never comes from the form). A preview only: Create order prices them again.
 */
export function priceManualOrder(db: Db, form: ManualOrderForm, currency: string): ManualOrderPrices {
  const products = findProductsForLines(
    db,
    form.lines.map((l) => l.sku),
  );
  const counted = form.lines.map((l) => {
    const product = products.get(l.sku);
    // A whole number of at least one, as the schema takes it; anything else has no line total yet.
    const quantity = /^\d{1,6}$/.test(l.quantity.trim()) ? Number(l.quantity.trim()) : 0;
    return { sku: l.sku, product, quantity, unitPrice: product?.price ?? null };
  });
  const lines = counted.map((c): PricedLine => ({
    sku: c.sku,
    name: c.product?.name ?? null,
    unitPrice: c.unitPrice,
    lineTotal: c.unitPrice !== null && c.quantity >= 1 ? c.unitPrice * c.quantity : null,
    archived: c.product !== undefined && c.product.archivedAt !== null,
  }));
  const shippingFee = 0;
  const complete = lines.length > 0 && lines.every((l) => l.lineTotal !== null);
  const totals = complete
    ? orderTotals(
        counted.map((c) => ({ unitPrice: c.unitPrice!, quantity: c.quantity })),
        shippingFee,
      )
    : null;
  return { lines, currency, shippingFee, total: totals?.ok ? totals.total : null };
}

/** The choices the form offers. */
export const MANUAL_ORDER_CHOICES = { paymentMethods: PAYMENT_METHODS, languages: LANGUAGES };
