import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFirstAdmin } from '../../src/bootstrap.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { ORDER_STATUSES } from '../../src/domain/order-status.js';
import { consoleLogger } from '../../src/log.js';
import { authenticate } from '../../src/users/service.js';
import { expectCountersInSync } from '../builders.js';
import { makeDb, testConfig } from '../helpers.js';
import { tempDir } from '../temp.js';
import { until } from '../wait.js';

const NOW = new Date('2026-11-20T08:00:00Z');

describe('first start', () => {
  it('creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD, once', async () => {
    const db = makeDb();
    const printed: string[] = [];
    const config = testConfig({ ADMIN_EMAIL: 'Boss@Shop.se', ADMIN_PASSWORD: 'a long admin password' });
    await ensureFirstAdmin(db, config, NOW, consoleLogger({ silent: true }), (l) => printed.push(l));
    await ensureFirstAdmin(db, config, NOW, consoleLogger({ silent: true }), (l) => printed.push(l));
    expect(printed).toEqual([]);
    const user = await authenticate(db, 'boss@shop.se', 'a long admin password', NOW);
    expect(user?.role).toBe('admin');
    expect(db.$client.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 1 });
  });

  it('prints a generated password once when none is configured, and it works', async () => {
    const db = makeDb();
    const printed: string[] = [];
    await ensureFirstAdmin(db, testConfig(), NOW, consoleLogger({ silent: true }), (l) => printed.push(l));
    const password = printed.join('\n').match(/password: (\S+)/)![1]!;
    expect(password).toMatch(/^[\w]{5}(-[\w]{5}){3}$/);
    expect(await authenticate(db, 'admin@example.com', password, NOW)).not.toBeNull();
    expect(db.$client.prepare('SELECT password_hash FROM users').get()).not.toEqual({ password_hash: expect.stringContaining(password) });
  });

  it('seeds demo data in every status with consistent stock, only on an empty database', () => {
    const db = makeDb();
    const made = seedDemoData(db, { now: NOW, currency: 'SEK' });
    expect(made!.products).toBeGreaterThanOrEqual(30);
    const statuses = (db.$client.prepare('SELECT DISTINCT status FROM orders').all() as { status: string }[]).map((r) => r.status);
    expect(statuses.sort()).toEqual([...ORDER_STATUSES].sort());
    const withBins = db.$client.prepare('SELECT count(*) AS n FROM products WHERE location IS NOT NULL AND barcode IS NOT NULL').get() as { n: number };
    expect(withBins.n).toBeGreaterThanOrEqual(30);
    expectCountersInSync(db);
    // Made through the writers: a flag or custom status set on a demo order has its event, as any other change.
    const silent = db.$client.prepare(
      "SELECT count(*) FROM orders o WHERE (o.waiting = 1 OR o.custom_status_id IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.type = 'flags_changed')",
    );
    expect(silent.pluck().get()).toBe(0);
    expect(seedDemoData(db, { now: NOW, currency: 'SEK' })).toBeNull();
  });

  it('keeps the order event log append-only', () => {
    const db = makeDb();
    seedDemoData(db, { now: NOW, currency: 'SEK' });
    expect(() => db.$client.prepare("UPDATE order_events SET actor_name = 'someone else'").run()).toThrow(/append-only/);
    expect(() => db.$client.prepare('DELETE FROM order_events').run()).toThrow(/append-only/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('npm start', () => {
  it('migrates a new database file, seeds, prints the admin password and serves', async ({ signal }) => {
    const dir = tempDir('start');
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: join(dir, 'data', 'warehouse.db'), ADMIN_PASSWORD: '', API_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A timed-out test kills the server before its temp folder is removed.
      signal,
      killSignal: 'SIGKILL',
    });
    child.on('error', () => {});
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await until('the server to listen', () => out.includes('listening'), 60_000).catch((err: Error) => {
        throw new Error(`${err.message}; it printed:\n${out}`);
      });
      expect(out).toMatch(/password: \S+/);
      expect(out).toContain('demo data added');
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ ok: true });
      const login = await fetch(`http://127.0.0.1:${port}/login`);
      expect(login.status).toBe(200);
    } finally {
      // Its folder is removed when the test ends: the server must have let go of the files by then.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
    // tsx compiles the whole server at start: on two busy cores that alone has taken over 15 s.
  }, 90_000);
});
