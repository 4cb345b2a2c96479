import { insertMethod } from '../carriers/repo.js';
import { writeTransaction, type Db } from '../db/client.js';
import { DEFAULT_SELLER, putSeller } from '../documents/settings.js';
import type { Actor } from '../domain/actor.js';
import { gs1CheckDigit } from '../domain/gtin.js';
import { s10CheckDigit } from '../domain/parcel-id.js';
import { PAYMENT_METHODS } from '../domain/order-status.js';
import { putCustomStatus } from '../custom-statuses/service.js';
import { updateOrderDetails } from '../orders/edit.js';
import { changeStatus, createOrder, checkout } from '../orders/service.js';
import { findOrderByCode, listLines } from '../orders/repo/orders.js';
import { packOrder } from '../pack/writer.js';
import { upsertProductIn } from '../products/service.js';
import { hasProductsOrOrders } from './repo.js';
import { reportDelivery } from '../shipping/service.js';

const DEMO: Actor = { type: 'system', id: null, name: 'demo data' };

const PRODUCT_NAMES = [
  'Ullsockor grå',
  'Ullsockor svart',
  'Mössa merino',
  'Vantar lovikka',
  'Halsduk alpacka',
  'Regnjacka gul',
  'Termos 0,5 l',
  'Termos 1 l',
  'Kåsa trä',
  'Tändstål',
  'Pannlampa 300 lm',
  'Sovsäck −5 °C',
  'Liggunderlag',
  'Stormkök',
  'Bränsleflaska 0,6 l',
  'Ryggsäck 30 l',
  'Ryggsäck 45 l',
  'Kartfodral',
  'Kompass',
  'Visselpipa',
  'Första hjälpen-kit',
  'Myggmedel',
  'Solkräm SPF 30',
  'Vattenflaska 1 l',
  'Tältpinnar (10 st)',
  'Tält 2 pers',
  'Tält 3 pers',
  'Täljkniv',
  'Slipsten',
  'Yxa 40 cm',
  'Vandringskängor 42',
  'Vandringskängor 44',
  'Gamasch',
  'Regnbyxa',
  'Presentkort 500 kr',
  'Monteringstjänst',
];

const CUSTOMERS = [
  { name: 'Åsa Øvergård', city: 'Oslo', postalCode: '0150', country: 'NO', line1: 'Storgata 12' },
  { name: 'Łukasz Żółć', city: 'Malmö', postalCode: '211 20', country: 'SE', line1: 'Södra Förstadsgatan 4' },
  { name: 'Zoë Lefèvre', city: 'Lyon', postalCode: '69002', country: 'FR', line1: '5 rue de la République' },
  { name: 'Erik Johansson', city: 'Umeå', postalCode: '903 26', country: 'SE', line1: 'Storgatan 50' },
  { name: 'Aino Virtanen', city: 'Tampere', postalCode: '33100', country: 'FI', line1: 'Hämeenkatu 7' },
  { name: 'Mette Sørensen', city: 'Aarhus', postalCode: '8000', country: 'DK', line1: 'Søndergade 21' },
  { name: 'Karin Lindqvist', city: 'Göteborg', postalCode: '411 05', country: 'SE', line1: 'Kungsgatan 3' },
  { name: 'Jonas Berg', city: 'Stockholm', postalCode: '118 20', country: 'SE', line1: 'Hornsgatan 88', line2: 'lgh 1102' },
];

/** A small deterministic generator so every fresh install shows the same demo. */
/** A postal parcel number of the demo shop's carrier, in the UPU S10 form with its check digit ("RR…SE"). */
function postalParcelId(orderId: number, parcel: number): string {
  const serial = String(orderId * 10 + parcel).padStart(8, '0');
  return `RR${serial}${s10CheckDigit(serial)}SE`;
}

function prng(seed: number) {
  let s = seed >>> 0;
  return (max: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // The high bits: an LCG's low bits repeat with a short period.
    return Math.floor((s / 2 ** 32) * max);
  };
}

/**
 * Fills an empty database with a few dozen products (bins, EAN-13 barcodes) and orders in every
 * status, made through the same services the API uses so stock figures and history are real.
 * Returns what it added, or null when the database already had products or orders.
 */
