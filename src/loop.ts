/**
 * Runs `round` every `everyMs`, never two rounds at once (a slow round makes the next wait), and
 * logs a failed round instead of stopping. The timer does not keep the process alive. Returns a
 * stop function.
 */
export function startLoop(name: string, everyMs: number, round: () => Promise<unknown>, log: { error(m: string, d?: Record<string, unknown>): void }): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await round();
    } catch (err) {
      log.error(`${name} loop failed`, { error: err instanceof Error ? err.stack : String(err) });
    } finally {
      running = false;
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
