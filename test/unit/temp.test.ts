import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, withTempDir } from '../temp.js';

// The tests run in order: each one checks what the one before it left.
describe('tempDir', () => {
  const fileScoped = tempDir('unit-file');
  let made = '';

  it('makes a fresh folder in the temp folder', () => {
    made = tempDir('unit');
    writeFileSync(join(made, 'data.db'), 'x');
    expect(existsSync(join(made, 'data.db'))).toBe(true);
    expect(made).not.toBe(tempDir('unit'));
  });

  it('removed that folder, contents and all, when the test ended; one made outside a test is still there', () => {
    expect(made).not.toBe('');
    expect(existsSync(made)).toBe(false);
    expect(existsSync(fileScoped)).toBe(true);
  });

  it('withTempDir removes its folder as soon as the function settles, also when it throws', async () => {
    const seen: string[] = [];
    await withTempDir('unit', (dir) => Promise.resolve(void seen.push(dir)));
    await expect(withTempDir('unit', async (dir) => (seen.push(dir), Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    expect(seen.map(existsSync)).toEqual([false, false]);
  });
});
