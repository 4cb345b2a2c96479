import { describe, expect, it } from 'vitest';
import { buildPackingOrder, buildShippedOrder, buildUser } from '../builders.js';
import { loginAs, loginAtStation, makeApp } from '../helpers.js';

// Pages that show customers (names, addresses, phones) are kept by no browser cache or proxy: a
// shared computer's next user must not find them in its history or cache. The station's poll still
// answers an unchanged state with a 304, by the ETag the page sends itself.

describe('No cache keeps a signed-in page', () => {
  it('every signed-in page is no-store; the station poll revalidates by the ETag it sends', async () => {
    const { app, db } = makeApp();
    const order = buildPackingOrder(db);
    const shipped = buildShippedOrder(db);
    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    for (const path of [
      '/orders',
      `/orders/${order.code}`,
      '/outbound',
      `/outbound/orders/${order.code}/verify`,
      `/orders/${shipped.code}/returns/new`,
      '/tools/stock',
      '/account',
    ]) {
      const res = await agent.get(path);
      expect([path, res.status, res.headers['cache-control']]).toEqual([path, 200, 'no-store']);
    }

    const packer = await buildUser(db, 'packer');
    const station = await loginAtStation(app, packer.email);
    await station.scanFragment(order.code);
    const page = await station.agent.get('/shipping');
    expect(page.headers['cache-control']).toBe('no-store');
    const first = await station.agent.get('/shipping/fragment').set('X-Station', 'fragment');
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.text).toContain(order.code);
    const tag = first.headers.etag!;
    expect(tag).toBeTruthy();
    const same = await station.agent.get('/shipping/fragment').set('X-Station', 'fragment').set('If-None-Match', tag);
    expect(same.status).toBe(304);
    // Changed meanwhile (a parcel scanned on another device of the station): the new state, a new tag.
    await station.scanFragment('NOSTORE-1');
    const changed = await station.agent.get('/shipping/fragment').set('X-Station', 'fragment').set('If-None-Match', tag);
    expect(changed.status).toBe(200);
    expect(changed.text).toContain('NOSTORE-1');
    expect(changed.headers.etag).not.toBe(tag);
  });
});
