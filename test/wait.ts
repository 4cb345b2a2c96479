/**
 * The one way a test waits: on a condition, polled, with a deadline — never a fixed sleep. (Inside
 * an assertion, vitest's `expect.poll` does the same.)
 */

/**
 * Waits until `check` returns something other than undefined/false, polling every `everyMs`;
 * resolves with that value, and throws naming `what` at the deadline.
 */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
