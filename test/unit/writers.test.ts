// One writer per rule is held by the lint rule local/one-writer (lint/rules.js, tested in
// lint-rules.test.ts); these tests hold the writers' own behaviour.
import { describe, expect, it } from 'vitest';
import { savepoint, writeTransaction, type Tx } from '../../src/db/client.js';
import { lastNumber, takeNumbers } from '../../src/series/allocator.js';
import { buildPackingOrder, buildProduct } from '../builders.js';
import { makeDb } from '../helpers.js';

describe('the transaction helper', () => {
  it('a savepoint undoes its own writes only, and is refused outside a write transaction', () => {
    const db = makeDb(':memory:', { parcelForms: [] });
    db.$client.exec('DELETE FROM settings');
    const put = (tx: Tx, name: string) => tx.$client.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0)').run(name, '1');
    writeTransaction(db, (tx) => {
      put(tx, 'kept');
      expect(() =>
        savepoint(tx, (sp) => {
          put(sp, 'undone');
          throw new Error('refused');
        }),
      ).toThrow('refused');
    });
    expect(db.$client.prepare('SELECT key FROM settings ORDER BY key').pluck().all()).toEqual(['kept']);
    expect(() => savepoint(db as Tx, () => 1)).toThrow(/open write transaction/);
  });
});

describe('the series allocator', () => {
  it('starts at the first number, hands out consecutive ranges, and takes nothing past the maximum', () => {
    const db = makeDb();
    expect(lastNumber(db, 'invoice')).toBeUndefined();
    expect(writeTransaction(db, (tx) => takeNumbers(tx, 'invoice', { first: 1000 }))).toBe(1000);
    expect(writeTransaction(db, (tx) => takeNumbers(tx, 'invoice', { first: 1000 }))).toBe(1001);
    expect(writeTransaction(db, (tx) => takeNumbers(tx, 'sscc', { count: 3, max: 4 }))).toBe(1);
    expect(writeTransaction(db, (tx) => takeNumbers(tx, 'sscc', { count: 2, max: 4 }))).toBeNull();
    expect(lastNumber(db, 'sscc')).toBe(3);
    // Rolled back with the caller's transaction: the number is given again (gap-free invoices).
    expect(() =>
      writeTransaction(db, (tx) => {
        takeNumbers(tx, 'invoice');
        throw new Error('render failed');
      }),
    ).toThrow();
    expect(lastNumber(db, 'invoice')).toBe(1001);
  });
});

describe('builders make their states through the production paths', () => {
  it('a packing order is promoted by the pack script writer, which refuses what the pack rule holds', () => {
    const db = makeDb();
    const order = buildPackingOrder(db);
    expect(order.status).toBe('packing');
    const event = db.$client.prepare("SELECT data FROM order_events WHERE order_id = ? AND type = 'status_changed'").pluck().get(order.id) as string;
    expect(JSON.parse(event)).toEqual({ from: 'order', to: 'packing', action: 'pack' });
    const short = buildProduct(db, { onHand: 1 });
    expect(() => buildPackingOrder(db, { lines: [{ sku: short.sku, quantity: 2 }] })).toThrow(/insufficient_stock/);
  });
});
