import { fileURLToPath } from 'node:url';

/**
 * Where the running code sits. The same modules run as TypeScript through tsx (the tests, npm run
 * dev, the CLI) and compiled to JavaScript under dist/ (npm start): src/x.ts and dist/src/x.js are
 * one and two folders below the project's root. Files that are not code (views/, public/, the
 * migrations) are read from the root in both cases, never copied.
 */
const COMPILED = import.meta.url.endsWith('.js');
const ROOT = new URL(COMPILED ? '../../' : '../', import.meta.url);

/** A path under the project's root (the folder of package.json), e.g. `fromRoot('views')`. */
export function fromRoot(path: string): string {
  return fileURLToPath(new URL(path, ROOT));
}

/**
 * A module beside `base` (the caller's import.meta.url) named without its extension, such as a
 * worker thread's entry: `./worker.ts` when the caller runs as TypeScript, `./worker.js` when it runs
 * compiled.
 */
export function siblingModule(base: string, name: string): URL {
  return new URL(`${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}
