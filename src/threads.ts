import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * A TypeScript entry's thread registers tsx's loader, then imports the entry: `--import tsx` in a
 * worker's execArgv does not reach its entry on node 20. A compiled entry (.js, npm start) is
 * started as it is, without the loader (which costs the thread some 50 MB).
 */
const BOOT_TS = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });`;

/**
 * Starts a worker thread on a module (`entry`, a file URL: src/paths.ts `siblingModule` gives the
 * .ts or the .js one, whichever the caller runs as); `data` reaches it as `workerData.data`;
 * `limits` bound its heap (a thread's heap is the process's memory). The worker starts unreferenced:
 * callers ref() it while it has work for them.
 */
export function startWorker(entry: URL, data?: unknown, limits?: ResourceLimits): Worker {
  const options = { execArgv: [], ...(limits && { resourceLimits: limits }) };
  const worker = entry.pathname.endsWith('.ts')
    ? new Worker(BOOT_TS, { ...options, eval: true, workerData: { tsx: import.meta.resolve('tsx/esm/api'), entry: entry.href, data } })
    : new Worker(entry, { ...options, workerData: { data } });
  worker.unref();
  return worker;
}
