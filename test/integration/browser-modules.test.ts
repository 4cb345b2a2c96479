import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { makeApp } from '../helpers.js';

const VIEWS = join(import.meta.dirname, '../../views');

/** Every script a view loads from /public/js, with how it loads it. */
function viewScripts(): { view: string; tag: string; src: string }[] {
  const out: { view: string; tag: string; src: string }[] = [];
  for (const file of readdirSync(VIEWS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ejs'))) {
    for (const m of readFileSync(join(VIEWS, file), 'utf8').matchAll(/<script\b[^>]*\bsrc="(\/public\/js\/[^"]+)"[^>]*><\/script>/g))
      out.push({ view: file, tag: m[0], src: m[1]! });
  }
  return out;
}

describe('the pages’ scripts, bundled from src/browser', () => {
  const scripts = viewScripts();

  it('are loaded by the views as modules', () => {
    expect(scripts.length).toBeGreaterThan(5);
    for (const s of scripts) expect(s.tag, s.view).toContain('type="module"');
  });

  it.each([...new Set(scripts.map((s) => s.src))])('serves %s and every chunk it imports, before login', async (src) => {
    const { app } = makeApp();
    const seen = new Set<string>();
    const load = async (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      const res = await request(app).get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe('text/javascript; charset=utf-8');
      const chunk = /\/chunk-[A-Z0-9]+\.js$/.test(path);
      // A script's name stays when its code changes: revalidated. A chunk's name is its content's hash: kept.
      expect(res.headers['cache-control'], path).toBe(chunk ? 'public, max-age=31536000, immutable' : 'no-cache');
      for (const m of res.text.matchAll(/from\s*"\.\/([^"]+)"|import\s*"\.\/([^"]+)"/g)) await load(`/public/js/${m[1] ?? m[2]}`);
    };
    await load(src);
  });

  it("shares the scan reader between the station's scripts through a chunk, so it runs once a page", async () => {
    const { app } = makeApp();
    const imports = (text: string) => [...text.matchAll(/chunk-[A-Z0-9]+\.js/g)].map((m) => m[0]);
    const [station, scanner] = await Promise.all(['/public/js/shipping.js', '/public/js/scanner.js'].map((path) => request(app).get(path)));
    expect(imports(station!.text).filter((c) => imports(scanner!.text).includes(c))).not.toEqual([]);
  });

  it('answers 304 to the ETag it sent', async () => {
    const { app } = makeApp();
    const first = await request(app).get('/public/js/shipping.js');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    expect((await request(app).get('/public/js/shipping.js').set('If-None-Match', etag)).status).toBe(304);
    expect((await request(app).get('/public/js/shipping.js').set('If-None-Match', '"other"')).status).toBe(200);
  });

  it('serves no script that is not one, and no module source', async () => {
    const { app } = makeApp();
    for (const path of ['/public/js/lib/template.js', '/public/js/tsconfig.json', '/public/js/nothing.js', '/public/js/shipping.ts']) {
      // Past /public/js, like any unknown page: the way to the login page.
      const res = await request(app).get(path);
      expect(res.status, path).not.toBe(200);
      expect(res.headers['content-type'] ?? '', path).not.toContain('javascript');
    }
  });

  it('keeps the page’s script policy: same origin only', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/login');
    expect(res.headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
  });
});
