import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { savepoint, writeTransaction, type Tx } from '../../src/db/client.js';
import { lastNumber, takeNumbers } from '../../src/series/repo.js';
import { buildPackingOrder, buildProduct } from '../builders.js';
import { makeDb } from '../helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Writes that belong to one writer each (issue 13): what a search of the tree must find only in
 * that writer's file. `writer` is the one file allowed to hold the write.
 */
const RULES: { what: string; writer: string; patterns: RegExp[] }[] = [
  {
    what: 'orders.status',
    writer: 'src/orders/status-writer.ts',
    patterns: [/UPDATE\s+orders\s+SET\s(?:(?!\bWHERE\b)[^;])*?\bstatus\s*=/i, /\.update\(\s*orders\s*\)\s*\.set\(\s*\{[^}]*\bstatus\s*:/],
  },
  {
    what: 'product counters (reserved, allocated, on_hand)',
    writer: 'src/stock/writer.ts',
    patterns: [/UPDATE\s+products\s+SET\s(?:(?!\bWHERE\b)[^;])*?\b(?:reserved|allocated|on_hand)\s*=/i, /\.update\(\s*products\s*\)\s*\.set\(\s*\{[^}]*\b(?:reserved|allocated|onHand)\s*:/],
  },
  { what: 'the stock ledger', writer: 'src/stock/writer.ts', patterns: [/INSERT\s+INTO\s+stock_ledger\b/i, /\.insert\(\s*stockLedger\s*\)/] },
  {
    what: 'number series',
    writer: 'src/series/repo.ts',
    patterns: [/INSERT\s+INTO\s+sequences\b/i, /UPDATE\s+sequences\b/i, /\.insert\(\s*sequences\s*\)/, /\.update\(\s*sequences\s*\)/],
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every write of a rule found outside its writer, as `file: what`. */
function writesOutsideWriters(root: string): string[] {
  const found: string[] = [];
  for (const file of ['src', 'jobs'].flatMap((d) => sourceFiles(join(root, d)))) {
    const name = relative(root, file).split('\\').join('/');
    const text = readFileSync(file, 'utf8');
    for (const rule of RULES) {
      if (name !== rule.writer && rule.patterns.some((p) => p.test(text))) found.push(`${name}: ${rule.what}`);
    }
  }
  return found;
}

describe('one writer per rule', () => {
  it('no file under src/ or jobs/ writes a status, a counter, a ledger row or a series number but its writer', () => {
    expect(writesOutsideWriters(ROOT)).toEqual([]);
  });

  it('the patterns find the writes they are for', () => {
    const hits = (text: string) => RULES.filter((r) => r.patterns.some((p) => p.test(text))).map((r) => r.what);
    expect(hits("UPDATE orders SET status = 'packing', updated_at = ? WHERE id = ?")).toEqual(['orders.status']);
    expect(hits('UPDATE orders SET updated_at = ?,\n status = ? WHERE id = ?')).toEqual(['orders.status']);
    expect(hits("UPDATE orders SET paid = 1 WHERE status = 'order'")).toEqual([]);
    expect(hits('tx.update(orders).set({ status: move.to, updatedAt })')).toEqual(['orders.status']);
    expect(hits('UPDATE products SET reserved = reserved + ?, allocated = allocated + ? WHERE id = ?')).toEqual(['product counters (reserved, allocated, on_hand)']);
    expect(hits('conn.update(products).set({ onHand: 3 })')).toEqual(['product counters (reserved, allocated, on_hand)']);
    expect(hits('tx.update(products).set({ name: input.name })')).toEqual([]);
    expect(hits('INSERT INTO stock_ledger (product_id) VALUES (?)')).toEqual(['the stock ledger']);
    expect(hits("INSERT INTO sequences (name, value) VALUES ('sscc', ?)")).toEqual(['number series']);
  });
});

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
