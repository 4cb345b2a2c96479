import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/**
 * The one way a test makes something in the temp folder. Every folder is removed by itself: at the
 * end of the test that made it, or — made outside a test (beforeAll, a describe body) — after the
 * test file's last hook. Names start with `wbo-test-` so a leftover is easy to trace back here.
 */

const PREFIX = 'wbo-test-';
/** Folders made outside a test, removed by the file's afterAll. */
const fileScoped = new Set<string>();
/** Every folder this worker process made and has not removed; one exit listener however often this module loads. */
const worker = globalThis as typeof globalThis & { wboTempDirs?: Set<string> };
if (!worker.wboTempDirs) {
  const pending = (worker.wboTempDirs = new Set<string>());
  // Last resort for a worker that ends without running hooks (a bailed or interrupted run).
  process.once('exit', () => {
    for (const dir of pending) rmSync(dir, { recursive: true, force: true });
  });
}
const pending = worker.wboTempDirs;

function make(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${prefix}-`));
  pending.add(dir);
  return dir;
}

function remove(dir: string): void {
  fileScoped.delete(dir);
  pending.delete(dir);
  // maxRetries: a child process that has just been killed may still be closing its files.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

// Registered when a test file first imports this module, so it is the file's first afterAll and —
// after hooks run in reverse — its last: suites kill their server processes before their folders go.
afterAll(() => {
  for (const dir of [...fileScoped]) remove(dir);
});

/**
 * A new empty folder in the OS temp folder, removed when the current test finishes (after its
 * afterEach hooks), or at the end of the test file when made outside a test. Stop any process
 * still writing into it before then (kill and await its exit in the test or a hook).
 */
export function tempDir(prefix: string): string {
  const dir = make(prefix);
  try {
    onTestFinished(() => remove(dir));
  } catch {
    // Not inside a test: the file's afterAll removes it.
    fileScoped.add(dir);
  }
  return dir;
}

/** Runs `fn` with a fresh temp folder and removes the folder as soon as `fn` settles. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = make(prefix);
  try {
    return await fn(dir);
  } finally {
    remove(dir);
  }
}

/** Removes a folder made by `tempDir` now, before its automatic removal (which then does nothing). */
export function removeTempDir(dir: string): void {
  remove(dir);
}
