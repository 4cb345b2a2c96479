import { describe, expect, it } from 'vitest';
import { getWarehouseSettings } from '../../src/warehouse/settings.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { api, loginAs, makeApp } from '../helpers.js';
import { binary, bytesOf, pdfText } from '../pdf.js';

// Settings → Warehouse: the zones in walking order and serpentine aisles, which the pick slip follows.

describe('Settings → Warehouse', () => {
  it('saves the zone order and the serpentine; a bad zone is refused at its field with what was typed, and saves nothing', async () => {
    const { app, db } = makeApp();
    const admin = await loginAs(app, (await buildUser(db, 'admin')).email);
    const bad = await admin.submit('/settings/warehouse', '/settings/warehouse', { zoneOrder: 'B, A-1', serpentine: 'on' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="zoneOrder-error">A zone is letters or digits, up to 20/);
    expect(getWarehouseSettings(db)).toEqual({ zoneOrder: [], serpentine: false });
    const twice = await admin.submit('/settings/warehouse', '/settings/warehouse', { zoneOrder: 'B a b' });
    expect(twice.text).toContain('Each zone once: a zone is named twice.');

    const ok = await admin.submit('/settings/warehouse', '/settings/warehouse', { zoneOrder: 'Ö, B;\nA', serpentine: 'on' });
    expect(ok.status).toBe(303);
    expect(getWarehouseSettings(db)).toEqual({ zoneOrder: ['Ö', 'B', 'A'], serpentine: true });
    const page = (await admin.agent.get('/settings/warehouse')).text;
    expect(page).toContain('value="Ö, B, A"');
    expect(page).toContain('Warehouse settings saved.');
  });

  it('is for admins: a packer and an operator are refused', async () => {
    const { app, db } = makeApp();
    for (const role of ['packer', 'operator'] as const) {
      const user = await loginAs(app, (await buildUser(db, role)).email);
      expect((await user.agent.get('/settings/warehouse')).status).toBe(403);
    }
  });

  it('the pick slip walks the bins as set: the zones in their order, every other aisle from its far end', async () => {
    const { app, db } = makeApp();
    const bins = ['A-1-1', 'B-1-1', 'B-1-9', 'B-2-1', 'B-2-9'];
    const lines = bins.map((location, i) => ({ sku: buildProduct(db, { sku: `W${i}`, location, onHand: 5 }).sku, quantity: 1 }));
    const order = buildPackingOrder(db, { lines });
    const slip = async () => {
      const text = await pdfText(bytesOf(await api(app).get(`/api/v1/orders/${order.code}/documents/pick-slip.pdf`).buffer(true).parse(binary)));
      return text
        .split('\n')
        .map((l) => /^\s*([AB]-\d-\d)\s/.exec(l)?.[1])
        .filter(Boolean);
    };
    expect(await slip()).toEqual(['A-1-1', 'B-1-1', 'B-1-9', 'B-2-1', 'B-2-9']);
    const admin = await loginAs(app, (await buildUser(db, 'admin')).email);
    await admin.submit('/settings/warehouse', '/settings/warehouse', { zoneOrder: 'B', serpentine: 'on' });
    expect(await slip()).toEqual(['B-1-1', 'B-1-9', 'B-2-9', 'B-2-1', 'A-1-1']);
  });
});
