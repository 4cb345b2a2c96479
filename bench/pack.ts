import { copyFileSync, rmSync } from 'node:fs';
import { runPackRun } from '../src/pack/in-worker.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { consoleLogger } from '../src/log.js';
import { createUser } from '../src/users/service.js';
import { generate } from './generate.js';
import { startServer } from './http.js';
import { probe, stationSession, type Probe } from './responsive.js';

const TOKEN = 'bench-token-0123456789abcdef';
const PASSWORD = 'bench password 123';

export interface PackBench {
  candidates: number;
  promoted: number;
  rounds: number;
  /** Medians over the rounds; each round runs the pack script, then the reference, on fresh copies. */
  runSeconds: number;
  longestWriteMs: number;
  referenceSeconds: number;
  referenceWriteMs: number;
  /** Median of each round's run / reference: the two share the machine's state of the moment. */
  ratio: number;
  /**
   * The same ratio in CPU time (this process's, all its threads: the run's worker and the thread that
   * receives its progress; the reference's one thread): what the two cost, whatever else the
   * machine is doing. Wall time also counts the waits for the disk and for a core.
   */
  cpuRatio: number;
  runCpuSeconds: number;
  referenceCpuSeconds: number;
  runRange: [number, number];
  referenceRange: [number, number];
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];

function freshCopy(source: string, name: string): string {
  const path = `.bench/${name}.db`;
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  copyFileSync(source, path);
  return path;
}

/**
 * The pack script over 100,000 candidate orders × ~3 lines and 10,000 products, stock scarce enough
 * that about a fifth are promoted, beside a bare reference on a copy of the same data: one SQL read,
 * the greedy loop in memory, one write transaction.
 */
export async function benchPackScript(rounds = 3): Promise<PackBench> {
  const data = generate({ products: 10_000, orders: 100_000, linesPerOrder: 3, statuses: [['order', 1]], onHand: [0, 30], unpaidShare: 0.1 });
  const results: Awaited<ReturnType<typeof packRound>>[] = [];
  for (let i = 0; i < rounds; i++) results.push(await packRound(data.path));
  const runs = results.map((r) => r.runSeconds);
  const refs = results.map((r) => r.referenceSeconds);
  return {
    candidates: results[0]!.candidates,
    promoted: results[0]!.promoted,
    rounds,
    runSeconds: median(runs),
    longestWriteMs: Math.max(...results.map((r) => r.longestWriteMs)),
    referenceSeconds: median(refs),
    referenceWriteMs: median(results.map((r) => r.referenceWriteMs)),
    ratio: median(results.map((r) => r.runSeconds / r.referenceSeconds)),
    cpuRatio: median(results.map((r) => r.runCpuSeconds / r.referenceCpuSeconds)),
    runCpuSeconds: median(results.map((r) => r.runCpuSeconds)),
    referenceCpuSeconds: median(results.map((r) => r.referenceCpuSeconds)),
    runRange: range(runs),
    referenceRange: range(refs),
  };
}

/** What a round wrote, to show that the pack script and the reference did the same: orders moved, units allocated, status events. */
function writesOf(db: ReturnType<typeof openDatabase>) {
  return db.$client
    .prepare(
      `SELECT (SELECT count(*) FROM orders WHERE status = 'packing') AS packing, (SELECT sum(allocated) FROM products) AS allocated,
              (SELECT count(*) FROM order_events WHERE type = 'status_changed') AS events`,
    )
    .get() as { packing: number; allocated: number; events: number };
}

