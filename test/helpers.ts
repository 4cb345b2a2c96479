import request from 'supertest';
import { buildAppDeps, createApp } from '../src/app.js';
import { applyShopDefaults } from '../src/email/settings.js';
import { loadConfig, type Config } from '../src/config.js';
import { migrateDatabase, openDatabase, type Db } from '../src/db/client.js';
import { consoleLogger } from '../src/log.js';
import { putParcelPatterns } from '../src/shipping/parcel-rules.js';

export const API_TOKEN = 'test-api-token-0123456789';
export const PASSWORD = 'correct horse battery';

/**
 * The parcel IDs tests make up ("PARCEL-1", "P-2", "JJD0001") are no carrier's form: the test shop
 * allows them as its own form (Settings → Shipping → Other parcel ID forms), as a shop with a local
 * courier would. Tests of the form rule itself start from `makeDb(path, { parcelForms: [] })`.
 */
export const TEST_PARCEL_FORMS = ['[A-Z][A-Z0-9]*(?:[-/&][A-Z0-9&]+)*'];

/** A fresh database built from the committed migrations: in memory, or at `path`. */
export function makeDb(path = ':memory:', opts: { parcelForms?: string[] } = {}): Db {
  const db = openDatabase(path);
  migrateDatabase(db);
  putParcelPatterns(db, opts.parcelForms ?? TEST_PARCEL_FORMS, new Date('2026-11-01T00:00:00Z'), 'test');
  return db;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ DEMO_DATA: '0', API_TOKEN, SESSION_SECRET: 'x'.repeat(40), ...env });
}

/** A settable clock: tests move time instead of waiting. */
export function makeClock(start = new Date('2026-11-20T08:00:00Z')) {
  let now = start.getTime();
  const clock = () => new Date(now);
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

export function makeApp(opts: { db?: Db; env?: Record<string, string>; clock?: ReturnType<typeof makeClock> } = {}) {
  const db = opts.db ?? makeDb();
  const clock = opts.clock ?? makeClock();
  const config = testConfig(opts.env);
  // As the server and the CLI do when they start.
  applyShopDefaults(db, config, clock());
  const app = createApp(buildAppDeps({ db, config, clock, log: consoleLogger({ silent: true }) }));
  return { app, db, clock, config };
}

/** supertest with the integration token. */
type AppLike = Parameters<typeof request>[0];

export function api(app: AppLike) {
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${API_TOKEN}`);
  const agent = request(app);
  return {
    get: (url: string) => auth(agent.get(url)),
    post: (url: string) => auth(agent.post(url)),
    put: (url: string) => auth(agent.put(url)),
    patch: (url: string) => auth(agent.patch(url)),
    delete: (url: string) => auth(agent.delete(url)),
  };
}

/** The CSRF token of a rendered page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html) ?? /name="csrf-token" content="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

/** A logged-in browser-like agent (cookies kept), with a helper to post forms with their CSRF token. */
export async function loginAs(app: AppLike, email: string, password = PASSWORD) {
  const agent = request.agent(app);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password });
  if (res.status !== 302) throw new Error(`login failed for ${email}: ${res.status}`);
  return {
    agent,
    /** Loads `pageUrl` for its CSRF token, then posts `fields` to `action`. An arrow, not a method: tests destructure it. */
    submit: async (pageUrl: string, action: string, fields: Record<string, string>) => {
      const form = await agent.get(pageUrl);
      return agent
        .post(action)
        .type('form')
        .send({ _csrf: csrfOf(form.text), ...fields });
    },
  };
}

/**
 * Signs in and names this agent's device a packing station (the station cookie), as a packer does
 * on first opening Shipping out. Returns the session and the station page's CSRF token.
 */
export async function loginAtStation(app: AppLike, email: string, station = 'Bench 1') {
  const session = await loginAs(app, email);
  const named = await session.agent
    .post('/shipping/station')
    .type('form')
    .send({ _csrf: csrfOf((await session.agent.get('/shipping')).text), name: station });
  if (named.status !== 303) throw new Error(`naming the station failed: ${named.status}`);
  const csrf = csrfOf((await session.agent.get('/shipping')).text);
  /** Posts the station's scan field, as a browser without the page script does. */
  const scan = (value: string, extra: Record<string, string> = {}) =>
    session.agent
      .post('/shipping/scan')
      .type('form')
      .send({ _csrf: csrf, value, ...extra });
  /** The same, as the page script sends it: the answer is the fragment of what changed. */
  const scanFragment = (value: string, extra: Record<string, string> = {}) =>
    session.agent
      .post('/shipping/scan')
      .set('X-Station', 'fragment')
      .type('form')
      .send({ _csrf: csrf, value, ...extra });
  return { ...session, csrf, scan, scanFragment };
}
