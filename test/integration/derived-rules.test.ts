import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { awaitsApprovalSql, availableSql, notHeldSql } from '../../src/db/rules.js';
import { holdReason, awaitsApproval, type HoldFacts } from '../../src/domain/hold.js';
import { PAYMENT_METHODS, type PaymentMethod } from '../../src/domain/order-status.js';
import { stockView } from '../../src/domain/stock.js';
import { orders } from '../../src/db/schema/index.js';
import { makeDb } from '../helpers.js';

// The SQL forms of domain rules (src/db/rules.ts) against the TypeScript rules, for every
// combination of the facts each reads: a change to one that is not made to the other fails here.
// Each is evaluated by SQLite over a table of those facts, with the columns' own names and types.

const holdFacts = sqliteTable('hold_facts', {
  id: integer('id').primaryKey(),
  waiting: integer('waiting', { mode: 'boolean' }).notNull(),
  paid: integer('paid', { mode: 'boolean' }).notNull(),
  approved: integer('approved', { mode: 'boolean' }).notNull(),
  paymentMethod: text('payment_method', { enum: PAYMENT_METHODS }),
});

const stockFacts = sqliteTable('stock_facts', {
  id: integer('id').primaryKey(),
  onHand: integer('on_hand').notNull(),
  allocated: integer('allocated').notNull(),
});

const bools = [false, true];

describe('the SQL forms of the domain rules', () => {
  it('notHeldSql and awaitsApprovalSql say what holdReason and awaitsApproval say, for every order and setting', () => {
    const db = makeDb(':memory:');
    db.run(
      sql`CREATE TEMP TABLE hold_facts (id INTEGER PRIMARY KEY, waiting INTEGER NOT NULL, paid INTEGER NOT NULL, approved INTEGER NOT NULL, payment_method TEXT)`,
    );
    const facts: HoldFacts[] = [];
    for (const waiting of bools)
      for (const paid of bools)
        for (const approved of bools)
          for (const paymentMethod of [...PAYMENT_METHODS, null] as (PaymentMethod | null)[]) facts.push({ waiting, paid, approved, paymentMethod });
    db.insert(holdFacts)
      .values(facts.map((f, id) => ({ id, ...f })))
      .run();
    for (const requireApproval of bools) {
      const settings = { requireApproval };
      const rows = db
        .select({ id: holdFacts.id, notHeld: notHeldSql(holdFacts, settings).mapWith(Boolean), awaits: awaitsApprovalSql(holdFacts).mapWith(Boolean) })
        .from(holdFacts)
        .orderBy(holdFacts.id)
        .all();
      expect(rows.map((r) => r.notHeld)).toEqual(facts.map((f) => holdReason(f, settings) === null));
      expect(rows.map((r) => r.awaits && requireApproval)).toEqual(facts.map((f) => awaitsApproval(f, settings)));
    }
    expect(facts.length).toBe(2 * 2 * 2 * (PAYMENT_METHODS.length + 1));
  });

  it('availableSql is stockView().available, with stock short and over-allocated', () => {
    const db = makeDb(':memory:');
    db.run(sql`CREATE TEMP TABLE stock_facts (id INTEGER PRIMARY KEY, on_hand INTEGER NOT NULL, allocated INTEGER NOT NULL)`);
    const figures = [-3, 0, 1, 7].flatMap((onHand) => [0, 1, 7, 9].map((allocated) => ({ onHand, allocated })));
    db.insert(stockFacts)
      .values(figures.map((f, id) => ({ id, ...f })))
      .run();
    const rows = db
      .select({ available: availableSql(stockFacts) })
      .from(stockFacts)
      .orderBy(stockFacts.id)
      .all();
    expect(rows.map((r) => r.available)).toEqual(figures.map((f) => stockView({ ...f, reserved: 0, trackStock: true }).available));
  });

  it("keeps the queue's partial index usable: its conditions are literals the index's WHERE implies", () => {
    const db = makeDb(':memory:');
    // INDEXED BY fails ("no query solution") unless the WHERE implies the partial index's own condition.
    for (const requireApproval of bools) {
      const query = sql`SELECT id FROM orders INDEXED BY orders_station_queue_idx WHERE status = 'packing' AND ${notHeldSql(orders, { requireApproval })}`;
      expect(() => db.all(query)).not.toThrow();
    }
    expect(() => db.all(sql`SELECT id FROM orders INDEXED BY orders_station_queue_idx WHERE status = 'packing'`)).toThrow(/no query solution/);
  });
});
