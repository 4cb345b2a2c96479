import { afterAll, describe, expect, it } from 'vitest';
import { buildPackingOrder } from '../builders.js';
import { carrierEnv, carrierMethod } from '../carriers/setup.js';
import { startShipmondoFake } from '../carriers/shipmondo/fake.js';
import { json } from '../json.js';
import { until } from '../wait.js';
import { apiClient, killAllChildren, startServer, tempDatabase } from './harness.js';

/**
 * kill -9 of the server between the carrier's answer and our commit: Shipmondo has booked (its
 * POST /shipments answered), the server is fetching the labels, and dies. The attempt was recorded
 * before the call, so after a restart the next Fetch parcel ID finds that booking by its reference
 * instead of booking again.
 */

afterAll(killAllChildren);

interface Fetched {
  parcelIds: string[];
  source: string;
  booking?: { how: string };
}

describe('kill -9 in the middle of a carrier booking', () => {
  it('ends with one booking: the restarted server finds it by the reference recorded before the call', async () => {
    const { path, db } = tempDatabase('crash-booking');
    const fake = await startShipmondoFake();
    carrierMethod(db, { kind: 'shipmondo', baseUrl: fake.baseUrl, service: 'GLSDK_HD', code: 'gls', labelFormat: 'zpl' });
    const order = buildPackingOrder(db, { body: { shippingMethod: 'gls' } });
    // The labels are asked for after the shipment is made: hang there, as a slow answer would.
    fake.failNext((r) => r.method === 'GET' && r.path.endsWith('/labels'), { kind: 'hang-after' });

    // A long call timeout: the server must die in the call, not give up on it.
    const env = carrierEnv(60_000);
    const first = await startServer(path, env);
    const lost = apiClient(first.url)
      .post(`/orders/${order.code}/parcels/fetch`, { count: 1 })
      .then(
        () => 'answered',
        () => 'lost',
      );
    await until('Shipmondo to have booked and the labels to be asked for', () => fake.requests.some((r) => r.path.endsWith('/labels')), 20_000);
    expect(fake.bookings.size).toBe(1);
    await first.stop('SIGKILL');
    expect(await lost).toBe('lost');
    const pending = db.$client.prepare('SELECT status, reference FROM carrier_bookings WHERE order_id = ?').all(order.id);
    expect(pending).toEqual([{ status: 'pending', reference: expect.stringMatching(new RegExp(`^${order.code}-\\d+-1$`)) }]);

    const second = await startServer(path, env);
    const again = await apiClient(second.url).post(`/orders/${order.code}/parcels/fetch`, { count: 1 });
    expect(again.status).toBe(201);
    const [booked] = [...fake.bookings.values()];
    expect(json<Fetched>(again)).toMatchObject({ source: 'carrier', booking: { how: 'found' }, parcelIds: booked!.packageNumbers });
    expect(fake.bookings.size).toBe(1);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/shipments'))).toHaveLength(1);
    expect(db.$client.prepare('SELECT status FROM carrier_bookings WHERE order_id = ?').pluck().all(order.id)).toEqual(['booked']);
    expect(
      db.$client.prepare('SELECT parcel_id FROM delivery_parcels p JOIN deliveries d ON d.id = p.delivery_id WHERE d.order_id = ?').pluck().all(order.id),
    ).toEqual(booked!.packageNumbers);
    expect(fake.violations).toEqual([]);
    await second.stop();
  }, 90_000);
});
