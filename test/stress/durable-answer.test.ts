import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { buildProduct, buildUser } from '../builders.js';
import { API_TOKEN } from '../helpers.js';
import type { OrderJson } from '../json.js';
import { freePort, tempDatabase } from './harness.js';
import { until } from '../wait.js';

/**
 * Issue 24, "Durable on acknowledgement", on the real server process. What it proves, and what not:
 * - Under strace, the request thread fsyncs the -wal file after it has read an order and
 *   before it writes the 201: the commit has been handed to the disk before the answer leaves. With
 *   synchronous = NORMAL that thread never syncs the WAL (only the checkpoint thread does, later), so
 *   this fails without the change. It cannot show what the disk does with a flush it was asked for
 *   (a drive that acknowledges flushes from a volatile cache still loses them: docs/operations.md).
 * - kill -9 right after the answer, then the order is read back from the file. A killed process
 *   loses nothing the kernel has, with NORMAL as well: this part shows that the answer comes after
 *   the commit (not before it), not that a power cut keeps it. No power cut is faked.
 * Needs strace (Debian package `strace`) and ptrace; skipped without them.
 */
const strace = spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status === 0;

describe.skipIf(!strace)('an answered order was fsynced before its answer', () => {
  it('the request thread syncs the WAL between reading the order and answering it, and a kill -9 after the answer keeps it', async () => {
    const { path, db } = tempDatabase('stress-durable');
    await buildUser(db, 'admin');
    buildProduct(db, { sku: 'F1', onHand: 100 });
    db.$client.close();
    const trace = join(path, '..', 'strace.txt');
    const port = await freePort();
    // Its own process group, so that the kill reaches node under strace as well as strace.
    const child = spawn(
      'strace',
      ['-f', '-qq', '-y', '-s', '40', '-e', 'trace=read,write,writev,fsync,fdatasync', '-o', trace, process.execPath, '--import', 'tsx', 'src/server.ts'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TMPDIR: process.env.TMPDIR,
          NODE_ENV: 'test',
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_PATH: path,
          DEMO_DATA: '0',
          API_TOKEN,
          SCHEDULE: '0',
          SESSION_SECRET: 's'.repeat(40),
        },
        stdio: 'ignore',
        detached: true,
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const url = `http://127.0.0.1:${port}`;
      await until(
        'the traced server to answer /healthz',
        () =>
          fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        60_000,
      );
      const res = await fetch(`${url}/api/v1/orders`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          lines: [{ sku: 'F1', quantity: 2 }],
          customer: { name: 'Frida Fsync', email: 'frida@example.com', address: { line1: 'Vägen 1', postalCode: '111 22', city: 'Stockholm', country: 'SE' } },
          paymentMethod: 'card',
          paid: true,
        }),
      });
      const body = await res.text();
      // The crash, right after the answer: the whole group, strace and node.
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
      expect(res.status, body).toBe(201);
      const { code } = JSON.parse(body) as OrderJson;

      const lines = readFileSync(trace, 'utf8').split('\n');
      const request = lines.findIndex((l) => /^\d+ +read\(\d+<(TCP|socket):[^>]*>, "POST \/api\/v1\/orders /.test(l));
      expect(request, 'the request read in the trace').toBeGreaterThanOrEqual(0);
      const thread = lines[request]!.split(' ')[0]!;
      const mine = lines.slice(request).filter((l) => l.startsWith(`${thread} `));
      const answer = mine.findIndex((l) => /^\d+ +(write|writev)\(\d+<(TCP|socket):[^>]*>, .*HTTP\/1\.1 201/.test(l));
      expect(answer, 'the 201 written in the trace').toBeGreaterThan(0);
      const synced = mine.slice(0, answer).filter((l) => /^\d+ +f(data)?sync\(\d+<[^>]*\.db-wal>/.test(l));
      expect(synced, `fsyncs of the WAL by thread ${thread} between the request and its answer`).not.toEqual([]);

      // Read back after the kill: the answered order is in the file.
      const after = openDatabase(path);
      try {
        expect(after.$client.prepare('SELECT count(*) FROM orders WHERE code = ?').pluck().get(code)).toBe(1);
        expect(after.$client.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        after.$client.close();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, 'SIGKILL');
        await exited;
      }
    }
  }, 120_000);
});
