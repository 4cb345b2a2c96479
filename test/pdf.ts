import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Response } from 'supertest';
import { withTempDir } from './temp.js';

const run = promisify(execFile);

/** supertest parser that keeps a binary body (a PDF) as a Buffer. */
export function binary(res: Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/** The body a `binary` parse kept, typed (supertest's body is `any`); throws when the response was not parsed so. */
export function bytesOf(res: { status: number; body: unknown }): Buffer {
  if (!Buffer.isBuffer(res.body)) throw new Error(`expected a binary body, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Runs `fn` on the PDF saved in a temp folder that is removed when `fn` settles (the poppler tools read files). */
function withSaved<T>(pdf: Buffer, fn: (file: string, dir: string) => Promise<T>): Promise<T> {
  return withTempDir('pdf', (dir) => {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    return fn(file, dir);
  });
}

/**
 * The PDF's text as pdftotext lays it out (poppler-utils); `raw: true` keeps the order it was drawn
 * in instead (a wrapped cell's lines one after the other).
 */
export async function pdfText(pdf: Buffer, opts: { raw?: boolean } = {}): Promise<string> {
  return withSaved(pdf, async (file) => (await run('pdftotext', [opts.raw ? '-raw' : '-layout', file, '-'])).stdout);
}

/** Page count and the size of each page in millimetres (pdfinfo). */
export async function pdfPages(pdf: Buffer): Promise<{ pages: number; sizes: { width: number; height: number }[] }> {
  const info = await withSaved(pdf, async (file) => (await run('pdfinfo', ['-f', '1', '-l', '9999', file])).stdout);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
  const sizes = [...info.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => ({
    width: (Number(m[1]) * 25.4) / 72,
    height: (Number(m[2]) * 25.4) / 72,
  }));
  return { pages, sizes };
}

/**
 * Every barcode an independent decoder (zbarimg) reads on each page rendered at `dpi` (pdftoppm),
 * one list of decoded texts per page.
 */
export async function pdfBarcodes(pdf: Buffer, dpi = 150): Promise<string[][]> {
  return withSaved(pdf, async (file, dir) => {
    await run('pdftoppm', ['-r', String(dpi), '-png', file, join(dir, 'page')]);
    const pages = readdirSync(dir)
      .filter((f) => f.startsWith('page'))
      .sort();
    const out: string[][] = [];
    for (const page of pages) {
      // zbarimg exits 4 when a page has no barcode.
      const result = await run('zbarimg', ['-q', '--raw', '-Sdisable', '-Scode128.enable', '-Sean13.enable', join(dir, page)]).catch(
        (err: { code?: number; stdout?: string }) => {
          if (err.code === 4) return { stdout: '' };
          throw err;
        },
      );
      out.push(result.stdout.split('\n').filter(Boolean));
    }
    return out;
  });
}

/** A barcode as zbarimg reports it: its symbology, its modifiers (`GS1`: FNC1 in first position) and its data, a GS where an FNC1 separates elements. */
export interface DecodedSymbol {
  type: string;
  modifiers: string[];
  data: string;
}

/**
 * Every barcode zbarimg reads on each page rendered at `dpi`, with what `pdfBarcodes` leaves out:
 * the symbology and whether it is GS1 (zbarimg's XML output).
 */
export async function pdfSymbols(pdf: Buffer, dpi = 150): Promise<DecodedSymbol[][]> {
  return withSaved(pdf, async (file, dir) => {
    await run('pdftoppm', ['-r', String(dpi), '-png', file, join(dir, 'page')]);
    const pages = readdirSync(dir)
      .filter((f) => f.startsWith('page'))
      .sort();
    const out: DecodedSymbol[][] = [];
    for (const page of pages) {
      const result = await run('zbarimg', ['-q', '--xml', '-Sdisable', '-Scode128.enable', '-Sean13.enable', join(dir, page)]).catch(
        (err: { code?: number; stdout?: string }) => {
          if (err.code === 4) return { stdout: '' };
          throw err;
        },
      );
      const symbols = [...result.stdout.matchAll(/<symbol type='([^']+)'([^>]*)><data( format='base64')?[^>]*><!\[CDATA\[\n?([\s\S]*?)\n?\]\]><\/data>/g)].map(
        (m) => ({
          type: m[1]!,
          modifiers: (/modifiers='([^']*)'/.exec(m[2]!)?.[1] ?? '').split(',').filter(Boolean),
          data: m[3] ? Buffer.from(m[4]!.trim(), 'base64').toString('latin1') : m[4]!,
        }),
      );
      out.push(symbols);
    }
    return out;
  });
}
