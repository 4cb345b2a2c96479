import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** An npm script of package.json as node's arguments: `node a b` → [a, b] (npm start has no wrapper). */
function nodeArgs(script: 'prestart' | 'start' | 'pack-script'): string[] {
  const line = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts[script]!;
  const [node, ...args] = line.split(/\s+/).filter(Boolean);
  expect(node, `npm ${script} runs node itself: ${line}`).toBe('node');
  return args;
}

describe('npm start', () => {
  it('builds, then runs the compiled server: migrates a new database file, seeds, prints the admin password and serves, a pack run in its worker thread and a PDF included', async ({
    signal,
  }) => {
    // prestart: the build of src/ and jobs/ into dist/ (scripts/build.mjs); start runs dist/, no tsx.
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, nodeArgs('prestart'), { signal }, (err, _out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve())),
    );
    const start = nodeArgs('start');
    expect(start.at(-1)).toMatch(/^dist\/.*\.js$/);
    expect(start).not.toContain('tsx');
    const dir = tempDir('start');
    const port = await freePort();
    const token = 'start-test-token-0123456789';
    const child = spawn(process.execPath, start, {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_PATH: join(dir, 'data', 'warehouse.db'),
        ADMIN_PASSWORD: '',
        API_TOKEN: token,
        SCHEDULE: '0',
      },
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
      const base = `http://127.0.0.1:${port}`;
      const health = await fetch(`${base}/healthz`);
      expect(await health.json()).toEqual({ ok: true });
      const login = await fetch(`${base}/login`);
      expect(login.status).toBe(200);
      // Views and public files are found from the compiled tree too.
      expect(await login.text()).toContain('name="_csrf"');
      expect((await fetch(`${base}/public/css/app.css`)).status).toBe(200);
      // A pack run on a database file runs in a worker thread, started from its compiled entry
      // (src/paths.ts siblingModule, as the documents worker is); a PDF loads pdf-lib on first use.
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const run = await fetch(`${base}/api/v1/pack-runs`, { method: 'POST', headers, body: JSON.stringify({ dryRun: true }) });
      expect(run.status, await run.clone().text()).toBe(201);
      expect(((await run.json()) as { status: string }).status).toBe('succeeded');
      const orders = (await (await fetch(`${base}/api/v1/orders?status=packing&limit=1`, { headers })).json()) as { orders: { code: string }[] };
      const pdf = await fetch(`${base}/api/v1/documents/pick-slips`, { method: 'POST', headers, body: JSON.stringify({ orders: [orders.orders[0]!.code] }) });
      expect(pdf.status, await pdf.clone().text()).toBe(200);
      expect(
        Buffer.from(await pdf.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
    } finally {
      // Its folder is removed when the test ends: the server must have let go of the files by then.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
    // npm run pack-script (the CLI) runs compiled too, on the same file.
    const cli = nodeArgs('pack-script');
    expect(cli.at(-1)).toMatch(/^dist\/.*\.js$/);
    const dryRun = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [...cli, '--dry-run'],
        { signal, env: { ...process.env, DATABASE_PATH: join(dir, 'data', 'warehouse.db') } },
        (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${out}${stderr}`)) : resolve(out)),
      ),
    );
    expect(dryRun).toMatch(/would promote/);
  }, 90_000);
});
