import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { aCustomer, buildProduct, buildUser } from '../builders.js';
import { api, csrfOf, loginAs, makeApp, PASSWORD } from '../helpers.js';
import { json, type OrderJson } from '../json.js';

describe('Settings → Users', () => {
  it('creates a user who can then log in with their role', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { submit } = await loginAs(app, admin.email);
    const res = await submit('/settings/users', '/settings/users', {
      name: 'Per Packare',
      email: 'Per@Example.com',
      role: 'packer',
      language: 'sv',
      password: 'tio tecken!',
    });
    expect(res.status).toBe(302);
    const { agent } = await loginAs(app, 'per@example.com', 'tio tecken!');
    const page = await agent.get('/outbound');
    expect(page.text).toContain('Utleverans');
  });

  it('re-renders the form with each error next to its field and the values typed', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { submit } = await loginAs(app, admin.email);
    const res = await submit('/settings/users', '/settings/users', {
      name: 'Kim <b>',
      email: 'not-an-email',
      role: 'operator',
      language: 'en',
      password: 'short',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="email-error">Not a valid e-mail address.');
    expect(res.text).toContain('id="password-error">At least 10 characters.');
    expect(res.text).toContain('value="Kim &lt;b&gt;"');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toMatch(/<option value="operator" selected>/);
    const dup = await submit('/settings/users', '/settings/users', {
      name: 'Again',
      email: admin.email,
      role: 'operator',
      language: 'en',
      password: 'long enough pw',
    });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('This e-mail already has an account.');
  });

  it('resets a password: old one stops working, their sessions end', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const op = await buildUser(db, 'operator');
    const opSession = await loginAs(app, op.email);
    const { submit } = await loginAs(app, admin.email);
    const res = await submit(`/settings/users/${op.id}`, `/settings/users/${op.id}/password`, { password: 'brand new password' });
    expect(res.status).toBe(302);
    expect((await opSession.agent.get('/orders')).status).toBe(302);
    await expect(loginAs(app, op.email)).rejects.toThrow();
    await loginAs(app, op.email, 'brand new password');
  });

  it('never leaves the shop without an active admin, and an admin cannot disable themselves', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { submit } = await loginAs(app, admin.email);
    const demote = await submit(`/settings/users/${admin.id}`, `/settings/users/${admin.id}`, { name: admin.name, role: 'operator', language: 'en' });
    expect(demote.status).toBe(409);
    expect(demote.text).toContain('last active admin');
    const disable = await submit(`/settings/users/${admin.id}`, `/settings/users/${admin.id}/disable`, { disabled: '1' });
    expect(disable.status).toBe(409);
    expect(disable.text).toContain('cannot disable your own account');
    expect(db.$client.prepare('SELECT role, disabled_at FROM users WHERE id = ?').get(admin.id)).toEqual({ role: 'admin', disabled_at: null });
  });

  it('disables and enables an account', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const op = await buildUser(db, 'operator');
    const { submit } = await loginAs(app, admin.email);
    await submit(`/settings/users/${op.id}`, `/settings/users/${op.id}/disable`, { disabled: '1' });
    await expect(loginAs(app, op.email)).rejects.toThrow();
    await submit(`/settings/users/${op.id}`, `/settings/users/${op.id}/disable`, { disabled: '0' });
    await loginAs(app, op.email);
  });
});

describe('My account', () => {
  it('switches the language of every page to Swedish', async () => {
    const { app, db } = makeApp();
    const op = await buildUser(db, 'operator');
    const { agent, submit } = await loginAs(app, op.email);
    expect((await agent.get('/orders')).text).toContain('>Orders<');
    await submit('/account', '/account', { name: op.name, language: 'sv' });
    const html = (await agent.get('/orders')).text;
    expect(html).toContain('<html lang="sv">');
    expect(html).toContain('Utleverans');
    expect(html).toContain('Frakt ut');
    expect(html).toContain('Verktyg');
  });

  it('changes the own password only with the current one', async () => {
    const { app, db } = makeApp();
    const op = await buildUser(db, 'packer');
    const { submit } = await loginAs(app, op.email);
    const wrong = await submit('/account', '/account/password', {
      currentPassword: 'nope',
      newPassword: 'another long one',
      confirmPassword: 'another long one',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That is not your current password.');
    const differ = await submit('/account', '/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long one',
      confirmPassword: 'another long two',
    });
    expect(differ.text).toContain('The two passwords differ.');
    const ok = await submit('/account', '/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long one',
      confirmPassword: 'another long one',
    });
    expect(ok.status).toBe(302);
    await loginAs(app, op.email, 'another long one');
  });

  it('picks Swedish for the login page from the browser', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/login').set('Accept-Language', 'sv-SE,sv;q=0.9');
    expect(res.text).toContain('Logga in');
  });
});

describe('Settings → API tokens', () => {
  it('shows a new token once; it works on the API until revoked', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { agent, submit } = await loginAs(app, admin.email);
    const created = await submit('/settings/api-tokens', '/settings/api-tokens', { name: 'Web shop', role: 'integration' });
    expect(created.status).toBe(201);
    const token = /<code class="token"[^>]*>([^<]+)</.exec(created.text)![1]!;
    buildProduct(db, { sku: 'A' });
    const ok = await request(app).get('/api/v1/products/A').set('Authorization', `Bearer ${token}`);
    expect(ok.status).toBe(200);
    const list = await agent.get('/settings/api-tokens');
    expect(list.text).not.toContain(token);
    const id = /\/settings\/api-tokens\/(\d+)\/revoke/.exec(list.text)![1];
    await agent
      .post(`/settings/api-tokens/${id}/revoke`)
      .type('form')
      .send({ _csrf: csrfOf(list.text) });
    const revoked = await request(app).get('/api/v1/products/A').set('Authorization', `Bearer ${token}`);
    expect(revoked.status).toBe(401);
  });
});

describe('output is escaped', () => {
  it('a customer or comment with markup shows as text on the pages', async () => {
    const { app, db } = makeApp();
    buildProduct(db, { sku: 'A' });
    const evil = '<script>alert(1)</script>';
    const created = await api(app)
      .post('/api/v1/orders')
      .send({
        lines: [{ sku: 'A', quantity: 1 }],
        customer: { ...aCustomer(evil), address: { line1: `<img src=x onerror=alert(2)>`, postalCode: '1', city: 'X', country: 'SE' } },
        comment: `"><script>alert(3)</script>`,
      });
    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    for (const url of ['/orders', `/orders/${json<OrderJson>(created).code}`]) {
      const html = (await agent.get(url)).text;
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });
});
