import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { API_TOKEN, makeDb } from '../helpers.js';
import { tempDir } from '../temp.js';
import { until } from '../wait.js';

/**
 * Shared pieces of the stress suites: real server and CLI processes on one SQLite file, a small
 * API client and a seeded random source (waiting is `until` in test/wait.ts). Durations are bounded
 * for CI and made longer locally through the environment (STRESS_SECONDS, STRESS_KILLS, STRESS_SEED).
 */

/** Seconds a timed suite keeps going (default `fallback`; STRESS_SECONDS for longer local runs). */
export function stressSeconds(fallback: number): number {
  const v = Number(process.env.STRESS_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** How many crashes a crash suite causes of each kind (STRESS_KILLS). */
export function stressKills(fallback: number): number {
  const v = Number(process.env.STRESS_KILLS);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

/** A seeded random source (mulberry32): a failing run is repeated with STRESS_SEED=<seed it printed>. */
export function seededRandom(seed = Number(process.env.STRESS_SEED) || Math.floor(Math.random() * 2 ** 31)) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof seededRandom>;

/**
 * A database file built from the migrations in a temp folder, for use inside a test. When the test
 * ends, every child process is killed and the database closed, and only then is the folder removed.
 */
export function tempDatabase(prefix: string) {
  // Its removal is registered first, so it runs last: finish hooks run in reverse.
  const path = join(tempDir(prefix), 'warehouse.db');
  const db = makeDb(path);
  refuseNewProcesses = false;
  onTestFinished(async () => {
    // A test body still running after its timeout must not start a process on the removed folder.
    refuseNewProcesses = true;
    await killAllChildren();
    if (db.$client.open) db.$client.close();
  });
  return { path, db };
}

/** A port free on 127.0.0.1 right now (nothing listens on it until someone does). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const children = new Set<ChildProcess>();
let refuseNewProcesses = false;

/** Kills every child process a suite started and has not yet seen exit (for afterAll/finally). */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...children].map((c) => kill(c, 'SIGKILL')));
}

/** Sends `signal` and waits for the process to exit. */
export async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  await exited;
}

/** The environment of a product process: only what it needs, never the test runner's own. */
function productEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, NODE_ENV: 'test', ...env };
}

/** Starts `node --import tsx <script>`; its output is kept for a failing test's message. */
export function startProcess(script: string, env: Record<string, string>, args: string[] = []) {
  if (refuseNewProcesses) throw new Error(`not starting ${script}: the test that owns its database has finished`);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: productEnv(env), cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      children.delete(child);
      r(code);
    }),
  );
  return { child, exit, output: () => output };
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGTERM (graceful) or SIGKILL (crash), and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The real server (`node --import tsx src/server.ts`) on 127.0.0.1 and a free port, with the
 * integration token API_TOKEN, no demo data and, unless `env` says otherwise, no schedule.
 * Resolves once /healthz answers.
 */
export async function startServer(databasePath: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const proc = startProcess('src/server.ts', {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_PATH: databasePath,
    DEMO_DATA: '0',
    API_TOKEN,
    SCHEDULE: '0',
    SESSION_SECRET: 's'.repeat(40),
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  void proc.exit.then(() => (exited = true));
  await until(
    `the server on port ${port} to answer /healthz`,
    async () => {
      if (exited) throw new Error(`the server exited while starting:\n${proc.output()}`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    20_000,
  );
  return { url, port, child: proc.child, output: proc.output, stop: (signal = 'SIGTERM') => kill(proc.child, signal) };
}

export interface ApiReply {
  status: number;
  /** Parsed JSON (or the text when it is not JSON): read it with test/json.ts's json<T>(). */
  body: unknown;
}

/** JSON API calls to a server with the integration token. */
export function apiClient(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<ApiReply> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${API_TOKEN}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a crash page would be): kept as text for the message.
    }
    return { status: res.status, body: parsed };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    delete: (path: string) => call('DELETE', path),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;
