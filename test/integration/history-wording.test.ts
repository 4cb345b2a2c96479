import { describe, expect, it } from 'vitest';
import { buildPackingOrder, buildOrder, buildUser } from '../builders.js';
import { api, loginAs, loginAtStation, makeApp } from '../helpers.js';

describe('words of the order page and the station', () => {
  it('the history shows a custom status by its label', async () => {
    const { app, db } = makeApp();
    const order = buildOrder(db);
    await api(app).put('/api/v1/custom-statuses/CALL').send({ label: 'Call the customer', color: '#dc2626' });
    await api(app).patch(`/api/v1/orders/${order.code}`).send({ customStatus: 'CALL' });
    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    const page = (await agent.get(`/orders/${order.code}`)).text;
    expect(page).toContain('Custom status: — → Call the customer');
    expect(page).not.toContain('→ CALL');
  });

  it("a parcel ID fetched from the shop's own SSCC series does not say it came from the shipping broker", async () => {
    const { app, db } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent, scan } = await loginAtStation(app, packer.email);
    const order = buildPackingOrder(db);
    await scan(order.code);
    const res = await scan('FETCH PARCEL ID');
    const page = (await agent.get(res.headers.location!)).text;
    expect(page).toMatch(new RegExp(`Parcel ID \\d{18} from the shop&#39;s own SSCC series added to order ${order.code}\\.`));
    expect(page).not.toContain('shipping broker');
  });
});
