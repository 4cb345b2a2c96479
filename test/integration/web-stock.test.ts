import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import type { Actor } from '../../src/domain/actor.js';
import { runPackScript } from '../../src/pack/run.js';
import { consoleLogger } from '../../src/log.js';
import { aCustomer, buildPackingOrder, buildPaidOrder, buildProduct, buildUser, productBySku, reload } from '../builders.js';
import { api, loginAs, makeApp } from '../helpers.js';
import { expectInvariants } from '../invariants.js';
import { apiError } from '../json.js';
import { until } from '../wait.js';

const PACK_ACTOR: Actor = { type: 'pack_script', id: null, name: 'pack script' };

async function as(role: 'operator' | 'admin' | 'packer') {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, role);
  return { ...ctx, ...(await loginAs(ctx.app, user.email)) };
}

const ledger = (db: Db, sku: string) =>
  db.$client.prepare('SELECT delta, reason, note, goods_in_id AS goodsInId, on_hand_after AS after FROM stock_ledger WHERE sku = ? ORDER BY id').all(sku) as {
    delta: number;
    reason: string;
    note: string | null;
    goodsInId: number | null;
    after: number;
  }[];

/** Starts a goods-in with `reference` and returns its page's path. */
async function startGoodsIn(submit: Awaited<ReturnType<typeof as>>['submit'], reference: string): Promise<string> {
  const res = await submit('/tools/stock', '/tools/stock/goods-in', { reference });
  expect(res.status).toBe(303);
  return res.headers.location!;
}

describe('Tools → Products', () => {
  it('creates, edits and archives a product; an archived product cannot be ordered but keeps its history', async () => {
    const { app, db, agent, submit } = await as('operator');
    const created = await submit('/tools/products/new', '/tools/products/new', {
      sku: 'MUG-1',
      name: 'Mug',
      barcode: '7350053850019',
      location: 'A-01-2',
      price: '129,50',
      vatRate: '25',
      trackStock: '1',
      lowStockThreshold: '3',
    });
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe('/tools/products/sku/MUG-1');
    const mug = productBySku(db, 'MUG-1');
    expect(mug).toMatchObject({
      name: 'Mug',
      price: 12950,
      vatRate: 2500,
      location: 'A-01-2',
      barcode: '7350053850019',
      lowStockThreshold: 3,
      onHand: 0,
      trackStock: true,
    });

    const edited = await submit('/tools/products/sku/MUG-1/edit', '/tools/products/sku/MUG-1/edit', {
      name: 'Big mug',
      vatRate: '12',
      price: '',
      location: 'B-2',
      barcode: '7350053850019',
      lowStockThreshold: '',
    });
    expect(edited.status).toBe(303);
    expect(productBySku(db, 'MUG-1')).toMatchObject({ name: 'Big mug', vatRate: 1200, price: null, trackStock: false, lowStockThreshold: null });

    const page = (await agent.get('/tools/products/sku/MUG-1')).text;
    expect(page).toContain('Big mug');
    expect(page).toContain('Archive');

    expect((await submit('/tools/products/sku/MUG-1', '/tools/products/sku/MUG-1/archive', {})).status).toBe(303);
    const order = await api(app)
      .post('/api/v1/orders')
      .send({ customer: aCustomer(), paymentMethod: 'card', lines: [{ sku: 'MUG-1', quantity: 1, unitPrice: 100 }] });
    expect(order.status).toBe(422);
    expect(apiError(order).code).toBe('product_archived');
    expect(apiError(order).details).toMatchObject({ fields: [{ path: 'lines.0.sku' }] });

    // The order page's "add a product" refuses it as well, next to the field.
    const existing = buildPaidOrder(db, { lines: [{ sku: buildProduct(db, { sku: 'OTHER' }).sku, quantity: 1 }] });
    const add = await api(app).post(`/api/v1/orders/${existing.code}/lines`).send({ sku: 'MUG-1', quantity: 1, unitPrice: 100 });
    expect(add.status).toBe(422);
    expect(apiError(add).code).toBe('product_archived');

    // Hidden from the list unless asked for; its page is still there.
    expect((await agent.get('/tools/products/sku/MUG-1')).text).toContain('Archived');
    expect((await agent.get('/tools/products')).text).not.toContain('MUG-1');
    expect((await agent.get('/tools/products?archived=1')).text).toContain('MUG-1');
    expect((await submit('/tools/products/sku/MUG-1', '/tools/products/sku/MUG-1/unarchive', {})).status).toBe(303);
    expect(productBySku(db, 'MUG-1').archivedAt).toBeNull();
  });

  it('bad input re-renders the form with the error next to the field and changes nothing', async () => {
    const { db, submit } = await as('admin');
    buildProduct(db, { sku: 'TAKEN', barcode: '7350053850019' });
    const before = db.$client.prepare('SELECT count(*) FROM products').pluck().get();
    const res = await submit('/tools/products/new', '/tools/products/new', {
      sku: 'NEW-1',
      name: 'New',
      price: '12.345',
      vatRate: '250',
      trackStock: '1',
      lowStockThreshold: '-1',
    });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="price-error">Enter an amount/);
    expect(res.text).toMatch(/id="vatRate-error">Enter VAT in percent/);
    expect(res.text).toContain('id="lowStockThreshold-error"');
    expect(res.text).toContain('value="NEW-1"');
    const dup = await submit('/tools/products/new', '/tools/products/new', { sku: 'TAKEN', name: 'Again', vatRate: '25' });
    expect(dup.status).toBe(422);
    expect(dup.text).toMatch(/id="sku-error">There is a product with SKU TAKEN already/);
    const barcode = await submit('/tools/products/new', '/tools/products/new', { sku: 'NEW-2', name: 'Other', vatRate: '25', barcode: '7350053850019' });
    expect(barcode.status).toBe(409);
    expect(barcode.text).toContain('id="barcode-error"');
    expect(db.$client.prepare('SELECT count(*) FROM products').pluck().get()).toBe(before);
  });

  it('is for operators and admins, not packers', async () => {
    const { agent } = await as('packer');
    expect((await agent.get('/tools/products/new')).status).toBe(403);
    expect((await agent.get('/tools/stock')).status).toBe(403);
  });

  it('shows the low-stock list and the ledger with who, why and a link to the goods-in', async () => {
    const { db, agent, submit } = await as('operator');
    await submit('/tools/products/new', '/tools/products/new', { sku: 'LOW', name: 'Low one', vatRate: '25', trackStock: '1', lowStockThreshold: '2' });
    expect((await agent.get('/tools/products/low-stock')).text).toContain('LOW');
    const goodsIn = await startGoodsIn(submit, 'DN-77');
    await submit(goodsIn, `${goodsIn}/items`, { code: 'LOW', quantity: '5' });
    expect((await agent.get('/tools/products/low-stock')).text).not.toContain('>LOW<');
    const page = (await agent.get('/tools/products/sku/LOW')).text;
    expect(page).toContain('Goods in');
    expect(page).toContain(`href="${goodsIn}">DN-77</a>`);
    expect(page).toContain('+5');
    expect(ledger(db, 'LOW')).toEqual([{ delta: 5, reason: 'goods_in', note: 'DN-77', goodsInId: Number(goodsIn.split('/').pop()), after: 5 }]);
  });
});

