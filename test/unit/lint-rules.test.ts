import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import local, { isRepository, isRoute } from '../../lint/rules.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'lint');

/** Every `// expect: local/a, local/b` annotation of the fixtures, as `file:line rule`. */
function expected(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(FIXTURES, 'src'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const rules = /\/\/ expect: (.+)$/.exec(line)?.[1];
        for (const rule of rules?.split(/,\s*/) ?? []) found.push(`${relative(FIXTURES, path)}:${i + 1} ${rule}`);
      });
  }
  return found.sort();
}

describe('the local lint rules (lint/rules.js)', () => {
  it('report exactly the lines of the fixtures marked `// expect:`, and nothing the conventions allow', async () => {
    const eslint = new ESLint({
      cwd: FIXTURES,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: FIXTURES } },
          plugins: { local },
          rules: Object.fromEntries(Object.keys(local.rules).map((name) => [`local/${name}`, 'error'])),
        },
      ],
    });
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const reported = results.flatMap((r) => r.messages.map((m) => `${relative(FIXTURES, r.filePath)}:${m.line} ${m.ruleId ?? m.message}`));
    expect(reported.sort()).toEqual(expected());
  }, 120_000);

  it('know repositories and routes by their file names', () => {
    expect(
      ['src/orders/repo.ts', 'src/shipping/repo/stations.ts', 'src/stock/writer.ts', 'src/orders/status-writer.ts', 'src/db/client.ts'].every(isRepository),
    ).toBe(true);
    expect(['src/orders/service.ts', 'src/orders/repository-notes.ts', 'src/repo.ts.bak'].some(isRepository)).toBe(false);
    expect(
      ['src/orders/web.ts', 'src/orders/api.ts', 'src/orders/web/list.ts', 'src/outbound/verify-web.ts', 'src/auth/routes.ts', 'src/api/router.ts'].every(
        isRoute,
      ),
    ).toBe(true);
    expect(['src/web/form-once.ts', 'src/orders/service.ts', 'src/web/csrf.ts'].some(isRoute)).toBe(false);
  });
});
