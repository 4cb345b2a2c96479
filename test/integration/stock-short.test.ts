import { describe, expect, it } from 'vitest';
import { consoleLogger } from '../../src/log.js';
import { runPackScript } from '../../src/pack/run.js';
import { buildPackingOrder, buildProduct, buildUser, reload } from '../builders.js';
import { loginAs, makeApp } from '../helpers.js';
import { expectInvariants } from '../invariants.js';

const SYSTEM = { type: 'system' as const, id: null, name: 'test' };

// Stock truth after a count (src/stock/short.ts): before, a count of the bin said "1 changed",
// available went to −1 and the orders still waited in Outbound as if their goods were there.
const product = (db: ReturnType<typeof makeApp>['db'], sku: string) =>
  db.$client.prepare('SELECT on_hand AS onHand, allocated FROM products WHERE sku = ?').get(sku) as { onHand: number; allocated: number };

describe('a count that leaves packing orders short', () => {
  it('names the orders the shelf no longer covers, marks them on Outbound, and moves them back to Order; the next run takes them when stock comes', async () => {
    const { app, db, clock } = makeApp();
    buildProduct(db, { sku: 'KETTLE', onHand: 5, location: 'K-01' });
    const first = buildPackingOrder(db, { lines: [{ sku: 'KETTLE', quantity: 3 }] });
    clock.advance(60_000);
    const second = buildPackingOrder(db, { lines: [{ sku: 'KETTLE', quantity: 2 }] });
    expect(product(db, 'KETTLE')).toEqual({ onHand: 5, allocated: 5 });

    const operator = await buildUser(db, 'operator');
    const { agent, submit } = await loginAs(app, operator.email);
    const count = (await submit('/tools/stock', '/tools/stock/counts', { location: 'K-01' })).headers.location!;
    await submit(count, `${count}/items`, { code: 'KETTLE', counted: '3' });
    await submit(count, `${count}/finish`, {});
    expect(product(db, 'KETTLE')).toEqual({ onHand: 3, allocated: 5 });

    // The shelf covers the first order in pick order; the second is named, with what it misses.
    const page = (await agent.get(count)).text;
    expect(page).toContain('1 packing order is short of stock now');
    expect(page).toContain(`value="${second.code}"`);
    expect(page).not.toContain(`value="${first.code}"`);
    expect(page).toContain('KETTLE: 2 units missing');
    expect((await agent.get('/tools/stock')).text).toContain(`value="${second.code}"`);
    const outbound = (await agent.get('/outbound')).text;
    const rowOf = (code: string) => new RegExp(`<tr data-code="${code}">[\\s\\S]*?</tr>`).exec(outbound)![0];
    expect(rowOf(second.code)).toContain('Short of stock');
    expect(rowOf(first.code)).not.toContain('Short of stock');

    // Moved back: its allocation is released; the first order keeps its units.
    const moved = await submit(count, '/tools/stock/short/unpack', { orders: second.code, back: count, formKey: 'short-1' });
    expect(moved.status).toBe(303);
    expect(moved.headers.location).toBe(count);
    expect(reload(db, second.code).status).toBe('order');
    expect(reload(db, first.code).status).toBe('packing');
    expect(product(db, 'KETTLE')).toEqual({ onHand: 3, allocated: 3 });
    expect((await agent.get(count)).text).not.toContain('short of stock now');
    expectInvariants(db);

    // The same form sent again does nothing more; an order that is not short is never moved.
    await submit(count, '/tools/stock/short/unpack', { orders: second.code, back: count, formKey: 'short-1' });
    await submit(count, '/tools/stock/short/unpack', { orders: first.code, back: count, formKey: 'short-2' });
    expect(reload(db, first.code).status).toBe('packing');

    // The next run leaves it waiting for stock; goods in, and the run after takes it.
    const deps = { db, clock, log: consoleLogger({ silent: true }) };
    await runPackScript(deps, { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(reload(db, second.code).status).toBe('order');
    const goodsIn = (await submit('/tools/stock', '/tools/stock/goods-in', { reference: 'PO-9' })).headers.location!;
    await submit(goodsIn, `${goodsIn}/items`, { code: 'KETTLE', quantity: '2' });
    await runPackScript(deps, { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(reload(db, second.code).status).toBe('packing');
    expectInvariants(db);
  });
});