export function seedDemoData(db: Db, opts: { now: Date; currency: string }) {
  if (hasProductsOrOrders(db)) return null;
  const rnd = prng(20261121);
  const base = opts.now.getTime() - 6 * 24 * 60 * 60 * 1000;
  let step = 0;
  // Orders placed over the last six days, a few hours apart.
  const at = () => new Date(base + step++ * 47 * 60 * 1000);

  // The seller printed on invoices and receipts (Settings → Documents).
  putSeller(
    db,
    {
      ...DEFAULT_SELLER,
      name: 'Fjällbutiken Demo AB',
      address: 'Lagervägen 3\n981 31 Kiruna',
      orgNumber: '556677-8899',
      vatNumber: 'SE556677889901',
      email: 'order@fjallbutiken.example',
      phone: '+46 980 123 45',
      bankAccount: 'Bankgiro 123-4567',
    },
    opts.now,
    'demo',
  );
  return writeTransaction(db, (tx) => {
    const skus = PRODUCT_NAMES.map((name, i) => {
      const sku = `DEMO-${String(i + 1).padStart(3, '0')}`;
      const service = name === 'Presentkort 500 kr' || name === 'Monteringstjänst';
      const body = `735000000${String(1000 + i).padStart(3, '0')}`;
      upsertProductIn(
        tx,
        sku,
        {
          name,
          onHand: service ? 0 : i % 9 === 4 ? 1 : 3 + rnd(40),
          location: service ? null : `${'ABC'[i % 3]}-${String(1 + Math.floor(i / 3)).padStart(2, '0')}-${1 + (i % 4)}`,
          barcode: body + gs1CheckDigit(body),
          trackStock: !service,
          price: (49 + rnd(20) * 50) * 100,
        },
        DEMO,
        at(),
      );
      return sku;
    });
    for (const [code, label, color] of [
      ['SUPPLIER', 'Awaiting supplier', '#b45309'],
      ['GIFT', 'Gift wrap', '#7c3aed'],
      ['CALL', 'Call customer', '#dc2626'],
    ] as const) {
      putCustomStatus(tx, code, { label, color }, opts.now);
    }

    // Shipping methods: the station's own parcel IDs by default, and pickup in store. Carriers need the shop's own accounts.
    insertMethod(tx, { code: 'standard', name: 'Standard parcel', kind: 'own', carrierAccountId: null, service: null, isDefault: true }, opts.now);
    insertMethod(tx, { code: 'pickup', name: 'Pickup in store', kind: 'pickup', carrierAccountId: null, service: null, isDefault: false }, opts.now);

    const made = { products: skus.length, orders: 0 };
    const newOrder = (status: 'order' | 'preorder', paid: boolean, n: number) => {
      const who = CUSTOMERS[rnd(CUSTOMERS.length)]!;
      const lines = [...new Set(Array.from({ length: 1 + rnd(4) }, () => skus[rnd(skus.length - 2)]!))].map((sku) => ({ sku, quantity: 1 + rnd(3) }));
      const slug = who.name
        .normalize('NFD')
        .replace(/[^A-Za-z]/g, '')
        .toLowerCase();
      const customer = {
        name: who.name,
        email: `${slug}${n}@example.com`,
        phone: `+46 70 ${100 + n} ${10 + rnd(89)} ${10 + rnd(89)}`,
        address: { line1: who.line1, line2: who.line2, postalCode: who.postalCode, city: who.city, country: who.country },
      };
      const order = createOrder(
        db,
        {
          status,
          lines,
          ...(status === 'order' && { customer }),
          paymentMethod: status === 'order' ? PAYMENT_METHODS[rnd(4)]! : undefined,
          // Two of the packed orders wait on the pickup shelf (the others ship from the station).
          shippingMethod: n === 21 || n === 24 ? 'pickup' : 'standard',
          paid: status === 'order' ? paid : undefined,
          priority: n % 7 === 0 ? 8 : 5,
          comment: n % 5 === 0 ? 'Leave at the door if nobody answers.' : undefined,
          shippingFee: 4900,
        },
        { actor: DEMO, now: at(), currency: opts.currency, source: 'demo' },
      );
      made.orders++;
      return { order, customer };
    };

    // Carts still at checkout, one of them then checked out.
    for (let n = 0; n < 3; n++) newOrder('preorder', false, n);
    const cart = newOrder('preorder', false, 3);
    checkout(
      db,
      cart.order.code,
      { customer: { ...cart.customer, email: 'checkout@example.com' }, paymentMethod: 'card', paid: true },
      { actor: DEMO, now: at(), currency: opts.currency },
    );
    // Orders waiting for payment or the pack script.
    for (let n = 4; n < 14; n++) newOrder('order', n % 3 !== 0, n);
    // Packing, shipped, partly shipped, cancelled.
    const packed = Array.from({ length: 12 }, (_, i) => newOrder('order', true, 14 + i).order);
    packed.forEach((o, i) => {
      const now = at();
      // Packed only where the pack rule would pack it, by the pack script's writer.
      if (!packOrder(tx, o.id, { requireApproval: false }, { type: 'pack_script', id: null, name: 'pack script' }, now).promoted) return;
      const order = findOrderByCode(tx, o.code)!;
      if (i < 5) {
        reportDelivery(tx, order, { parcels: [postalParcelId(order.id, 1), ...(i % 2 ? [postalParcelId(order.id, 2)] : [])] }, { actor: DEMO, now: at() });
      } else if (i === 5) {
        const first = listLines(tx, order.id)[0]!;
        reportDelivery(tx, order, { parcels: [postalParcelId(order.id, 3)], quantities: new Map([[first.id, 1]]) }, { actor: DEMO, now: at() });
      }
    });
    for (let n = 26; n < 29; n++) {
      const { order } = newOrder('order', n % 2 === 0, n);
      changeStatus(db, order.code, 'cancelled', { actor: DEMO, now: at(), currency: opts.currency });
    }
    const waiting = newOrder('order', true, 29).order;
    updateOrderDetails(tx, waiting.code, { waiting: true }, { actor: DEMO, now: at() });
    const labelled = newOrder('order', false, 30).order;
    updateOrderDetails(tx, labelled.code, { customStatus: 'SUPPLIER', reviewed: true }, { actor: DEMO, now: at() });
    return made;
  });
}
