import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildUser } from '../builders.js';
import { csrfOf, loginAs, makeApp, makeDb, PASSWORD } from '../helpers.js';
import { tempDir } from '../temp.js';

/** What a page shows when something goes wrong must never be a stack trace or a server path. */
export function expectProductErrorPage(html: string) {
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toContain('<main class="page"');
  expect(html).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\/src\/|\.ts:\d+|Error:/);
}

/** Bodies the parsers refuse before the page's locals exist. */
const BAD_BODIES = [
  { name: 'a body over the limit', status: 413, send: (r: request.Test) => r.type('form').send(`a=${'x'.repeat(300_000)}`) },
  { name: 'more than 2,000 fields', status: 413, send: (r: request.Test) => r.type('form').send(Array.from({ length: 2_100 }, (_, i) => `f${i}=1`).join('&')) },
  {
    name: 'a body that claims gzip but is not',
    status: 400,
    send: (r: request.Test) => r.type('form').set('Content-Encoding', 'gzip').send('email=a%40b.c&password=x'),
  },
  { name: 'an unknown Content-Encoding', status: 415, send: (r: request.Test) => r.type('form').set('Content-Encoding', 'br-x').send('a=1') },
];

describe('error pages', () => {
  it.each(BAD_BODIES)('/login before login, $name → our page in the reader’s language, no trace', async ({ status, send }) => {
    const { app } = makeApp();
    const res = await send(request(app).post('/login').set('Accept-Language', 'sv'));
    expect(res.status).toBe(status);
    expectProductErrorPage(res.text);
    expect(res.text).toContain('<html lang="sv">');
  });

  it.each(BAD_BODIES)('a logged-in form, $name → our page, still logged in, no trace', async ({ status, send }) => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    const res = await send(agent.post('/settings/users'));
    expect(res.status).toBe(status);
    expectProductErrorPage(res.text);
  });

  it('a real gzip body is read', async () => {
    const { app } = makeApp();
    const agent = request.agent(app);
    const page = await agent.get('/login');
    const body = gzipSync(`_csrf=${encodeURIComponent(csrfOf(page.text))}&email=nobody%40example.com&password=x`);
    // As sent, not serialised again as a form.
    const res = await agent
      .post('/login')
      .type('form')
      .set('Content-Encoding', 'gzip')
      .serialize((gzipped: Buffer) => gzipped as never)
      .send(body as never);
    expect(res.status).toBe(401);
  });

  it('a page path with broken %-encoding is 400, not 500', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    const res = await agent.get('/orders/%E0%A4%A');
    expect(res.status).toBe(400);
    expectProductErrorPage(res.text);
  });

  it('in production too (NODE_ENV does not decide what a page shows)', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const { app } = makeApp();
      const res = await BAD_BODIES[1]!.send(request(app).post('/login'));
      expect(res.status).toBe(413);
      expectProductErrorPage(res.text);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});

describe('the login rate limit', () => {
  it('is shared by every process on the database: the second server refuses the right password too', async () => {
    const path = join(tempDir('login'), 'warehouse.db');
    // Two apps with their own connections to one file: two servers, as far as the limit can tell.
    const first = makeApp({ db: makeDb(path), env: { LOGIN_RATE_LIMIT: '3' } });
    const second = makeApp({ db: makeDb(path), env: { LOGIN_RATE_LIMIT: '3' } });
    const user = await buildUser(first.db, 'operator');
    const attempt = async (app: typeof first.app, password: string) => {
      const agent = request.agent(app);
      const page = await agent.get('/login');
      return (
        await agent
          .post('/login')
          .type('form')
          .send({ _csrf: csrfOf(page.text), email: user.email, password })
      ).status;
    };
    expect([await attempt(first.app, 'wrong 1'), await attempt(second.app, 'wrong 2'), await attempt(first.app, 'wrong 3')]).toEqual([401, 401, 401]);
    expect(await attempt(first.app, PASSWORD)).toBe(429);
    expect(await attempt(second.app, PASSWORD)).toBe(429);
    // The window passes for both.
    first.clock.advance(15 * 60 * 1000 + 1);
    second.clock.advance(15 * 60 * 1000 + 1);
    expect(await attempt(second.app, PASSWORD)).toBe(302);
    first.db.$client.close();
    second.db.$client.close();
  });
});

describe('pages that show a secret', () => {
  it('are sent with Cache-Control: no-store, the new API token above all', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { agent, submit } = await loginAs(app, admin.email);
    const created = await submit('/settings/api-tokens', '/settings/api-tokens', { name: 'Shop', role: 'integration' });
    expect(created.status).toBe(201);
    expect(created.text).toMatch(/wbo_|[A-Za-z0-9_-]{32,}/);
    expect(created.headers['cache-control']).toBe('no-store');
    for (const url of ['/settings/api-tokens', '/settings/webhooks', '/settings/users', '/account', '/login']) {
      expect((await agent.get(url)).headers['cache-control'], url).toBe('no-store');
    }
  });

  it('API replies are never cached either', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/api/v1/orders');
    expect(res.status).toBe(401);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
