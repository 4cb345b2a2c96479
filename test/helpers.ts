import request from 'supertest';
import { buildAppDeps, createApp } from '../src/app.js';
import { applyShopDefaults } from '../src/email/settings.js';
import { loadConfig, type Config } from '../src/config.js';
import { migrateDatabase, openDatabase, type Db } from '../src/db/client.js';
import { consoleLogger } from '../src/log.js';

export const API_TOKEN = 'test-api-token-0123456789';
export const PASSWORD = 'correct horse battery';

/** A fresh database built from the committed migrations: in memory, or at `path`. */
export function makeDb(path = ':memory:'): Db {
  const db = openDatabase(path);
  migrateDatabase(db);
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
  const res = await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), email, password });
  if (res.status !== 302) throw new Error(`login failed for ${email}: ${res.status}`);
  return {
    agent,
    /** Loads `pageUrl` for its CSRF token, then posts `fields` to `action`. An arrow, not a method: tests destructure it. */
    submit: async (pageUrl: string, action: string, fields: Record<string, string>) => {
      const form = await agent.get(pageUrl);
      return agent.post(action).type('form').send({ _csrf: csrfOf(form.text), ...fields });
    },
  };
}
