import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api-tokens/service.js';
import { MIGRATIONS_FOLDER, migrateDatabase, openDatabase, type Db } from '../../src/db/client.js';
import { createWebhook } from '../../src/webhooks/service.js';
import { buildUser } from '../builders.js';
import { api, loginAs, makeApp } from '../helpers.js';
import { apiError, json, type WebhookJson, type WebhookListJson } from '../json.js';
import { tempDir } from '../temp.js';

/**
 * Webhooks belong to their maker (docs/decisions.md § Webhooks belong to their maker): deleting,
 * resending and the delivery log are for the token or user that registered the endpoint, or an
 * admin; anyone else gets 403 `forbidden` and nothing changes.
 */

const SECRET = 'whsec-0123456789abcdef';
const BODY = { secret: SECRET, events: ['order.created'] };
type App = Parameters<typeof request>[0];

/** supertest with one bearer token. */
function client(app: App, token: string) {
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`);
  return {
    get: (url: string) => auth(request(app).get(url)),
    post: (url: string) => auth(request(app).post(url)),
    delete: (url: string) => auth(request(app).delete(url)),
  };
}
type Client = ReturnType<typeof client>;

/** Two integration tokens and an admin token from Settings → API tokens, made by an admin. */
async function tokens(app: App, db: Db) {
  const admin = await buildUser(db, 'admin');
  const make = (name: string, role: 'integration' | 'admin') => {
    const { row, token } = createApiToken(db, { name, role }, admin.id, new Date());
    return { id: row.id, name, as: client(app, token) };
  };
  return { pos: make('POS', 'integration'), erp: make('ERP', 'integration'), admin: make('Admin tool', 'admin') };
}

async function register(as: Client | ReturnType<typeof api>, url: string): Promise<WebhookJson> {
  const res = await as.post('/api/v1/webhooks').send({ url, ...BODY });
  expect(res.status, res.text).toBe(201);
  return json<WebhookJson>(res);
}

const idsSeenBy = async (as: Client | ReturnType<typeof api>) => json<WebhookListJson>(await as.get('/api/v1/webhooks')).webhooks.map((w) => w.id);

/** The refusal every non-maker gets: 403 forbidden, naming the endpoint. */
function expectNotYours(res: request.Response, id: number) {
  expect(res.status, res.text).toBe(403);
  expect(apiError(res)).toMatchObject({ code: 'forbidden', details: { id } });
  expect(apiError(res).message).toMatch(/only they or an admin/);
}

describe('webhooks belong to their maker', () => {
  it('an integration token cannot delete, resend or read the log of an endpoint an admin made', async () => {
    const { app, db } = makeApp();
    const { pos, admin } = await tokens(app, db);
    const hook = await register(admin.as, 'https://erp.example/hooks');
    expect(hook.createdBy).toEqual({ type: 'api', id: admin.id, name: 'Admin tool' });

    expectNotYours(await pos.as.delete(`/api/v1/webhooks/${hook.id}`), hook.id);
    // API_TOKEN from the environment is an integration token too.
    expectNotYours(await api(app).delete(`/api/v1/webhooks/${hook.id}`), hook.id);
    expectNotYours(await pos.as.get(`/api/v1/webhooks/${hook.id}/deliveries`), hook.id);
    expectNotYours(await pos.as.post(`/api/v1/webhooks/${hook.id}/deliveries/1/resend`), hook.id);
    // Nothing changed, and the integration token does not see the admin's address in its list.
    expect(await idsSeenBy(admin.as)).toEqual([hook.id]);
    expect(await idsSeenBy(pos.as)).toEqual([]);
    expect(db.$client.prepare('SELECT count(*) FROM webhooks').pluck().get()).toBe(1);
    // The same refusal in the reader's language.
    const sv = await pos.as.delete(`/api/v1/webhooks/${hook.id}`).set('Accept-Language', 'sv');
    expect(apiError(sv)).toMatchObject({ code: 'forbidden', message: expect.stringContaining('bara de eller en administratör') });
  });

  it('an integration token deletes its own; another integration token cannot; an admin token deletes any', async () => {
    const { app, db } = makeApp();
    const { pos, erp, admin } = await tokens(app, db);
    const posHook = await register(pos.as, 'https://pos.example/hooks');
    const erpHook = await register(erp.as, 'https://erp.example/hooks');
    const envHook = await register(api(app), 'https://env.example/hooks');
    expect(posHook.createdBy).toEqual({ type: 'api', id: pos.id, name: 'POS' });
    expect(envHook.createdBy).toEqual({ type: 'api', id: null, name: 'API_TOKEN' });

    // Each integration token sees and manages its own only.
    expect(await idsSeenBy(pos.as)).toEqual([posHook.id]);
    expect(await idsSeenBy(erp.as)).toEqual([erpHook.id]);
    expect(await idsSeenBy(api(app))).toEqual([envHook.id]);
    expect(await idsSeenBy(admin.as)).toEqual([posHook.id, erpHook.id, envHook.id]);
    expectNotYours(await erp.as.delete(`/api/v1/webhooks/${posHook.id}`), posHook.id);
    expectNotYours(await pos.as.delete(`/api/v1/webhooks/${erpHook.id}`), erpHook.id);
    expectNotYours(await pos.as.delete(`/api/v1/webhooks/${envHook.id}`), envHook.id);
    expect((await erp.as.get(`/api/v1/webhooks/${erpHook.id}/deliveries`)).status).toBe(200);

    expect((await pos.as.delete(`/api/v1/webhooks/${posHook.id}`)).status).toBe(204);
    expect((await api(app).delete(`/api/v1/webhooks/${envHook.id}`)).status).toBe(204);
    expect((await admin.as.delete(`/api/v1/webhooks/${erpHook.id}`)).status).toBe(204);
    expect(await idsSeenBy(admin.as)).toEqual([]);
    expect((await admin.as.delete(`/api/v1/webhooks/${erpHook.id}`)).status).toBe(404);
  });

  it("a refused DELETE with an Idempotency-Key is refused again on retry; the key never replays another token's 204", async () => {
    const { app, db } = makeApp();
    const { pos, admin } = await tokens(app, db);
    const hook = await register(admin.as, 'https://erp.example/hooks');
    const keys = () => db.$client.prepare('SELECT count(*) FROM idempotency_keys').pluck().get();

    const first = await pos.as.delete(`/api/v1/webhooks/${hook.id}`).set('Idempotency-Key', 'delete-1');
    expectNotYours(first, hook.id);
    const retry = await pos.as.delete(`/api/v1/webhooks/${hook.id}`).set('Idempotency-Key', 'delete-1');
    expectNotYours(retry, hook.id);
    expect(json<unknown>(retry)).toEqual(json<unknown>(first));
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(keys()).toBe(0);
    expect(await idsSeenBy(admin.as)).toEqual([hook.id]);

    // The admin token deletes it with the same key: kept in its own scope, replayed to it alone.
    expect((await admin.as.delete(`/api/v1/webhooks/${hook.id}`).set('Idempotency-Key', 'delete-1')).status).toBe(204);
    const replayed = await admin.as.delete(`/api/v1/webhooks/${hook.id}`).set('Idempotency-Key', 'delete-1');
    expect(replayed.status).toBe(204);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    const late = await pos.as.delete(`/api/v1/webhooks/${hook.id}`).set('Idempotency-Key', 'delete-1');
    expect(late.status).toBe(404);
    expect(late.headers['idempotent-replayed']).toBeUndefined();
  });

  it("Settings → Webhooks: records the user, shows every maker, and an admin deletes an integration token's endpoint", async () => {
    const { app, db } = makeApp();
    const { pos } = await tokens(app, db);
    const user = await buildUser(db, 'admin', { email: 'admin@example.com', name: 'Ada Admin' });
    await buildUser(db, 'operator', { email: 'operator@example.com' });
    const posHook = await register(pos.as, 'https://pos.example/hooks');
    const { agent, submit } = await loginAs(app, 'admin@example.com');
    expect(
      (await submit('/settings/webhooks', '/settings/webhooks', { url: 'https://office.example/hooks', secret: SECRET, events: 'order.created' })).status,
    ).toBe(302);
    const page = await agent.get('/settings/webhooks');
    expect(page.text).toContain('made by API token POS');
    expect(page.text).toContain('made by Ada Admin');
    const [, userHook] = db.$client
      .prepare('SELECT id, created_by_type AS type, created_by_id AS byId, created_by_name AS name FROM webhooks ORDER BY id')
      .all() as { id: number; type: string; byId: number; name: string }[];
    expect(userHook).toMatchObject({ type: 'user', byId: user.id, name: 'Ada Admin' });

    // The integration token cannot delete the endpoint the admin made on the page.
    expectNotYours(await pos.as.delete(`/api/v1/webhooks/${userHook!.id}`), userHook!.id);
    // An admin on the page deletes the token's endpoint.
    expect((await submit('/settings/webhooks', `/settings/webhooks/${posHook.id}/delete`, {})).status).toBe(302);
    expect(await idsSeenBy(pos.as)).toEqual([]);
    // An operator does not reach the page's delete at all.
    const operator = await loginAs(app, 'operator@example.com');
    expect((await operator.submit('/orders', `/settings/webhooks/${userHook!.id}/delete`, {})).status).toBe(403);
    expect(db.$client.prepare('SELECT count(*) FROM webhooks').pluck().get()).toBe(1);
  });

  it("an endpoint with no recorded maker (made before the migration, or outside a request) is the admins' alone", async () => {
    const { app, db } = makeApp();
    const { pos, admin } = await tokens(app, db);
    const legacy = createWebhook(db, { url: 'https://old.example/hooks', secret: SECRET, events: ['order.created'] }, new Date());
    expect(await idsSeenBy(pos.as)).toEqual([]);
    expect(json<WebhookListJson>(await admin.as.get('/api/v1/webhooks')).webhooks).toMatchObject([{ id: legacy.id, createdBy: null }]);
    expectNotYours(await pos.as.delete(`/api/v1/webhooks/${legacy.id}`), legacy.id);
    expectNotYours(await api(app).delete(`/api/v1/webhooks/${legacy.id}`), legacy.id);
    expect((await admin.as.delete(`/api/v1/webhooks/${legacy.id}`)).status).toBe(204);
  });

  it('migration 0020 leaves existing endpoints without a maker', () => {
    // The committed migrations up to 0019, applied to a database file, then the rest as the server does.
    const dir = tempDir('webhook-owner');
    const before = join(dir, 'migrations');
    mkdirSync(join(before, 'meta'), { recursive: true });
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
    const upTo0019 = journal.entries.filter((e) => e.idx <= 19);
    expect(upTo0019.at(-1)!.tag).toBe('0019_count_line_on_hand');
    writeFileSync(join(before, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: upTo0019 }));
    for (const file of readdirSync(MIGRATIONS_FOLDER).filter((f) => upTo0019.some((e) => f === `${e.tag}.sql`)))
      copyFileSync(join(MIGRATIONS_FOLDER, file), join(before, file));
    const db = openDatabase(':memory:');
    try {
      migrate(db, { migrationsFolder: before });
      db.$client
        .prepare("INSERT INTO webhooks (url, secret, events, active, created_at) VALUES ('https://old.example/hooks', ?, '[\"order.created\"]', 1, ?)")
        .run(SECRET, Date.now());
      migrateDatabase(db);
      expect(db.$client.prepare('SELECT url, created_by_type AS type, created_by_id AS id, created_by_name AS name FROM webhooks').all()).toEqual([
        { url: 'https://old.example/hooks', type: null, id: null, name: null },
      ]);
    } finally {
      db.$client.close();
    }
  });
});
