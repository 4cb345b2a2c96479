import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A scratch database file for one bench section, named after BENCH_COPY (default .bench/run.db), so
 * that two runs with different BENCH_COPY do not share a section's file either.
 */
export function scratchPath(section: string): string {
  return `${(process.env.BENCH_COPY ?? '.bench/run.db').replace(/\.db$/, '')}-${section}.db`;
}

/**
 * npm start's command line (package.json) without `node`: its node options (the heap settings,
 * docs/operations.md § Memory) and the compiled entry, so the bench runs the server as it runs in
 * production and a change of those options shows in the figures. The first call runs npm start's
 * prestart (the build of dist/), so the figures are of the source as it is now.
 */
export function startCommand(): string[] {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [node, ...args] = scripts.start!.split(/\s+/).filter(Boolean);
  if (node !== 'node' || !/^dist\/.*server\.js$/.test(args.at(-1) ?? '')) throw new Error(`npm start is not "node … dist/…/server.js": ${scripts.start}`);
  if (!built && scripts.prestart) {
    const [pre, ...preArgs] = scripts.prestart.split(/\s+/).filter(Boolean);
    if (pre !== 'node') throw new Error(`npm start's prestart is not "node …": ${scripts.prestart}`);
    execFileSync(process.execPath, preArgs, { stdio: 'inherit' });
    built = true;
  }
  return args;
}
let built = false;

/**
 * The real server (npm start's command) in its own process, so client and server do not share a thread.
 * BENCH_SERVER_NODE_ARGS adds node options to the server alone (say `--cpu-prof --cpu-prof-dir=/tmp/prof`,
 * or `--max-semi-space-size=16` to compare with V8's default), which NODE_OPTIONS cannot carry; they
 * come after npm start's, so the same option given here wins.
 */
export async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop: () => void }> {
  const port = await freePort();
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const [entry, ...startArgs] = startCommand().reverse();
  const child = spawn(process.execPath, [...startArgs.reverse(), ...nodeArgs, entry!], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, stop: () => child.kill('SIGTERM') };
}

export interface Timings {
  count: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Median server time from the Server-Timing header (the app's own time, without the network). */
  server50: number | null;
  /** 99th percentile of the same. */
  server99: number | null;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export function summarize(ms: number[], seconds: number, serverMs: number[] = []): Timings {
  const sorted = [...ms].sort((a, b) => a - b);
  const server = [...serverMs].sort((a, b) => a - b);
  return {
    count: ms.length,
    seconds,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    server50: server.length ? quantile(server, 0.5) : null,
    server99: server.length ? quantile(server, 0.99) : null,
  };
}

/** The app's time from a Server-Timing header ("app;dur=3.21"). */
export function serverTime(res: Response): number | null {
  const match = /app;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
  return match ? Number(match[1]) : null;
}

/** How long a request's body took to arrive after its headers (Server-Timing "read;dur=0.12"): not in the app's time. */
export function readTime(res: Response): number | null {
  const match = /read;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * Sends one request and records how long the client waited (`ms`) and the server's own time
 * (`server`, from Server-Timing); an unexpected status fails the bench (a fast error is not a fast answer).
 */
export async function timeRequest(request: (i: number) => Promise<Response>, i: number, expected: number, ms: number[], server: number[]): Promise<void> {
  const t0 = performance.now();
  const res = await request(i);
  await res.arrayBuffer();
  ms.push(performance.now() - t0);
  const st = serverTime(res);
  if (st !== null) server.push(st);
  if (res.status !== expected) throw new Error(`${res.url} (request ${i}): HTTP ${res.status}, expected ${expected}`);
}

/**
 * Runs `total` requests with `concurrency` in flight, each made by `request(i)`; every answer must
 * have the expected status, or the bench fails (a fast error is not a fast answer).
 */
export async function load(total: number, concurrency: number, expected: number, request: (i: number) => Promise<Response>): Promise<Timings> {
  const ms: number[] = [];
  const server: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        await timeRequest(request, next++, expected, ms, server);
      }
    }),
  );
  return summarize(ms, (performance.now() - started) / 1000, server);
}

/**
 * CPU seconds a process has used so far (user + system, from /proc; Linux only, null elsewhere):
 * the client shares the machine, so a rate alone does not tell what each request costs the server.
 * `thread: 'main'` counts the process's main thread only (the one that serves requests), without
 * its worker threads.
 */
export function cpuSeconds(pid: number | undefined, opts: { thread?: 'main' } = {}): number | null {
  if (pid === undefined) return null;
  try {
    const stat = opts.thread === 'main' ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** A process's resident memory now (VmRSS) or its peak since it started (VmHWM), MB, from /proc (Linux). */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
}

/**
 * Samples a process's VmRSS every `everyMs` until stop(), which answers the highest sample, MB. VmHWM
 * is the peak since the process started, start-up included; this is the peak during one piece of work.
 */
export function sampleRss(pid: number, everyMs = 25): { stop: () => number } {
  let peak = rssMb(pid, 'VmRSS');
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid, 'VmRSS'));
    } catch {
      // The process has ended.
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      try {
        peak = Math.max(peak, rssMb(pid, 'VmRSS'));
      } catch {
        // The process has ended.
      }
      return peak;
    },
  };
}
