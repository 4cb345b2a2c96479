import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApiToken, listApiTokens, revokeApiToken } from '../../src/api-tokens/service.js';
import { buildProduct, buildUser } from '../builders.js';
import { api, makeApp, makeClock } from '../helpers.js';
import { json, type OrderJson } from '../json.js';

describe('API tokens on every request', () => {
  it('records last use at most once a minute, answers as the token, and refuses it once revoked', async () => {
    const clock = makeClock();
    const { app, db } = makeApp({ clock });
    const admin = await buildUser(db, 'admin');
    buildProduct(db, { sku: 'A', onHand: 5 });
    const { row, token } = createApiToken(db, { name: 'Shop', role: 'integration' }, admin.id, clock());
    const lastUsed = () =>
      listApiTokens(db)
        .find((t) => t.id === row.id)!
        .lastUsedAt?.getTime() ?? null;
    const call = () => request(app).get('/api/v1/orders').set('Authorization', `Bearer ${token}`);
    expect(lastUsed()).toBeNull();

    expect((await call()).status).toBe(200);
    const first = clock().getTime();
    expect(lastUsed()).toBe(first);
    clock.advance(30_000);
    expect((await call()).status).toBe(200);
    expect(lastUsed()).toBe(first);
    clock.advance(31_000);
    expect((await call()).status).toBe(200);
    expect(lastUsed()).toBe(clock().getTime());

    // The order is the token's (its name in the source, not API_TOKEN's).
    const res = await request(app)
      .post('/api/v1/orders')
      .set('Authorization', `Bearer ${token}`)
      .send({ status: 'preorder', lines: [{ sku: 'A', quantity: 1 }] });
    expect(res.status).toBe(201);
    expect(json<OrderJson>(res).source).toBe('api:Shop');
    revokeApiToken(db, row.id, clock());
    expect((await call()).status).toBe(401);
    // API_TOKEN from the environment still works, and a near miss of it does not.
    expect((await api(app).get('/api/v1/orders')).status).toBe(200);
    expect((await request(app).get('/api/v1/orders').set('Authorization', 'Bearer test-api-token-012345678')).status).toBe(401);
  });
});
