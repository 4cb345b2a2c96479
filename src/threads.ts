import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * The thread registers tsx's loader, then imports the TypeScript entry: the server runs under tsx
 * (npm start and the tests), and `--import tsx` in a worker's execArgv does not reach its entry on
 * node 20.
 */
const BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });`;

/**
 * Starts a worker thread on a TypeScript module (`entry`, a file URL); `data` reaches it as
 * `workerData.data`; `limits` bound its heap (a thread's heap is the process's memory). The worker
 * starts unreferenced: callers ref() it while it has work for them.
 */
export function startTsWorker(entry: URL, data?: unknown, limits?: ResourceLimits): Worker {
  const worker = new Worker(BOOT, { eval: true, execArgv: [], workerData: { tsx: import.meta.resolve('tsx/esm/api'), entry: entry.href, data }, ...(limits && { resourceLimits: limits }) });
  worker.unref();
  return worker;
}
