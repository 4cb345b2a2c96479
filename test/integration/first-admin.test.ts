import { describe, expect, it } from 'vitest';
import { ensureFirstAdmin } from '../../src/bootstrap.js';
import type { Logger } from '../../src/log.js';
import { authenticate } from '../../src/users/service.js';
import { makeDb, testConfig } from '../helpers.js';

const NOW = new Date('2026-11-20T08:00:00Z');

/** A logger that keeps each entry as the JSON line consoleLogger would write. */
function keptLogger(lines: string[]): Logger {
  const entry =
    (level: string) =>
    (message: string, data: Record<string, unknown> = {}) =>
      void lines.push(JSON.stringify({ level, message, ...data }));
  return { info: entry('info'), warn: entry('warn'), error: entry('error') };
}

describe('the first admin’s generated password', () => {
  it('is shown once, in one framed block of its own, and never in a JSON log line', async () => {
    const db = makeDb();
    const logged: string[] = [];
    const blocks: string[] = [];
    await ensureFirstAdmin(db, testConfig(), NOW, keptLogger(logged), (block) => blocks.push(block));
    expect(blocks).toHaveLength(1);
    const block = blocks[0]!;
    const password = /^ {4}password: (\S+)$/m.exec(block)![1]!;
    expect(await authenticate(db, 'admin@example.com', password, NOW)).not.toBeNull();
    // Once in all the output: not in the log, once in the block.
    expect(logged.join('\n')).not.toContain(password);
    expect(block.split(password)).toHaveLength(2);
    // The log says where it was shown, as a field of its own line.
    expect(logged.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual({
      level: 'info',
      message: 'first admin created',
      email: 'admin@example.com',
      passwordShown: 'stderr',
    });
    // A block that cannot be missed: a blank line and a rule above and below, a heading, no JSON in it.
    const lines = block.split('\n');
    expect(lines[0]).toBe('');
    expect(lines[1]).toMatch(/^={40,}$/);
    expect(lines).toContain('  FIRST ADMIN ACCOUNT CREATED');
    expect(lines.filter((l) => /^={40,}$/.test(l))).toHaveLength(2);
    expect(block.endsWith('\n')).toBe(true);
    expect(block).not.toMatch(/[{}]/);
  });

  it('with ADMIN_PASSWORD set, prints nothing and logs no password', async () => {
    const db = makeDb();
    const logged: string[] = [];
    const blocks: string[] = [];
    await ensureFirstAdmin(db, testConfig({ ADMIN_PASSWORD: 'a long admin password' }), NOW, keptLogger(logged), (block) => blocks.push(block));
    expect(blocks).toEqual([]);
    expect(logged.join('\n')).not.toContain('a long admin password');
  });
});
