// typescript-eslint's recommended type-checked rules over the whole project, plus two that catch
// what tsc does not: a promise nobody awaits, and a switch that misses a case of a union.
import tseslint from 'typescript-eslint';
import local from './lint/rules.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'src/db/migrations/', 'test-results/', '.bench/', 'data/', 'backups/'] },
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // A leading underscore marks a name kept on purpose: a parameter a signature needs, or a key
      // pulled out of a destructuring only so that `...rest` goes without it.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // vitest types its asymmetric matchers (expect.any, expect.stringContaining, ...) as `any` on
      // purpose, so they fit any field of an expected object (vitest-dev/vitest#6150, #7015): the
      // rule's premise does not hold there. Response bodies are typed instead (test/json.ts), and
      // reading a member of an `any` is still caught by no-unsafe-member-access.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // The database and layering conventions (docs/architecture.md), read from the syntax tree: lint/rules.js.
    files: ['src/**/*.ts', 'jobs/**/*.ts'],
    plugins: { local },
    rules: {
      'local/sql-in-repos': 'error',
      'local/prepared-once': 'error',
      'local/no-query-cast': 'error',
      'local/transaction-boundary': 'error',
      'local/one-writer': 'error',
      'local/layers': 'error',
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], extends: [tseslint.configs.disableTypeChecked] },
);
