import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { makeApp } from '../helpers.js';

/** The station camera's decoder files come from this server, so a warehouse LAN without internet works. */
describe('the camera decoder served by the app', () => {
  const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');

  it('serves the WebAssembly module as application/wasm, byte for byte the package’s', async () => {
    const { app } = makeApp();
    const res = await request(app)
      .get('/public/vendor/zxing_reader.wasm')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/wasm');
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(res.body as Buffer)).toBe(sha(readFileSync(wasmPath)));
  });

  it('serves the reader script, and the policy lets pages compile WebAssembly but load scripts from nowhere else', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/public/vendor/zxing-reader.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.text).toContain('var ZXingWASM=');
    const csp = (await request(app).get('/login')).headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/script-src[^;]*(https?:|\*)/);
  });
});
