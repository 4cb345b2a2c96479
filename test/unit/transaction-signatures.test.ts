import { describe, expect, it } from 'vitest';
import { writeTransaction, type Db, type Tx } from '../../src/db/client.js';
import { appendOrderEvent } from '../../src/events/repo.js';
import { getSetting, putSetting } from '../../src/settings/service.js';
import { saveCustomer } from '../../src/customers/repo.js';
import { deleteSessionsOf } from '../../src/users/repo.js';
import { buildPaidOrder } from '../builders.js';
import { makeDb } from '../helpers.js';

// Which functions write without a Tx (a Db or Conn writer, a route or repository opening a
// transaction) is the lint rule local/transaction-boundary (lint/rules.js, tested in
// lint-rules.test.ts); here the types themselves.

describe('a writer says in its signature where the transaction begins', () => {
  it('a bare Db does not compile where a Tx is needed; inside writeTransaction it does', () => {
    const db = makeDb();
    const order = buildPaidOrder(db);
    const actor = { type: 'system' as const, id: null, name: 'test' };
    const now = new Date();
    const customer = { name: 'A', email: 'a@example.com', address: { line1: 'x', postalCode: '1', city: 'c', country: 'SE' } };
    // The compiler (tsc in the test command) refuses each of these: a @ts-expect-error without an error is itself an error.
    const bare = (d: Db) => {
      // @ts-expect-error appendOrderEvent needs a Tx
      appendOrderEvent(d, order, 'pack_check', actor, now);
      // @ts-expect-error saveCustomer needs a Tx
      saveCustomer(d, customer, now);
      // @ts-expect-error deleteSessionsOf needs a Tx
      deleteSessionsOf(d, 1);
    };
    expect(typeof bare).toBe('function');
    const before = db.$client.prepare('SELECT count(*) FROM order_events').pluck().get() as number;
    writeTransaction(db, (tx: Tx) => {
      appendOrderEvent(tx, order, 'pack_check', actor, now, { outcome: 'held' });
      saveCustomer(tx, customer, now);
    });
    expect(db.$client.prepare('SELECT count(*) FROM order_events').pluck().get()).toBe(before + 1);
  });

  it("putSetting opens its own transaction, and inside a caller's is undone with it", () => {
    const db = makeDb();
    putSetting(db, 'probe', { n: 1 }, new Date());
    expect(getSetting(db, 'probe')).toEqual({ n: 1 });
    expect(() =>
      writeTransaction(db, (tx) => {
        putSetting(tx, 'probe', { n: 2 }, new Date());
        throw new Error('the caller fails after the setting');
      }),
    ).toThrow('the caller fails');
    expect(getSetting(db, 'probe')).toEqual({ n: 1 });
  });
});
