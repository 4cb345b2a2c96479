import { describe, expect, it } from 'vitest';
import { consoleLogger } from '../../src/log.js';
import { changeStatus } from '../../src/orders/service.js';
import { runPackScript } from '../../src/pack/run.js';
import { binary } from '../pdf.js';
import { buildPackingOrder, buildPaidOrder, buildUser, reload } from '../builders.js';
import { api, loginAs, loginAtStation, makeApp } from '../helpers.js';

const SYSTEM = { type: 'system' as const, id: null, name: 'test' };

/** The order page's history rows, as text. */
async function historyOf(app: ReturnType<typeof makeApp>['app'], db: ReturnType<typeof makeApp>['db'], code: string): Promise<string> {
  const admin = await buildUser(db, 'admin');
  const { agent } = await loginAs(app, admin.email);
  return (await agent.get(`/orders/${code}`)).text;
}

describe('the order history says what happened', () => {
  it("a parcel ID from the shop's own SSCC series is logged as from that series, not the broker", async () => {
    const { app, db } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { scan } = await loginAtStation(app, packer.email);
    const order = buildPackingOrder(db);
    await scan(order.code);
    await scan('FETCH PARCEL ID');
    const sscc = db.$client.prepare('SELECT parcel_id FROM delivery_parcels').pluck().get() as string;
    expect(sscc).toMatch(/^\d{18}$/);
    const page = await historyOf(app, db, order.code);
    expect(page).toContain(`Parcel ID ${sscc} added (the shop’s own SSCC series)`);
    expect(page).not.toMatch(/added \(broker\)/);
    // A scanned one says it was scanned, in words.
    await scan('PKG-00000002');
    expect(await historyOf(app, db, order.code)).toContain('Parcel ID PKG-00000002 added (scanner)');
  });

  it("a parcel's first label print is no reprint, even when another parcel's label was printed before", async () => {
    const { app, db } = makeApp();
    const order = buildPackingOrder(db);
    for (const parcelId of ['PKG-00000001', 'PKG-00000002'])
      expect((await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId })).status).toBe(201);
    const label = (parcel: string) => api(app).get(`/api/v1/orders/${order.code}/documents/label.pdf?parcel=${parcel}`).buffer(true).parse(binary);
    expect((await label('PKG-00000001')).status).toBe(200);
    expect((await label('PKG-00000002')).status).toBe(200);
    expect((await label('PKG-00000001')).status).toBe(200);
    const printed = (db.$client.prepare("SELECT data FROM order_events WHERE type = 'document_printed' ORDER BY id").pluck().all() as string[]).map(
      (d) => JSON.parse(d) as { reference: string; reprint: boolean },
    );
    expect(printed.map((d) => [d.reference, d.reprint])).toEqual([
      ['PKG-00000001', false],
      ['PKG-00000002', false],
      ['PKG-00000001', true],
    ]);
    const page = await historyOf(app, db, order.code);
    expect(page).toContain('Printed: Shipping label · parcel PKG-00000002<');
    expect(page.match(/· reprint/g)).toHaveLength(1);
  });

  it('a reopened order no longer shows its old pack outcome ("Promoted to Packing") as current', async () => {
    const { app, db, clock } = makeApp();
    const order = buildPaidOrder(db);
    await runPackScript({ db, clock, log: consoleLogger({ silent: true }) }, { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(reload(db, order.code).status).toBe('packing');
    expect(await historyOf(app, db, order.code)).toContain('Promoted to Packing');
    const ctx = { actor: SYSTEM, now: clock(), currency: 'SEK', notify: false as const };
    changeStatus(db, order.code, 'cancelled', ctx);
    changeStatus(db, order.code, 'order', ctx);
    expect(reload(db, order.code).status).toBe('order');
    expect(await historyOf(app, db, order.code)).not.toContain('Promoted to Packing');
  });
});
