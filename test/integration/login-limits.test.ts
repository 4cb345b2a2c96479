import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildUser } from '../builders.js';
import { csrfOf, makeApp, PASSWORD } from '../helpers.js';

type App = ReturnType<typeof makeApp>['app'];

/**
 * One login attempt from `address` (the app trusts the loopback proxy, so X-Forwarded-For is the
 * client's address, as behind nginx).
 */
async function attempt(app: App, address: string, email: string, password: string) {
  const agent = request.agent(app);
  const page = await agent.get('/login').set('X-Forwarded-For', address);
  return agent
    .post('/login')
    .set('X-Forwarded-For', address)
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password });
}

const env = (limits: Record<string, string>) => ({ TRUST_PROXY: 'loopback', ...limits });

describe('login limits besides the address-and-e-mail pair', () => {
  it('one address trying many accounts is refused once it has failed the per-address limit, with a retry hint', async () => {
    const { app, db } = makeApp({ env: env({ LOGIN_RATE_LIMIT_PER_ADDRESS: '5' }) });
    const user = await buildUser(db, 'operator');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(app, '203.0.113.7', `guess${i}@example.com`, 'wrong-password')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    // A sixth account, with its right password: refused as the pair limit refuses, page and hint alike.
    const blocked = await attempt(app, '203.0.113.7', user.email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many failed attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // Another address is not held up.
    expect((await attempt(app, '203.0.113.8', user.email, PASSWORD)).status).toBe(302);
  });

  it('many addresses trying one account are refused once the account has failed the per-account limit, until the window ends', async () => {
    const { app, db, clock } = makeApp({ env: env({ LOGIN_RATE_LIMIT_PER_ACCOUNT: '4' }) });
    const user = await buildUser(db, 'operator');
    for (let i = 1; i <= 4; i++) expect((await attempt(app, `198.51.100.${i}`, user.email, `wrong ${i}`)).status).toBe(401);
    const blocked = await attempt(app, '198.51.100.50', user.email.toUpperCase(), PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many failed attempts');
    expect(blocked.headers['retry-after']).toBeDefined();
    // Other accounts from those addresses are not held up.
    const other = await buildUser(db, 'packer');
    expect((await attempt(app, '198.51.100.1', other.email, PASSWORD)).status).toBe(302);
    clock.advance(15 * 60 * 1000 + 1);
    expect((await attempt(app, '198.51.100.50', user.email, PASSWORD)).status).toBe(302);
  });

  it('a successful login does not clear the per-address count that protects the other accounts', async () => {
    const { app, db } = makeApp({ env: env({ LOGIN_RATE_LIMIT_PER_ADDRESS: '3' }) });
    const own = await buildUser(db, 'packer');
    const victim = await buildUser(db, 'admin');
    const from = '192.0.2.10';
    expect((await attempt(app, from, 'a@example.com', 'guess')).status).toBe(401);
    expect((await attempt(app, from, 'b@example.com', 'guess')).status).toBe(401);
    // The attacker's own account logs in: that attempt is not a failure, but the two before stay.
    expect((await attempt(app, from, own.email, PASSWORD)).status).toBe(302);
    expect((await attempt(app, from, 'c@example.com', 'guess')).status).toBe(401);
    expect((await attempt(app, from, victim.email, 'guess')).status).toBe(429);
    expect((await attempt(app, from, own.email, PASSWORD)).status).toBe(429);
  });

  it('correct passwords never count: a shared office address logs everyone in', async () => {
    const { app, db } = makeApp({ env: env({ LOGIN_RATE_LIMIT_PER_ADDRESS: '2', LOGIN_RATE_LIMIT_PER_ACCOUNT: '2', LOGIN_RATE_LIMIT: '2' }) });
    const staff = [await buildUser(db, 'packer'), await buildUser(db, 'packer'), await buildUser(db, 'operator')];
    for (const s of [...staff, staff[0]!]) expect((await attempt(app, '192.0.2.99', s.email, PASSWORD)).status).toBe(302);
  });

  it('an attempt refused by one limit counts against none: an address held up on one account does not lock the account for everyone', async () => {
    const { app, db } = makeApp({ env: env({ LOGIN_RATE_LIMIT: '2', LOGIN_RATE_LIMIT_PER_ACCOUNT: '3' }) });
    const user = await buildUser(db, 'operator');
    expect((await attempt(app, '192.0.2.1', user.email, 'wrong 1')).status).toBe(401);
    expect((await attempt(app, '192.0.2.1', user.email, 'wrong 2')).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await attempt(app, '192.0.2.1', user.email, 'wrong again')).status).toBe(429);
    // Two failures counted for the account, not seven: the user logs in from the office.
    expect((await attempt(app, '192.0.2.200', user.email, PASSWORD)).status).toBe(302);
  });
});
