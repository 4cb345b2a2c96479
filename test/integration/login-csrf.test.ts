import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildUser } from '../builders.js';
import { csrfOf, loginAs, makeApp, PASSWORD } from '../helpers.js';
import type { Db } from '../../src/db/client.js';

const sessionRows = (db: Db) => db.$client.prepare('SELECT count(*) FROM sessions').pluck().get() as number;
const failedLogins = (db: Db) => db.$client.prepare("SELECT count(*) FROM rate_limits WHERE key LIKE 'login%'").pluck().get() as number;

/** The cookies a response sets, by name, each with its attributes as sent. */
function setCookies(res: request.Response): Map<string, string> {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  return new Map((header ?? []).map((c) => [c.slice(0, c.indexOf('=')), c]));
}

/** A Set-Cookie header's value and its attributes as sent (`Path=/`, `HttpOnly`, …). */
function attributes(setCookie: string | undefined): { value: string; attributes: string[] } {
  if (!setCookie) throw new Error('cookie not set');
  const [pair, ...rest] = setCookie.split(/;\s*/);
  return { value: decodeURIComponent(pair!.slice(pair!.indexOf('=') + 1)), attributes: rest };
}

/** `name=value` of each cookie a response sets, for a Cookie header. */
function cookieHeader(res: request.Response): string {
  return [...setCookies(res).values()].map((c) => c.split(';')[0]).join('; ');
}

describe('before login: no session row', () => {
  it('visitors reading the login page, public pages, a 404 and static files, and failing to log in, write no session row', async () => {
    const { app, db } = makeApp();
    const user = await buildUser(db, 'operator');
    const before = sessionRows(db);
    const browser = request.agent(app);
    const paths = [
      '/login',
      '/login?next=%2Forders',
      '/',
      '/orders',
      '/no-such-page',
      '/public/css/app.css',
      '/public/favicon.svg',
      '/public/js/app.js',
      '/public/js/scanner.js',
      '/tls/ca.crt',
      '/healthz',
    ];
    for (let round = 0; round < 3; round++) {
      for (const path of paths) {
        // A browser that keeps its cookies, and one request after another that keeps none.
        for (const client of [browser, request(app)]) {
          const res = await client.get(path);
          expect(res.status, path).toBeLessThan(500);
          expect(setCookies(res).has('wbo.sid'), path).toBe(false);
        }
      }
      // A refused login (wrong password), a post without a token and one to another page.
      const page = await browser.get('/login');
      expect(
        (
          await browser
            .post('/login')
            .type('form')
            .send({ _csrf: csrfOf(page.text), email: user.email, password: 'wrong password' })
        ).status,
      ).toBe(401);
      expect((await request(app).post('/login').type('form').send({ email: user.email, password: PASSWORD })).status).toBe(403);
      expect((await request(app).post('/orders').type('form').send({ _csrf: 'x' })).status).toBe(403);
    }
    expect(sessionRows(db)).toBe(before);

    // The first row is written by a login.
    const page = await browser.get('/login');
    expect(
      (
        await browser
          .post('/login')
          .type('form')
          .send({ _csrf: csrfOf(page.text), email: user.email, password: PASSWORD })
      ).status,
    ).toBe(302);
    expect(sessionRows(db)).toBe(before + 1);
    // Some seventy requests: room for a busy machine.
  }, 120_000);

  it('nor does a browser whose session ended (logged out, its cookie still sent)', async () => {
    const { app, db } = makeApp();
    const user = await buildUser(db, 'packer');
    const { agent } = await loginAs(app, user.email);
    const out = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfOf((await agent.get('/outbound')).text) });
    expect(out.headers.location).toBe('/login');
    expect(sessionRows(db)).toBe(0);
    for (let i = 0; i < 10; i++) {
      // The session cookie as the browser kept it, sent with every request.
      const res = await request(app)
        .get(i % 2 ? '/login' : '/outbound')
        .set('Cookie', out.request.cookies);
      expect(res.status).toBeLessThan(400);
    }
    expect(sessionRows(db)).toBe(0);
  });
});

