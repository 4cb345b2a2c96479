import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commandSheetPdf } from '../../src/shipping/command-sheet.js';
import { STATION_COMMANDS } from '../../src/domain/station-command.js';
import { LANGUAGES, translator } from '../../src/i18n/index.js';
import { testConfig } from '../helpers.js';
import { withTempDir } from '../temp.js';

const run = promisify(execFile);
const DPI = 150;
const PX_PER_PT = DPI / 72;
const PX_PER_MM = DPI / 25.4;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** A binary PGM (pdftoppm -gray) as width, height and one byte per pixel. */
function readPgm(file: string): { width: number; height: number; px: Buffer } {
  const data = readFileSync(file);
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 64).toString('latin1'))!;
  return { width: Number(header[1]), height: Number(header[2]), px: data.subarray(header[0].length) };
}

/**
 * The barcodes on the page as the image shows them: a bar is a dark vertical run at least 8 mm long
 * (no letter is that tall), bars whose runs share their rows are one barcode; its box is widened by
 * the 5 mm quiet zone each side that must stay white.
 */
function barcodeBoxes(img: { width: number; height: number; px: Buffer }): Box[] {
  const minRun = 8 * PX_PER_MM;
  const boxes: Box[] = [];
  for (let x = 0; x < img.width; x++) {
    let start = -1;
    for (let y = 0; y <= img.height; y++) {
      const dark = y < img.height && img.px[y * img.width + x]! < 128;
      if (dark && start < 0) start = y;
      if (!dark && start >= 0) {
        if (y - start >= minRun) {
          const box = boxes.find((b) => b.y0 < y && start < b.y1 && x - b.x1 <= 10 * PX_PER_MM);
          if (box) box.x1 = x + 1;
          else boxes.push({ x0: x, y0: start, x1: x + 1, y1: y });
        }
        start = -1;
      }
    }
  }
  const quiet = 5 * PX_PER_MM;
  return boxes.map((b) => ({ x0: b.x0 - quiet, y0: b.y0, x1: b.x1 + quiet, y1: b.y1 }));
}

/** Every word pdftotext finds, with its box in pixels at DPI. */
async function wordBoxes(file: string): Promise<(Box & { text: string })[]> {
  const html = (await run('pdftotext', ['-bbox', file, '-'])).stdout;
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    x0: Number(m[1]) * PX_PER_PT,
    y0: Number(m[2]) * PX_PER_PT,
    x1: Number(m[3]) * PX_PER_PT,
    y1: Number(m[4]) * PX_PER_PT,
    text: m[5]!,
  }));
}

async function decodeArea(file: string, dir: string, box: Box, name: string): Promise<string[]> {
  const out = join(dir, name);
  const x = Math.max(0, Math.floor(box.x0));
  const y = Math.max(0, Math.floor(box.y0));
  await run('pdftoppm', [
    '-r',
    String(DPI),
    '-gray',
    '-png',
    '-singlefile',
    '-x',
    String(x),
    '-y',
    String(y),
    '-W',
    String(Math.ceil(box.x1) - x),
    '-H',
    String(Math.ceil(box.y1) - y),
    file,
    out,
  ]);
  const result = await run('zbarimg', ['-q', '--raw', '-Sdisable', '-Scode128.enable', `${out}.png`]).catch((err: { code?: number }) => {
    if (err.code === 4) return { stdout: '' };
    throw err;
  });
  return result.stdout.split('\n').filter(Boolean);
}

describe('the command sheet (A4)', () => {
  for (const lang of LANGUAGES) {
    it(`${lang}: each barcode decodes alone, no text reaches into a barcode or its quiet zone, no description is cut`, async () => {
      const pdf = Buffer.from(await commandSheetPdf(translator(lang), testConfig().documentFontDir));
      await withTempDir('command-sheet', async (dir) => {
        const file = join(dir, 'sheet.pdf');
        writeFileSync(file, pdf);
        await run('pdftoppm', ['-r', String(DPI), '-gray', '-singlefile', file, join(dir, 'page')]);
        const boxes = barcodeBoxes(readPgm(join(dir, 'page.pgm'))).sort((a, b) => a.y0 - b.y0);
        expect(boxes).toHaveLength(STATION_COMMANDS.length);
        for (const [i, box] of boxes.entries()) expect(await decodeArea(file, dir, box, `bar-${i}`)).toEqual([STATION_COMMANDS[i]]);

        const words = await wordBoxes(file);
        const intruders = words.filter((w) => boxes.some((b) => overlaps(w, b))).map((w) => w.text);
        expect(intruders).toEqual([]);
        // Every caption is printed, whole, beside its barcode.
        for (const command of STATION_COMMANDS) for (const word of command.split(' ')) expect(words.some((w) => w.text === word)).toBe(true);
        expect(words.filter((w) => w.text.includes('…')).map((w) => w.text)).toEqual([]);
      });
    });
  }
});
