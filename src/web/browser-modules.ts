import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import type { RequestHandler } from 'express';
import { fromRoot } from '../paths.js';

/**
 * Rules that the pages run as well as the server, bundled from their TypeScript source for the
 * browser: one file, one rule, on both sides. Each is a script that sets one global (`Rules` for
 * src/domain/page-rules.ts: the scan reader, order codes, station commands), built with esbuild the first time a page asks for it and kept in
 * memory; the source is read from src/ both when the server runs TypeScript and when it runs the
 * compiled build, since src/ is always beside it.
 */
const MODULES: Record<string, { entry: string; globalName: string }> = {
  'rules.js': { entry: 'src/domain/page-rules.ts', globalName: 'Rules' },
};

interface Built {
  code: string;
  etag: string;
}

const built = new Map<string, Built>();

/** The bundle of one module, built once per process. */
export function browserModule(name: string): Built | undefined {
  const module = MODULES[name];
  if (!module) return undefined;
  let done = built.get(name);
  if (!done) {
    const result = buildSync({
      entryPoints: [fromRoot(module.entry)],
      bundle: true,
      format: 'iife',
      globalName: module.globalName,
      target: ['chrome100', 'firefox100', 'safari15'],
      minify: true,
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    done = { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"` };
    built.set(name, done);
  }
  return done;
}

/** Serves the bundles at /public/js/<name>, revalidated by their ETag. */
export function browserModules(): RequestHandler {
  return (req, res, next) => {
    const found = browserModule(req.path.replace(/^\//, ''));
    if (!found) return next();
    res.set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache', ETag: found.etag });
    if (req.get('if-none-match') === found.etag) return res.status(304).end();
    res.send(found.code);
  };
}
