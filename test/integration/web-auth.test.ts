import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildUser } from '../builders.js';
import { csrfOf, loginAs, makeApp, makeDb, PASSWORD } from '../helpers.js';
import { tempDir } from '../temp.js';

describe('login and logout', () => {
  it('logs in, lands on the first page the role can use, and logs out', async () => {
    const { app, db } = makeApp();
    const packer = await buildUser(db, 'packer');
    const agent = request.agent(app);
    const page = await agent.get('/login');
    expect(page.status).toBe(200);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(page.text), email: packer.email.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/outbound');
    expect((await agent.get('/outbound')).status).toBe(200);
    const out = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfOf((await agent.get('/outbound')).text) });
    expect(out.headers.location).toBe('/login');
    expect((await agent.get('/outbound')).headers.location).toBe('/login?next=%2Foutbound');
  });

  it('returns to the page asked for, but never to another site', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    for (const [next, expected] of [
      ['/tools/products', '/tools/products'],
      ['//evil.example/x', '/orders'],
      ['https://evil.example', '/orders'],
    ]) {
      const agent = request.agent(app);
      const page = await agent.get(`/login?next=${encodeURIComponent(next!)}`);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfOf(page.text), email: admin.email, password: PASSWORD, next });
      expect(res.headers.location).toBe(expected);
    }
  });

  it('refuses a wrong password, an unknown e-mail and a disabled account with the same message', async () => {
    const { app, db } = makeApp();
    const user = await buildUser(db, 'operator');
    const disabled = await buildUser(db, 'operator');
    db.$client.prepare('UPDATE users SET disabled_at = 1 WHERE id = ?').run(disabled.id);
    for (const [email, password] of [
      [user.email, 'wrong password!'],
      ['nobody@example.com', PASSWORD],
      [disabled.email, PASSWORD],
    ]) {
      const agent = request.agent(app);
      const page = await agent.get('/login');
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfOf(page.text), email, password });
      expect(res.status).toBe(401);
      expect(res.text).toContain('Wrong e-mail or password.');
      // The e-mail typed stays in the field.
      expect(res.text).toContain(`value="${email}"`);
    }
  });

  it('rate-limits failed logins per address and e-mail', async () => {
    const { app, db } = makeApp({ env: { LOGIN_RATE_LIMIT: '3' } });
    const user = await buildUser(db, 'operator');
    const agent = request.agent(app);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const page = await agent.get('/login');
      statuses.push(
        (
          await agent
            .post('/login')
            .type('form')
            .send({ _csrf: csrfOf(page.text), email: user.email, password: 'wrong-password' })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const page = await agent.get('/login');
    const blocked = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(page.text), email: user.email, password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many failed attempts');
  });

  it('refuses a form without a valid CSRF token (403) and changes nothing', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    const res = await agent
      .post('/settings/users')
      .type('form')
      .send({ name: 'X', email: 'x@example.com', role: 'admin', language: 'en', password: 'long enough pw' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired');
    const forged = await agent
      .post('/settings/users')
      .type('form')
      .send({ _csrf: 'forged', name: 'X', email: 'x@example.com', role: 'admin', language: 'en', password: 'long enough pw' });
    expect(forged.status).toBe(403);
    expect(db.$client.prepare("SELECT count(*) AS n FROM users WHERE email = 'x@example.com'").get()).toEqual({ n: 0 });
    // The login form without its token: the form again, with its own message (test/integration/login-csrf.test.ts).
    const login = await request(app).post('/login').type('form').send({ email: admin.email, password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.text).toContain('This login form had expired');
  });

  it('keeps sessions in SQLite: a login survives a restart of the server', async () => {
    const path = join(tempDir('sessions'), 'warehouse.db');
    const first = makeApp({ db: makeDb(path) });
    const admin = await buildUser(first.db, 'admin');
    const { agent } = await loginAs(first.app, admin.email);
    const cookie = (await agent.get('/orders')).request.cookies;
    first.db.$client.close();

    const second = makeApp({ db: makeDb(path) });
    const res = await request(second.app).get('/orders').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.text).toContain(admin.name);
  });

  it('sets helmet headers, and at login a session cookie that scripts cannot read (the login page sets none)', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const agent = request.agent(app);
    const res = await agent.get('/login');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    const cookies = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    expect(cookies.some((c) => c.startsWith('wbo.sid='))).toBe(false);
    const login = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(res.text), email: admin.email, password: PASSWORD });
    const session = ((login.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('wbo.sid='));
    expect(session).toMatch(/wbo\.sid=.*HttpOnly.*SameSite=Lax/);
  });
});
