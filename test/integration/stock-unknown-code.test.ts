import { describe, expect, it } from 'vitest';
import { buildProduct, buildUser } from '../builders.js';
import { loginAs, makeApp } from '../helpers.js';

describe('goods in and counts refuse an unknown code before its quantity', () => {
  it('the scan field asks the server, which says an unknown code at once', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'KNOWN-1', barcode: '7350053850019' });
    const op = await buildUser(db, 'operator');
    const { agent } = await loginAs(app, op.email);
    const known = await agent.get('/tools/stock/code').query({ code: '7350053850019', source: 'scanner' });
    expect(known.status).toBe(200);
    expect(known.body).toEqual({ ok: true, sku: 'KNOWN-1', name: expect.any(String) });
    const unknown = await agent.get('/tools/stock/code').query({ code: 'NO-SUCH-ITEM', source: 'scanner' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ ok: false, message: 'No product with this barcode or SKU: NO-SUCH-ITEM.' });
    // A packer has no Tools → Stock.
    const packer = await buildUser(db, 'packer');
    expect((await (await loginAs(app, packer.email)).agent.get('/tools/stock/code').query({ code: 'KNOWN-1' })).status).toBe(403);
  });

  it('without the page script: a count line with an unknown code and no figure is refused for its code, what was typed kept', async () => {
    const { app, db } = makeApp();
    const op = await buildUser(db, 'operator');
    const { submit } = await loginAs(app, op.email);
    const count = (await submit('/tools/stock', '/tools/stock/counts', {})).headers.location!;
    const res = await submit(count, `${count}/items`, { code: 'NO-SUCH-ITEM', counted: '', source: 'manual' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('No product with this barcode or SKU: NO-SUCH-ITEM.');
    expect(res.text).toMatch(/<input class="scan-field" name="code"[^>]*value="NO-SUCH-ITEM"/);
    expect(res.text).toMatch(/aria-invalid="true"[^>]*>|name="code"[^>]*aria-invalid="true"/);
  });
});