/** One round: the pack script on a fresh copy of the data, then the reference on another. */
async function packRound(source: string) {
  const data = { path: source };
  const db = openDatabase(freshCopy(data.path, 'pack-run'));
  migrateDatabase(db);
  const t0 = performance.now();
  const c0 = cpuSeconds();
  // As the server runs it: in the worker thread (started by the first round, reused by the next).
  const result = await runPackRun(
    { db, clock: () => new Date(), log: consoleLogger({ silent: true }) },
    { trigger: 'cli', dryRun: false, actor: { type: 'system', id: null, name: 'bench' } },
  );
  const runSeconds = (performance.now() - t0) / 1000;
  const runCpuSeconds = cpuSeconds() - c0;
  const wrote = writesOf(db);
  db.$client.close();
  if (result.status !== 'succeeded') throw new Error(`pack run failed: ${result.error}`);

  const ref = openDatabase(freshCopy(data.path, 'pack-reference'));
  migrateDatabase(ref);
  const r0 = performance.now();
  const rc0 = cpuSeconds();
  const rows = ref.$client
    .prepare(
      `SELECT o.id, o.priority, o.placed_at AS placedAt, o.code, o.paid, l.product_id AS productId, l.quantity - l.shipped_quantity AS remaining
         FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.status = 'order' AND o.waiting = 0 ORDER BY o.id`,
    )
    .all() as { id: number; priority: number; placedAt: number; code: string; paid: number; productId: number; remaining: number }[];
  const available = new Map(
    (ref.$client.prepare('SELECT id, on_hand - allocated AS a FROM products').all() as { id: number; a: number }[]).map((p) => [p.id, p.a]),
  );
  const orders = new Map<
    number,
    { id: number; priority: number; placedAt: number; code: string; paid: boolean; lines: { productId: number; remaining: number }[] }
  >();
  for (const r of rows) {
    let o = orders.get(r.id);
    if (!o) orders.set(r.id, (o = { id: r.id, priority: r.priority, placedAt: r.placedAt, code: r.code, paid: r.paid === 1, lines: [] }));
    o.lines.push({ productId: r.productId, remaining: r.remaining });
  }
  const promoted: (typeof orders extends Map<number, infer O> ? O : never)[] = [];
  for (const o of [...orders.values()].sort((a, b) => b.priority - a.priority || a.placedAt - b.placedAt || (a.code < b.code ? -1 : 1))) {
    if (!o.paid || !o.lines.every((l) => l.remaining <= available.get(l.productId)!)) continue;
    for (const l of o.lines) available.set(l.productId, available.get(l.productId)! - l.remaining);
    promoted.push(o);
  }
  const w0 = performance.now();
  const setStatus = ref.$client.prepare("UPDATE orders SET status = 'packing', updated_at = ? WHERE id = ?");
  // The same rows and columns the pack script writes per promoted order (its status writer's move):
  // the status, each line's allocation with the product's updated_at, and the status event with its data.
  const take = ref.$client.prepare('UPDATE products SET allocated = allocated + ?, updated_at = ? WHERE id = ?');
  const event = ref.$client.prepare(
    "INSERT INTO order_events (order_id, order_code, type, actor_type, actor_name, data, created_at) VALUES (?, ?, 'status_changed', 'system', 'bench', ?, ?)",
  );
  const eventData = JSON.stringify({ from: 'order', to: 'packing', action: 'pack' });
  ref.$client
    .transaction(() => {
      const now = Date.now();
      for (const o of promoted) {
        setStatus.run(now, o.id);
        for (const l of o.lines) take.run(l.remaining, now, l.productId);
        event.run(o.id, o.code, eventData, now);
      }
    })
    .immediate();
  const referenceWriteMs = performance.now() - w0;
  const referenceSeconds = (performance.now() - r0) / 1000;
  const referenceCpuSeconds = cpuSeconds() - rc0;
  const refWrote = writesOf(ref);
  ref.$client.close();
  if (promoted.length !== result.promotedCount) throw new Error(`reference promoted ${promoted.length}, pack script ${result.promotedCount}`);
  if (JSON.stringify(refWrote) !== JSON.stringify(wrote)) throw new Error(`reference wrote ${JSON.stringify(refWrote)}, pack script ${JSON.stringify(wrote)}`);
  return {
    candidates: result.examined,
    promoted: result.promotedCount,
    runSeconds,
    runCpuSeconds,
    longestWriteMs: result.summary.longestWriteMs,
    referenceSeconds,
    referenceCpuSeconds,
    referenceWriteMs,
  };
}

export interface PackLiveBench {
  candidates: number;
  /** From the Tools form to the run list showing it finished (the worker's start-up included). */
  runSeconds: number;
  longestWriteMs: number;
  without: Probe;
  during: Probe;
}

/**
 * Pages and scans on the real server, without and then during a pack run over 100,000 candidates
 * started from Tools (in the server's worker thread).
 */
export async function benchPackLive(baseline = 300): Promise<PackLiveBench> {
  const data = generate({
    products: 10_000,
    orders: 100_500,
    linesPerOrder: 3,
    statuses: [
      ['order', 0.995],
      ['packing', 0.005],
    ],
    onHand: [0, 30],
    unpaidShare: 0.1,
  });
  const path = freshCopy(data.path, 'pack-live');
  const db = openDatabase(path);
  migrateDatabase(db);
  await createUser(db, { email: 'bench@example.com', name: 'Bench', role: 'admin', language: 'en', password: PASSWORD }, new Date());
  const codes = {
    order: db.$client.prepare("SELECT code FROM orders WHERE status = 'order' ORDER BY random() LIMIT 200").pluck().all() as string[],
    packing: db.$client.prepare("SELECT code FROM orders WHERE status = 'packing' AND waiting = 0 ORDER BY random() LIMIT 200").pluck().all() as string[],
  };
  db.$client.close();
  const server = await startServer({ DATABASE_PATH: path, DEMO_DATA: '0', API_TOKEN: TOKEN, LOGIN_RATE_LIMIT: '100000', SCHEDULE: '0' });
  try {
    const session = await stationSession(server.url, 'bench@example.com', PASSWORD);
    await probe(server.url, session, codes, { count: 50 }); // warm-up
    const without = await probe(server.url, session, codes, { count: baseline });
    const t0 = performance.now();
    // Started as an operator does, from Tools (the API's POST answers with every order's outcome,
    // 100,000 of them, which is the API's own cost, not the run's); followed through the run list.
    const started = await fetch(`${server.url}/tools/pack-script/runs`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: session.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf }),
    });
    if (started.status !== 303) throw new Error(`pack run: HTTP ${started.status}`);
    const run = (async () => {
      for (;;) {
        const res = await fetch(`${server.url}/api/v1/pack-runs?limit=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        const [last] = ((await res.json()) as { packRuns: { status: string; examined: number; summary: { longestWriteMs: number }; error: string | null }[] })
          .packRuns;
        if (last && last.status !== 'running') {
          if (last.status !== 'succeeded') throw new Error(`pack run ${last.status}: ${last.error}`);
          return { ...last, seconds: (performance.now() - t0) / 1000 };
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const during = await probe(server.url, session, codes, { count: 0, during: run });
    const result = await run;
    return { candidates: result.examined, runSeconds: result.seconds, longestWriteMs: result.summary.longestWriteMs, without, during };
  } finally {
    server.stop();
  }
}