describe('Tools → Stock: goods in', () => {
  it('books a delivery in by scan and releases the orders waiting for it; a pack run then packs them', async () => {
    const { db, agent, submit } = await as('operator');
    buildProduct(db, { sku: 'BLUE', onHand: 0, barcode: '7350053850019' });
    buildProduct(db, { sku: 'RED', onHand: 0 });
    const waiting = [1, 2, 3].map(() => buildPaidOrder(db, { lines: [{ sku: 'BLUE', quantity: 2 }] }));
    const notReleased = buildPaidOrder(db, { lines: [{ sku: 'RED', quantity: 1 }] });

    const goodsIn = await startGoodsIn(submit, 'Supplier note 4411');
    // A GS1-128 element string (GTIN 07350053850019 with a batch) and a keyed quantity.
    const first = await submit(goodsIn, `${goodsIn}/items`, { code: '(01)07350053850019(10)B12', quantity: '4' });
    expect(first.status).toBe(303);
    // The keyed count before the code: "2*BLUE".
    await submit(goodsIn, `${goodsIn}/items`, { code: '2*BLUE', quantity: '1' });
    expect(productBySku(db, 'BLUE').onHand).toBe(6);
    expect(ledger(db, 'BLUE').map((r) => [r.delta, r.reason, r.note])).toEqual([
      [4, 'goods_in', 'Supplier note 4411'],
      [2, 'goods_in', 'Supplier note 4411'],
    ]);

    const done = await submit(goodsIn, `${goodsIn}/finish`, {});
    expect(done.status).toBe(303);
    const page = (await agent.get(goodsIn)).text;
    expect(page).toContain('3 orders can now be packed.');
    expect(page).toContain('Run the pack script now');
    expect(page).toContain('action="/tools/pack-script/runs"');

    const run = await submit(goodsIn, '/tools/pack-script/runs', {});
    expect(run.status).toBe(303);
    await until(
      'the pack run to finish',
      () => db.$client.prepare("SELECT status FROM pack_runs WHERE status <> 'running'").pluck().get() as string | undefined,
      5000,
      10,
    );
    for (const o of waiting) expect(reload(db, o.code).status).toBe('packing');
    expect(reload(db, notReleased.code).status).toBe('order');
    expectInvariants(db);

    // A finished goods-in takes nothing more.
    const late = await submit(goodsIn, `${goodsIn}/items`, { code: 'BLUE', quantity: '1' });
    expect(late.status).toBe(409);
    expect(productBySku(db, 'BLUE').onHand).toBe(6);
  });

  it('refuses an unknown item or a bad quantity next to the field and books nothing', async () => {
    const { db, submit } = await as('operator');
    buildProduct(db, { sku: 'A', onHand: 1 });
    const goodsIn = await startGoodsIn(submit, 'DN-1');
    const unknown = await submit(goodsIn, `${goodsIn}/items`, { code: 'NOPE', quantity: '1' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toMatch(/id="code-error">No product with this barcode or SKU: NOPE/);
    const zero = await submit(goodsIn, `${goodsIn}/items`, { code: 'A', quantity: '0' });
    expect(zero.status).toBe(422);
    expect(zero.text).toContain('id="quantity-error"');
    const noRef = await submit('/tools/stock', '/tools/stock/goods-in', { reference: ' ' });
    expect(noRef.status).toBe(422);
    expect(noRef.text).toContain('id="reference-error"');
    expect(ledger(db, 'A')).toHaveLength(1);
  });

  it('goods in and counts during a pack run keep the stock invariants', async () => {
    const { db, clock, submit } = await as('operator');
    buildProduct(db, { sku: 'C', onHand: 20 });
    buildProduct(db, { sku: 'D', onHand: 5 });
    for (let i = 0; i < 120; i++) buildPaidOrder(db, { lines: [{ sku: i % 2 ? 'C' : 'D', quantity: 1 + (i % 3) }] });
    const goodsIn = await startGoodsIn(submit, 'DN-RACE');
    let batches = 0;
    let counted = 0;
    let receiving: Promise<unknown> = Promise.resolve();
    const run = runPackScript(
      {
        db,
        clock,
        log: consoleLogger({ silent: true }),
        // Between the run's batches, a goods-in books units of both products.
        pace: async () => {
          if (batches++ > 0) {
            receiving = receiving.then(() => submit(goodsIn, `${goodsIn}/items`, { code: batches % 2 ? 'C' : 'D', quantity: '3' }));
            // Every fourth batch, a count of D finds one more than is on hand and is finished.
            if (batches % 4 === 0) {
              receiving = receiving.then(async () => {
                const count = (await submit('/tools/stock', '/tools/stock/counts', {})).headers.location!;
                await submit(count, `${count}/items`, { code: 'D', counted: String(productBySku(db, 'D').onHand + 1) });
                counted++;
                return submit(count, `${count}/finish`, {});
              });
            }
            await receiving;
          }
          return 10;
        },
      },
      { trigger: 'manual', dryRun: false, actor: PACK_ACTOR },
    );
    const result = await run;
    await receiving;
    expect(batches).toBeGreaterThan(5);
    expect(result.promoted.length).toBeGreaterThan(0);
    expectInvariants(db);
    // What was booked during the run is picked up by the next.
    await runPackScript({ db, clock, log: consoleLogger({ silent: true }) }, { trigger: 'manual', dryRun: false, actor: PACK_ACTOR });
    expectInvariants(db);
    const received = db.$client.prepare("SELECT sum(delta) FROM stock_ledger WHERE reason = 'goods_in'").pluck().get() as number;
    expect(received).toBe((batches - 1) * 3);
    expect(counted).toBeGreaterThan(0);
    expect(db.$client.prepare("SELECT count(*) FROM stock_ledger WHERE reason = 'stock_count' AND note LIKE 'count #%' AND delta = 1").pluck().get()).toBe(
      counted,
    );
  });
});

describe('Tools → Stock: counts', () => {
  it('a count in a bin survives a reload and writes the difference with the reason count when finished', async () => {
    const { db, agent, submit } = await as('operator');
    buildProduct(db, { sku: 'X1', onHand: 10, location: 'A-01' });
    buildProduct(db, { sku: 'X2', onHand: 4, location: 'A-02' });
    buildProduct(db, { sku: 'Y1', onHand: 7, location: 'B-01' });
    const started = await submit('/tools/stock', '/tools/stock/counts', { location: 'a-0' });
    expect(started.status).toBe(303);
    const count = started.headers.location!;
    const sheet = (await agent.get(count)).text;
    expect(sheet).toContain('X1');
    expect(sheet).toContain('X2');
    expect(sheet).not.toContain('Y1');

    await submit(count, `${count}/items`, { code: 'X1', counted: '8' });
    await submit(count, `${count}/items`, { code: 'X2', counted: '4' });
    // Nothing is written while the count is open; a reload shows what was counted.
    expect(ledger(db, 'X1')).toHaveLength(1);
    const reloaded = (await agent.get(count)).text;
    // Counted, on hand when counted, and the difference finishing will apply.
    expect(reloaded).toMatch(/>8<\/td><td class="num">10<\/td><td class="num">-2</);
    expect(reloaded).toContain('goods in after a line was counted are kept');
    expect((await agent.get('/tools/stock')).text).toContain('Open');

    // A bad count changes nothing.
    const bad = await submit(count, `${count}/items`, { code: 'X1', counted: 'many' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="counted-error"');

    const done = await submit(count, `${count}/finish`, {});
    expect(done.status).toBe(303);
    expect(productBySku(db, 'X1').onHand).toBe(8);
    expect(productBySku(db, 'X2').onHand).toBe(4);
    expect(ledger(db, 'X1').at(-1)).toMatchObject({ delta: -2, reason: 'stock_count', after: 8 });
    expect(ledger(db, 'X2')).toHaveLength(1);
    expect((await agent.get('/tools/products/sku/X1')).text).toContain('Count');
    expect((await submit(count, `${count}/finish`, {})).status).toBe(409);
    expectInvariants(db);
  });

  it('applies counted minus on hand when counted: a shipment and a goods-in after counting stay', async () => {
    const { app, db, agent, submit } = await as('operator');
    buildProduct(db, { sku: 'K1', onHand: 5, location: 'K-01' });
    const order = buildPackingOrder(db, { lines: [{ sku: 'K1', quantity: 1 }] });
    const count = (await submit('/tools/stock', '/tools/stock/counts', { location: 'K-01' })).headers.location!;
    expect((await submit(count, `${count}/items`, { code: 'K1', counted: '3' })).status).toBe(303);
    expect(db.$client.prepare('SELECT counted, on_hand_at_count AS atCount FROM stock_count_lines').all()).toEqual([{ counted: 3, atCount: 5 }]);

    // After the count: one unit ships and a delivery of 4 is booked in.
    expect(
      (
        await api(app)
          .post(`/api/v1/orders/${order.code}/deliveries`)
          .send({ parcels: ['K1-PARCEL'] })
      ).status,
    ).toBe(201);
    const goodsIn = await startGoodsIn(submit, 'DN-K1');
    expect((await submit(goodsIn, `${goodsIn}/items`, { code: 'K1', quantity: '4' })).status).toBe(303);
    expect(productBySku(db, 'K1').onHand).toBe(8);
    // The sheet: on hand now 8, counted 3, on hand when counted 5, difference −2.
    expect((await agent.get(count)).text).toMatch(/>8<\/td>\s*<td class="num">3<\/td><td class="num">5<\/td><td class="num">-2</);

    expect((await submit(count, `${count}/finish`, {})).status).toBe(303);
    expect(productBySku(db, 'K1').onHand).toBe(6);
    expect(ledger(db, 'K1').map(({ delta, reason, after }) => ({ delta, reason, after }))).toEqual([
      { delta: 5, reason: expect.any(String), after: 5 },
      { delta: -1, reason: 'shipment', after: 4 },
      { delta: 4, reason: 'goods_in', after: 8 },
      { delta: -2, reason: 'stock_count', after: 6 },
    ]);
    expect(db.$client.prepare('SELECT delta FROM stock_count_lines').pluck().get()).toBe(-2);
    expect((await agent.get(count)).text).toMatch(/>6<\/td>\s*<td class="num">3<\/td><td class="num">5<\/td><td class="num">-2</);
    expectInvariants(db);
  });

  it('counting a line again replaces its count and its on hand; a line with no difference writes nothing', async () => {
    const { db, submit } = await as('operator');
    buildProduct(db, { sku: 'R1', onHand: 5 });
    buildProduct(db, { sku: 'R2', onHand: 2 });
    const count = (await submit('/tools/stock', '/tools/stock/counts', {})).headers.location!;
    await submit(count, `${count}/items`, { code: 'R1', counted: '3' });
    await submit(count, `${count}/items`, { code: 'R2', counted: '2' });
    const goodsIn = await startGoodsIn(submit, 'DN-R');
    await submit(goodsIn, `${goodsIn}/items`, { code: 'R1', quantity: '2' });
    await submit(goodsIn, `${goodsIn}/items`, { code: 'R2', quantity: '1' });
    // Recounted after the goods-in: 6 against 7 on hand.
    await submit(count, `${count}/items`, { code: 'R1', counted: '6' });
    expect(
      db.$client
        .prepare("SELECT counted, on_hand_at_count AS atCount FROM stock_count_lines l JOIN products p ON p.id = l.product_id WHERE p.sku = 'R1'")
        .all(),
    ).toEqual([{ counted: 6, atCount: 7 }]);

    const done = await submit(count, `${count}/finish`, {});
    expect(done.status).toBe(303);
    expect(productBySku(db, 'R1').onHand).toBe(6);
    const ofCount = (sku: string) => ledger(db, sku).filter((r) => r.note === `count #${count.split('/').at(-1)}`);
    expect(ofCount('R1').map((r) => ({ delta: r.delta, reason: r.reason, after: r.after }))).toEqual([{ delta: -1, reason: 'stock_count', after: 6 }]);
    // R2 was counted right; the unit booked in after it stays and no count row is written.
    expect(productBySku(db, 'R2').onHand).toBe(3);
    expect(ofCount('R2')).toEqual([]);
    expectInvariants(db);
  });

  it('a line from before on hand was recorded falls back to on hand at finishing', async () => {
    const { db, submit } = await as('operator');
    buildProduct(db, { sku: 'O1', onHand: 5 });
    const count = (await submit('/tools/stock', '/tools/stock/counts', {})).headers.location!;
    await submit(count, `${count}/items`, { code: 'O1', counted: '3' });
    db.$client.prepare('UPDATE stock_count_lines SET on_hand_at_count = NULL').run();
    const goodsIn = await startGoodsIn(submit, 'DN-O');
    await submit(goodsIn, `${goodsIn}/items`, { code: 'O1', quantity: '4' });
    await submit(count, `${count}/finish`, {});
    expect(productBySku(db, 'O1').onHand).toBe(3);
    expect(ledger(db, 'O1').at(-1)).toMatchObject({ delta: -6, reason: 'stock_count', after: 3 });
    expectInvariants(db);
  });

  it('the upgrade gives the lines of open counts on hand at that moment and leaves finished ones alone', async () => {
    const { db, submit } = await as('operator');
    buildProduct(db, { sku: 'U1', onHand: 5 });
    const open = (await submit('/tools/stock', '/tools/stock/counts', {})).headers.location!;
    await submit(open, `${open}/items`, { code: 'U1', counted: '3' });
    const finished = (await submit('/tools/stock', '/tools/stock/counts', {})).headers.location!;
    await submit(finished, `${finished}/items`, { code: 'U1', counted: '5' });
    await submit(finished, `${finished}/finish`, {});
    // As the lines stood before the column existed; then a goods-in, then the migration's backfill.
    db.$client.prepare('UPDATE stock_count_lines SET on_hand_at_count = NULL').run();
    const goodsIn = await startGoodsIn(submit, 'DN-U');
    await submit(goodsIn, `${goodsIn}/items`, { code: 'U1', quantity: '2' });
    const migration = readFileSync(new URL('../../src/db/migrations/0019_count_line_on_hand.sql', import.meta.url), 'utf8').split('--> statement-breakpoint');
    expect(migration).toHaveLength(2);
    db.$client.exec(migration[1]!);
    const atCount = (path: string) =>
      db.$client
        .prepare('SELECT on_hand_at_count FROM stock_count_lines WHERE count_id = ?')
        .pluck()
        .get(Number(path.split('/').at(-1)));
    expect(atCount(open)).toBe(7);
    expect(atCount(finished)).toBeNull();
    // A goods-in after the upgrade stays when the open count is finished.
    await submit(goodsIn, `${goodsIn}/items`, { code: 'U1', quantity: '1' });
    await submit(open, `${open}/finish`, {});
    expect(productBySku(db, 'U1').onHand).toBe(4);
    expectInvariants(db);
  });
});
