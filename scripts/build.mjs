// npm run build (and npm start's prestart): src/ and jobs/ as plain JavaScript under dist/, one .js
// file per .ts file, so that npm start runs node on compiled code without a TypeScript loader.
// esbuild strips the types file by file (no bundle, no type check: tsc --noEmit does that);
// imports keep their paths, which already end in .js. Files that did not change are not rewritten,
// and a file is replaced whole (written beside it, then renamed), so a server running from dist/
// never reads a half-written module. Plain JavaScript itself, so that it runs without tsx.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist');
const SOURCES = ['src', 'jobs'];

const files = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name)); // parentPath: node ≥ 20.12

export async function buildDist() {
  const started = performance.now();
  // src/browser is the pages' scripts: the server bundles them for the browser from src/ (src/web/browser-modules.ts).
  const browser = join(ROOT, 'src', 'browser') + sep;
  const entryPoints = SOURCES.flatMap((dir) => files(join(ROOT, dir))).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith(browser));
  const result = await build({
    entryPoints,
    outbase: ROOT,
    outdir: OUT,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'warning',
  });
  const wanted = new Set();
  let written = 0;
  for (const file of result.outputFiles) {
    wanted.add(file.path);
    let current;
    try {
      current = readFileSync(file.path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === file.text) continue;
    mkdirSync(dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
    written++;
  }
  // What a removed or renamed source left behind.
  let removed = 0;
  for (const file of files(OUT)) {
    if (wanted.has(file) || file.endsWith('.tmp')) continue;
    rmSync(file);
    removed++;
  }
  return { files: wanted.size, written, removed, ms: performance.now() - started, out: relative(ROOT, OUT) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildDist();
  console.log(`build: ${r.files} files in ${r.out}/ (${r.written} written, ${r.removed} removed) in ${Math.round(r.ms)} ms`);
}
