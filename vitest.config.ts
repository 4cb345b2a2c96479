import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // expect.poll waits for a condition: a generous deadline, since another job may hold both cores
    // (its default, 1 s, lost a page's reload and replay on a loaded machine).
    expect: { poll: { timeout: 15_000 } },
    // Browser tests start Chromium; keep them from competing with each other on two cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
