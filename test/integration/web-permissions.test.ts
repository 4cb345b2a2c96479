import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/permissions.js';
import { buildOrder, buildUser } from '../builders.js';
import { loginAs, makeApp } from '../helpers.js';

const PAGES: [string, Role][] = [
  ['/orders', 'operator'],
  ['/outbound', 'packer'],
  ['/shipping', 'packer'],
  ['/tools', 'operator'],
  ['/tools/products', 'operator'],
  ['/settings/users', 'admin'],
  ['/settings/api-tokens', 'admin'],
  ['/account', 'packer'],
];
const RANK: Role[] = ['packer', 'operator', 'admin'];

describe('who may open which page', () => {
  it.each(RANK)('%s', async (role) => {
    const { app, db } = makeApp();
    const user = await buildUser(db, role);
    const { agent } = await loginAs(app, user.email);
    for (const [path, minimum] of PAGES) {
      const res = await agent.get(path);
      const allowed = RANK.indexOf(role) >= RANK.indexOf(minimum);
      expect(res.status, `${role} ${path}`).toBe(allowed ? 200 : 403);
      if (!allowed) expect(res.text).toContain('Your role does not give access to this page');
    }
  });

  it('shows only the navigation a role can use', async () => {
    const { app, db } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent } = await loginAs(app, packer.email);
    const html = (await agent.get('/outbound')).text;
    expect(html).toContain('href="/outbound"');
    expect(html).toContain('href="/shipping"');
    expect(html).not.toContain('href="/orders"');
    expect(html).not.toContain('href="/settings"');
  });

  it('sends visitors to the login page', async () => {
    const { app } = makeApp();
    for (const [path] of PAGES) {
      const res = await request(app).get(path);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('a packer posting to an admin form gets 403 and nothing changes', async () => {
    const { app, db } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { submit } = await loginAs(app, packer.email);
    const res = await submit('/account', `/settings/users/${packer.id}`, { name: 'Boss', role: 'admin', language: 'en' });
    expect(res.status).toBe(403);
    expect(db.$client.prepare('SELECT role FROM users WHERE id = ?').get(packer.id)).toEqual({ role: 'packer' });
  });

  it('a role change or a disabled account takes effect on the next request', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const operator = await buildUser(db, 'operator');
    const opSession = await loginAs(app, operator.email);
    buildOrder(db);
    expect((await opSession.agent.get('/orders')).status).toBe(200);
    const adminSession = await loginAs(app, admin.email);
    await adminSession.submit(`/settings/users/${operator.id}`, `/settings/users/${operator.id}`, { name: operator.name, role: 'packer', language: 'en' });
    expect((await opSession.agent.get('/orders')).status).toBe(403);
    await adminSession.submit(`/settings/users/${operator.id}`, `/settings/users/${operator.id}/disable`, { disabled: '1' });
    expect((await opSession.agent.get('/outbound')).status).toBe(302);
  });
});