describe('the login form’s CSRF token', () => {
  it('is a cookie of its own (HttpOnly, SameSite=Strict, not Secure on a plain-HTTP LAN); login takes it, starts the session and clears it', async () => {
    const { app, db } = makeApp();
    const user = await buildUser(db, 'admin');
    const agent = request.agent(app);
    const page = await agent.get('/login');
    const login = attributes(setCookies(page).get('wbo.login'));
    // The token in the form is the one in the cookie.
    expect(login.value).toBe(csrfOf(page.text));
    expect(login.attributes).toEqual(expect.arrayContaining(['Max-Age=7200', 'Path=/', 'HttpOnly', 'SameSite=Strict']));
    expect(login.attributes).not.toContain('Secure');

    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(page.text), email: user.email, password: PASSWORD });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/orders');
    const cookies = setCookies(res);
    expect(attributes(cookies.get('wbo.sid')).attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax']));
    const cleared = attributes(cookies.get('wbo.login'));
    expect(cleared.value).toBe('');
    expect(cleared.attributes).toContain('Expires=Thu, 01 Jan 1970 00:00:00 GMT');

    // Signed in, the session's token takes over: the login token is no longer any form's token.
    const loginToken = csrfOf(page.text);
    const refused = await agent
      .post('/settings/users')
      .type('form')
      .send({ _csrf: loginToken, name: 'X', email: 'x@example.com', role: 'admin', language: 'en', password: 'long enough pw' });
    expect(refused.status).toBe(403);
    const users = await agent.get('/settings/users');
    expect(csrfOf(users.text)).not.toBe(loginToken);
    const created = await agent
      .post('/settings/users')
      .type('form')
      .send({ _csrf: csrfOf(users.text), name: 'X', email: 'x@example.com', role: 'admin', language: 'en', password: 'long enough pw' });
    expect(created.status).toBeLessThan(400);
    expect(db.$client.prepare("SELECT count(*) FROM users WHERE email = 'x@example.com'").pluck().get()).toBe(1);
  });

  it('is refused missing, forged, signed by another server, or from another browser: the form again, the e-mail kept, nothing counted', async () => {
    const { app, db } = makeApp();
    const user = await buildUser(db, 'admin');
    const other = makeApp({ env: { SESSION_SECRET: 'y'.repeat(40) } });
    const mine = request.agent(app);
    const theirs = request.agent(app);
    const myToken = csrfOf((await mine.get('/login')).text);
    const theirToken = csrfOf((await theirs.get('/login')).text);
    const elsewhere = await request(other.app).get('/login');
    const form = { email: user.email, password: PASSWORD };

    const attempts: [string, request.Test][] = [
      ['no token', mine.post('/login').type('form').send(form)],
      [
        'no cookie',
        request(app)
          .post('/login')
          .type('form')
          .send({ _csrf: myToken, ...form }),
      ],
      [
        'a forged token',
        mine
          .post('/login')
          .type('form')
          .send({ _csrf: 'forged', ...form }),
      ],
      // A pair made up by someone else: the token equals the cookie but carries no signature of this server's.
      [
        'a forged pair',
        request(app)
          .post('/login')
          .set('Cookie', 'wbo.login=abc.def')
          .type('form')
          .send({ _csrf: 'abc.def', ...form }),
      ],
      [
        'a pair signed by another server',
        request(app)
          .post('/login')
          .set('Cookie', cookieHeader(elsewhere))
          .type('form')
          .send({ _csrf: csrfOf(elsewhere.text), ...form }),
      ],
      // Another browser's token with this browser's cookie, both ways round.
      [
        'their token with my cookie',
        mine
          .post('/login')
          .type('form')
          .send({ _csrf: theirToken, ...form }),
      ],
      [
        'my token with their cookie',
        theirs
          .post('/login')
          .type('form')
          .send({ _csrf: myToken, ...form }),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const res = await attempt;
      expect(res.status, what).toBe(403);
      expect(res.text, what).toContain('This login form had expired');
      // The form again, with what was typed (not the password) and a new token to send it with.
      expect(res.text, what).toContain(`value="${user.email}"`);
      expect(res.text, what).not.toContain(PASSWORD);
      expect(attributes(setCookies(res).get('wbo.login')).value, what).toBe(csrfOf(res.text));
      expect(setCookies(res).has('wbo.sid'), what).toBe(false);
    }
    // Refused before the password is read: no failed login counted, no session.
    expect(failedLogins(db)).toBe(0);
    expect(sessionRows(db)).toBe(0);

    // Each browser logs in with the form it was shown last (a refusal shows a new one, its cookie with it).
    const last = await theirs
      .post('/login')
      .type('form')
      .send({ _csrf: myToken, ...form });
    expect(last.status).toBe(403);
    expect(
      (
        await theirs
          .post('/login')
          .type('form')
          .send({ _csrf: csrfOf(last.text), ...form })
      ).status,
    ).toBe(302);
    // (The page first: an agent attaches its cookies when a request is made.)
    const page = await mine.get('/login');
    expect(
      (
        await mine
          .post('/login')
          .type('form')
          .send({ _csrf: csrfOf(page.text), ...form })
      ).status,
    ).toBe(302);
  });

  it('is taken for at least an hour and refused after two; the form shown with the refusal logs in', async () => {
    const { app, db, clock } = makeApp();
    const user = await buildUser(db, 'admin');
    const form = { email: user.email, password: PASSWORD };
    const HOUR = 60 * 60 * 1000;

    // The shortest life a token has: shown at the last moment of an hour, sent an hour later.
    clock.advance(HOUR - 1);
    const early = request.agent(app);
    const earlyToken = csrfOf((await early.get('/login')).text);
    clock.advance(HOUR - 1);
    expect(
      (
        await early
          .post('/login')
          .type('form')
          .send({ _csrf: earlyToken, ...form })
      ).status,
    ).toBe(302);

    // The longest: shown at the start of an hour, refused two hours later.
    clock.advance(2);
    const late = request.agent(app);
    const lateToken = csrfOf((await late.get('/login?next=%2Ftools').set('Accept-Language', 'nb')).text);
    clock.advance(2 * HOUR);
    const expired = await late
      .post('/login')
      .set('Accept-Language', 'nb')
      .type('form')
      .send({ _csrf: lateToken, next: '/tools', ...form });
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Innloggingsskjemaet var utløpt');
    expect(expired.text).toContain(`value="${user.email}"`);
    expect(expired.text).toContain('name="next" value="/tools"');
    const again = await late
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(expired.text), next: '/tools', ...form });
    expect(again.status).toBe(302);
    expect(again.headers.location).toBe('/tools');
  });

  it('each login page shows a new token; the last one shown is the one taken', async () => {
    const { app, db } = makeApp();
    const user = await buildUser(db, 'admin');
    const agent = request.agent(app);
    const first = csrfOf((await agent.get('/login')).text);
    const second = csrfOf((await agent.get('/login')).text);
    expect(second).not.toBe(first);
    const stale = await agent.post('/login').type('form').send({ _csrf: first, email: user.email, password: PASSWORD });
    expect(stale.status).toBe(403);
    expect(
      (
        await agent
          .post('/login')
          .type('form')
          .send({ _csrf: csrfOf(stale.text), email: user.email, password: PASSWORD })
      ).status,
    ).toBe(302);
  });

  it('over HTTPS (COOKIE_SECURE behind a proxy): a __Host- cookie, Secure, and the login works', async () => {
    const { app, db } = makeApp({ env: { COOKIE_SECURE: '1', TRUST_PROXY: 'loopback' } });
    const user = await buildUser(db, 'admin');
    const page = await request(app).get('/login').set('X-Forwarded-Proto', 'https');
    expect(attributes(setCookies(page).get('__Host-wbo.login')).attributes).toEqual(
      expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict']),
    );
    expect(setCookies(page).has('wbo.login')).toBe(false);
    const res = await request(app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', cookieHeader(page))
      .type('form')
      .send({ _csrf: csrfOf(page.text), email: user.email, password: PASSWORD });
    expect(res.status).toBe(302);
    expect(attributes(setCookies(res).get('wbo.sid')).attributes).toContain('Secure');
    expect(sessionRows(db)).toBe(1);
  });

  it('the login helper signs in as before', async () => {
    const { app, db } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    expect((await agent.get('/settings/users')).status).toBe(200);
  });
});
