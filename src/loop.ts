/**
 * Runs `round` every `everyMs`, never two rounds at once (a slow round makes the next wait), and
 * logs a failed round instead of stopping. The timer does not keep the process alive. Returns a
 * stop function.
 */
export function startLoop(
  name: string,
  everyMs: number,
  round: () => Promise<unknown>,
  log: { error(m: string, d?: Record<string, unknown>): void },
): () => void {
  let running = false;
  // setInterval ignores what its callback returns: the round's promise is handled here, in full.
  const tick = async () => {
    try {
      await round();
    } catch (err) {
      log.error(`${name} loop failed`, { error: err instanceof Error ? err.stack : String(err) });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void tick();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
