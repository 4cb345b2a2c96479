import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { buildSync } from 'esbuild';
import type { RequestHandler } from 'express';
import { fromRoot } from '../paths.js';

/**
 * The pages' scripts, bundled from their TypeScript source for the browser: each file directly in
 * src/browser/ (app.ts, scanner.ts, shipping.ts, …) is one page script, served as /public/js/<name>.js
 * and loaded by the views as `<script type="module">`. They import what they share (the scan reader,
 * the sounds, the rules of src/domain that the server runs too) instead of reading globals: esbuild
 * splits what two scripts share into chunks (`chunk-<hash>.js`), so a page that loads scanner.js and
 * shipping.js runs the scan reader once. Built with esbuild the first time a page asks for one and
 * kept in memory; the source is read from src/ both when the server runs TypeScript and when it runs
 * the compiled build, since src/ is always beside it. Nothing is written to disk.
 */
const SOURCE = fromRoot('src/browser');

interface Built {
  code: string;
  etag: string;
  /** A chunk's name carries its content's hash: a browser may keep it for good. */
  immutable: boolean;
}

let built: Map<string, Built> | undefined;

/** The page scripts: every .ts file directly in src/browser (lib/ holds what they import). */
function entryPoints(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const file of readdirSync(SOURCE)) if (file.endsWith('.ts') && !file.endsWith('.d.ts')) entries[basename(file, '.ts')] = `${SOURCE}/${file}`;
  return entries;
}

/** Every script and chunk, by its file name under /public/js, built once per process. */
function browserModules(): Map<string, Built> {
  if (built) return built;
  const result = buildSync({
    entryPoints: entryPoints(),
    bundle: true,
    splitting: true,
    format: 'esm',
    chunkNames: 'chunk-[hash]',
    // Never written (write: false): the output paths only name the files.
    outdir: fromRoot('public/js'),
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  built = new Map();
  for (const file of result.outputFiles) {
    const name = relative(fromRoot('public/js'), file.path);
    const code = file.text;
    built.set(name, { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"`, immutable: name.startsWith('chunk-') });
  }
  return built;
}

/** The bundle of one script or chunk (`shipping.js`, `chunk-….js`), or undefined. */
function browserModule(name: string): Built | undefined {
  return browserModules().get(name);
}

/**
 * Serves the bundles at /public/js/<name>: a page script is revalidated by its ETag (its name stays
 * when its code changes), a chunk is kept (its name changes with its code).
 */
export function serveBrowserModules(): RequestHandler {
  return (req, res, next) => {
    const found = browserModule(req.path.replace(/^\//, ''));
    if (!found) return next();
    res.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': found.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: found.etag,
    });
    if (req.get('if-none-match') === found.etag) return res.status(304).end();
    res.send(found.code);
  };
}
